#!/usr/bin/python3
"""Spikes per layer of a PyNN run of scncc -emit=pynn's script beside scnc-run's.

Usage: bench/pynn_compare.py REF_DIR PYNN_DIR [--fixed FIXED_DIR]
                             [--rel R] [--abs A] [--check]

REF_DIR: scnc-run --reference --float64 ... -o REF_DIR (its summary.json);
PYNN_DIR: run.py --output PYNN_DIR (its counts.json); FIXED_DIR: optionally
scnc-run --reference (fixed point), printed as a third column. With --check,
exits 1 unless every layer's PyNN count is within max(A, R x the float64
count) of the float64 count (defaults R = 0.25, A = 10 spikes).
"""
import argparse
import json
import os
import sys


def scnc_counts(d):
    with open(os.path.join(d, "summary.json")) as f:
        s = json.load(f)
    return {l["name"]: (l["neurons"], l["spikes"]) for l in s["layers"]}, s["mode"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("pynn")
    ap.add_argument("--fixed")
    ap.add_argument("--rel", type=float, default=0.25)
    ap.add_argument("--abs", type=float, default=10)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    ref, mode = scnc_counts(a.ref)
    fixed = scnc_counts(a.fixed)[0] if a.fixed else None
    with open(os.path.join(a.pynn, "counts.json")) as f:
        pynn = json.load(f)
    cols = ["layer", "neurons", mode] + (["reference"] if fixed else []) + \
        [f"pynn-{pynn['backend']}", "diff", "within"]
    print(" ".join(f"{c:>18s}" if i else f"{c:10s}" for i, c in enumerate(cols)))
    ok = True
    for name, (n, r) in ref.items():
        p = pynn["layers"].get(name, {}).get("spikes")
        if p is None:
            print(f"{name}: missing from {a.pynn}/counts.json")
            ok = False
            continue
        diff = p - r
        good = abs(diff) <= max(a.abs, a.rel * r)
        ok &= good
        row = [name, str(n), str(r)] + ([str(fixed[name][1])] if fixed else []) + \
            [str(p), f"{diff:+d} ({100.0 * diff / r:+.1f}%)" if r else f"{diff:+d}",
             "yes" if good else "NO"]
        print(" ".join(f"{c:>18s}" if i else f"{c:10s}" for i, c in enumerate(row)))
    print(f"tolerance: |pynn - {mode}| <= max({a.abs:g} spikes, {a.rel:g} x {mode}) per layer: "
          + ("all layers within" if ok else "NOT all layers within"))
    if a.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
