#!/usr/bin/env bash
# packets.sh: useless deliveries (issue 16, "Fewer wasted packets") with one
# multicast tree per slice (scncc --split-routes=false, as before) and with
# split routes (the default: a tree per block of a slice's keys whose
# neurons target the same cores; docs/mapping.md, "Split routes").
#
# For mnist (examples/inputs/digit.npy, 1 s) and dvs-large
# (examples/inputs/dvs-events.npy, one 100 ms presentation): the mapping
# report (communication volume, routing entries per chip before and after
# compression, routes verified) and the emulated run's counters
# (scnc-run --stats: packets delivered, packets that reach a core with no
# population-table entry for their key, cores overrunning the cycle
# model). Checks that both images compute the same spikes (cmp of every
# layer's spikes). Writes bench/results/packets.txt.
# Usage: bench/packets.sh   (SCNC_BUILD_DIR, default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
bin=$build/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$root/bench/results/packets.txt
run() { # name net input duration
  local name=$1 net=$2 input=$3 duration=$4
  for mode in off on; do
    local flag=--split-routes=false
    [ $mode = on ] && flag=--split-routes=true
    "$bin/scncc" "$net" -j 2 $flag --report --verify-routes \
      -o "$tmp/$name-$mode.scimg" >"$tmp/$name-$mode.report" 2>/dev/null
    "$bin/scnc-run" "$tmp/$name-$mode.scimg" --input "$input" \
      --duration "$duration" --stats -j 2 -o "$tmp/$name-$mode.run" \
      >"$tmp/$name-$mode.stats"
  done
  for f in "$tmp/$name-off.run"/*.spikes.npy; do
    cmp "$f" "$tmp/$name-on.run/$(basename "$f")"
  done
}
run mnist "$root/examples/mnist.scn" "$root/examples/inputs/digit.npy" 1s
run dvs-large "$root/examples/dvs-large.scn" "$root/examples/inputs/dvs-events.npy" 100ms
{
echo "# bench/packets.sh: one tree per slice (--split-routes=false) vs split routes (default)"
python3 - "$tmp" <<'PY'
import re, sys
tmp = sys.argv[1]
def num(s):
    return int(s.replace(",", ""))
def read(name, mode):
    r = open(f"{tmp}/{name}-{mode}.report").read()
    s = open(f"{tmp}/{name}-{mode}.stats").read()
    vol = num(re.search(r"communication volume: ([\d,]+)", r).group(1))
    m = re.search(r"before compression max (\d+), mean ([\d.]+) \(([\d,]+) on.*after max (\d+), mean ([\d.]+)", r)
    verified = re.search(r"routes verified: ([\d,]+)", r)
    p = re.search(r"packets: ([\d,]+) sent, ([\d,]+) delivered to cores, ([\d,]+) link hops", s)
    u = re.search(r"no synapses from their neuron: ([\d,]+) \(no population-table entry: "
                  r"([\d,]+); an entry but an empty row: ([\d,]+)\)", s)
    useless, unmatched, empty = num(u.group(1)), num(u.group(2)), num(u.group(3))
    rt = re.search(r"^real time: (.*?)(;|$)", s, re.M).group(1)
    return dict(vol=vol, maxb=int(m.group(1)), totb=num(m.group(3)), maxa=int(m.group(4)),
                meana=m.group(5), trees=verified.group(1) if verified else "?",
                sent=num(p.group(1)), delivered=num(p.group(2)), hops=num(p.group(3)),
                useless=useless, unmatched=unmatched, empty=empty, rt=rt)
for name in ("mnist", "dvs-large"):
    a, b = read(name, "off"), read(name, "on")
    print(f"## {name}")
    print(f"communication volume: {a['vol']:,} (partition, the same for both)")
    for label, x in (("one tree per slice", a), ("split routes", b)):
        print(f"{label}: {x['trees']} trees; routing entries per chip: before compression max "
              f"{x['maxb']} ({x['totb']:,} in all), after max {x['maxa']} (mean {x['meana']}); "
              f"{x['sent']:,} packets sent, {x['delivered']:,} delivered, {x['hops']:,} link hops; "
              f"useless deliveries {x['useless']:,} (no population-table entry "
              f"{x['unmatched']:,}, empty row {x['empty']:,}); real time: {x['rt']}")
    cut = 100.0 * (1 - b['useless'] / a['useless']) if a['useless'] else 0.0
    print(f"useless deliveries (no synapse from the neuron on the core): {a['useless']:,} -> "
          f"{b['useless']:,} ({cut:.1f}% fewer); deliveries {a['delivered']:,} -> "
          f"{b['delivered']:,} ({a['delivered'] - b['delivered']:,} fewer)")
print("spikes of every layer identical with and without split routes (cmp)")
PY
} | tee "$out"
