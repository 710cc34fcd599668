#!/usr/bin/python3
"""Draws deterministic MNIST-like digits and encodes them as Poisson spikes.

The input for examples/mnist.scn's `digit` layer (28 x 28 x 1): a sequence of
presentations, one hand-drawn grey digit each (strokes with anti-aliased edges,
values 0..1, the digit inside the central 20 x 20 box like MNIST). During the
first `--window` ms of every `--presentation` ms, pixel p spikes as a Bernoulli
process per 1 ms tick with probability `intensity(p) * max_rate * dt` (a
discretised Poisson train, at most one spike per neuron per tick); the rest of
the presentation is silent, as in mnist.scn (presentation = 100 ms,
input_window = 50 ms).

Output: float64 .npy of shape (K, 2), rows (time ms, neuron index), sorted by
(time, index); times are whole ticks (multiples of --dt), the index is the
row-major (y, x, channel) index into 28 x 28 x 1, i.e. y * 28 + x (with one
channel this is also the IR's channel-major c*H*W + y*W + x, docs/ir.md).

The default --max-rate (15 Hz) was chosen with bench/brian2/mnist_brian2.py so
that conv1 of examples/mnist.scn fires at 10-30 Hz (docs/performance.md,
"Runtime vs Brian2").

python3 + numpy only. Usage:
  bench/brian2/make_digit.py -o examples/inputs/digit.npy
  bench/brian2/make_digit.py -o x.npy --pgm digits.pgm   (also writes the images)
"""
import argparse
import sys

import numpy as np

SIZE = 28


def arc(cx, cy, rx, ry, a0, a1, n=40):
    """Points on an ellipse arc, angles in degrees (0 = +x, 90 = +y = down)."""
    a = np.radians(np.linspace(a0, a1, n))
    return list(zip(cx + rx * np.cos(a), cy + ry * np.sin(a)))


# Strokes (polylines) in a 20 x 20 box, x to the right, y down.
DIGITS = {
    0: [arc(10, 10, 6, 8.5, 0, 360, 64)],
    1: [[(7.5, 4.5), (11, 1.5), (11, 18.5)]],
    2: [arc(10, 6.5, 5.5, 5, 190, 360 + 20, 40) + [(4.5, 18.5), (16, 18.5)]],
    3: [arc(9.5, 5.5, 5, 4.2, 200, 360 + 90, 40),
        arc(9.5, 14, 6, 4.8, 270, 360 + 150, 40)],
    4: [[(13, 18.5), (13, 1.5), (3.5, 13), (17, 13)]],
    5: [[(15.5, 1.5), (6.5, 1.5), (5.5, 8.5)] +
        arc(10, 13, 5.5, 5.5, 235, 360 + 140, 40)],
    6: [arc(11, 9, 6, 8, 280, 180, 30) + arc(10, 13.5, 5.2, 5, 180, -180, 50)],
    7: [[(3.5, 2), (16.5, 2), (8.5, 18.5)], [(7, 10.5), (14, 10.5)]],
    8: [arc(10, 5.5, 4.3, 4, 0, 360, 48), arc(10, 14, 5.5, 4.6, -90, 270, 56)],
    9: [arc(10, 6.5, 5, 5, 0, 360, 48), [(15, 6.5), (14, 12), (11.5, 18.5)]],
}


def seg_dist(px, py, a, b):
    """Distance from points (px, py) to the segment a-b."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    if l2 == 0:
        return np.hypot(px - ax, py - ay)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / l2, 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


def draw(digit, slant=0.12, width=2.8, ss=4):
    """A 28 x 28 float image in [0, 1]: the digit's strokes, `width` px wide,
    anti-aliased by `ss` x `ss` supersampling, slanted like handwriting."""
    n = SIZE * ss
    # Sample centres in pixel coordinates.
    c = (np.arange(n) + 0.5) / ss
    px, py = np.meshgrid(c, c)  # px[y, x], py[y, x]
    d = np.full(px.shape, np.inf)
    for stroke in DIGITS[digit]:
        # Box (0..20) to image (4..24), x sheared by the slant around the centre.
        pts = [(4 + x + slant * (10 - y), 4 + y) for x, y in stroke]
        for a, b in zip(pts[:-1], pts[1:]):
            d = np.minimum(d, seg_dist(px, py, a, b))
    ink = (d <= width / 2).astype(np.float64)
    img = ink.reshape(SIZE, ss, SIZE, ss).mean(axis=(1, 3))
    return img


def encode(images, max_rate_hz, presentation_ms, window_ms, dt_ms, seed):
    """Bernoulli-per-tick Poisson spikes, rows (t ms, y*28+x), sorted."""
    rng = np.random.default_rng(seed)
    ticks_per_pres = int(round(presentation_ms / dt_ms))
    window_ticks = int(round(window_ms / dt_ms))
    rows = []
    for k, img in enumerate(images):
        p = np.clip(img.reshape(-1) * max_rate_hz * dt_ms * 1e-3, 0.0, 1.0)
        fire = rng.random((window_ticks, p.size)) < p  # [tick, neuron]
        t, idx = np.nonzero(fire)  # row-major: sorted by (tick, neuron)
        t = (t + k * ticks_per_pres) * dt_ms
        rows.append(np.stack([t.astype(np.float64), idx.astype(np.float64)], axis=1))
    return np.concatenate(rows) if rows else np.zeros((0, 2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="output .npy")
    ap.add_argument("--digits", default="7,0,1,2,3,4,5,6,8,9",
                    help="comma-separated digits, one per presentation")
    ap.add_argument("--max-rate", type=float, default=15.0,
                    help="rate of a fully inked pixel during the window, Hz (default 15)")
    ap.add_argument("--presentation", type=float, default=100.0, help="ms")
    ap.add_argument("--window", type=float, default=50.0,
                    help="spiking part of each presentation, ms")
    ap.add_argument("--dt", type=float, default=1.0, help="timestep, ms")
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--pgm", help="also write the images side by side (PGM)")
    args = ap.parse_args()

    digits = [int(s) for s in args.digits.split(",") if s.strip()]
    images = [draw(d) for d in digits]
    spikes = encode(images, args.max_rate, args.presentation, args.window,
                    args.dt, args.seed)
    np.save(args.output, spikes)
    if args.pgm:
        strip = np.concatenate(images, axis=1)
        with open(args.pgm, "wb") as f:
            f.write(b"P5 %d %d 255\n" % (strip.shape[1], strip.shape[0]))
            f.write((np.round(strip * 255)).astype(np.uint8).tobytes())
    duration = len(digits) * args.presentation
    ink = [float(im.sum()) for im in images]
    print(f"{args.output}: {len(spikes)} spikes, {len(digits)} presentations, "
          f"{duration:g} ms, max rate {args.max_rate:g} Hz, seed {args.seed}; "
          f"ink per digit {min(ink):.0f}-{max(ink):.0f} px, "
          f"{spikes.nbytes + 128} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
