"""spikecmp.py [--counts] DIR_A DIR_B MAX_FRACTION LAYER...: compares the
<layer>.spikes.npy files of two runs (rows (time ms, neuron)). Prints per
layer both spike counts and the (time, neuron) pairs found in only one run.
Fails when, in any layer, those pairs (with --counts: the difference of the
two counts, less 2 spikes of slack) are more than MAX_FRACTION of the larger
count."""
import os
import sys

import numpy as np

args = sys.argv[1:]
counts = args[0] == "--counts"
if counts:
    args = args[1:]
a, b, frac, layers = args[0], args[1], float(args[2]), args[3:]
bad = False
for layer in layers:
    sa, sb = (set(map(tuple, np.load(os.path.join(d, layer + ".spikes.npy")).reshape(-1, 2).tolist()))
              for d in (a, b))
    diff = len(sa ^ sb)
    measured = max(abs(len(sa) - len(sb)) - 2, 0) if counts else diff
    ok = measured <= frac * max(len(sa), len(sb), 1)
    bad |= not ok
    print(f"{layer}: {len(sa)} {len(sb)} only-in-one {diff}{'' if ok else ' TOO MANY'}")
sys.exit(1 if bad else 0)
