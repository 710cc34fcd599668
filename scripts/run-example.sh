#!/usr/bin/env bash
# The main job: builds scnc, compiles an example network (default
# examples/mnist.scn), maps it onto the smallest SpiNNaker machine that fits and
# prints its summary and mapping report (routes verified).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" >&2
net=${1:-$root/examples/mnist.scn}
exec "$build/bin/scncc" "$net" --summary --report --verify-routes -j "$(nproc)"
