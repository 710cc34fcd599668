"""Writes seeded random input spikes for pynn-small.scn's 8x8 input:
rows (time ms, neuron), 160 spikes in [0, 150) ms.
Usage: pynn-spikes.py OUT.npy"""
import sys

import numpy as np

rng = np.random.default_rng(1)
t = rng.uniform(0, 150, 160)
i = rng.integers(0, 64, 160)
np.save(sys.argv[1], np.stack([t, i], 1))
