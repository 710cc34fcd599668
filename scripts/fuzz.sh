#!/usr/bin/env bash
# Runs one libFuzzer target of fuzz/ (docs/reliability.md) for a campaign:
#   scripts/fuzz.sh TARGET [SECONDS]      (default 600 s)
# TARGET is scn, ir, image, arrays, idx, machine or board. Builds the
# target in the sanitizer suite's build (clang-14, ASan + UBSan,
# -DSCNC_FUZZ=ON; scripts/test-sanitizers.sh), ${SCNC_FUZZ_BUILD_DIR:-build-asan},
# when needed, runs one fuzzing process
# from the committed seeds (test/fuzz/TARGET) and the corpus of earlier
# campaigns (BUILD/corpus/TARGET, where new inputs go), with the memory and
# time limits every input must stay within, and writes the run's key lines
# (executions, exec/s, coverage, findings) to bench/results/fuzz-TARGET.txt,
# appended (SCNC_FUZZ_RESULTS=0: not). Crashing inputs land in BUILD/artifacts/TARGET/.
# The exit status is libFuzzer's: non-zero on a finding.
# SCNC_FUZZ_SMOKE=1 (CI): seeds only, nothing saved, no results file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
targets="scn ir image arrays idx machine board"
target=${1:-}
secs=${2:-600}
if [ -z "$target" ] || ! [[ " $targets " == *" $target "* ]]; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS]; TARGET: $targets" >&2
  exit 2
fi
build=${SCNC_FUZZ_BUILD_DIR:-$root/build-asan}
jobs=${SCNC_JOBS:-2}
if [ ! -f "$build/build.ninja" ]; then
  # The sanitizer suite's build (scripts/test-sanitizers.sh), configured the
  # same way: ASan + UBSan + libFuzzer's instrumentation, no ARM program.
  "$root/scripts/install-deps.sh"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DSCNC_SANITIZE=ON -DSCNC_FUZZ=ON -DSCNC_ARM=OFF >/dev/null
fi
# SCNC_FUZZ_NO_BUILD=1: use the binary as it is (another ninja runs there).
[ "${SCNC_FUZZ_NO_BUILD:-0}" = 1 ] || ninja -C "$build" -j "$jobs" "fuzz-$target" >/dev/null
# The limits every input must keep (issue 17): 2 GiB of memory (ASan's
# shadow included), 10 s per input.
limits=(-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10)
dict=()
[ -f "$root/fuzz/$target.dict" ] && dict=(-dict="$root/fuzz/$target.dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
seeds="$root/test/fuzz/$target"
if [ "${SCNC_FUZZ_SMOKE:-0}" = 1 ]; then
  start=$(date +%s)
  set +e
  # New inputs go to the first corpus directory: a scratch one, not the seeds.
  scratch=$(mktemp -d)
  "$build/bin/fuzz-$target" "${limits[@]}" "${dict[@]}" -max_total_time="$secs" \
    -print_final_stats=1 -artifact_prefix="$build/" "$scratch" "$seeds" > "$build/fuzz-$target.log" 2>&1
  rc=$?
  rm -rf "$scratch"
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$target.log")
  cov=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$build/fuzz-$target.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
  echo "fuzz smoke $target: ${execs:-?} executions in $(( $(date +%s) - start )) s, ${cov:-no coverage line}, exit $rc"
  [ $rc -eq 0 ] || tail -40 "$build/fuzz-$target.log"
  exit $rc
fi
corpus="$build/corpus/$target"
artifacts="$build/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
# One log per run: a run that starts as another ends must not overwrite the
# log the other is still reading its figures from.
log="$build/fuzz-$target.$$.log"
echo "fuzz: $target for $secs s (log $log)" >&2
start=$(date +%s)
# The run's start and the commit checked out then (the binary's source,
# unless SCNC_FUZZ_NO_BUILD=1 runs an older build).
started="$(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)"
set +e
"$build/bin/fuzz-$target" "${limits[@]}" "${dict[@]}" -max_total_time="$secs" \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" > "$log" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
summary=$(mktemp)
{
  echo "# scripts/fuzz.sh $target $secs  (started $started, $(nproc) cores, one process)"
  echo "# ${limits[*]} ${dict[*]}"
  echo "elapsed_seconds: $elapsed"
  echo "exit_status: $rc"
  grep -E '^INFO: (Loaded|seed corpus)' "$log" | head -3 || true
  grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | tail -1 || true
  grep -E '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE)' "$log" | tail -1 || true
  grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true
  grep -E '^stat::' "$log" || true
  grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*Test unit written|.*ERROR: libFuzzer)' "$log" | head -10 || true
  echo "corpus_files: $(ls "$corpus" | wc -l)"
} > "$summary"
cat "$summary"
if [ "${SCNC_FUZZ_RESULTS:-1}" = 1 ]; then
  mkdir -p "$root/bench/results"
  # One block per campaign, appended: a target's runs add up.
  { cat "$summary"; echo; } >> "$root/bench/results/fuzz-$target.txt"
fi
rm -f "$summary"
exit $rc
