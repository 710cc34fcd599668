"""An independent re-implementation of docs/training.md's encoders (numpy
only), compared with a spike file scnc-data wrote.

check_encoding.py DIR SET INDEX SPIKES.npy ENCODER [--seed S] [--noise]
    [--threshold T] [--factor F] [--max-spikes M] [--window W]
    [--max-rate R] [--dt D] [--t-max T] [--dog IMAGE.npy]

Prints "match: K spikes" or what differs (and exits 1).
"""
import argparse
import sys

import numpy as np

MASK = (1 << 64) - 1


def splitmix64(seed, k):
    z = (seed + (k + 1) * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def below(bits, n):  # uniform integer in [0, n)
    return (bits * n) >> 64


def unit(bits):  # uniform double in (0, 1]
    return ((bits >> 11) + 1) * 2.0 ** -53


def read_images(path):
    data = open(path, "rb").read()
    n, rows, cols = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(n, rows, cols)


def rate(img, seed, a):
    out = []
    for n, i in enumerate(img):
        bits = splitmix64(seed, n)
        if i > 0 and i >= a.threshold:
            interval = 255.0 / i * a.factor
            if interval >= a.window:
                out.append((below(bits, int(a.window) + 1), n))
                continue
            td = int(interval)
            offset = below(bits, td + 1)
            last = None
            for k in range(a.max_spikes):
                z = k * td + offset
                if z >= a.window or z == last:
                    break
                out.append((z, n))
                last = z
        elif a.noise:
            out.append((below(bits, int(a.window) + 1), n))
    return out


def poisson(img, seed, a):
    ticks = int(round(a.window / a.dt))
    out = []
    for n, i in enumerate(img):
        p = i / 255.0 * a.max_rate * a.dt / 1000.0
        if p <= 0:
            continue
        for t in range(ticks):
            if unit(splitmix64(seed, n * ticks + t)) <= p:
                out.append((t * a.dt, n))
    return out


def latency(img, a):
    return [(int((1 - i / 255.0) * a.t_max), n) for n, i in enumerate(img) if i > 0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("set")
    p.add_argument("index", type=int)
    p.add_argument("spikes")
    p.add_argument("encoder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--noise", action="store_true")
    p.add_argument("--threshold", type=float, default=80)
    p.add_argument("--factor", type=float, default=10)
    p.add_argument("--max-spikes", type=int, default=10)
    p.add_argument("--window", type=float, default=50)
    p.add_argument("--max-rate", type=float, default=100)
    p.add_argument("--dt", type=float, default=1)
    p.add_argument("--t-max", type=float, default=49)
    p.add_argument("--dog", help="the filtered image scnc-data wrote (--image-out)")
    a = p.parse_args()
    prefix = "train" if a.set == "train" else "t10k"
    images = read_images("%s/%s-images-idx3-ubyte" % (a.dir, prefix))
    if a.dog:
        img = np.load(a.dog).astype(float).ravel()  # channel-major
    else:
        img = images[a.index].astype(float).ravel()  # y * W + x
    seed = splitmix64(a.seed, a.index)
    if a.encoder == "rate":
        expected = rate(img, seed, a)
    elif a.encoder == "poisson":
        expected = poisson(img, seed, a)
    else:
        expected = latency(img, a)
    expected = sorted((float(t), float(n)) for t, n in expected)
    got = np.load(a.spikes)
    if got.dtype != np.float64 or got.ndim != 2 or got.shape[1] != 2:
        print("bad file: dtype %s shape %s" % (got.dtype, got.shape))
        sys.exit(1)
    got = [tuple(r) for r in got.tolist()]
    if got != expected:
        print("differs: %d spikes, expected %d" % (len(got), len(expected)))
        print("only in the file:", sorted(set(got) - set(expected))[:10])
        print("only expected:", sorted(set(expected) - set(got))[:10])
        sys.exit(1)
    print("match: %d spikes" % len(got))


main()
