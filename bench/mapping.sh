#!/usr/bin/env bash
# The whole mapping, measured with the compiler itself:
#  1. mnist and dvs-large mapped with METIS and with the slices baseline in
#     the same run: communication volume and the largest routing table
#     (before and after compression), METIS's as a ratio to the baseline's;
#  2. xl mapped end to end (-j 2): time per stage (-time-passes), peak
#     memory (/usr/bin/time) against the bytes of its connection lists.
# Usage: bench/mapping.sh [build-dir]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
scncc=$build/bin/scncc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ex in mnist dvs-large; do
  for p in metis slices; do
    "$scncc" "$root/examples/$ex.scn" --report --verify-routes -j 2 \
      --partitioner=$p >"$tmp/$ex-$p.txt" 2>/dev/null
  done
done
python3 - "$tmp" <<'PY'
import re, sys
tmp = sys.argv[1]
def read(ex, p):
    t = open(f"{tmp}/{ex}-{p}.txt").read()
    vol = int(re.search(r"communication volume: ([\d,]+)", t).group(1).replace(",", ""))
    m = re.search(r"before compression max (\d+), mean ([\d.]+).*after max (\d+)", t)
    cores = re.search(r"partitioner: \w+, ([\d,]+) cores", t).group(1)
    machine = re.search(r"onto (\S+)", t).group(1)
    return vol, int(m.group(1)), int(m.group(3)), cores, machine
for ex in ("mnist", "dvs-large"):
    mv, mb, ma, mc, mm = read(ex, "metis")
    sv, sb, sa, sc, sm = read(ex, "slices")
    print(f"{ex}: metis volume {mv:,} on {mc} cores ({mm}), slices {sv:,} on {sc} cores ({sm}): "
          f"ratio {mv / sv:.3f}; max routing entries per chip metis {mb} -> {ma}, "
          f"slices {sb} -> {sa}: ratio {mb / max(sb, 1):.2f} before compression")
PY
/usr/bin/time -f "%M" -o "$tmp/xl.rss" "$scncc" "$root/examples/xl.scn" \
  --report --verify-routes -j 2 -time-passes >"$tmp/xl.txt" 2>"$tmp/xl.err"
python3 - "$tmp" <<'PY'
import re, sys
tmp = sys.argv[1]
err = open(f"{tmp}/xl.err").read()
times = {}
for m in re.finditer(r"^\s+(?:[\d.]+ \(\s*[\d.]+%\)\s+){3}([\d.]+) \(\s*[\d.]+%\)\s+(\S+)\s*$", err, re.M):
    times[m.group(2)] = float(m.group(1))
rss = int(open(f"{tmp}/xl.rss").read().split()[-1]) * 1024
lists = 203212800 * 12  # 12 bytes per synapse (docs/ir.md)
mapping = sum(times.get(s, 0) for s in ("partition", "place", "allocate-keys", "route", "build-tables", "compress-tables"))
report = open(f"{tmp}/xl.txt").read()
tables = re.search(r"routing entries per chip: (.*)", report).group(1)
print("xl: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items() if k != "Total"))
print(f"xl: mapping stages (partition..compress-tables) {mapping:.2f} s wall; "
      f"peak RSS {rss / 2**30:.2f} GiB = {rss / lists:.2f}x the connection lists ({lists / 2**30:.2f} GiB)")
print(f"xl: routing entries per chip: {tables}")
PY
