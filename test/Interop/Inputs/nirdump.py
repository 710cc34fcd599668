"""nirdump.py FILE.nir: what h5py sees in a NIR file: its version, per node
its type and one characteristic array's shape, and the edges."""
import sys

import h5py

KEY = {"Conv2d": "weight", "Linear": "weight", "Affine": "weight", "IF": "v_threshold",
       "LIF": "v_threshold", "CubaLIF": "v_threshold", "Input": "shape", "Output": "shape",
       "Scale": "scale", "Delay": "delay", "SumPool2d": "kernel_size", "Flatten": "start_dim"}
with h5py.File(sys.argv[1], "r") as f:
    print("version", f["version"][()].decode())
    nodes = f["node/nodes"]
    for name in sorted(nodes):
        t = nodes[name]["type"][()].decode()
        k = KEY.get(t)
        print(name, t, k, nodes[name][k].shape if k else "")
    for a, b in f["node/edges"][()]:
        print("edge", a.decode(), "->", b.decode())
