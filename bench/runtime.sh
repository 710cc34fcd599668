#!/usr/bin/env bash
# Runtime speed vs Brian2 on examples/mnist.scn driven by examples/inputs/digit.npy.
#
# 1. Brian2 2.5 (Debian's python3-brian), C++ standalone, one thread
#    (bench/brian2/mnist_brian2.py: the network from `scncc -emit=ir` and
#    `--emit-connections-npy`, compiled and run once).
# 2. `scncc -o mnist.scimg`, then $REPS interleaved rounds (this machine's
#    speed drifts by tens of percent over minutes): Brian2's compiled binary,
#    `scnc-run mnist.scimg --input digit=... --duration <same> --stats -o OUT`
#    with -j 1, then with -j 2. Printed: best and median wall of each, the
#    ratios of synaptic events per second, scnc / Brian2, best to best and
#    median to median, and -j 2 / -j 1; then the same ratios paired by
#    round (each round's runs follow each other, so the host's drift
#    cancels), median and range. --duration is passed as a plain number of
#    ms (Brian2's simulated time, e.g. 1000).
#
# scnc-run's OUT/summary.json is read for these fields (the runtime must write
# them under these names):
#   "synaptic_events"  total synaptic events delivered (sum over spikes, input
#                      spikes included, of the spiking neuron's out-degree)
#   "wall_seconds"     wall time of the simulation loop alone (no image
#                      loading, no writing of results)
#   "neuron_updates"   neuron-state updates (neurons x ticks, input
#                      populations excluded)
# Brian2's figures use the same definitions (see mnist_brian2.py).
#
# Usage: bench/runtime.sh [build-dir]   (REPS=3 by default; PYTHON=/usr/bin/python3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
reps=${REPS:-3}
py=${PYTHON:-/usr/bin/python3} # Debian's python3, where python3-brian lives
scn=$root/examples/mnist.scn
input=$root/examples/inputs/digit.npy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$py" -c 'import brian2' 2>/dev/null; then
  echo "runtime.sh: $py cannot import brian2 (apt-get install -y python3-brian)" >&2
  exit 1
fi

echo "== Brian2 $("$py" -c 'import brian2; print(brian2.__version__)' 2>/dev/null)," \
  "C++ standalone, 1 thread"
"$py" "$root/bench/brian2/mnist_brian2.py" --scncc "$build/bin/scncc" --input "$input" \
  --build-dir "$tmp/brian2" --repeat 1 --json "$tmp/brian2.json" "$scn" >"$tmp/brian2.out" \
  2>"$tmp/brian2.err" ||
  { cat "$tmp/brian2.err" >&2; exit 1; }
"$py" - "$tmp/brian2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"simulated {d['simulated_ms']:g} ms ({d['ticks']} ticks), {d['neurons']:,} neurons, "
      f"{d['synapses']:,} synapses")
print(f"compile {d['compile_s']:.1f} s; first run {d['run_wall_s']:.3f} s wall "
      f"({d['brian_run_cpu_s']:.3f} s CPU by Brian2's clock; not counted)")
print(f"synaptic events {d['synaptic_events']:,}, neuron updates {d['neuron_updates']:,}")
for name, l in d["layers"].items():
    print(f"  {name:8s} {l['neurons']:6d} neurons {l['spikes']:9,d} spikes "
          f"{l['rate_hz']:7.1f} Hz (all) {l['rate_active_hz']:7.1f} Hz ({l['active']} active)")
PY
duration=$("$py" -c 'import json,sys; print("%g" % json.load(open(sys.argv[1]))["simulated_ms"])' \
  "$tmp/brian2.json")

run=$build/bin/scnc-run
if [ ! -x "$run" ] || ! "$run" --help >"$tmp/help.txt" 2>&1 ||
  ! grep -q -- '--input' "$tmp/help.txt" || ! grep -q -- '--stats' "$tmp/help.txt"; then
  echo "== scnc-run: image mode is not available yet ($run missing or without --input/--stats);" \
    "Brian2 figures only"
  exit 0
fi

echo "== scnc-run"
if ! "$build/bin/scncc" "$scn" -o "$tmp/mnist.scimg" 2>"$tmp/scncc.err"; then
  cat "$tmp/scncc.err" >&2
  echo "scncc could not write the image; Brian2 figures only"
  exit 0
