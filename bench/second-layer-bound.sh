#!/bin/bash
# What a second conv layer could add to the readout (docs/results.md,
# "Seventh sitting"), on a trained two-layer run folder (bench/mnist.sh with
# NET=examples/mnist-stdp2.scn LAYERS=2):
#   counts: the classifier reads the first layer's pools and conv2's unpooled
#           spike counts; conv2's counts pooled coarser, per-position
#           competition across conv2's maps, or 0/1, each added to the pools;
#   kmeans: the classifier reads the pools and conv2's input (pool1f); k-means
#           kernels on its windows (not STDP: a bound on what better conv2
#           kernels could give), triangle-encoded and pooled, added to the
#           pools, and read alone;
#   kernels: as kmeans with given kernels (KERNELS, a K x C x R x R .npy,
#           e.g. an STDP-trained layer2.weights.npy), encoded three ways
#           (triangle; projection less its mean over the kernels, rectified,
#           as inhibit_mean = 1 gives; plain projection).
# Each set is the readout (scnc-bench-readout, per-source unit norm) trained
# on the first 50,000 training images and scored on the last 10,000.
#
#   bench/second-layer-bound.sh BUILD_DIR RUN_DIR [DATA_DIR]
#   env: WHAT (counts kmeans), KEEP (pool1, pool1b), KEEP_BLOCKS (3000,3000),
#        CONV (conv2), CONV_MAP (8,8,64: H,W,C), INPUT (pool1f), INPUT_MAP
#        (12,12,30), K (256), KERNEL (5), POOL (4), KERNELS (RUN/layer2.weights.npy),
#        CS (3), SEED (1: the run's), BACKEND (emulator), J (2)
set -euo pipefail
BUILD=${1:?usage: bench/second-layer-bound.sh BUILD_DIR RUN_DIR [DATA_DIR]}
RUN=${2:?usage: bench/second-layer-bound.sh BUILD_DIR RUN_DIR [DATA_DIR]}
DATA=${3:-data/mnist}
WHAT=${WHAT:-counts kmeans}
KEEP=${KEEP:-pool1, pool1b}
KEEP_BLOCKS=${KEEP_BLOCKS:-3000,3000}
CONV=${CONV:-conv2}
CONV_MAP=${CONV_MAP:-8,8,64}
INPUT=${INPUT:-pool1f}
INPUT_MAP=${INPUT_MAP:-12,12,30}
K=${K:-256}
KERNEL=${KERNEL:-5}
POOL=${POOL:-4}
KERNELS=${KERNELS:-$RUN/layer2.weights.npy}
CS=${CS:-3}
SEED=${SEED:-1}
BACKEND=${BACKEND:-emulator}
J=${J:-2}
B=$BUILD/bin
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
common=(--data "$DATA" --digits all --seed "$SEED" --run-dir "$RUN" -j "$J" --backend "$BACKEND")
# features TAG SOURCES: the run's network with the classifier reading SOURCES,
# every training and test image's counts (the model is a side file).
features() {
  local tag=$1 sources=$2
  [ -f "$RUN/bound-$tag-test.svm" ] && return
  sed -E "s/classifier ([A-Za-z_0-9]+)\([^)]*\)/classifier \1($sources)/" "$RUN/net.scn" \
    > "$RUN/bound-$tag.scn"
  "$B/scnc-train" svm "$RUN/bound-$tag.scn" "${common[@]}" --train-per-class all \
    --model "$RUN/bound-$tag.svm.json" --features-out "$RUN/bound-$tag-train.svm" > /dev/null
  "$B/scnc-train" test "$RUN/bound-$tag.scn" "${common[@]}" --test-per-class all \
    --model "$RUN/bound-$tag.svm.json" --features-out "$RUN/bound-$tag-test.svm" > /dev/null
}
# weights NKEEP N [alone]: "1,...,1,0,...,0" (the kept blocks alone), then
# the kept blocks with each of the N extra blocks in turn; with "alone", each
# extra block also on its own (as a readout of the last layer only).
weights() {
  local nkeep=$1 n=$2 alone=${3:-} sets="" i j w
  for ((i = 0; i <= n; i++)); do
    w=""
    for ((j = 0; j < nkeep; j++)); do w+="1,"; done
    for ((j = 1; j <= n; j++)); do w+="$([ "$j" = "$i" ] && echo 1 || echo 0),"; done
    sets+="${sets:+/}${w%,}"
  done
  for ((i = 1; i <= n && ${#alone}; i++)); do
    w=""
    for ((j = 0; j < nkeep; j++)); do w+="0,"; done
    for ((j = 1; j <= n; j++)); do w+="$([ "$j" = "$i" ] && echo 1 || echo 0),"; done
    sets+="/${w%,}"
  done
  echo "$sets"
}
nkeep=$(tr ',' '\n' <<< "$KEEP_BLOCKS" | wc -l)
for what in $WHAT; do
  tag=$what alone=
  [ "$what" = kmeans ] && tag=kmeans-k$K-r$KERNEL-p$POOL alone=alone
  [ "$what" = kernels ] && tag=kernels-$(basename "$KERNELS" .npy)-p$POOL alone=alone
  case $what in
  counts)
    features counts "$KEEP, $CONV"
    blocks=$("$PY" "$here/second-layer-bound.py" counts "$RUN/bound-counts-train.svm" \
      "$RUN/bound-counts-test.svm" "$RUN/bound-$tag-x" --keep "$KEEP_BLOCKS" --map "$CONV_MAP")
    ;;
  kmeans)
    features input "$KEEP, $INPUT"
    blocks=$("$PY" "$here/second-layer-bound.py" kmeans "$RUN/bound-input-train.svm" \
      "$RUN/bound-input-test.svm" "$RUN/bound-$tag-x" --keep "$KEEP_BLOCKS" --map "$INPUT_MAP" \
      --k "$K" --kernel "$KERNEL" --pool "$POOL" --fit-samples 50000)
    ;;
  kernels)
    features input "$KEEP, $INPUT"
    blocks=$("$PY" "$here/second-layer-bound.py" kernels "$RUN/bound-input-train.svm" \
      "$RUN/bound-input-test.svm" "$RUN/bound-$tag-x" --keep "$KEEP_BLOCKS" --map "$INPUT_MAP" \
      --kernels "$KERNELS" --pool "$POOL")
    ;;
  *) echo "second-layer-bound: unknown WHAT '$what' (counts, kmeans, kernels)" >&2; exit 1 ;;
  esac
  n=$(($(tr ',' '\n' <<< "$blocks" | wc -l) - nkeep))
  echo "$what: blocks $blocks" | tee "$RUN/bound-$tag.txt"
  "$B/scnc-bench-readout" "$RUN/bound-$tag-x-train.svm" --validate 10000 --blocks "$blocks" \
    --weights "$(weights "$nkeep" "$n" $alone)" --C "$CS" -j "$J" | tee -a "$RUN/bound-$tag.txt"
done
