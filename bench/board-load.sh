#!/usr/bin/env bash
# board-load.sh [--build DIR] [--no-xl] [--drop P]
#
# Load throughput over SCP (docs/board.md, "Figures"): compiles
# examples/mnist.scn (and xl.scn unless --no-xl), starts an emulated board
# (scnc-run --serve on 127.0.0.1) for the image's machine and runs the image
# on it with scnc-run --board (10 ticks, --stats), then prints from
# summary.json the bytes written, the load time, MB/s and SCP packets/s,
# next to what the window allows: window x 256 bytes per measured round
# trip. --drop drops that fraction of datagrams each way (1 s time-out, as
# SpiNNMan). Writes the table to bench/results/board-load.txt
# (board-load-drop<P>.txt with --drop).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
xl=1
drop=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --no-xl) xl=0; shift ;;
    --drop) drop=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--no-xl] [--drop P]" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
nets=mnist
[ $xl = 1 ] && nets="mnist xl"
{
  echo "# bench/board-load.sh: loading images over SCP on loopback (drop $drop each way)"
  printf "%-6s %12s %9s %9s %10s %10s %9s %12s\n" network bytes load_s MB/s packets/s rtt_us window bound_MB/s
  for net in $nets; do
    img=$work/$net.scimg
    "$build/bin/scncc" "$root/examples/$net.scn" -o "$img" 2>/dev/null
    machine=$("$build/bin/scnc-objdump" --header "$img" | sed -n 's/^machine: *\([^ ]*\) .*/\1/p')
    rm -f "$work/port"
    "$build/bin/scnc-run" --serve 127.0.0.1:0 --machine "$machine" --serve-runs 1 \
      --serve-drop "$drop" --serve-port-file "$work/port" 2>"$work/serve.log" &
    server=$!
    while [ ! -s "$work/port" ]; do sleep 0.05; done
    "$build/bin/scnc-run" "$img" --board "127.0.0.1:$(cat "$work/port")" --ticks 10 \
      --stats -o "$work/$net.out" >/dev/null 2>"$work/$net.log"
    wait $server || true
    server=
    python3 - "$work/$net.out/summary.json" "$net" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["board"]
mb = b["bytes_written"] / 1e6
writes = (b["bytes_written"] + 255) // 256
bound = b["window"] * 256 / (b["round_trip_us"] * 1e-6) / 1e6
print("%-6s %12d %9.2f %9.1f %10.0f %10.1f %9d %12.1f" % (
    sys.argv[2], b["bytes_written"], b["load_seconds"], mb / b["load_seconds"],
    writes / b["load_seconds"], b["round_trip_us"], b["window"], bound))
PY
  done
} | tee "$work/table.txt"
mkdir -p "$root/bench/results"
out=board-load.txt
[ "$drop" != 0 ] && out=board-load-drop$drop.txt
cp "$work/table.txt" "$root/bench/results/$out"