fi
# Interleaved rounds (this machine's speed drifts): Brian2's compiled binary,
# then scnc-run -j 1 and -j 2, $reps times; best and median of each.
: >"$tmp/brian2-walls.txt"
for r in $(seq "$reps"); do
  (cd "$tmp/brian2" && ./main >/dev/null) || { echo "Brian2's binary failed" >&2; exit 1; }
  cat "$tmp/brian2/results/scnc_run_wall.txt" >>"$tmp/brian2-walls.txt"
  for j in 1 2; do
    rm -rf "$tmp/out"
    if ! "$run" "$tmp/mnist.scimg" --input "digit=$input" --duration "$duration" \
      --stats -j "$j" -o "$tmp/out" >"$tmp/run-$j-$r.log" 2>&1; then
      echo "scnc-run -j $j failed (image mode not available yet?):" >&2
      tail -n 5 "$tmp/run-$j-$r.log" >&2
      echo "== Brian2 figures only"
      exit 0
    fi
    if [ ! -f "$tmp/out/summary.json" ]; then
      echo "scnc-run -j $j wrote no $tmp/out/summary.json; Brian2 figures only" >&2
      exit 0
    fi
    cp "$tmp/out/summary.json" "$tmp/summary-$j-$r.json"
  done
done
"$py" - "$tmp" "$reps" <<'PY'
import json, statistics, sys
tmp, reps = sys.argv[1], int(sys.argv[2])
b = json.load(open(f"{tmp}/brian2.json"))
bw = [float(x) for x in open(f"{tmp}/brian2-walls.txt").read().split()]
fmt = lambda ws: ", ".join(f"{w:.3f}" for w in ws)
print(f"== interleaved rounds: {reps}")
print(f"Brian2: best {min(bw):.3f} s, median {statistics.median(bw):.3f} s wall (runs: {fmt(bw)})")
bb, bm = min(bw), statistics.median(bw)
print(f"  synaptic events {b['synaptic_events'] / bb / 1e6:.0f} M/s, neuron updates "
      f"{b['neuron_updates'] / bb / 1e6:.1f} M/s (best)")
walls = {}
for j in (1, 2):
    runs = [json.load(open(f"{tmp}/summary-{j}-{r}.json")) for r in range(1, reps + 1)]
    missing = [k for k in ("synaptic_events", "wall_seconds", "neuron_updates") if k not in runs[0]]
    if missing:
        print(f"-j{j}: summary.json lacks {missing}; fields: {sorted(runs[0])}")
        continue
    ws = [d["wall_seconds"] for d in runs]
    walls[j] = ws
    s = runs[0]
    best, med = min(ws), statistics.median(ws)
    # Events per second ratios: Brian2's events are the same spikes' (checked below).
    eb = (s["synaptic_events"] / best) / (b["synaptic_events"] / bb)
    em = (s["synaptic_events"] / med) / (b["synaptic_events"] / bm)
    print(f"scnc-run -j{j}: best {best:.3f} s, median {med:.3f} s wall (runs: {fmt(ws)})")
    print(f"  synaptic events {s['synaptic_events']:,} ({s['synaptic_events'] / b['synaptic_events']:.3f}x "
          f"Brian2's): {s['synaptic_events'] / best / 1e6:.0f} M/s; neuron updates "
          f"{s['neuron_updates'] / best / 1e6:.1f} M/s (best)")
    print(f"  events/s ratio scnc -j{j} / Brian2 = {eb:.2f} (best / best), {em:.2f} (median / median)")
if 1 in walls and 2 in walls:
    print(f"scnc-run -j2 / -j1 speed-up = {min(walls[1]) / min(walls[2]):.2f} (best), "
          f"{statistics.median(walls[1]) / statistics.median(walls[2]):.2f} (median)")
# Paired by round: the runs of one round follow each other within about a
# second, so their ratio cancels the host's slower drift.
def paired(name, ratios):
    print(f"{name}, per round: median {statistics.median(ratios):.2f}, "
          f"range {min(ratios):.2f}-{max(ratios):.2f} ({fmt(ratios)})")
if 1 in walls:
    s = json.load(open(f"{tmp}/summary-1-1.json"))
    k = s["synaptic_events"] / b["synaptic_events"]
    paired("events/s ratio scnc -j1 / Brian2", [k * w0 / w1 for w0, w1 in zip(bw, walls[1])])
if 1 in walls and 2 in walls:
    paired("scnc-run -j2 / -j1 speed-up", [w1 / w2 for w1, w2 in zip(walls[1], walls[2])])
PY
