#!/usr/bin/env bash
# Routing tables as issue 21 measures them (PACMAN's figures there: largest
# table and mean entries per used chip, a used chip being one whose cores
# run slices): mnist, dvs-large and xl, each mapped (-j 2) with
#   default          METIS, split routes, tables compressed only to fit;
#   best+min         --partitioner=best --minimize-tables (split routes on);
#   best+min, no split  the same with --split-routes=false;
# every route verified. Prints per configuration the largest table, the mean
# over used chips, the communication volume and the mapping's wall time.
# Appends to bench/results/tables.txt.
# Usage: bench/tables.sh [build-dir]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
scncc=$build/bin/scncc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
configs=("default:" "best+min:--partitioner=best --minimize-tables"
         "best+min, no split:--partitioner=best --minimize-tables --split-routes=false")
echo "== $(date -u +%F) $(git -C "$root" rev-parse --short HEAD)" | tee -a "$root/bench/results/tables.txt"
for ex in mnist dvs-large xl; do
  for c in "${configs[@]}"; do
    name=${c%%:*}
    read -r -a flags <<<"${c#*:}"
    out="$tmp/$ex-${name//[^a-z]/_}"
    start=$(date +%s.%N)
    "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" --verify-routes \
      -emit=tables -o "$out.tables" 2>/dev/null >"$out.verify"
    end=$(date +%s.%N)
    "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" -emit=placement \
      -o "$out.placement" 2>/dev/null
    "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" -emit=partition \
      --stats -o /dev/null 2>/dev/null >"$out.stats"
    python3 - "$ex" "$name" "$out" "$(echo "$end - $start" | bc)" <<'PY'
import re, sys
ex, name, out, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
entries = {m.group(1): int(m.group(2)) for m in
           re.finditer(r"^chip \((\d+, \d+)\): (\d+) entries", open(out + ".tables").read(), re.M)}
used = set(re.findall(r"-> chip \((\d+, \d+)\) core", open(out + ".placement").read()))
assert "routes verified" in open(out + ".verify").read(), "routes not verified"
volume = re.search(r"communication volume: (\d+)", open(out + ".stats").read()).group(1)
mean = sum(entries.get(c, 0) for c in used) / len(used)
print(f"{ex:9s} {name:20s} largest {max(entries.values()):4d}, mean per used chip "
      f"{mean:6.1f} ({len(used)} chips), volume {int(volume):,}, "
      f"compile to tables {secs:.1f} s (routes verified)")
PY
  done
done | tee -a "$root/bench/results/tables.txt"
