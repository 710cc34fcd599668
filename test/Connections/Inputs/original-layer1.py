"""Re-implements the layer-1 connection loop of the original SpikingConvNet
(28x28 input, 4 kernels of 4x4, stride 3 by skipping offsets, post index
y2*9 + x2 + 81*k) and compares its (pre, post, kernel element) triples with
scncc's `-emit=connections --max-print=0` output for examples/original.scn
(read from stdin)."""
import sys

orig = set()
for oy in range(28 - 4 + 1):
    for ox in range(28 - 4 + 1):
        if oy % 3 or ox % 3:
            continue
        y2, x2 = oy // 3, ox // 3
        for k in range(4):
            for y1 in range(4):
                for x1 in range(4):
                    pre = (y1 + oy) * 28 + (x1 + ox)
                    post = y2 * 9 + x2 + 81 * k
                    orig.add((pre, post, k * 16 + y1 * 4 + x1))

ours = []
for line in sys.stdin:
    f = line.split()
    if len(f) == 4 and f[0].isdigit():
        ours.append((int(f[0]), int(f[1]), int(f[3])))
mine = set(ours)
print("original: %d triples" % len(orig))
print("scncc: %d synapses, %d distinct" % (len(ours), len(mine)))
print("equal" if mine == orig else "differ: %d only in the original, %d only in scncc" %
      (len(orig - mine), len(mine - orig)))
