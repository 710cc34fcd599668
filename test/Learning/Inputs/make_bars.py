"""Writes a synthetic two-class data set of bars (idx files) for the
training tests: 4 x 4 images, label 0 the main diagonal (pixels (i, i) at
255), label 1 the anti-diagonal (pixels (i, 3 - i) at 255). The two bars
share no pixel, so a kernel can match one without matching the other. Every
image also has FAINT = 4 faint pixels (value 100) off its bar, drawn from
the image's index: with the latency code they fire late (29 ms), after a
neuron that matched the bar has fired, so STDP depresses the weights of a
winning kernel outside its bar (the other bar's pixels included).

With --classes 3 or 4, labels 2 and 3 are row 1 and column 2 (they share
pixels with the diagonals: for the SVM's multi-class mechanics, not for
learning). Image i has label i mod classes.

make_bars.py DIR [--train N] [--test N] [--faint K] [--classes C]
  (K faint pixels, 4; C classes, 2)
"""
import argparse
import os
import random
import struct

SIZE = 4
FAINT = 4
CLASSES = 2


def bar(label):
    """The bar's pixels (row-major indices) of class `label`."""
    if label == 2:
        return [SIZE + i for i in range(SIZE)]
    if label == 3:
        return [i * SIZE + 2 for i in range(SIZE)]
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
        imgs += bytes(image(i, i % CLASSES))
        labs.append(i % CLASSES)
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
    ap.add_argument("--classes", type=int, default=CLASSES, choices=[2, 3, 4])
    a = ap.parse_args()
    FAINT = a.faint
    CLASSES = a.classes
    os.makedirs(a.dir, exist_ok=True)
    write(a.dir, "train", a.train)
    write(a.dir, "t10k", a.test)
