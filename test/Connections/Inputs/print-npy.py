"""Prints .npy files written by --emit-connections-npy: per file its name,
dtype, shape and memory order, then the first N rows (argv[1]) as
'pre post weight delay'."""
import os
import sys

import numpy as np

n = int(sys.argv[1])
for path in sys.argv[2:]:
    a = np.load(path, mmap_mode="r")
    print("%s: %s %s %s" % (os.path.basename(path), a.dtype, a.shape,
                            "fortran" if np.isfortran(a) else "C"))
    for row in a[:n]:
        print("  " + " ".join("%g" % v for v in row))
