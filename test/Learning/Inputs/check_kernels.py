"""Checks the direction of learning on the bars (make_bars.py): every pixel
of either bar (middle row, middle column) is potentiated above the initial
weights (about 0.5 nA), the four corners, which never fire, keep them."""
import sys
import numpy as np

k = np.load(sys.argv[1])
assert k.shape == (2, 1, 3, 3), k.shape
bars = np.zeros((3, 3), bool)
bars[1, :] = True
bars[:, 1] = True
for f in range(2):
    w = k[f, 0]
    assert w[bars].min() > 0.8, (f, w)
    assert abs(w[~bars].mean() - 0.5) < 0.1, (f, w)
print("kernels: bars potentiated, corners unchanged")
