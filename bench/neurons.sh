#!/usr/bin/env bash
# Neuron-update rate of scnc-run vs Brian2 on neuron-heavy networks, in one run.
#
# 1. xl-small: examples/xl.scn with a 64 x 64 x 2 input instead of 256 x 256 x 2
#    (60 x 60 x 64 = 230,400 IF_curr_exp neurons, 11,520,000 synapses), small
#    enough for Brian2's C++ standalone mode on one thread
#    (bench/brian2/mnist_brian2.py, best of $REPS runs of the compiled binary),
#    and scnc-run -j 1 on its image, $SMALL_MS ms (default 1000) of 20 Hz
#    Bernoulli-per-tick input (numpy seed 1).
# 2. xl-mid: examples/xl.scn with a 128 x 128 x 2 input (124 x 124 x 64 =
#    984,064 neurons, 49 M synapses), the largest of these Brian2 builds on a
#    24 GB host (7.7 GB resident; xl itself was killed by the OOM killer at
#    24 GB): Brian2 and scnc-run -j 1 on the same network, state far larger
#    than the caches, $MID_MS ms (default 200) of the same kind of input
#    (NO_MID=1 skips it).
# 3. xl: examples/xl.scn itself (4,064,256 neurons, 203 M synapses) with
#    scnc-run -j 1 (and -j 2), $XL_TICKS ticks (default 100) of the same
#    kind of 20 Hz input (best of $XL_REPS runs).
#
# Every figure comes from scnc-run's summary.json ("neuron_updates",
# "synaptic_events", "wall_seconds": the tick loop alone) and Brian2's timed
# run (the same definitions, see bench/runtime.sh). The comparison that
# matters (issue 16): neuron updates per second of wall time, scnc-run on xl
# against Brian2 on the networks it can build: xl-small (in cache, Brian2's
# best case) and xl-mid (out of cache, as xl is); and on xl-mid both
# simulators on the same network. All printed below.
#
# Usage: bench/neurons.sh [build-dir]   (REPS=3, XL_REPS=2, MID_MS=200; PYTHON=/usr/bin/python3;
#        NO_XL=1 skips xl, whose image takes about 10 s and 3 GB to compile)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
reps=${REPS:-3}
xlreps=${XL_REPS:-2}
smallms=${SMALL_MS:-1000}
xlticks=${XL_TICKS:-100}
midms=${MID_MS:-200}
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A Bernoulli-per-tick input at 20 Hz for N neurons over T ticks (dt = 1 ms).
make_input() { # neurons ticks out
  "$py" - "$@" <<'PY'
import sys, numpy as np
n, t, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
tick, idx = np.nonzero(rng.random((t, n)) < 20.0 * 1e-3)
np.save(out, np.stack([tick.astype(np.float64), idx.astype(np.float64)], axis=1))
PY
}

sed -e 's/shape = 256 x 256 x 2/shape = 64 x 64 x 2/' -e 's/network xl/network xl_small/' \
  "$root/examples/xl.scn" >"$tmp/xl_small.scn"
grep -q '64 x 64 x 2' "$tmp/xl_small.scn" || { echo "neurons.sh: cannot scale xl.scn" >&2; exit 1; }
make_input $((64 * 64 * 2)) "$smallms" "$tmp/small.npy"

echo "== xl-small (60x60x64 neurons), ${smallms} ms of 20 Hz input"
echo "-- Brian2 $("$py" -c 'import brian2; print(brian2.__version__)' 2>/dev/null)," \
  "C++ standalone, 1 thread, best of $reps"
"$py" "$root/bench/brian2/mnist_brian2.py" --scncc "$build/bin/scncc" --input "$tmp/small.npy" \
  --duration "$smallms" --repeat "$reps" --json "$tmp/brian2.json" "$tmp/xl_small.scn" \
  >"$tmp/brian2.out" 2>"$tmp/brian2.err" || { cat "$tmp/brian2.err" >&2; exit 1; }

"$build/bin/scncc" "$tmp/xl_small.scn" -o "$tmp/small.scimg"
run_scnc() { # image input duration-args j reps tag
  local img=$1 input=$2 dur=$3 j=$4 n=$5 tag=$6
  for r in $(seq "$n"); do
    rm -rf "$tmp/out"
    "$build/bin/scnc-run" "$img" --input "events=$input" $dur --stats -j "$j" \
      -o "$tmp/out" >"$tmp/$tag-$r.log" 2>&1 || { tail -n 5 "$tmp/$tag-$r.log" >&2; exit 1; }
    cp "$tmp/out/summary.json" "$tmp/$tag-$r.json"
  done
}
run_scnc "$tmp/small.scimg" "$tmp/small.npy" "--duration $smallms" 1 "$reps" small-j1

