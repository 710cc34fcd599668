#!/usr/bin/python3
"""Writes examples/inputs/dvs-events.npy: an input for the `events` layer of
examples/dvs-large.scn (128 x 128 x 2, channel-major index c*128*128 + y*128 + x,
channel 0 ON, 1 OFF). One presentation of 100 ms: during the first 50 ms
(dvs-large.scn's input_window) a vertical bar 8 px wide crosses the field
from left to right at 2 px/ms over rows 16..111; the pixels of its leading
edge emit ON events and those of its trailing edge OFF events, each with
probability 0.5 per 1 ms tick, and every pixel emits background events of
either polarity at 2 Hz. Deterministic (numpy seed 2026); rows (time in ms,
neuron) sorted by (time, neuron), at most one spike per neuron and tick."""
import argparse
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("-o", required=True)
a = ap.parse_args()
rng = np.random.default_rng(2026)
H = W = 128
rows = []
for t in range(50):
    lead = 2 * t + 8           # first column past the bar
    trail = 2 * t              # the bar's first column
    p = np.zeros((2, H, W))
    for c, x0 in ((0, lead), (1, trail)):
        if x0 < W:
            p[c, 16:112, x0:min(W, x0 + 2)] = 0.5
    p = np.maximum(p, 0.002)   # 2 Hz background
    fire = rng.random((2, H, W)) < p
    for n in np.flatnonzero(fire.reshape(-1)):
        rows.append((float(t), float(n)))
arr = np.array(rows, dtype=np.float64).reshape(-1, 2)
np.save(a.o, arr)
print(f"{a.o}: {len(arr)} spikes")
