#!/usr/bin/env python3
"""Stands in for scncc in roundtrip-all-fails.test: runs the real tool, then,
when it read textual IR, changes one value of what it wrote, as a printer or
reader bug would."""
import re
import subprocess
import sys

tool, args = sys.argv[1], sys.argv[2:]
rc = subprocess.call([tool] + args)
if rc == 0 and args and args[0].endswith(".scnir") and "-o" in args:
    out = args[args.index("-o") + 1]
    with open(out) as f:
        text = f.read()
    with open(out, "w") as f:
        f.write(re.sub(r"delay = 1 ms", "delay = 2 ms", text, count=1))
sys.exit(rc)
