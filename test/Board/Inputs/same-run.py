#!/usr/bin/env python3
"""same-run.py A B: the two scnc-run output directories hold the same
recordings (every .npy byte for byte) and the same summary.json but for
how the run was made ("mode", "machine", "board", "wall_seconds"). Prints what differs."""
import json, os, sys

a, b = sys.argv[1:3]
files = sorted(f for f in os.listdir(a) if f.endswith(".npy"))
if files != sorted(f for f in os.listdir(b) if f.endswith(".npy")):
    sys.exit("different files: %s vs %s" % (files, sorted(os.listdir(b))))
for f in files:
    if open(os.path.join(a, f), "rb").read() != open(os.path.join(b, f), "rb").read():
        sys.exit("%s differs" % f)
def summary(d):
    j = json.load(open(os.path.join(d, "summary.json")))
    for k in ("mode", "machine", "board", "wall_seconds"):
        j.pop(k, None)
    return j
if summary(a) != summary(b):
    sys.exit("summary.json differs:\n%s\n%s" % (summary(a), summary(b)))
print("same: %d recordings and summary.json" % len(files))
