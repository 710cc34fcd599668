#!/usr/bin/env python3
"""Checks that the textual IR round-trips for every input file under ROOTs.

For each *.scn and *.scnir file (sorted, recursively):
  1. scncc FILE -emit=ir -o 1.scnir; a file that does not compile is an
     error test and is skipped;
  2. scncc 1.scnir -emit=ir, scnc-opt 1.scnir and scnc-opt -infer-shapes
     1.scnir must all succeed and print exactly the text of 1.scnir;
  3. a .scnir file that scnc-opt reads (shapes possibly unknown) must print
     the same text again when its printed form is read back.
Prints PASS/SKIP/FAIL per file and a summary line; exits 1 when any file
fails or fewer than --min files were checked.
"""
import argparse
import difflib
import os
import shlex
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def difference(name_a, a, name_b, b):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                        name_a, name_b))


def check_file(path, tmp, scncc, opt):
    """Returns (status, message): status is PASS, SKIP or FAIL."""
    t1 = os.path.join(tmp, "1.scnir")
    t2 = os.path.join(tmp, "2.scnir")
    rc, _, _ = run(scncc + [path, "-emit=ir", "-o", t1])
    if rc != 0:
        return "SKIP", "does not compile"
    first = read(t1)
    checks = [("scncc -emit=ir", scncc + [t1, "-emit=ir", "-o", t2], t2),
              ("scnc-opt", opt + [t1, "-o", t2], t2),
              ("scnc-opt -infer-shapes", opt + [t1, "-infer-shapes", "-o", t2],
               t2)]
    for what, cmd, out in checks:
        if os.path.exists(out):
            os.remove(out)
        rc, _, err = run(cmd)
        if rc != 0:
            return "FAIL", "%s cannot read the printed IR:\n%s" % (what, err)
        second = read(out)
        if second != first:
            return "FAIL", "%s changes the IR:\n%s" % (
                what, difference("printed", first, "re-printed", second))
    if path.endswith(".scnir"):
        rc, printed, _ = run(opt + [path])
        if rc == 0:
            with open(t1, "w", encoding="utf-8") as f:
                f.write(printed)
            rc, again, err = run(opt + [t1])
            if rc != 0:
                return "FAIL", "scnc-opt cannot read its own output:\n" + err
            if again != printed:
                return "FAIL", "scnc-opt output changes when read back:\n" + \
                    difference("printed", printed, "re-printed", again)
    return "PASS", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scncc", required=True, help="scncc command")
    ap.add_argument("--scnc-opt", required=True, help="scnc-opt command")
    ap.add_argument("--tmp", required=True, help="scratch directory")
    ap.add_argument("--min", type=int, default=1,
                    help="fail when fewer files than this round-trip")
    ap.add_argument("roots", nargs="+")
    args = ap.parse_args()
    scncc = shlex.split(args.scncc)
    opt = shlex.split(args.scnc_opt)
    os.makedirs(args.tmp, exist_ok=True)
    tmp = os.path.abspath(args.tmp)

    files = []
    for root in args.roots:
        root = os.path.abspath(root)
        label = os.path.basename(root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames
                                 if os.path.join(dirpath, d) != tmp)
            for name in sorted(filenames):
                if name.endswith((".scn", ".scnir")):
                    full = os.path.join(dirpath, name)
                    rel = os.path.relpath(full, root).replace(os.sep, "/")
                    files.append((full, label + "/" + rel))

    counts = {"PASS": 0, "SKIP": 0, "FAIL": 0}
    for full, shown in files:
        status, message = check_file(full, tmp, scncc, opt)
        counts[status] += 1
        print("%s: %s%s" % (status, shown, " (%s)" % message
                            if status == "SKIP" else ""))
        if status == "FAIL":
            print(message.rstrip("\n"))
    print("round trip: %d passed, %d skipped, %d failed" %
          (counts["PASS"], counts["SKIP"], counts["FAIL"]))
    if counts["PASS"] < args.min:
        print("error: only %d files round-tripped, expected at least %d" %
              (counts["PASS"], args.min))
        return 1
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
