#!/usr/bin/env python3
"""Checks a load image against the compiler's other outputs, independently.

usage: roundtrip.py IR.scnir NPYDIR OBJDUMP.json [SYNAPSES.txt]

- neuron parameters: every neuron core's decoded parameters (scnc-objdump
  --json) equal the IR's neuron set of its population, converted with the
  reference equations (docs/fixed-point.md) to within the format's rounding;
- synapses (when SYNAPSES.txt, the output of scnc-objdump --synapses, is
  given): exactly the synapses of the connection lists (scncc
  --emit-connections-npy), with weights quantized by this script's own
  implementation of docs/execution.md (per population and synapse type:
  shift from the largest summed |w|, rint(|w| * 2^(15 - shift))), delays
  round(delay / dt) and the projection's receptor.
Prints "ok: ..." or the first differences and exits 1.
"""
import json
import math
import re
import sys

import numpy as np


def parse_ir(text):
    """Populations (in order), neuron sets and projections of a textual IR."""
    sets, pops, projs = {}, [], []
    dt = float(re.search(r"timestep = ([0-9.e+-]+) ms", text).group(1))
    for m in re.finditer(r"neuron (\w+) : IF_curr_exp \{(.*?)\}", text, re.S):
        sets[m.group(1)] = {k: float(v) for k, v in
                            re.findall(r"(\w+) = ([-0-9.e+]+)", m.group(2))}
    for m in re.finditer(r"population (\w+) : (\w+) \{(.*?)\n  \}", text, re.S):
        neuron = re.search(r"\bneuron = (\w+);", m.group(3))
        train = re.search(r"\btrain_neuron = (\w+);", m.group(3))
        pops.append({"name": m.group(1), "input": m.group(2) == "input",
                     "neuron": neuron.group(1) if neuron else None,
                     "size": math.prod(int(x) for x in re.search(
                         r"shape = (\d+) x (\d+) x (\d+)", m.group(3)).groups())})
    index = {p["name"]: i for i, p in enumerate(pops)}
    for m in re.finditer(r"projection (\S+) \((\w+), (\w+)\) : \w+ \{(.*?)\n  \}",
                         text, re.S):
        projs.append({"name": m.group(1), "pre": index[m.group(2)],
                      "post": index[m.group(3)],
                      "delay": float(re.search(r"delay = ([0-9.e+-]+) ms",
                                               m.group(4)).group(1)),
                      "type": "I" if "receptor = inhibitory" in m.group(4)
                      else "E"})
    return dt, sets, pops, projs


def expected_params(p, dt):
    decay = lambda tau: math.exp(-dt / tau)
    init = lambda tau: (tau / dt) * (1 - decay(tau))
    ticks = p["tau_refrac"] / dt
    return {"v_rest": p["v_rest"], "v_reset": p["v_reset"],
            "v_thresh": p["v_thresh"], "v_init": p["v_init"],
            "i_offset": p["i_offset"], "r_membrane": p["tau_m"] / p["cm"],
            "exp_tc": decay(p["tau_m"]), "decay_e": decay(p["tau_syn_E"]),
            "init_e": init(p["tau_syn_E"]), "decay_i": decay(p["tau_syn_I"]),
            "init_i": init(p["tau_syn_I"]),
            "refrac_ticks": float(math.ceil(ticks - 1e-9 * ticks))}


def check_params(dump, dt, sets, pops, problems):
    cores = 0
    for c in dump["cores"]:
        pop = pops[c["population"]]
        if pop["input"]:
            if "neuron_params" in c:
                problems.append("input core has neuron parameters")
            continue
        cores += 1
        want = expected_params(sets[pop["neuron"]], dt)
        for k, v in want.items():
            got = c["neuron_params"][k]
            # S16.15 rounds to 2^-16; u0.32 to 2^-33; ticks are exact.
            tol = 2.0 ** -16 if k in ("v_rest", "v_reset", "v_thresh", "v_init",
                                      "i_offset", "r_membrane") else 2.0 ** -32
            if k == "refrac_ticks":
                tol = 0
            if abs(got - v) > tol:
                problems.append("core %d,%d,%d %s: image %r, IR %r" %
                                (c["x"], c["y"], c["core"], k, got, v))
    return cores


def expected_synapses(npydir, dt, pops, projs):
    lists = [np.load("%s/%s.npy" % (npydir, p["name"])).reshape(-1, 4)
             for p in projs]
    shift = {}
    for q in range(len(pops)):
        for t in "EI":
            sums = np.zeros(pops[q]["size"])
            for p, l in zip(projs, lists):
                if p["post"] == q and p["type"] == t:
                    np.add.at(sums, l[:, 1].astype(np.int64), np.abs(l[:, 2]))
            most = sums.max() if len(sums) else 0.0
            s = 0
            while s < 16 and not most < 2.0 ** s:
                s += 1
            shift[(q, t)] = s
    rows = []
    for p, l in zip(projs, lists):
        scale = 2.0 ** (15 - shift[(p["post"], p["type"])])
        q = np.minimum(np.rint(np.abs(l[:, 2]) * scale), 65535)
        for (pre, post, _, d), w in zip(l, q / scale):
            rows.append("%d %d %d %d %.9g %d %s" % (
                p["pre"], pre, p["post"], post, w,
                int(math.floor(d / dt + 0.5)), p["type"]))
    return rows


def main(argv):
    dt, sets, pops, projs = parse_ir(open(argv[1]).read())
    dump = json.load(open(argv[3]))
    problems = []
    cores = check_params(dump, dt, sets, pops, problems)
    summary = "%d neuron cores' parameters" % cores
    if len(argv) > 4:
        want = expected_synapses(argv[2], dt, pops, projs)
        got = open(argv[4]).read().split("\n")[:-1]
        # scnc-objdump sorts numerically; compare as multisets of lines.
        if sorted(want) != sorted(got):
            missing = sorted(set(want) - set(got))[:5]
            extra = sorted(set(got) - set(want))[:5]
            problems.append("synapses differ: %d in the lists, %d in the image;"
                            " missing %s; unexpected %s" %
                            (len(want), len(got), missing, extra))
        summary += ", %d synapses" % len(want)
    if problems:
        print("\n".join(problems[:20]))
        return 1
    print("ok: " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
