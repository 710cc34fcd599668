#!/usr/bin/env bash
# Configures (once) and builds scnc into ${SCNC_BUILD_DIR:-build}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${SCNC_BUILD_TYPE:-Release}
fi
cmake --build "$build"
