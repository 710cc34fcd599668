#!/usr/bin/env bash
# The whole compile of examples/xl.scn (203 million synapses) from text to a
# load image, measured with the compiler itself in one run:
#  1. text -> routing tables (-emit=tables) and text -> image, -j 2: wall
#     time of each (best of REPS) and the difference, which is what emitting
#     the image costs; peak RSS of the image compile per synapse;
#  2. the image again with -j 1: byte-identical (cmp).
# Usage: bench/image.sh [build-dir]   (REPS=3 by default)
set -euo pipefail
build=${1:-build}
reps=${REPS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
scncc=$build/bin/scncc
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scnc-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
synapses=203212800
best() { sort -g | head -n 1; }
for r in $(seq "$reps"); do
  /usr/bin/time -f "%e %M" -o "$tmp/tables.$r" "$scncc" "$root/examples/xl.scn" \
    -j 2 -emit=tables -o "$tmp/xl.tables"
  /usr/bin/time -f "%e %M" -o "$tmp/image.$r" "$scncc" "$root/examples/xl.scn" \
    -j 2 -o "$tmp/xl.scimg"
done
tables=$(cat "$tmp"/tables.* | awk '{print $1}' | best)
image=$(cat "$tmp"/image.* | awk '{print $1}' | best)
rss=$(cat "$tmp"/image.* | awk '{print $2}' | sort -g | tail -n 1)
bytes=$(stat -c %s "$tmp/xl.scimg")
"$scncc" "$root/examples/xl.scn" -j 1 -o "$tmp/xl.j1.scimg"
same=$(cmp -s "$tmp/xl.scimg" "$tmp/xl.j1.scimg" && echo identical || echo DIFFERENT)
python3 - "$tables" "$image" "$rss" "$bytes" "$synapses" "$same" "$reps" <<'PY'
import sys
tables, image, rss_kb, size, syn, same, reps = sys.argv[1:]
tables, image, rss, size, syn = float(tables), float(image), int(rss_kb) * 1024, int(size), int(syn)
print(f"xl, -j 2, best of {reps}: text -> tables {tables:.2f} s, text -> image {image:.2f} s "
      f"(emitting the image: +{image - tables:.2f} s)")
print(f"xl: peak RSS of the image compile {rss / 2**30:.2f} GiB = {rss / syn:.2f} bytes per synapse "
      f"({syn:,} synapses; max of {reps} runs)")
print(f"xl: image {size / 2**20:,.0f} MiB = {size / syn:.2f} bytes per synapse; -j 1 image {same} to -j 2")
PY
