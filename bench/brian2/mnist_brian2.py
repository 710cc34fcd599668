#!/usr/bin/python3
"""Brian2 baseline for the runtime benchmark: a .scn network in Brian2's C++
standalone mode, single-threaded, driven by an input spike file.

The network comes from the compiler, nothing is hard-coded:
  * `scncc FILE.scn -emit=ir`: populations (shape, `neuron` set), the neuron
    sets' IF_curr_exp parameters, each projection's receptor, the timestep;
  * `scncc FILE.scn --emit-connections-npy DIR`: per projection a float64
    (n, 4) list (pre, post, weight nA, delay ms).
Units are PyNN's (mV, nA, nF, ms).

Model (IF_curr_exp, current-based exponential synapses):
  dv/dt  = (v_rest - v)/tau_m + (ge - gi + i_offset)/cm   (unless refractory)
  dge/dt = -ge/tau_syn_E,  dgi/dt = -gi/tau_syn_I
  threshold v >= v_thresh, reset v = v_reset; a spike adds w to ge (or gi).

Two timing conventions (--semantics); the generated code is the same, only
constants (and so the activity) differ:
  scnc (default): docs/execution.md and docs/fixed-point.md's lifStep, in
      float64: exponential Euler (the current of a tick held constant over it,
      which is lifStep's order), a spike adds w * init to ge with
      init = (tau_syn/dt)(1 - exp(-dt/tau_syn)), a spike at tick t reaches the
      post membrane at tick t + round(delay/dt) (Brian2 delay = that - dt,
      since Brian2 delivers after the tick's state update), and the membrane is
      held for ceil(tau_refrac/dt) ticks after a spike (Brian2 refractory =
      that + dt: Brian2's refractory period includes the spike's own tick).
  pynn: the equations read literally: exact integration, ge += w, Brian2
      delays = the list's delays, refractory = tau_refrac.

What is timed: a CLOCK_MONOTONIC wall clock inserted into Brian2's generated
main.cpp right around the network run (`run_wall_s`): the simulation loop only,
not compilation, not loading the synapse arrays from disk, not writing results.
Brian2's own figure for the same loop, Network::_last_run_time
(`brian_run_cpu_s`), is std::clock() process CPU time in single-threaded
mode; both are printed, rates use the wall clock. `binary_wall_s` is the whole
binary (device.timers['run_binary']: array loading, synapse creation, run,
writing results); `compile_s` is code generation + make.

Counted: synaptic events = sum over spikes (input spikes included) of the
spiking neuron's out-degree over all projections; neuron updates = IF neurons
(input population excluded) x ticks.

Neuron indices everywhere (input file, groups, --save-spikes) are the IR's,
as in the connection lists and scnc-run's files: channel-major c*H*W + y*W + x
(docs/ir.md); for a one-channel input such as mnist's `digit` that is also the
row-major (y, x, c) index y*W + x.

Check: with --semantics scnc the spikes of every layer of mnist.scn driven by
examples/inputs/digit.npy are identical to `scnc-run --reference --float64`'s
(same (tick, neuron) pairs, 905,494,812 synaptic events).

Prints one machine-readable line: `BRIAN2_RESULT {json}` (simulated_ms,
run_wall_s, synaptic_events, neuron_updates, synaptic_events_per_s,
neuron_updates_per_s, per-layer rates, ...); --json FILE writes the same.

Usage: bench/brian2/mnist_brian2.py [--scncc build/bin/scncc]
           [--input examples/inputs/digit.npy] [examples/mnist.scn]
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

UNITS = {"ms": 1.0, "mV": 1.0, "nA": 1.0, "nF": 1.0}  # PyNN units
NEURON_KEYS = ["tau_m", "cm", "v_rest", "v_reset", "v_thresh", "tau_refrac",
               "tau_syn_E", "tau_syn_I", "i_offset", "v_init"]


# --------------------------------------------------------------------------
# Textual IR
# --------------------------------------------------------------------------
def blocks(text, head_re):
    """Yields (match, body) for every `head {` ... matching `}`."""
    for m in re.finditer(head_re, text, re.M):
        i = m.end()
        depth = 1
        j = i
        while depth:
            c = text[j]
            depth += (c == "{") - (c == "}")
            j += 1
        yield m, text[i:j - 1]


def attrs(body):
    """`key = value;` pairs of a block (top level only)."""
    out = {}
    for m in re.finditer(r"(\w+)\s*=\s*([^;{}]+?)\s*;", body):
        out[m.group(1)] = m.group(2)
    return out


def quantity(s):
    """'-65 mV' -> -65.0 (PyNN units)."""
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(\w+)?\s*", s)
    if not m:
        raise ValueError(f"not a quantity: {s!r}")
    unit = m.group(2)
    if unit and unit not in UNITS:
        raise ValueError(f"unexpected unit {unit!r} in {s!r}")
    return float(m.group(1)) * (UNITS[unit] if unit else 1.0)


def parse_ir(text):
    net = {"neurons": {}, "populations": {}, "projections": {}}
    for _, body in blocks(text, r"^\s*simulation\s*\{"):
        a = attrs(body)
        net["dt"] = quantity(a["timestep"])
        net["presentation"] = quantity(a["presentation"]) if "presentation" in a else None
    for m, body in blocks(text, r"^\s*neuron\s+(\w+)\s*:\s*(\w+)\s*\{"):
        if m.group(2) != "IF_curr_exp":
            raise SystemExit(f"neuron set {m.group(1)}: model {m.group(2)} not supported")
        a = attrs(body)
        net["neurons"][m.group(1)] = {k: quantity(a[k]) for k in NEURON_KEYS}
    for m, body in blocks(text, r"^\s*population\s+(\w+)\s*:\s*(\w+)\s*\{"):
        a = attrs(body)
        shape = tuple(int(x) for x in a["shape"].split("x"))
        net["populations"][m.group(1)] = {
            "type": m.group(2), "shape": shape, "size": int(np.prod(shape)),
            "neuron": a.get("neuron")}
    for m, body in blocks(text, r"^\s*projection\s+([\w.]+)\s*\((\w+)\s*,\s*(\w+)\)\s*:\s*(\w+)\s*\{"):
        a = attrs(body)
        net["projections"][m.group(1)] = {
            "pre": m.group(2), "post": m.group(3), "kind": m.group(4),
            "receptor": a.get("receptor", "excitatory")}
    return net


def refrac_ticks(tau_refrac, dt):
    """docs/fixed-point.md refractoryTicks: ceil, with a 1e-9 relative snap."""
    q = tau_refrac / dt
    r = round(q)
    if abs(q - r) <= 1e-9 * max(1.0, abs(q)):
        return int(r)
    return int(math.ceil(q))


# --------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scn", nargs="?", default=os.path.join(ROOT, "examples/mnist.scn"))
    ap.add_argument("--input", default=os.path.join(ROOT, "examples/inputs/digit.npy"),
                    help="input spikes, float64 (K, 2): time ms, neuron index")
    ap.add_argument("--input-pop", help="input population (default: the only one)")
    ap.add_argument("--scncc", default=os.path.join(ROOT, "build/bin/scncc"))
    ap.add_argument("--duration", type=float,
                    help="ms (default: last input spike rounded up to a presentation)")
    ap.add_argument("--semantics", choices=["scnc", "pynn"], default="scnc")
    ap.add_argument("--build-dir", help="Brian2 project directory (default: a "
                    "per-semantics directory under $TMPDIR, reused between runs)")
    ap.add_argument("--profile", action="store_true",
                    help="Brian2 per-code-object profile (adds clock calls to the run)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="run the compiled binary this many times, keep the fastest run (default 3)")
    ap.add_argument("--save-spikes", metavar="DIR",
                    help="write <population>.npy spike lists (t ms, index), sorted, as scnc-run -o")
    ap.add_argument("--json", metavar="FILE", help="also write the result here")
    args = ap.parse_args()

    t0 = time.time()
    ir = subprocess.run([args.scncc, args.scn, "-emit=ir"], check=True,
                        capture_output=True, text=True).stdout
    net = parse_ir(ir)
    dt = net["dt"]
    lists_dir = tempfile.mkdtemp(prefix="scnc-lists-")
    try:
        subprocess.run([args.scncc, args.scn, "--emit-connections-npy", lists_dir,
                        "-emit=shapes", "-o", os.devnull], check=True)
        lists = {name: np.load(os.path.join(lists_dir, name + ".npy"))
                 for name in net["projections"]}
    finally:
        shutil.rmtree(lists_dir, ignore_errors=True)
    t_lists = time.time() - t0

    pops = net["populations"]
    inputs = [p for p, d in pops.items() if d["type"] == "input"]
    in_pop = args.input_pop or (inputs[0] if len(inputs) == 1 else None)
    if in_pop is None:
        raise SystemExit(f"several input populations {inputs}: use --input-pop")
    spikes_in = np.load(args.input)
    if spikes_in.ndim != 2 or spikes_in.shape[1] != 2:
        raise SystemExit(f"{args.input}: expected shape (K, 2), got {spikes_in.shape}")
    in_t = spikes_in[:, 0]
    in_i = spikes_in[:, 1].astype(np.int64)
    if len(in_i) and (in_i.min() < 0 or in_i.max() >= pops[in_pop]["size"]):
        raise SystemExit(f"{args.input}: neuron index out of range for {in_pop}")
    ticks_in = np.round(in_t / dt).astype(np.int64)
    if args.duration is not None:
        duration = args.duration
    else:
        end = (ticks_in.max() + 1) * dt if len(ticks_in) else dt
        pres = net.get("presentation") or dt
        duration = math.ceil(end / pres - 1e-9) * pres
    n_ticks = int(round(duration / dt))
    keep = ticks_in < n_ticks
    # At most one spike per neuron per tick (docs/execution.md).
    key = np.unique(ticks_in[keep] * pops[in_pop]["size"] + in_i[keep])
    ticks_in, in_i = key // pops[in_pop]["size"], key % pops[in_pop]["size"]

    # ---------------------------------------------------------------- Brian2
    import warnings
    warnings.filterwarnings("ignore", category=FutureWarning)  # pythran vs numpy
    import brian2 as b2
    from brian2 import ms, mV, nA, nF

    build_dir = args.build_dir or os.path.join(
        tempfile.gettempdir(), f"scnc-brian2-{os.path.basename(args.scn)}-{args.semantics}")
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = dt * ms
    scnc = args.semantics == "scnc"

    eqs = """
    dv/dt = (v_rest - v)/tau_m + (ge - gi + i_offset)/c_m : volt (unless refractory)
    dge/dt = -ge/tau_syn_E : amp
    dgi/dt = -gi/tau_syn_I : amp
    """
    groups = {}
    for name, p in pops.items():
        if p["type"] == "input":
            if name == in_pop:
                groups[name] = b2.SpikeGeneratorGroup(
                    p["size"], in_i, ticks_in * dt * ms, name=name)
            else:
                groups[name] = b2.SpikeGeneratorGroup(p["size"], [], [] * ms, name=name)
            continue
        if p["type"] != "IF_curr_exp":
            raise SystemExit(f"population {name}: type {p['type']} not supported")
        q = net["neurons"][p["neuron"]]
        if scnc:
            refractory = (refrac_ticks(q["tau_refrac"], dt) + 1) * dt * ms
        else:
            refractory = q["tau_refrac"] * ms
        ns = {"tau_m": q["tau_m"] * ms, "c_m": q["cm"] * nF, "v_rest": q["v_rest"] * mV,
              "v_reset": q["v_reset"] * mV, "v_thresh": q["v_thresh"] * mV,
              "tau_syn_E": q["tau_syn_E"] * ms, "tau_syn_I": q["tau_syn_I"] * ms,
              "i_offset": q["i_offset"] * nA}
        g = b2.NeuronGroup(p["size"], eqs, threshold="v >= v_thresh", reset="v = v_reset",
                           refractory=refractory, namespace=ns, name=name,
                           method="exponential_euler" if scnc else "exact")
        g.v = q["v_init"] * mV
        groups[name] = g

    synapses = []
    outdeg = {name: np.zeros(p["size"], dtype=np.int64) for name, p in pops.items()}
    n_syn = 0
    for name, pr in net["projections"].items():
        lst = lists[name]
        # scncc sorts by (post, pre); Brian2's own connect() makes synapses
        # pre-major, and its event loop reads w and the post index of a
        # spiking neuron's synapses by synapse id: give it that order.
        lst = lst[np.lexsort((lst[:, 1], lst[:, 0]))]
        pre = lst[:, 0].astype(np.int64)
        post = lst[:, 1].astype(np.int64)
        w_nA = np.abs(lst[:, 2])
        if pr["receptor"] == "excitatory":
            target, tau_key = "ge", "tau_syn_E"
            if (lst[:, 2] < 0).any():
                raise SystemExit(f"{name}: negative weight on an excitatory projection")
        elif pr["receptor"] == "inhibitory":
            target, tau_key = "gi", "tau_syn_I"
        else:
            raise SystemExit(f"{name}: receptor {pr['receptor']} not supported")
        d_ticks = np.round(lst[:, 3] / dt).astype(np.int64)  # docs/execution.md
        if scnc:
            tau = net["neurons"][pops[pr["post"]]["neuron"]][tau_key]
            w_nA = w_nA * (tau / dt) * -math.expm1(-dt / tau)
            delay = (d_ticks - 1) * dt
        else:
            delay = lst[:, 3]
        outdeg[pr["pre"]] += np.bincount(pre, minlength=pops[pr["pre"]]["size"])
        n_syn += len(lst)
        same = len(delay) and np.all(delay == delay[0])
        # A common delay is given to the constructor (Brian2's homogeneous-delay path).
        s = b2.Synapses(groups[pr["pre"]], groups[pr["post"]], model="w : amp",
                        on_pre=f"{target}_post += w",
                        delay=(delay[0] * ms if same else None),
                        name=name.replace(".", "_"))
        s.connect(i=pre, j=post)
        s.w = w_nA * nA
        if not same:
            s.delay = delay * ms
        synapses.append(s)

    monitors = {name: b2.SpikeMonitor(g, name=f"spikes_{name}") for name, g in groups.items()}
    network = b2.Network(list(groups.values()) + synapses + list(monitors.values()))

    # Wall clock around the run alone (main.cpp includes <time.h>).
    b2.device.insert_code("main", """
