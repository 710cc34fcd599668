"""spikecmp.py DIR_A DIR_B MAX_FRACTION LAYER...: compares the
<layer>.spikes.npy files of two runs (rows (time ms, neuron)). Prints per
layer both spike counts and the (time, neuron) pairs found in only one run;
fails when, in any layer, those are more than MAX_FRACTION of the larger
count."""
import os
import sys

import numpy as np

a, b, frac, layers = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
bad = False
for layer in layers:
    sa, sb = (set(map(tuple, np.load(os.path.join(d, layer + ".spikes.npy")).reshape(-1, 2).tolist()))
              for d in (a, b))
    diff = len(sa ^ sb)
    ok = diff <= frac * max(len(sa), len(sb), 1)
    bad |= not ok
    print(f"{layer}: {len(sa)} {len(sb)} only-in-one {diff}{'' if ok else ' TOO MANY'}")
sys.exit(1 if bad else 0)
