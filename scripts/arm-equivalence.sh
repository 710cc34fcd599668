#!/usr/bin/env bash
# arm-equivalence.sh [--mutant] [--build DIR] [--keep DIR] IMAGE CORES [scnc-run options...]
#
# The ARM build's proof (docs/arm.md, "The proof"): runs IMAGE on the host
# emulator with scnc-run --trace-core=CORES (X,Y,P, all or per-layer) and
# the given options (--input, --ticks ...), then runs each traced core's
# bare-metal program (build/arm/{neuron,source}-qemu) under qemu-system-arm
# (-cpu arm946) on the packets the emulator delivered to that core, and
# compares what it computed (keys and spikes per tick, counters, final
# neuron states, learned rows and post-spike histories) byte for byte with
# the host kernel's, and checks that the DTCM the program laid the core out
# in (its arena, after its static data) is the resource model's figure
# (kernel::neuronCoreArenaBytes, what scncc checked). Prints a line per core
# with its measured System-mode stack depth and exits 1 when any differs.
# --mutant runs the neuron cores' program built with one bit of its
# arithmetic changed (SCNC_KERNEL_MUTATE), which must differ.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
mutant=0
keep=
while [ $# -gt 0 ]; do
  case $1 in
    --mutant) mutant=1; shift ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "usage: $0 [--mutant] [--build DIR] [--keep DIR] IMAGE CORES [scnc-run options...]" >&2
  exit 2
fi
image=$1 cores=$2
shift 2
command -v qemu-system-arm >/dev/null || { echo "error: qemu-system-arm is not installed" >&2; exit 2; }
neuron=$build/arm/neuron-qemu/neuron-qemu.elf
[ $mutant = 1 ] && neuron=$build/arm/neuron-qemu-mutant/neuron-qemu-mutant.elf
source=$build/arm/source-qemu/source-qemu.elf
for p in "$neuron" "$source"; do
  [ -f "$p" ] || { echo "error: no $p (build with arm-none-eabi-g++ installed)" >&2; exit 2; }
done
if [ -n "$keep" ]; then work=$keep; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
"$build/bin/scnc-run" "$image" --trace-core="$cores" --trace-dir="$work" "$@" >"$work/run.log" 2>&1 ||
  { cat "$work/run.log" >&2; exit 2; }
same=0 differ=0
while read -r core kind arena; do
  prog=$neuron
  [ "$kind" = source ] && prog=$source
  out=$work/$core.out
  rm -f "$out"
  qemu-system-arm -M none -cpu arm946 -m 2048M -nographic -monitor none -serial none \
    -chardev file,id=semi,path="$out" -semihosting-config enable=on,target=native,chardev=semi \
    -device loader,file="$prog",cpu-num=0 \
    -device loader,file="$work/$core.in",addr=0x60000000,force-raw=on
  rc=$?
  lines=$(wc -l <"$work/$core.expected")
  # The DTCM the program laid the core out in must be the resource model's
  # (what scncc checked against 64 KiB): one definition, checked here.
  used=$(sed -n 's/^# dtcm arena bytes used \([0-9a-f]*\)$/\1/p' "$out" 2>/dev/null)
  used=$((16#${used:-0}))
  stack=$(sed -n 's/^# system stack bytes used \([0-9a-f]*\)$/\1/p' "$out" 2>/dev/null)
  stack=$((16#${stack:-0}))
  if [ $rc = 0 ] && grep -v '^#' "$out" | cmp -s - "$work/$core.expected"; then
    if [ "$used" = "$arena" ]; then
      echo "core $core ($kind): identical, $lines lines (system stack $stack bytes; DTCM arena $used bytes, as the resource model says)"
      same=$((same + 1))
    else
      echo "core $core ($kind): DIFFERS (arena: the program used $used bytes of DTCM after its static data, the resource model says $arena)"
      differ=$((differ + 1))
    fi
  else
    first=$(grep -v '^#' "$out" 2>/dev/null | diff - "$work/$core.expected" | sed -n 2p)
    echo "core $core ($kind): DIFFERS (qemu exit $rc; first difference: $first)"
    differ=$((differ + 1))
  fi
done <"$work/cores.txt"
echo "$same identical, $differ differ"
[ $differ = 0 ]
