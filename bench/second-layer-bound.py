#!/usr/bin/env python3
"""What a second conv layer could add to the SVM (docs/results.md, "Seventh
sitting"): screening on `scnc-train svm/test --features-out` files, whose
classifier reads the first layer's pools (blocks that are passed through) and
one more source, a spiking map of H x W x C counts (channel-major, as the IR
numbers neurons; docs/ir.md).

  second-layer-bound.py counts TRAIN TEST OUT --keep B1,B2,... --map H,W,C
      The extra source is conv2's unpooled spike counts. Writes OUT-train.svm
      and OUT-test.svm: the first B1 + B2 + ... features (blocks) as they are, then conv2's counts
      summed over 2x2 blocks, quadrants (H/2 x W/2) and the whole map; the
      top-1, top-3 and top-8 maps' counts at each position (per-position
      competition, the others zeroed), 2x2-summed; and a 2x2 sum of 0/1
      (fired or not).
  second-layer-bound.py kmeans TRAIN TEST OUT --keep B1,B2,... --map H,W,C
          --k K --kernel R --pool P [--fit-samples S] [--seed SEED]
      The extra source is the second layer's input (pool1f: 0/1 first
      spikes). Not STDP: K k-means centroids of R x R x C windows of the
      first S samples' maps (Lloyd, 30 iterations, 4,000 images' windows),
      encoded with Coates and Ng's triangle activation max(0, mean(d) - d_k)
      and summed over P x P blocks: the features a second layer with the
      best kernels this clustering finds could give.
  second-layer-bound.py kernels TRAIN TEST OUT --keep B1,B2,... --map H,W,C
          --kernels W.npy --pool P
      The extra source is the second layer's input, as for kmeans; the
      kernels are given (K x C x R x R, e.g. scnc-train layer 2's
      layer2.weights.npy). Three encodings of their R x R windows, each
      summed over P x P blocks: the triangle as above; the projection less
      its mean over the kernels, rectified, max(0, w_k . x - mean_j w_j . x)
      (what a frozen conv layer with inhibit_mean = 1 integrates); and the
      plain projection w_k . x.

Prints the block sizes, for scnc-bench-readout --blocks. Needs python3-numpy;
the k-means mode is about 7 minutes on full MNIST with an optimised BLAS
(apt-get install libopenblas0-pthread) and much slower on the reference one.
"""
import argparse
import os
import sys

import numpy as np


def fail(msg):
    sys.exit(f"second-layer-bound: error: {msg}")


def load(path, dim):
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    x = np.zeros((len(lines), dim), np.float32)
    y = np.zeros(len(lines), np.int64)
    for i, line in enumerate(lines):
        parts = line.split()
        try:
            y[i] = int(parts[0])
            pairs = np.array([p.split(":") for p in parts[1:]], dtype=np.float64).reshape(-1, 2)
        except (ValueError, IndexError):
            fail(f"{path}:{i + 1}: expected 'label index:value ...' (LIBSVM text)")
        if len(pairs):
            idx = pairs[:, 0].astype(np.int64)
            if idx.max() > dim or idx.min() < 1 or (pairs[:, 0] != idx).any():
                fail(f"{path}:{i + 1}: feature index out of 1..{dim}")
            x[i, idx - 1] = pairs[:, 1]
    return y, x


def write(path, y, blocks):
    x = np.hstack(blocks).astype(np.float32)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for i in range(len(y)):
            nz = np.flatnonzero(x[i])
            f.write(str(y[i]) + "".join(" %d:%.6g" % (j + 1, x[i, j]) for j in nz) + "\n")
    os.replace(tmp, path)


