#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (gtest and lit) through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)"
