#!/usr/bin/env bash
# outputs-identical.sh OLD_BIN NEW_BIN: shows that a change is behaviour-neutral.
# Runs two builds' tools (e.g. a build of the previous commit and build/bin) on every example:
# scncc at every -emit stage, --summary, --report, the frozen and the --plastic image (xl.scn's
# image by md5: it is 1.35 GB), scnc-run on mnist's image for 1 s with the example digit (with
# --stats), the reference evaluator, and a plastic run with --weights-out; then compares every
# file with cmp. Wall-clock figures (summary.json "wall_seconds", scnc-run's "in X s" line) are
# masked. Prints "identical" or each differing file, and exits non-zero when any differs.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

snapshot() { # BIN OUT
  local bin=$1 out=$2 f n e
  mkdir -p "$out"
  cd "$root"
  for f in examples/*.scn; do
    n=$(basename "$f" .scn)
    [ "$n" = xl ] && continue
    "$bin/scncc" "$f" -o "$out/$n.scimg" 2>"$out/$n.img.err"
    "$bin/scncc" "$f" --plastic -o "$out/$n.plastic.scimg" 2>"$out/$n.pimg.err"
    for e in ast ir shapes connections partition placement routes tables; do
      "$bin/scncc" "$f" -emit=$e -o "$out/$n.$e.txt" 2>"$out/$n.$e.err"
    done
    "$bin/scncc" "$f" --summary -emit=shapes -o /dev/null >"$out/$n.summary" 2>&1
    "$bin/scncc" "$f" --report -o /dev/null >"$out/$n.report" 2>&1
  done
  "$bin/scncc" examples/xl.scn -o - 2>"$out/xl.err" | md5sum >"$out/xl.md5"
  local digit=examples/inputs/digit.npy
  "$bin/scnc-run" "$out/mnist.scimg" --input $digit --duration 1s -o "$out/mnist-run" \
    --stats >"$out/mnist-run.txt" 2>&1
  "$bin/scnc-run" --reference examples/mnist.scn --input $digit --duration 1s \
    -o "$out/mnist-ref" >"$out/mnist-ref.txt" 2>&1
  "$bin/scnc-run" "$out/mnist.plastic.scimg" --input $digit --duration 1s \
    --weights-out "$out/mnist-w" -o "$out/mnist-prun" >"$out/mnist-prun.txt" 2>&1
}
norm() { sed -E 's/"wall_seconds": [0-9.e-]+/"wall_seconds": X/; s/ in [0-9.]+ s \(.*\)$/ in X s/' "$1"; }

snapshot "$old" "$work/old"
snapshot "$new" "$work/new"
bad=0
while read -r f; do
  a=$work/old/$f; b=$work/new/$f
  if [ ! -f "$b" ]; then echo "missing in NEW: $f"; bad=1; continue; fi
  cmp -s "$a" "$b" && continue
  case "$f" in
    *.json|*.txt) cmp -s <(norm "$a") <(norm "$b") && continue ;;
  esac
  echo "differs: $f"; bad=1
done < <(cd "$work/old" && find . -type f | sort)
while read -r f; do
  [ -f "$work/old/$f" ] || { echo "only in NEW: $f"; bad=1; }
done < <(cd "$work/new" && find . -type f | sort)
[ $bad = 0 ] && echo "identical: $(cd "$work/old" && find . -type f | wc -l) files"
exit $bad
