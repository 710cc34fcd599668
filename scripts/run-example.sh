#!/usr/bin/env bash
# The main job: builds scnc, compiles examples/mnist.scn into a load image
# (cores sized for real time from a profile run, mapped onto the smallest
# SpiNNaker machine that fits, routes verified),
# runs it for 1 s on the emulated board with examples/inputs/digit.npy and
# prints the network's summary, the spikes per layer and the board's
# counters (packets, synaptic events per core and tick, real-time budget).
#
# run-example.sh [FILE.scn [INPUT.npy|INPUT.csv]]: another network (and its
# input spikes; without them its input layers are silent), for one
# presentation, or for 1 s with the default network and input.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" >&2
net=${1:-$root/examples/mnist.scn}
run=()
if [ $# -eq 0 ]; then
  run=(--input "$root/examples/inputs/digit.npy" --duration 1s)
elif [ $# -ge 2 ]; then
  run=(--input "$2")
fi
jobs=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Real time by the compiler's own choice (docs/mapping.md, "Real time"): a
# first image runs the input once to record every layer's activity (the
# network's spikes do not depend on the mapping), then scncc --profile sizes
# every core so that its worst tick fits the 1 ms budget with a 10% margin
# and picks the smallest machine with enough cores.
"$build/bin/scncc" "$net" -j "$jobs" -o "$tmp/profile.scimg"
"$build/bin/scnc-run" "$tmp/profile.scimg" "${run[@]}" -j "$jobs" -o "$tmp/profile" > /dev/null
"$build/bin/scncc" "$net" --profile "$tmp/profile" --summary --report --verify-routes -j "$jobs" \
  -o "$tmp/net.scimg"
echo
"$build/bin/scnc-run" "$tmp/net.scimg" "${run[@]}" --stats -j "$jobs"