def sum_pool(f, p):
    """n x C x H x W -> n x (C * H/p * W/p), p x p blocks, stride p."""
    n, c, h, w = f.shape
    return f.reshape(n, c, h // p, p, w // p, p).sum(axis=(3, 5)).reshape(n, -1)


def top_k(f, k):
    """Keep the k largest counts across maps at each position (the lowest map
    index among equals), zero the rest."""
    n, c, h, w = f.shape
    a = f.transpose(0, 2, 3, 1).reshape(-1, c)
    order = np.argsort(-a, axis=1, kind="stable")[:, :k]
    out = np.zeros_like(a)
    rows = np.arange(a.shape[0])[:, None]
    out[rows, order] = a[rows, order]
    return out.reshape(n, h, w, c).transpose(0, 3, 1, 2)


def windows(f, r):
    """n x C x H x W -> n x positions x (C * r * r), stride 1."""
    n, c = f.shape[:2]
    v = np.lib.stride_tricks.sliding_window_view(f, (r, r), axis=(2, 3))
    ph, pw = v.shape[2], v.shape[3]
    return v.transpose(0, 2, 3, 1, 4, 5).reshape(n, ph * pw, c * r * r), ph, pw


def sq_dist(x, cent):
    """Squared distances of the rows of x to the centroids (rows x centroids)."""
    return (x * x).sum(1)[:, None] - 2 * x @ cent.T + (cent * cent).sum(1)[None]


def kmeans(x, k, rng, iterations=30):
    cent = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(iterations):
        a = sq_dist(x, cent).argmin(1)
        for j in range(k):
            m = a == j
            cent[j] = x[m].mean(0) if m.any() else x[rng.integers(len(x))]
    return cent


def encode(f, cent, r, kind="triangle"):
    """The R x R windows of the maps f against the kernels cent (rows):
    triangle max(0, mean(d) - d_k) of the distances d; mean max(0, p_k -
    mean(p)) of the projections p = cent . x; or plain p."""
    out = []
    for s in range(0, len(f), 2000):
        w, ph, pw = windows(f[s:s + 2000].astype(np.float32), r)
        n = w.shape[0]
        x = w.reshape(-1, w.shape[2])
        if kind == "triangle":
            d = np.sqrt(np.maximum(sq_dist(x, cent), 0))
            t = np.maximum(d.mean(1, keepdims=True) - d, 0)
        else:
            t = x @ cent.T
            if kind == "mean":
                t = np.maximum(t - t.mean(1, keepdims=True), 0)
        out.append(t.reshape(n, ph, pw, -1).transpose(0, 3, 1, 2))
    return np.concatenate(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["counts", "kmeans", "kernels"])
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("out")
    ap.add_argument("--keep", required=True, help="the passed-through blocks' sizes, B1,B2,...")
    ap.add_argument("--map", required=True, help="H,W,C of the extra source")
    ap.add_argument("--k", type=int, default=256)
    ap.add_argument("--kernel", type=int, default=5)
    ap.add_argument("--pool", type=int, default=2)
    ap.add_argument("--fit-samples", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kernels", help="kernels mode: a K x C x R x R .npy file")
    a = ap.parse_args()
    try:
        h, w, c = (int(v) for v in a.map.split(","))
        keep_sizes = [int(v) for v in a.keep.split(",")]
    except ValueError:
        fail(f"--map '{a.map}' / --keep '{a.keep}': expected H,W,C and B1,B2,... (whole numbers)")
    if min(h, w, c, *keep_sizes) < 1:
        fail("--map and --keep sizes are at least 1")
    if a.mode == "counts" and (h != w or h % 2):
        fail(f"counts: the map is {h} x {w}; it must be square with an even side "
             "(2 x 2 blocks, quadrants)")
    cent = None
    if a.mode == "kernels":
        if not a.kernels:
            fail("kernels: --kernels W.npy is required")
        try:
            cent = np.load(a.kernels).astype(np.float32)
        except (OSError, ValueError) as e:
            fail(f"{a.kernels}: {e}")
        if cent.ndim != 4 or cent.shape[1] != c or cent.shape[2] != cent.shape[3]:
            fail(f"{a.kernels}: kernels of shape {cent.shape}, expected (K, {c}, R, R)")
        a.kernel = cent.shape[2]
        cent = cent.reshape(len(cent), -1)
    if a.mode != "counts":
        side = h - a.kernel + 1
        if h != w or a.kernel < 1 or side < 1 or a.pool < 1 or side % a.pool:
            fail(f"{a.mode}: {a.kernel} x {a.kernel} windows of a {h} x {w} map give "
                 f"{max(side, 0)} x {max(w - a.kernel + 1, 0)} positions, which {a.pool} x "
                 f"{a.pool} blocks must tile (a square map)")
    keep = sum(keep_sizes)
    dim = keep + h * w * c
    rng = np.random.default_rng(a.seed)
    data = {name: load(path, dim) for name, path in (("train", a.train), ("test", a.test))}
    if a.mode == "kmeans":
        maps = (data["train"][1][:a.fit_samples, keep:] > 0).reshape(-1, c, h, w)
        pick = rng.choice(len(maps), min(4000, len(maps)), replace=False)
        sample, _, _ = windows(maps[pick].astype(np.float32), a.kernel)
        sample = sample.reshape(-1, sample.shape[2])
        sample = sample[sample.sum(1) > 0]
        if len(sample) < a.k:
            fail(f"kmeans: {len(sample)} windows with a spike, fewer than --k {a.k}")
        cent = kmeans(sample, a.k, rng)
    sizes = None
    for name, (y, x) in data.items():
        f = x[:, keep:].reshape(-1, c, h, w)
        if a.mode == "counts":
            extra = [sum_pool(f, 2), sum_pool(f, h // 2), sum_pool(f, h),
                     sum_pool(top_k(f, 1), 2), sum_pool(top_k(f, 3), 2),
                     sum_pool(top_k(f, 8), 2), sum_pool((f > 0).astype(np.float32), 2)]
        elif a.mode == "kmeans":
            extra = [sum_pool(encode(f > 0, cent, a.kernel), a.pool)]
        else:
            extra = [sum_pool(encode(f > 0, cent, a.kernel, kind), a.pool)
                     for kind in ("triangle", "mean", "plain")]
        blocks = [x[:, :keep]] + extra
        write(f"{a.out}-{name}.svm", y, blocks)
        sizes = keep_sizes + [b.shape[1] for b in extra]
    print(",".join(map(str, sizes)))


if __name__ == "__main__":
    main()