if [ -z "${NO_MID:-}" ]; then
  sed -e 's/shape = 256 x 256 x 2/shape = 128 x 128 x 2/' -e 's/network xl/network xl_mid/' \
    "$root/examples/xl.scn" >"$tmp/xl_mid.scn"
  grep -q '128 x 128 x 2' "$tmp/xl_mid.scn" || { echo "neurons.sh: cannot scale xl.scn" >&2; exit 1; }
  make_input $((128 * 128 * 2)) "$midms" "$tmp/mid.npy"
  echo "-- Brian2 on xl-mid (124x124x64 neurons), ${midms} ms, best of $xlreps"
  "$py" "$root/bench/brian2/mnist_brian2.py" --scncc "$build/bin/scncc" --input "$tmp/mid.npy" \
    --duration "$midms" --repeat "$xlreps" --json "$tmp/brian2-mid.json" "$tmp/xl_mid.scn" \
    >"$tmp/brian2-mid.out" 2>"$tmp/brian2-mid.err" || { cat "$tmp/brian2-mid.err" >&2; exit 1; }
  "$build/bin/scncc" "$tmp/xl_mid.scn" -o "$tmp/mid.scimg"
  run_scnc "$tmp/mid.scimg" "$tmp/mid.npy" "--duration $midms" 1 "$xlreps" mid-j1
fi

if [ -z "${NO_XL:-}" ]; then
  make_input $((256 * 256 * 2)) "$xlticks" "$tmp/xl.npy"
  "$build/bin/scncc" "$root/examples/xl.scn" -j 2 -o "$tmp/xl.scimg"
  run_scnc "$tmp/xl.scimg" "$tmp/xl.npy" "--ticks $xlticks" 1 "$xlreps" xl-j1
  run_scnc "$tmp/xl.scimg" "$tmp/xl.npy" "--ticks $xlticks" 2 "$xlreps" xl-j2
fi

"$py" - "$tmp" "$reps" "$xlreps" <<'PY'
import json, os, sys
tmp, reps, xlreps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
b = json.load(open(f"{tmp}/brian2.json"))
b_ups = b["neuron_updates_per_s"]
def brian(label, d):
    print(f"Brian2, {label}: run {d['run_wall_s']:.3f} s wall (runs: "
          + ", ".join(f"{w:.3f}" for w in d["run_wall_all_s"]) + "); "
          f"neuron updates {d['neuron_updates']:,}: {d['neuron_updates_per_s'] / 1e6:.1f} M/s; "
          f"synaptic events {d['synaptic_events']:,}: {d['synaptic_events_per_s'] / 1e6:.0f} M/s")
brian("xl-small", b)
m_ups = None
if os.path.exists(f"{tmp}/brian2-mid.json"):
    m = json.load(open(f"{tmp}/brian2-mid.json"))
    m_ups = m["neuron_updates_per_s"]
    brian("xl-mid", m)
def show(tag, n, label):
    runs = [json.load(open(f"{tmp}/{tag}-{r}.json")) for r in range(1, n + 1)
            if os.path.exists(f"{tmp}/{tag}-{r}.json")]
    if not runs:
        return
    s = min(runs, key=lambda d: d["wall_seconds"])
    ups = s["neuron_updates"] / s["wall_seconds"]
    eps = s["synaptic_events"] / s["wall_seconds"]
    vs = f"{ups / b_ups:.2f}x Brian2's on xl-small"
    if m_ups:
        vs += f", {ups / m_ups:.2f}x on xl-mid"
    print(f"{label}: {s['wall_seconds']:.3f} s wall (runs: "
          + ", ".join(f"{d['wall_seconds']:.3f}" for d in runs) + f"); neuron updates "
          f"{s['neuron_updates']:,}: {ups / 1e6:.1f} M/s ({vs}); "
          f"synaptic events {s['synaptic_events']:,}: {eps / 1e6:.0f} M/s")
show("small-j1", reps, "scnc-run -j 1, xl-small")
show("mid-j1", xlreps, "scnc-run -j 1, xl-mid")
show("xl-j1", xlreps, "scnc-run -j 1, xl")
show("xl-j2", xlreps, "scnc-run -j 2, xl")
PY
