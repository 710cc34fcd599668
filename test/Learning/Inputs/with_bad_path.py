#!/usr/bin/env python3
"""Runs a command with an argument that is not UTF-8.

usage: with_bad_path.py TARGET LINK COMMAND...
Makes LINK + b"\\xff" a symbolic link to TARGET and runs COMMAND with every
"@BAD@" in its arguments replaced by that path (bytes, invalid UTF-8);
exits with the command's status.
"""
import os
import subprocess
import sys

target, link = sys.argv[1], os.fsencode(sys.argv[2]) + b"\xff"
if os.path.lexists(link):
    os.remove(link)
os.symlink(os.path.abspath(target), link)
args = [os.fsencode(a).replace(b"@BAD@", link) for a in sys.argv[3:]]
sys.exit(subprocess.call(args))
