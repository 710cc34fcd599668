"""Checks that the kernels learned on the bars (make_bars.py) specialise:
every kernel correlates (Pearson, over the 16 weights) clearly better with
one bar than with the other, and the two kernels prefer different bars.
Prints each kernel's correlations and its bar."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bars import SIZE, bar  # noqa: E402

k = np.load(sys.argv[1])
assert k.shape == (2, 1, SIZE, SIZE), k.shape
masks = []
for label in range(2):
    m = np.zeros(SIZE * SIZE)
    m[bar(label)] = 1
    masks.append(m)
best = []
for f in range(2):
    w = k[f].reshape(-1)
    corr = [np.corrcoef(w, m)[0, 1] for m in masks]
    b = int(np.argmax(corr))
    print("kernel %d: correlation %.2f with bar 0, %.2f with bar 1" %
          (f, corr[0], corr[1]))
    assert corr[b] > 0.8, (f, corr, w)
    assert corr[b] - corr[1 - b] > 0.8, (f, corr, w)
    best.append(b)
assert sorted(best) == [0, 1], (best, k)
print("kernels specialise: kernel 0 -> bar %d, kernel 1 -> bar %d" % tuple(best))
