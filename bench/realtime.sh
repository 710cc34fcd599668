#!/usr/bin/env bash
# realtime.sh [NET.scn INPUT.npy]...
# (default: every example with its example input: original, original-t40,
# original-3layer, mnist-stdp and mnist with examples/inputs/digit.npy,
# dvs-large with examples/inputs/dvs-events.npy when it exists)
#
# Real-time sizing (docs/mapping.md, "Real time"), as scripts/run-example.sh
# does it: compiles the network as usual, runs it with -o RUN (the profile),
# compiles it again with --profile RUN and runs that image on the same input
# (--duration ${DURATION:-1s}). Prints for both images the overrunning cores
# and those over the event budget, the useless deliveries and the machine,
# and per layer scnc-run --stats' table of the profiled image: the measured
# worst tick beside the predicted one (the image's load-prediction region)
# and the error. Writes bench/results/realtime.txt (RESULTS=0: not).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
bin=$build/bin
nets=("$@")
if [ ${#nets[@]} -eq 0 ]; then
  for n in original original-t40 original-3layer mnist-stdp mnist; do
    nets+=("$root/examples/$n.scn" "$root/examples/inputs/digit.npy")
  done
  [ -f "$root/examples/inputs/dvs-events.npy" ] &&
    nets+=("$root/examples/dvs-large.scn" "$root/examples/inputs/dvs-events.npy")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/realtime.txt
{
echo "# bench/realtime.sh: predicted (scncc --profile) vs measured (scnc-run --stats) worst tick, --duration ${DURATION:-1s}"
for ((i = 0; i < ${#nets[@]}; i += 2)); do
  net=${nets[i]} input=${nets[i+1]}
  name=$(basename "$net" .scn)
  run=(--input "$input" --duration "${DURATION:-1s}" --stats -j 2)
  "$bin/scncc" "$net" -j 2 -o "$tmp/a.scimg" 2>/dev/null
  "$bin/scnc-run" "$tmp/a.scimg" "${run[@]}" -o "$tmp/run" > "$tmp/a.txt"
  # A layer that cannot keep up even with one neuron per core fails the
  # sizing; then the memory-sized image is run again with the predictions
  # recorded (--realtime=predict), so the model's error is still measured.
  mode=size
  if ! "$bin/scncc" "$net" -j 2 --profile "$tmp/run" --report -o "$tmp/b.scimg" \
      2>"$tmp/b.err" > "$tmp/b.report"; then
    mode=predict
    "$bin/scncc" "$net" -j 2 --profile "$tmp/run" --realtime=predict --report \
      -o "$tmp/b.scimg" 2>/dev/null > "$tmp/b.report"
  fi
  "$bin/scnc-run" "$tmp/b.scimg" "${run[@]}" -o "$tmp/run2" > "$tmp/b.txt"
  same="identical"
  for f in "$tmp"/run/*.spikes.npy; do
    cmp -s "$f" "$tmp/run2/$(basename "$f")" || same="DIFFERENT"
  done
  echo "## $name ($(basename "$input"))"
  if [ $mode = predict ]; then
    echo "cannot be sized for real time: $(grep -o "error: .*" "$tmp/b.err" | head -n 1 | sed 's/^error: //')"
    echo "so the second image is the same partition with --realtime=predict"
  fi
  for v in a b; do
    label=$([ $v = a ] && echo "without profile" || echo "with --profile ")
    [ $v = b ] && [ $mode = predict ] && label="--realtime=predict"
    f=$tmp/$v.txt
    echo "$label: $(grep '^machine ' "$f" | sed 's/: [0-9,]* chips;.*runs on/,/; s/ (.*//')" \
      "; $(grep '^real time:' "$f" | sed 's/^real time: //; s/; the busiest.*//');" \
      "events: $(grep '^synaptic events per core and tick' "$f" | sed 's/.*): //')"
  done
  echo "useless deliveries (with --profile): $(grep 'no synapses from their neuron' "$tmp/b.txt" | sed -e 's/.*their neuron: //' -e 's/: / /g'); spikes of both runs $same"
  sed -n '/^layer  *cores/,$p' "$tmp/b.txt"
done
} | tee "$out"
[ "${RESULTS:-1}" = 0 ] || cp "$out" "$root/bench/results/realtime.txt"
