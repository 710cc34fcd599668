#!/usr/bin/env bash
# arm-cycles.sh [--build DIR] [--keep DIR] [--listing SCENARIO:X]
#
# Measures the core program's costs (docs/arm-cycles.md): runs the cycle
# benchmark build/arm/cycles-qemu (runtime/arm/CycleBench.cpp) under
# qemu-system-arm with an instruction trace (-singlestep -d exec,nochain:
# one line per executed instruction), then bench/arm-cycles.py cuts the
# trace at the scnc_mark calls, counts each event's instructions, estimates
# its ARM968E-S cycles and fits the cycle model's constants. Prints the
# table and writes bench/results/arm-cycles.json; --listing prints each
# instruction one point (e.g. events:128) executed, with its cycles. Deterministic: the same
# build gives the same figures. About 10 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
keep=
listing=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --listing) listing=(--listing "$2"); shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--keep DIR] [--listing SCENARIO:X]" >&2; exit 2 ;;
  esac
done
for tool in qemu-system-arm arm-none-eabi-objdump arm-none-eabi-nm python3; do
  command -v $tool >/dev/null || { echo "error: $tool is not installed" >&2; exit 2; }
done
elf=$build/arm/cycles-qemu/cycles-qemu.elf
board=$build/arm/neuron-board/neuron-board.elf
for f in "$elf" "$board"; do
  [ -f "$f" ] || { echo "error: no $f (ninja -C $build scnc-arm-apps)" >&2; exit 2; }
done
if [ -n "$keep" ]; then work=$keep; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
rm -f "$work/out.txt" "$work/trace.log"
qemu-system-arm -M none -cpu arm946 -m 2048M -nographic -monitor none -serial none \
  -chardev file,id=semi,path="$work/out.txt" -semihosting-config enable=on,target=native,chardev=semi \
  -device loader,file="$elf",cpu-num=0 \
  -singlestep -d exec,nochain -D "$work/trace.log"
mkdir -p "$root/bench/results"
python3 "$root/bench/arm-cycles.py" --elf "$elf" --board-elf "$board" \
  --trace "$work/trace.log" --output "$work/out.txt" \
  --json "$root/bench/results/arm-cycles.json" --command "bench/arm-cycles.sh" \
  "${listing[@]}"
