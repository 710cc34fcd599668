"""Writes a tiny synthetic MNIST-style data set (idx files) for the tests.

make_idx.py DIR [--train N] [--test N] [--rows R] [--cols C] [--gzip]

Image 0 of each split is a probe image: its first pixels are
255, 128, 1, 0, 200, 80, 79, 30 and the rest 0. Image i > 0 has pixel k =
(i * 37 + k * 11) % 256. Image i has label i % 10.
"""
import argparse
import gzip
import os
import struct

PROBE = [255, 128, 1, 0, 200, 80, 79, 30]


def images(n, rows, cols):
    out = bytearray(struct.pack(">IIII", 0x803, n, rows, cols))
    for i in range(n):
        for k in range(rows * cols):
            if i == 0:
                out.append(PROBE[k] if k < len(PROBE) else 0)
            else:
                out.append((i * 37 + k * 11) % 256)
    return bytes(out)


def labels(n):
    return struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--train", type=int, default=30)
    p.add_argument("--test", type=int, default=20)
    p.add_argument("--rows", type=int, default=4)
    p.add_argument("--cols", type=int, default=4)
    p.add_argument("--gzip", action="store_true")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for prefix, n in (("train", a.train), ("t10k", a.test)):
        for name, data in (("images-idx3-ubyte", images(n, a.rows, a.cols)),
                           ("labels-idx1-ubyte", labels(n))):
            path = os.path.join(a.dir, "%s-%s" % (prefix, name))
            if a.gzip:
                with gzip.open(path + ".gz", "wb") as f:
                    f.write(data)
            else:
                with open(path, "wb") as f:
                    f.write(data)


main()
