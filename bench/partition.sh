#!/usr/bin/env bash
# Partitions examples/mnist.scn, dvs-large.scn and xl.scn with the slices
# baseline, METIS (cut objective, the default, and volume objective), box
# tilings (tiles) and per layer the better of the two (best), and
# prints, per example, the communication volume of each, METIS's against the
# baseline's as a ratio (both measured in this run), the cores used and the
# time of partitionNetwork (expand-connections runs once per process,
# outside the timed part). xl runs in a process of its own (its connection
# lists take 2.4 GB).
# Usage: bench/partition.sh [build-dir]
set -euo pipefail
build=${1:-build}
bin=$build/bin/scnc-bench-partition
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# JSON: CSV rounds the counters to 6 digits.
"$bin" --benchmark_filter='partition/(mnist|dvs_large)/' \
  --benchmark_format=json 2>/dev/null >"$tmp/small.json"
"$bin" --benchmark_filter='(partition|stats)/xl/' --benchmark_format=json \
  2>/dev/null >"$tmp/xl.json"
python3 - "$tmp/small.json" "$tmp/xl.json" <<'PY'
import json, sys
rows = []
for path in sys.argv[1:]:
    with open(path) as f:
        rows += json.load(f)["benchmarks"]
by = {}
stats = []
for r in rows:
    if r["name"].startswith("stats/"):
        j = r["name"].split("/")[2]
        stats.append(f"partitionStats on xl ({float(r['synapses']):,.0f} "
                     f"synapses) -j{j}: {float(r['real_time']) / 1000:.2f} s")
        continue
    _, ex, kind, threads = r["name"].split("/")[:4]
    by.setdefault(ex, []).append((r["label"], int(threads), r))
for ex, cases in by.items():
    base = next(r for l, t, r in cases if l == "slices")
    bv = float(base["comm_volume"])
    print(f"{ex}: slices volume {bv:,.0f} on {float(base['cores']):,.0f} cores "
          f"({float(base['real_time']):.1f} ms)")
    for label, threads, r in cases:
        if label == "slices":
            continue
        v = float(r["comm_volume"])
        print(f"  {label:12s} -j{threads}: volume {v:,.0f} = {v / bv:.3f}x the "
              f"baseline, {float(r['cores']):,.0f} cores, "
              f"{float(r['real_time']) / 1000:.2f} s")
print("\n".join(stats))
PY
