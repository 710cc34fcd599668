#!/usr/bin/env bash
# PyNN out against scnc's reference: `scncc NET -emit=pynn -o DIR`, then
# DIR/run.py on PyNN's Brian2 backend (Debian's python3-pynn 0.10.1 and
# python3-brian 2.5), beside `scnc-run --reference --float64` (the continuous
# model) and `scnc-run --reference` (the machine's fixed point) on the same
# network, input and duration; spikes per layer side by side
# (bench/pynn_compare.py, tolerance there). docs/interop.md says why they
# differ.
#
# Networks, $DURATION ms each (default 1000):
# - examples/original.scn driven by a rate code made from
#   examples/inputs/digit.npy (that file is a latency code, one spike per
#   pixel and presentation, too sparse for the original's -10 mV threshold:
#   no conv1 spike): in every 100 ms presentation a pixel that spikes at
#   latency L spikes every 2 ms from L to 50 ms (brighter pixels, which spike
#   earlier, spike more; 11,681 spikes in 1 s);
# - test/Interop/Inputs/mnist-small.scn (examples/mnist.scn with 8 and 16
#   filters) driven by examples/inputs/digit.npy itself.
#
# Usage: bench/pynn.sh [build-dir]   (PYTHON=/usr/bin/python3, DURATION=1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
PY=${PYTHON:-/usr/bin/python3}
DURATION=${DURATION:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PY" - "$root/examples/inputs/digit.npy" "$tmp/rate.npy" <<'PYEOF'
import sys
import numpy as np
rows = []
for t, i in np.load(sys.argv[1]):
    p = int(t // 100) * 100
    rows += [(p + s, i) for s in np.arange(t - p, 50, 2.0)]
np.save(sys.argv[2], np.array(rows))
PYEOF

for net in examples/original.scn test/Interop/Inputs/mnist-small.scn; do
  name=$(basename "$net" .scn)
  input=$root/examples/inputs/digit.npy
  [ "$name" = original ] && input=$tmp/rate.npy
  echo "== $net, $(basename "$input") (see above), $DURATION ms"
  "$build/bin/scncc" "$root/$net" -emit=pynn -o "$tmp/$name.pynn"
  "$build/bin/scnc-run" --reference --float64 "$root/$net" --input "$input" \
    --duration "$DURATION" -o "$tmp/$name.f64" >/dev/null
  "$build/bin/scnc-run" --reference "$root/$net" --input "$input" \
    --duration "$DURATION" -o "$tmp/$name.fix" >/dev/null
  t0=$(date +%s.%N)
  "$PY" "$tmp/$name.pynn/run.py" --backend brian2 --input "$input" \
    --duration "$DURATION" --output "$tmp/$name.b2" >"$tmp/$name.log" 2>&1 ||
    { cat "$tmp/$name.log"; exit 1; }
  t1=$(date +%s.%N)
  "$PY" "$root/bench/pynn_compare.py" "$tmp/$name.f64" "$tmp/$name.b2" \
    --fixed "$tmp/$name.fix"
  printf 'PyNN brian2 run.py wall (import, network build, codegen, run): %.0f s\n' \
    "$(echo "$t1 - $t0" | bc)"
done
