#!/usr/bin/env bash
# Mapping time as issue 21 measures it: partition through tables (the
# passes partition, place, allocate-keys, route, build-tables and
# compress-tables, wall time from -time-passes; parsing, expansion and
# writing are outside it) for examples/mnist.scn, dvs-large.scn and xl.scn,
# -j 2, $REPS interleaved rounds (default 3), medians. Configurations:
#   best      --partitioner=best --minimize-tables --split-routes=false
#             (PACMAN's model: one multicast tree per core, tables
#             compressed), every route verified in a separate run;
#   default   scncc's defaults (METIS, split routes).
# PACMAN (SpiNNaker's mapper, Python) cannot be installed on these machines
# (it is not in Debian and PyPI is unreachable), so its figures are the
# ones issue 21 measured with PACMAN 1!7.4.2 on a machine like this one
# (one vertex per layer cut into the best rectangular tiles: 0.027, 0.173
# and 4.33 s; sPyNNaker's per-map model: 0.100, 0.597, 4.45 s), printed
# beside ours with the ratio. Also printed per configuration: the
# communication volume and the largest routing table / mean entries per
# used chip (as bench/tables.sh). Appends to bench/results/mapping-time.txt.
# Usage: bench/mapping-time.sh [build-dir]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
scncc=$build/bin/scncc
reps=${REPS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
configs=("best:--partitioner=best --minimize-tables --split-routes=false" "default:")
examples=(mnist dvs-large xl)
for r in $(seq "$reps"); do
  for ex in "${examples[@]}"; do
    for c in "${configs[@]}"; do
      name=${c%%:*}
      read -r -a flags <<<"${c#*:}"
      "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" -emit=tables \
        -o "$tmp/$ex-$name.tables" -time-passes 2>"$tmp/$ex-$name-$r.time" >/dev/null
    done
  done
done
for ex in "${examples[@]}"; do
  for c in "${configs[@]}"; do
    name=${c%%:*}
    read -r -a flags <<<"${c#*:}"
    "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" --verify-routes -emit=tables \
      -o /dev/null 2>/dev/null | grep -q "routes verified" ||
      { echo "mapping-time.sh: $ex ($name): routes not verified" >&2; exit 1; }
    "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" -emit=placement \
      -o "$tmp/$ex-$name.placement" 2>/dev/null
    "$scncc" "$root/examples/$ex.scn" -j 2 "${flags[@]}" -emit=partition --stats \
      -o /dev/null 2>/dev/null >"$tmp/$ex-$name.stats"
  done
done
echo "== $(date -u +%F) $(git -C "$root" rev-parse --short HEAD), $reps rounds" |
  tee -a "$root/bench/results/mapping-time.txt"
python3 - "$tmp" "$reps" <<'PY' | tee -a "$root/bench/results/mapping-time.txt"
import re, statistics, sys
tmp, reps = sys.argv[1], int(sys.argv[2])
passes = ["partition", "place", "allocate-keys", "route", "build-tables", "compress-tables"]
pacman = {"mnist": (0.027, 0.100), "dvs-large": (0.173, 0.597), "xl": (4.33, 4.45)}
row = re.compile(r"^\s*(?:[\d.]+ \(\s*[\d.]+%\)\s+){3}([\d.]+) \(\s*[\d.]+%\)\s+(\S+)\s*$")
print("example   config   partition-to-tables median (runs)      PACMAN per layer / per map  "
      "ratio  volume      largest / mean per used chip")
for ex in ("mnist", "dvs-large", "xl"):
    for name in ("best", "default"):
        sums = []
        for r in range(1, reps + 1):
            wall = {}
            for line in open(f"{tmp}/{ex}-{name}-{r}.time"):
                m = row.match(line)
                if m:
                    wall[m.group(2)] = float(m.group(1))
            missing = [p for p in passes if p not in wall]
            assert not missing, f"{ex} {name}: no time for {missing}"
            sums.append(sum(wall[p] for p in passes))
        med = statistics.median(sums)
        t = open(f"{tmp}/{ex}-{name}.tables").read()
        entries = {m.group(1): int(m.group(2)) for m in
                   re.finditer(r"^chip \((\d+, \d+)\): (\d+) entries", t, re.M)}
        used = set(re.findall(r"-> chip \((\d+, \d+)\) core",
                              open(f"{tmp}/{ex}-{name}.placement").read()))
        mean = sum(entries.get(c, 0) for c in used) / len(used)
        volume = int(re.search(r"communication volume: (\d+)",
                               open(f"{tmp}/{ex}-{name}.stats").read()).group(1))
        per_layer, per_map = pacman[ex]
        runs = ", ".join(f"{s:.4f}" for s in sums)
        print(f"{ex:9s} {name:8s} {med:8.4f} s ({runs})  {per_layer:6.3f} / {per_map:5.3f} s  "
              f"{per_layer / med:5.1f}x  {volume:10,d}  {max(entries.values()):4d} / {mean:5.1f}")
PY