struct timespec _scnc_t0, _scnc_t1;
clock_gettime(CLOCK_MONOTONIC, &_scnc_t0);""")
    # Every group carries its own namespace: none is taken from this frame.
    network.run(duration * ms, profile=args.profile, namespace={})
    b2.device.insert_code("main", """
clock_gettime(CLOCK_MONOTONIC, &_scnc_t1);
{
    std::ofstream _f("results/scnc_run_wall.txt");
    _f.precision(9);
    _f << (double)(_scnc_t1.tv_sec - _scnc_t0.tv_sec) + 1e-9 * (double)(_scnc_t1.tv_nsec - _scnc_t0.tv_nsec) << std::endl;
}""")
    t_c0 = time.time()
    b2.device.build(directory=build_dir, compile=True, run=True, debug=False, clean=False)
    wall_file = os.path.join(build_dir, "results", "scnc_run_wall.txt")
    with open(wall_file) as f:
        walls = [float(f.read())]
    cpu = [float(b2.device._last_run_time)]
    # Further runs of the same binary (same spikes: the network has no randomness).
    for _ in range(args.repeat - 1):
        subprocess.run(["./main"], cwd=build_dir, check=True, stdout=subprocess.DEVNULL)
        with open(wall_file) as f:
            walls.append(float(f.read()))
        with open(os.path.join(build_dir, "results", "last_run_info.txt")) as f:
            cpu.append(float(f.read().split()[0]))
    best = int(np.argmin(walls))
    run_wall = walls[best]
    timers = b2.device.timers
    compile_s = sum(v for v in timers.get("compile", {}).values() if v)
    binary_s = timers.get("run_binary") or float("nan")
    total_s = time.time() - t_c0

    # ------------------------------------------------------------- results
    T = duration * 1e-3
    layers = {}
    events = 0
    for name, mon in monitors.items():
        idx = np.asarray(mon.i[:], dtype=np.int64)
        counts = np.bincount(idx, minlength=pops[name]["size"])
        events += int((counts * outdeg[name]).sum())
        n = pops[name]["size"]
        active = int((counts > 0).sum())
        layers[name] = {
            "neurons": n, "spikes": int(counts.sum()), "active": active,
            "rate_hz": counts.sum() / (n * T),
            "rate_active_hz": counts.sum() / (active * T) if active else 0.0}
        if args.save_spikes:
            os.makedirs(args.save_spikes, exist_ok=True)
            t = np.round(np.asarray(mon.t / ms) / dt) * dt
            order = np.lexsort((idx, t))
            np.save(os.path.join(args.save_spikes, name + ".npy"),
                    np.stack([t[order], idx[order].astype(np.float64)], axis=1))
    n_neurons = sum(p["size"] for p in pops.values() if p["type"] != "input")
    updates = n_neurons * n_ticks
    result = {
        "simulator": f"brian2 {b2.__version__} cpp_standalone, 1 thread",
        "network": os.path.relpath(args.scn, ROOT) if args.scn.startswith(ROOT) else args.scn,
        "input": args.input, "semantics": args.semantics,
        "simulated_ms": duration, "dt_ms": dt, "ticks": n_ticks,
        "neurons": n_neurons, "synapses": n_syn,
        "run_wall_s": run_wall,
        "brian_run_cpu_s": cpu[best], "runs": len(walls),
        "run_wall_all_s": walls,
        "binary_wall_s": binary_s, "compile_s": compile_s,
        "synaptic_events": events, "neuron_updates": updates,
        "synaptic_events_per_s": events / run_wall,
        "neuron_updates_per_s": updates / run_wall,
        "layers": layers,
    }
    if args.profile:
        # The last run's profile (every run rewrites results/profiling_info.txt);
        # per-code-object std::clock() CPU seconds.
        prof = {k: float(v / b2.second) for k, v in
                b2.device.network_get_profiling_info(network)}
        result["profile_s"] = prof
        neuron_keys = {f"{g}_{part}_codeobject" for g, p in pops.items() if p["type"] != "input"
                       for part in ("stateupdater", "spike_thresholder", "spike_resetter")}
        neuron_s = sum(v for k, v in prof.items() if k in neuron_keys)
        syn_s = sum(v for k, v in prof.items() if k.endswith(("_pre_codeobject", "_pre_push_spikes")))
        result["profile_neuron_s"] = neuron_s
        result["profile_synapse_s"] = syn_s
        result["neuron_updates_per_neuron_s"] = updates / neuron_s if neuron_s else None
        result["synaptic_events_per_synapse_s"] = events / syn_s if syn_s else None
    for name, l in layers.items():
        print(f"  {name:8s} {l['neurons']:6d} neurons  {l['spikes']:8d} spikes  "
              f"{l['rate_hz']:7.2f} Hz (all)  {l['rate_active_hz']:7.2f} Hz "
              f"(active: {l['active']})", file=sys.stderr)
    print(f"  lists {t_lists:.1f} s, build+run {total_s:.1f} s (compile {compile_s:.1f} s, "
          f"binary {binary_s:.2f} s, run {run_wall:.3f} s wall / "
          f"{result['brian_run_cpu_s']:.3f} s CPU)", file=sys.stderr)
    line = json.dumps(result, sort_keys=False)
    print("BRIAN2_RESULT " + line)
    if args.json:
        with open(args.json, "w") as f:
            f.write(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
