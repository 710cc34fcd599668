#!/usr/bin/env python3
"""Checks that each argument is a valid figure: a PNG (signature, IHDR with
a non-trivial size) or an SVG (parses as XML, <svg> root with a size).
Prints "NAME: png WxH" / "NAME: svg WxH" per file; exits 1 on the first
invalid one."""
import os
import struct
import sys
import xml.etree.ElementTree as ET

for path in sys.argv[1:]:
    name = os.path.basename(path)
    data = open(path, "rb").read()
    if path.endswith(".png"):
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            sys.exit("%s: not a PNG" % name)
        w, h = struct.unpack(">II", data[16:24])
        if w < 200 or h < 200:
            sys.exit("%s: PNG too small (%dx%d)" % (name, w, h))
        print("%s: png %dx%d" % (name, w, h))
    else:
        root = ET.fromstring(data)
        if not root.tag.endswith("svg"):
            sys.exit("%s: root element is %s, not svg" % (name, root.tag))
        w = float(root.get("width").rstrip("pt"))
        h = float(root.get("height").rstrip("pt"))
        if w < 200 or h < 200:
            sys.exit("%s: SVG too small" % name)
        print("%s: svg %dx%d" % (name, w, h))
