#!/usr/bin/env bash
# Builds the whole suite a second time with clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer (undefined behaviour fatal, leaks reported) in
# ${SCNC_ASAN_BUILD_DIR:-build-asan} and runs every test through ctest.
# The same build has the libFuzzer targets of fuzz/ (-DSCNC_FUZZ=ON: the
# code is compiled once for both; the tools still check images' CRCs), so
# `SCNC_FUZZ_BUILD_DIR=build-asan SCNC_FUZZ_SMOKE=1 scripts/fuzz.sh T S`
# smoke-tests them without another build.
# The ARM968 core program is not built here (-DSCNC_ARM=OFF; its code runs
# on the board or under qemu, not instrumented on the host, and the
# release suite of scripts/test.sh covers it); SCNC_ASAN_ARM=ON builds it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_ASAN_BUILD_DIR:-$root/build-asan}
"$root/scripts/install-deps.sh"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DSCNC_SANITIZE=ON -DSCNC_FUZZ=${SCNC_ASAN_FUZZ:-ON} -DSCNC_ARM=${SCNC_ASAN_ARM:-OFF}
fi
cmake --build "$build" -- -j "${SCNC_JOBS:-$(nproc)}"
# The few lit tests that compile and decode the largest examples whole (xl's
# 16,388 cores, mnist's image as JSON: minutes in a release build, far longer
# instrumented) or time a lossy UDP exchange are left to the release suite
# (scripts/test.sh), as are the mpirun tests (Open MPI's own allocations at exit
# are not ours to chase; DistributedTest runs the same code in threads here);
# SCNC_ASAN_ALL=1 runs them here too. Everything else,
# every reader's error tests included, runs instrumented.
if [ "${SCNC_ASAN_ALL:-0}" != 1 ]; then
  export LIT_FILTER_OUT=${LIT_FILTER_OUT:-'Image/roundtrip-examples|IR/roundtrip-all|scncc/deterministic|Mapping/example-xl|Examples/xl-|Board/loopback|Runtime/mpi|Interop/nir-roundtrip-large'}
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j "$(nproc)"
