#!/usr/bin/python3
"""The end-to-end check of images (emulator.test): one reference run of a
network, then for each configuration compile it with scncc, run the image on
the emulated machine with the same input and compare every .npy the two
runs wrote, byte for byte, and the summaries' counts.

usage: emulate.py NET OUTDIR --ticks N [--input SPEC] [--record all|spikes]
                  CONFIG...
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("net")
    ap.add_argument("out")
    ap.add_argument("--ticks", required=True)
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--record", default="all")
    ap.add_argument("configs", nargs="+")
    a = ap.parse_args()
    inputs = sum((["--input", i] for i in a.input), [])
    common = inputs + ["--ticks", a.ticks, "--record", a.record]
    ref = os.path.join(a.out, "reference")
    run(["scnc-run", "--reference", a.net, "-o", ref] + common)
    files = sorted(f for f in os.listdir(ref) if f.endswith(".npy"))
    want = summary(ref)
    silent = [l[0] for l in want[3] if l[2] == 0]
    if silent:
        print("reference: silent layers %s: the comparison would prove "
              "little" % ", ".join(silent))
        sys.exit(1)
    spikes = sum(l[2] for l in want[3])
    print("reference: %d files, %d spikes, %d synaptic events" %
          (len(files), spikes, want[1]))
    ok = True
    for config in a.configs:
        parts = config.split("/")
        machine, partitioner, seed = parts[:3]
        j = parts[3] if len(parts) > 3 else "1"
        image = os.path.join(a.out, "net.scimg")
        emu = os.path.join(a.out, "emu-" + config.replace("/", "-").replace(":", "-"))
        run(["scncc", a.net, "-o", image, "--machine=" + machine,
             "--partitioner=" + partitioner, "--seed=" + seed])
        run(["scnc-run", image, "-o", emu, "-j", j] + common)
        got = sorted(f for f in os.listdir(emu) if f.endswith(".npy"))
        bad = [f for f in files if f not in got]
        bad += [f for f in got if f not in files]
        for f in files:
            if f in got:
                with open(os.path.join(ref, f), "rb") as x, \
                        open(os.path.join(emu, f), "rb") as y:
                    if x.read() != y.read():
                        bad.append(f)
        if summary(emu) != want:
            bad.append("summary.json counts")
        if bad:
            ok = False
            print("%s: DIFFERENT: %s" % (config, ", ".join(bad)))
        else:
            print("%s: %d files identical" % (config, len(files)))
    sys.exit(0 if ok else 1)


main()
