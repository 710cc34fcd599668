#!/usr/bin/env bash
# Distributed runs (docs/distributed.md): examples/xl.scn (4,064,256 neurons,
# 16,388 cores on 22 boards) for XL_TICKS ticks (default 100) of 20 Hz
# Bernoulli input, in one process and with mpirun -np 2 (-j 1 per rank), in
# interleaved rounds (REPS, default 2; this machine's speed drifts). Per
# configuration: the run loop's wall time per tick (summary.json
# wall_seconds, best and median), each rank's peak memory and the bytes
# the ranks exchange per tick (scnc-run --stats), and that the two give the
# same files. Then one run with MEMORY_RANKS ranks (default 4; more ranks
# than this machine's cores, so its time is not reported): memory per rank
# and bytes exchanged, the figures docs/performance.md projects from. And
# the packets the cores send per tick (one process), for the share that
# crosses ranks. Appends to bench/results/distributed.txt.
# Usage: bench/distributed.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
reps=${REPS:-2}
ticks=${XL_TICKS:-100}
memRanks=${MEMORY_RANKS:-4}
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

"$py" - $((256 * 256 * 2)) "$ticks" "$tmp/xl.npy" <<'PY'
import sys, numpy as np
n, t, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
tick, idx = np.nonzero(rng.random((t, n)) < 20.0 * 1e-3)
np.save(out, np.stack([tick.astype(np.float64), idx.astype(np.float64)], axis=1))
PY
"$build/bin/scncc" "$root/examples/xl.scn" -j 2 -o "$tmp/xl.scimg" 2>/dev/null

run() { # ranks round
  local n=$1 r=$2 out="$tmp/out-$1-$2"
  local cmd=("$build/bin/scnc-run" "$tmp/xl.scimg" --input "events=$tmp/xl.npy"
             --ticks "$ticks" --record=spikes --stats -j 1 -o "$out")
  if [ "$n" = 1 ]; then
    /usr/bin/time -f "peak memory per rank (KB): %M" "${cmd[@]}" >"$tmp/log-$n-$r" 2>&1
  else
    mpirun --oversubscribe -np "$n" "${cmd[@]}" >"$tmp/log-$n-$r" 2>&1
  fi
}
for r in $(seq "$reps"); do
  for n in 1 2; do run "$n" "$r"; done
done
run "$memRanks" 1
diff -r -x summary.json "$tmp/out-1-1" "$tmp/out-2-1" >/dev/null &&
  diff -r -x summary.json "$tmp/out-1-1" "$tmp/out-$memRanks-1" >/dev/null &&
  same="spike files identical" || same="SPIKE FILES DIFFER"

"$py" - "$tmp" "$reps" "$ticks" "$same" "$memRanks" <<'PY' | tee -a "$root/bench/results/distributed.txt"
import json, re, statistics, subprocess, sys
tmp, reps, ticks, same = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
memRanks = int(sys.argv[5])
commit = subprocess.run(["git", "-C", tmp + "/..", "rev-parse", "--short", "HEAD"],
                        capture_output=True, text=True).stdout.strip()
print(f"== xl, {ticks} ticks of 20 Hz input, -j 1 per rank, {reps} interleaved rounds")
def rankFigures(log):
    m = re.search(r"\(([\d,]+) bytes per tick\); peak memory per rank \(MB\):([ \d,]+)", log)
    return int(m.group(1).replace(",", "")), [int(v.replace(",", "")) for v in m.group(2).split()]
sent = int(re.search(r"packets: ([\d,]+) sent", open(f"{tmp}/log-1-1").read()).group(1).replace(",", ""))
print(f"packets the cores send: {sent // ticks:,} per tick")
for n in (1, 2):
    walls, mem, perTick = [], None, None
    for r in range(1, reps + 1):
        s = json.load(open(f"{tmp}/out-{n}-{r}/summary.json"))
        walls.append(s["wall_seconds"] / ticks * 1e3)
        log = open(f"{tmp}/log-{n}-{r}").read()
        if n == 1:
            mem = [int(re.search(r"peak memory per rank \(KB\): (\d+)", log).group(1)) >> 10]
        else:
            perTick, mem = rankFigures(log)
    line = (f"N = {n}: {min(walls):.1f} ms per tick best, {statistics.median(walls):.1f} median; "
            f"peak memory per rank (MB): {', '.join(map(str, mem))}")
    if perTick is not None:
        line += f"; exchanged {perTick:,} bytes per tick (all ranks)"
    print(line)
perTick, mem = rankFigures(open(f"{tmp}/log-{memRanks}-1").read())
print(f"N = {memRanks} (oversubscribed: memory only): peak memory per rank (MB): "
      f"{', '.join(map(str, mem))}; exchanged {perTick:,} bytes per tick (all ranks)")
print(same)
PY
