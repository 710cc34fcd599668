#!/usr/bin/env bash
# The main job: builds scnc and compiles an example network (default examples/mnist.scn).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCNC_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" >&2
net=${1:-$root/examples/mnist.scn}
exec "$build/bin/scncc" "$net" --summary
