#!/usr/bin/env bash
# arm-footprint.sh [--build DIR] [--no-xl]
#
# The core program's memory on every example (docs/arm.md, "Memory per
# core"): compiles each examples/*.scn (frozen, and --plastic when it has
# STDP rules) and prints, from scnc-objdump --programs, the programs' ITCM
# and static DTCM and each kind's largest core (program + the arena it
# lays the core out in, of 65,536 bytes). With qemu-system-arm installed it
# then runs each largest neuron core's bare-metal program under qemu for 20
# ticks (scripts/arm-equivalence.sh) and prints its measured arena and
# stack: the arena must equal the model's. Writes the table to
# bench/results/arm-footprint.txt. --no-xl skips xl.scn (2.7 GB, 20 s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
xl=1
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --no-xl) xl=0; shift ;;
    *) echo "usage: $0 [--build DIR] [--no-xl]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/table.txt
qemu=0
command -v qemu-system-arm >/dev/null && [ -f "$build/arm/neuron-qemu/neuron-qemu.elf" ] && qemu=1
{
  echo "# bench/arm-footprint.sh: the ARM core program's ITCM and DTCM per example"
  first=1
  for scn in "$root"/examples/*.scn; do
    name=$(basename "$scn" .scn)
    [ $xl = 0 ] && [ "$name" = xl ] && continue
    modes=frozen
    grep -q '^ *stdp ' "$scn" && modes="frozen plastic"
    for mode in $modes; do
      img=$work/$name-$mode.scimg
      flags=()
      [ $mode = plastic ] && flags=(--plastic)
      "$build/bin/scncc" "$scn" "${flags[@]}" -o "$img" 2>>"$work/scncc.log"
      report=$("$build/bin/scnc-objdump" --programs "$img")
      if [ $first = 1 ]; then
        echo "$report" | grep -E '^  (neuron|source):' | sed 's/; entry.*//; s/^  /program /'
        first=0
      fi
      echo "$report" | awk -v ex="$name ($mode)" '
        /^  neuron:/ { kind = "neuron" } /^  source:/ { kind = "source" }
        /largest core/ { sub(/^ +largest core /, ""); printf "%-24s %s core %s\n", ex, kind, $0 }'
      if [ $qemu = 1 ]; then
        core=$(echo "$report" | awk '/^  neuron:/ { n = 1 } n && /largest core/ { gsub(/[(),:]/, " "); print $3 "," $4 "," $5; exit }')
        res=$("$root/scripts/arm-equivalence.sh" --build "$build" "$img" "$core" --ticks 20 | sed -n 1p)
        printf "%-24s qemu: %s\n" "$name ($mode)" "$res"
      fi
    done
  done
} | tee "$out"
mkdir -p "$root/bench/results"
cp "$out" "$root/bench/results/arm-footprint.txt"
