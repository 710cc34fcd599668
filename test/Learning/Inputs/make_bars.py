"""Writes a synthetic two-class data set of bars (idx files) for the
training tests: 3 x 3 images, label 0 a horizontal bar (middle row 255),
label 1 a vertical bar (middle column 255), with a faint random pixel
(value 60, below the rate code's threshold) so images are not identical.

make_bars.py DIR [--train N] [--test N]
"""
import argparse
import os
import struct


def image(i, label):
    px = [0] * 9
    for k in range(3):
        px[3 + k if label == 0 else 3 * k + 1] = 255
    px[(i * 5) % 9] = px[(i * 5) % 9] or 60
    return px


def write(d, prefix, n):
    imgs = bytearray(struct.pack(">IIII", 0x803, n, 3, 3))
    labs = bytearray(struct.pack(">II", 0x801, n))
    for i in range(n):
        imgs += bytes(image(i, i % 2))
        labs.append(i % 2)
    with open(os.path.join(d, prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(imgs)
    with open(os.path.join(d, prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(labs)


ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--train", type=int, default=40)
ap.add_argument("--test", type=int, default=20)
a = ap.parse_args()
os.makedirs(a.dir, exist_ok=True)
write(a.dir, "train", a.train)
write(a.dir, "t10k", a.test)
