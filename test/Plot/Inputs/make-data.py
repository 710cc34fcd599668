#!/usr/bin/env python3
"""Writes small inputs for the scnc-plot tests into the directory argv[1]."""
import json
import os
import sys

import numpy as np

d = sys.argv[1]
rng = np.random.default_rng(7)
np.save(os.path.join(d, "kernels.npy"), rng.normal(0.5, 0.2, (6, 2, 3, 3)))
np.save(os.path.join(d, "before.npy"), rng.normal(0.5, 0.2, (6, 2, 3, 3)))
np.save(os.path.join(d, "flat.npy"), rng.normal(0.5, 0.2, (4, 9)))
np.save(os.path.join(d, "bad-shape.npy"), np.zeros((3, 3)))
run = os.path.join(d, "run")
os.makedirs(run, exist_ok=True)
t = np.sort(rng.uniform(0, 200, 500))
np.save(os.path.join(run, "in.spikes.npy"),
        np.stack([np.floor(t), rng.integers(0, 16, 500)], 1).astype(float))
np.save(os.path.join(run, "out.spikes.npy"),
        np.stack([np.floor(t[:200]), rng.integers(0, 32, 200)], 1).astype(float))
json.dump({"layers": [{"name": "in", "neurons": 16}, {"name": "out", "neurons": 32}]},
          open(os.path.join(run, "summary.json"), "w"))
v = -65 + 15 * np.abs(np.sin(np.arange(200)[:, None] / 7.0 + np.arange(4)))
np.save(os.path.join(d, "out.v.npy"), v)
json.dump({"labels": ["a", "b", "c"], "confusion": [[5, 1, 0], [0, 6, 0], [2, 0, 4]]},
          open(os.path.join(d, "results.json"), "w"))
json.dump({"confusion": [[1, 2], [3]]}, open(os.path.join(d, "ragged.json"), "w"))
