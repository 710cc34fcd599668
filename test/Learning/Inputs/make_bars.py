"""Writes a synthetic two-class data set of bars (idx files) for the
training tests: 4 x 4 images, label 0 the main diagonal (pixels (i, i) at
255), label 1 the anti-diagonal (pixels (i, 3 - i) at 255). The two bars
share no pixel, so a kernel can match one without matching the other. Every
image also has FAINT = 4 faint pixels (value 100) off its bar, drawn from
the image's index: with the latency code they fire late (29 ms), after a
neuron that matched the bar has fired, so STDP depresses the weights of a
winning kernel outside its bar (the other bar's pixels included).

make_bars.py DIR [--train N] [--test N] [--faint K]  (K faint pixels, 4)
"""
import argparse
import os
import random
import struct

SIZE = 4
FAINT = 4


def bar(label):
    """The bar's pixels (row-major indices) of class `label`."""
    return [i * SIZE + (i if label == 0 else SIZE - 1 - i) for i in range(SIZE)]


def image(i, label):
    px = [0] * (SIZE * SIZE)
    for k in bar(label):
        px[k] = 255
    off = [k for k in range(SIZE * SIZE) if k not in bar(label)]
    for k in random.Random(1000 + i).sample(off, FAINT):
        px[k] = 100
    return px


def write(d, prefix, n):
    imgs = bytearray(struct.pack(">IIII", 0x803, n, SIZE, SIZE))
    labs = bytearray(struct.pack(">II", 0x801, n))
    for i in range(n):
        imgs += bytes(image(i, i % 2))
        labs.append(i % 2)
    with open(os.path.join(d, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(imgs)
    with open(os.path.join(d, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(labs)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--train", type=int, default=40)
    ap.add_argument("--test", type=int, default=20)
    ap.add_argument("--faint", type=int, default=FAINT)
    a = ap.parse_args()
    FAINT = a.faint
    os.makedirs(a.dir, exist_ok=True)
    write(a.dir, "train", a.train)
    write(a.dir, "t10k", a.test)
