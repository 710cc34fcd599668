#!/usr/bin/python3
"""The emulator's STDP check (plastic.test): one plastic reference run of a
network (scnc-run --reference --plastic), its learned weights compared with
the weights before learning (a one-tick run) so that the test fails when
nothing learns, then for each configuration compile it with scncc
--plastic, run the image on the emulated machine with the same input and
compare every .npy the two runs wrote (spikes, voltages and the learned
weights of --weights-out), byte for byte, and the summaries' counts.

usage: learn.py NET OUTDIR --ticks N [--input SPEC] CONFIG...
CONFIG is machine/partitioner/seed[/j] (j: scnc-run's -j, default 1).
Prints one line per configuration: "<config>: <n> files identical" or what
differs; exits 1 when anything differs or fails.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        sys.stdout.write("FAILED: %s\n%s%s" % (" ".join(cmd), p.stdout,
                                                p.stderr))
        sys.exit(1)
    return p.stdout


def summary(d):
    with open(os.path.join(d, "summary.json")) as f:
        s = json.load(f)
    return (s["ticks"], s["synaptic_events"], s["neuron_updates"],
            [(l["name"], l["neurons"], l["spikes"]) for l in s["layers"]])


def npys(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".npy"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("net")
    ap.add_argument("out")
    ap.add_argument("--ticks", required=True)
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("configs", nargs="+")
    a = ap.parse_args()
    inputs = sum((["--input", i] for i in a.input), [])
    common = inputs + ["--record", "all"]
    ref = os.path.join(a.out, "reference")
    run(["scnc-run", "--reference", "--plastic", a.net, "-o", ref,
         "--weights-out", os.path.join(ref, "weights"), "--ticks", a.ticks]
        + common)
    init = os.path.join(a.out, "initial")
    # Without input, one tick: nothing spikes, nothing learns.
    run(["scnc-run", "--reference", "--plastic", a.net, "-o", init,
         "--weights-out", os.path.join(init, "weights"), "--ticks", "1"])
    files = npys(ref)
    wfiles = npys(os.path.join(ref, "weights"))
    if wfiles != npys(os.path.join(init, "weights")):
        print("reference: the weight files differ from the initial ones")
        sys.exit(1)
    changed = total = 0
    for f in wfiles:
        w = np.load(os.path.join(ref, "weights", f))
        w0 = np.load(os.path.join(init, "weights", f))
        if w.shape != w0.shape or (w[:, :2] != w0[:, :2]).any():
            print("reference: %s: other synapses than before learning" % f)
            sys.exit(1)
        c = int((w[:, 2] != w0[:, 2]).sum())
        if c == 0:
            print("reference: %s: no weight changed" % f)
            sys.exit(1)
        changed += c
        total += len(w)
    want = summary(ref)
    silent = [l[0] for l in want[3] if l[2] == 0]
    if silent:
        print("reference: silent layers %s: the comparison would prove "
              "little" % ", ".join(silent))
        sys.exit(1)
    spikes = sum(l[2] for l in want[3])
    print("reference: %d files, %d weight files (%s), %d spikes" %
          (len(files), len(wfiles), ", ".join(wfiles), spikes))
    print("reference: %d of %d weights changed" % (changed, total))
    ok = True
    for config in a.configs:
        parts = config.split("/")
        machine, partitioner, seed = parts[:3]
        j = parts[3] if len(parts) > 3 else "1"
        image = os.path.join(a.out, "net.scimg")
        emu = os.path.join(a.out, "emu-" + config.replace("/", "-")
                           .replace(":", "-"))
        run(["scncc", "--plastic", a.net, "-o", image,
             "--machine=" + machine, "--partitioner=" + partitioner,
             "--seed=" + seed])
        run(["scnc-run", image, "-o", emu, "--weights-out",
             os.path.join(emu, "weights"), "-j", j, "--ticks", a.ticks]
            + common)
        bad = []
        for sub, want_files in (("", files), ("weights", wfiles)):
            r = os.path.join(ref, sub)
            e = os.path.join(emu, sub)
            got = npys(e)
            bad += [os.path.join(sub, f) for f in want_files if f not in got]
            bad += [os.path.join(sub, f) for f in got if f not in want_files]
            for f in want_files:
                if f in got:
                    with open(os.path.join(r, f), "rb") as x, \
                            open(os.path.join(e, f), "rb") as y:
                        if x.read() != y.read():
                            bad.append(os.path.join(sub, f))
        if summary(emu) != want:
            bad.append("summary.json counts")
        if bad:
            ok = False
            print("%s: DIFFERENT: %s" % (config, ", ".join(bad)))
        else:
            print("%s: %d files identical" % (config, len(files) +
                                               len(wfiles)))
    sys.exit(0 if ok else 1)


main()
