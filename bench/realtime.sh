#!/usr/bin/env bash
# realtime.sh [NET.scn INPUT.npy]... (default: mnist with its example
# input; dvs-large has no example input yet)
#
# Real-time sizing (docs/mapping.md, "Real time"): compiles the network as
# usual, runs it with --stats -o RUN (the profile), compiles it again with
# --profile RUN and runs that image on the same input. Prints per layer the
# cores, the predicted worst tick (scncc --report) and the measured one
# (scnc-run --stats, --duration ${DURATION:-1s}) in % of the 1 ms tick, and the overrunning cores of
# both images. Writes bench/results/realtime.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
bin=$build/bin
nets=("$@")
if [ ${#nets[@]} -eq 0 ]; then
  nets=("$root/examples/mnist.scn" "$root/examples/inputs/digit.npy")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$root/bench/results/realtime.txt
{
echo "# bench/realtime.sh: predicted (scncc --profile --report) vs measured (scnc-run --stats) worst tick"
for ((i = 0; i < ${#nets[@]}; i += 2)); do
  net=${nets[i]} input=${nets[i+1]}
  name=$(basename "$net" .scn)
  "$bin/scncc" "$net" -j 2 -o "$tmp/a.scimg" 2>/dev/null
  "$bin/scnc-run" "$tmp/a.scimg" --input "$input" --duration "${DURATION:-1s}" --stats -j 2 -o "$tmp/run" > "$tmp/a.txt"
  "$bin/scncc" "$net" -j 2 --profile "$tmp/run" --report -o "$tmp/b.scimg" 2>/dev/null > "$tmp/b.report"
  "$bin/scnc-run" "$tmp/b.scimg" --input "$input" --duration "${DURATION:-1s}" --stats -j 2 -o "$tmp/run2" > "$tmp/b.txt"
  echo "## $name"
  echo "without profile: $(grep '^real time:' "$tmp/a.txt" | sed 's/; the busiest.*//')"
  echo "with --profile:  $(grep '^real time:' "$tmp/b.txt" | sed 's/; the busiest.*//')"
  echo "useless deliveries: $(grep 'no synapses from their neuron' "$tmp/b.txt" | sed 's/.*: //')"
  printf '%-8s %6s %10s %10s %10s\n' layer cores predicted measured error
  # report lines: "    conv1: 68 cores of at most 255 neurons, 83,320 cycles (41.7% of the tick)"
  while read -r layer cores _ _ _ _ _ _ cyc _; do
    layer=${layer%:}
    cyc=${cyc//,/}
    meas=$(awk -v l="$layer" '$1 == l && NF == 7 && $2 ~ /^[0-9]+$/ {gsub(",", "", $4); print $4}' "$tmp/b.txt")
    err=$(awk -v p="$cyc" -v m="$meas" 'BEGIN { if (m > 0) printf "%+.1f%%", 100 * (p - m) / m; else print "-" }')
    printf '%-8s %6s %9.1f%% %9.1f%% %10s\n' "$layer" "$cores" \
      "$(awk -v c="$cyc" 'BEGIN{print c / 2000}')" "$(awk -v c="$meas" 'BEGIN{print c / 2000}')" "$err"
  done < <(grep -E '^    [^ ]+: [0-9]+ cores of at most' "$tmp/b.report")
done
} | tee "$out"
