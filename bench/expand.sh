#!/usr/bin/env bash
# Runs the expand-connections benchmark one case per process (so that the
# peak-memory counter belongs to that case) and prints the 2-thread speed-up
# measured in the same run. Usage: bench/expand.sh [build-dir]
set -euo pipefail
build=${1:-build}
bin=$build/bin/scnc-bench-expand
for ex in dvs_large xl; do
  for j in 1 2; do
    "$bin" --benchmark_filter="expand/$ex/$j/" --benchmark_format=csv 2>/dev/null |
      tail -n 1 >"/tmp/scnc-expand-$ex-$j.csv"
  done
  python3 - "$ex" <<'PY'
import csv, sys
ex = sys.argv[1]
hdr = None
rows = {}
for j in (1, 2):
    with open(f"/tmp/scnc-expand-{ex}-{j}.csv") as f:
        line = f.read().strip()
    # Google Benchmark's CSV header is fixed; counters follow in order.
    fields = next(csv.reader([line]))
    rows[j] = fields
names = ["name","iterations","real_time","cpu_time","time_unit","bytes_per_second","items_per_second","label","error_occurred","error_message","list_bytes_per_syn","peak_rss_per_syn","synapses","synapses_per_second"]
r = {j: dict(zip(names, rows[j])) for j in rows}
s1 = float(r[1]["synapses_per_second"]); s2 = float(r[2]["synapses_per_second"])
print(f"{ex}: {float(r[1]['synapses']):,.0f} synapses; -j1 {s1/1e6:.0f} M syn/s, -j2 {s2/1e6:.0f} M syn/s, "
      f"speed-up {s2/s1:.2f}x; lists {float(r[1]['list_bytes_per_syn']):.2f} B/syn, "
      f"peak RSS {float(r[1]['peak_rss_per_syn']):.2f} B/syn (-j1), {float(r[2]['peak_rss_per_syn']):.2f} B/syn (-j2)")
PY
done
