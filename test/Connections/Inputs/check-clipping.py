"""Checks the clipping of normal-weights.test. argv: the -emit=connections
text output (--max-print=0) and the --emit-connections-npy directory.
The conv's kernel table (one weight per element) lies in [0.2, 0.8] as
float32 and reaches both bounds, the unclipped draws all differ; the dense
layer's weights are >= 0, reach 0 and spread above 0.02."""
import sys

import numpy as np

text, npy = sys.argv[1], sys.argv[2]
table = {}
section = None
for line in open(text):
    if line.startswith("projection "):
        section = line.split()[1]
        continue
    f = line.split()
    if section == "in.c" and len(f) == 4 and f[0].isdigit():
        w, e = float(f[2]), int(f[3])
        assert table.setdefault(e, w) == w, "element %d has two weights" % e
lo, hi = float(np.float32(0.2)), float(np.float32(0.8))
w = np.array([table[e] for e in sorted(table)])
assert sorted(table) == list(range(len(table)))
assert w.min() >= 0.2 - 1e-7 and w.max() <= 0.8 + 1e-7, (w.min(), w.max())
inside = w[(w > 0.2 + 1e-7) & (w < 0.8 - 1e-7)]
print("in.c: %d elements in [0.2, 0.8], 0.2 %s, 0.8 %s, unclipped draws %s" % (
    len(w), "hit" if np.isclose(w.min(), 0.2) else "missed",
    "hit" if np.isclose(w.max(), 0.8) else "missed",
    "distinct" if len(np.unique(inside)) == len(inside) else "repeat"))
c = np.load(npy + "/in.c.npy")
assert c[:, 2].min() == lo and c[:, 2].max() == hi
p = np.load(npy + "/p.d.npy")
w = p[:, 2]
assert w.min() >= 0
print("p.d: %d weights, min 0 (%s), max %s" % (
    len(w), "hit" if w.min() == 0 else "missed",
    "above 0.02" if w.max() > 0.02 else "too small"))
