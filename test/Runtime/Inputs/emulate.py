#!/usr/bin/python3
"""The end-to-end check of images (emulator.test, plastic.test): one
reference run of a network, then for each configuration compile it with
scncc, run the image on the emulated machine with the same input and compare
every .npy the two runs wrote, byte for byte, and the summaries' counts.

With --plastic the network learns (scncc --plastic, scnc-run --reference
--plastic): the learned weights of --weights-out are compared too, and the
reference's weights are first compared with the weights before learning (a
one-tick run without input) so that the check fails when nothing learns.

usage: emulate.py NET OUTDIR --ticks N [--input SPEC] [--record all|spikes]
                  [--plastic] CONFIG...
CONFIG is machine/partitioner/seed[/j] (j: scnc-run's -j, default 1).
Prints one line per configuration: "<config>: <n> files identical" or what
differs; exits 1 when anything differs or fails.
"""
import argparse
import json
import os
import subprocess
import sys


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


def weights_changed(ref, init):
    """How many of the reference's learned weights moved from their
    initial values; exits when a file or its synapses differ, or nothing
    moved in a file."""
    import numpy as np
    wfiles = npys(ref)
    if wfiles != npys(init):
        print("reference: the weight files differ from the initial ones")
        sys.exit(1)
    changed = total = 0
    for f in wfiles:
        w = np.load(os.path.join(ref, f))
        w0 = np.load(os.path.join(init, f))
        if w.shape != w0.shape or (w[:, :2] != w0[:, :2]).any():
            print("reference: %s: other synapses than before learning" % f)
            sys.exit(1)
        c = int((w[:, 2] != w0[:, 2]).sum())
        if c == 0:
            print("reference: %s: no weight changed" % f)
            sys.exit(1)
        changed += c
        total += len(w)
    return wfiles, changed, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("net")
    ap.add_argument("out")
    ap.add_argument("--ticks", required=True)
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--record", default="all")
    ap.add_argument("--plastic", action="store_true")
    ap.add_argument("configs", nargs="+")
    a = ap.parse_args()
    inputs = sum((["--input", i] for i in a.input), [])
    common = inputs + ["--ticks", a.ticks, "--record", a.record]
    plastic = ["--plastic"] if a.plastic else []
    ref = os.path.join(a.out, "reference")
    weights = lambda d: (["--weights-out", os.path.join(d, "weights")]
                         if a.plastic else [])
    run(["scnc-run", "--reference", a.net, "-o", ref] + plastic +
        weights(ref) + common)
    files = npys(ref)
    subdirs = [("", files)]
    if a.plastic:
        init = os.path.join(a.out, "initial")
        # Without input, one tick: nothing spikes, nothing learns.
        run(["scnc-run", "--reference", "--plastic", a.net, "-o", init] +
            weights(init) + ["--ticks", "1"])
        wfiles, changed, total = weights_changed(
            os.path.join(ref, "weights"), os.path.join(init, "weights"))
        subdirs.append(("weights", wfiles))
    want = summary(ref)
    silent = [l[0] for l in want[3] if l[2] == 0]
    if silent:
        print("reference: silent layers %s: the comparison would prove "
              "little" % ", ".join(silent))
        sys.exit(1)
    spikes = sum(l[2] for l in want[3])
    if a.plastic:
        print("reference: %d files, %d weight files (%s), %d spikes" %
              (len(files), len(wfiles), ", ".join(wfiles), spikes))
        print("reference: %d of %d weights changed" % (changed, total))
    else:
        print("reference: %d files, %d spikes, %d synaptic events" %
              (len(files), spikes, want[1]))
    ok = True
    for config in a.configs:
        parts = config.split("/")
        machine, partitioner, seed = parts[:3]
        j = parts[3] if len(parts) > 3 else "1"
        image = os.path.join(a.out, "net.scimg")
        emu = os.path.join(a.out, "emu-" + config.replace("/", "-")
                           .replace(":", "-"))
        run(["scncc", a.net, "-o", image, "--machine=" + machine,
             "--partitioner=" + partitioner, "--seed=" + seed] + plastic)
        run(["scnc-run", image, "-o", emu, "-j", j] + weights(emu) + common)
        bad = []
        for sub, want_files in subdirs:
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
            print("%s: %d files identical" %
                  (config, sum(len(f) for _, f in subdirs)))
    sys.exit(0 if ok else 1)


main()
