#!/usr/bin/env bash
# Measures expand-connections on dvs-large and xl with 1 and 2 threads.
# One case per process, so each peak-memory figure belongs to its case.
# These machines are VMs whose freshly touched memory is slow the first time
# (the host backs it on demand): a warm-up process runs first, then each
# configuration runs $REPS times, interleaved, and the best run counts.
# Prints the 2-thread speed-up measured in the same run.
# Usage: bench/expand.sh [build-dir] (REPS=3 by default)
set -euo pipefail
build=${1:-build}
reps=${REPS:-3}
bin=$build/bin/scnc-bench-expand
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ex in dvs_large xl; do
  "$bin" --benchmark_filter="expand/$ex/2/" >/dev/null 2>&1 # warm-up
  for r in $(seq "$reps"); do
    for j in 1 2; do
      "$bin" --benchmark_filter="expand/$ex/$j/" --benchmark_format=csv 2>/dev/null |
        tail -n 1 >"$tmp/$ex-$j-$r.csv"
    done
  done
  python3 - "$tmp" "$ex" "$reps" <<'PY'
import csv, glob, sys
tmp, ex, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = ["name", "iterations", "real_time", "cpu_time", "time_unit",
         "bytes_per_second", "items_per_second", "label", "error_occurred",
         "error_message", "list_bytes_per_syn", "peak_rss_per_syn", "synapses",
         "synapses_per_second", "sys_s", "user_s"]
best = {}
for j in (1, 2):
    runs = []
    for r in range(1, reps + 1):
        with open(f"{tmp}/{ex}-{j}-{r}.csv") as f:
            runs.append(dict(zip(names, next(csv.reader([f.read().strip()])))))
    best[j] = max(runs, key=lambda d: float(d["synapses_per_second"]))
s1 = float(best[1]["synapses_per_second"])
s2 = float(best[2]["synapses_per_second"])
print(f"{ex}: {float(best[1]['synapses']):,.0f} synapses; "
      f"-j1 {s1 / 1e6:.0f} M syn/s ({float(best[1]['real_time']):.0f} ms), "
      f"-j2 {s2 / 1e6:.0f} M syn/s ({float(best[2]['real_time']):.0f} ms), "
      f"speed-up {s2 / s1:.2f}x (best of {reps}); "
      f"lists {float(best[1]['list_bytes_per_syn']):.2f} B/syn, "
      f"peak RSS {float(best[1]['peak_rss_per_syn']):.2f} B/syn; "
      f"CPU per expansion -j1 {float(best[1]['user_s']):.2f} s user + {float(best[1]['sys_s']):.2f} s sys, "
      f"-j2 {float(best[2]['user_s']):.2f} s user + {float(best[2]['sys_s']):.2f} s sys")
PY
done
