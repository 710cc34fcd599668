#!/bin/bash
# The readout's C and source weights chosen by validation (docs/results.md,
# "Sixth sitting"): the classifier's features of a trained run folder
# (every training image and every test image, `scnc-train svm/test
# --features-out`), then scnc-bench-readout: every weight set and C trained
# on the first 50,000 training samples and scored on the last 10,000; the
# best by validation is then trained on all of them and scored on the test
# split.
#
#   bench/readout-cv.sh BUILD_DIR RUN_DIR [DATA_DIR]
#   env: BLOCKS (the classifier sources' sizes, e.g. 3000,3000,1024),
#        WEIGHTS (weight sets, '/'-separated; default 1 for each), CS
#        (1,3,10,30), SEED (1: the run's), BACKEND (emulator), J (2), TAG
#        (readout-cv-TAG.txt instead of readout-cv.txt)
set -euo pipefail
BUILD=${1:?usage: bench/readout-cv.sh BUILD_DIR RUN_DIR [DATA_DIR]}
RUN=${2:?usage: bench/readout-cv.sh BUILD_DIR RUN_DIR [DATA_DIR]}
DATA=${3:-data/mnist}
BLOCKS=${BLOCKS:?BLOCKS: the classifier sources sizes, e.g. 3000,3000,1024}
WEIGHTS=${WEIGHTS:-}
CS=${CS:-1,3,10,30}
SEED=${SEED:-1}
BACKEND=${BACKEND:-emulator}
J=${J:-2}
B=$BUILD/bin
common=(--data "$DATA" --digits all --seed "$SEED" --run-dir "$RUN" -j "$J" --backend "$BACKEND")
# The features once (the model is a side file: the run's svm.json stays).
if [ ! -f "$RUN/features-train.svm" ] || [ ! -f "$RUN/features-test.svm" ]; then
  "$B/scnc-train" svm "$RUN/net.scn" "${common[@]}" --train-per-class all \
    --model "$RUN/readout-cv.svm.json" --features-out "$RUN/features-train.svm" > /dev/null
  "$B/scnc-train" test "$RUN/net.scn" "${common[@]}" --test-per-class all \
    --model "$RUN/readout-cv.svm.json" --features-out "$RUN/features-test.svm" > /dev/null
fi
out=$RUN/readout-cv${TAG:+-$TAG}.txt
w=()
[ -n "$WEIGHTS" ] && w=(--weights "$WEIGHTS")
"$B/scnc-bench-readout" "$RUN/features-train.svm" --validate 10000 --blocks "$BLOCKS" \
  "${w[@]}" --C "$CS" -j "$J" | tee "$out"
# The best validation (the first among equals), on the test split.
best=$(grep '^weights' "$out" | awk '{split($NF, a, "%"); if (a[1] + 0 > m) {m = a[1] + 0; l = $0}} END {print l}')
bw=$(echo "$best" | awk '{print $2}')
bc=$(echo "$best" | awk '{print $4}' | tr -d :)
echo "best by validation: weights $bw, C $bc" | tee -a "$out"
"$B/scnc-bench-readout" "$RUN/features-train.svm" --test "$RUN/features-test.svm" \
  --blocks "$BLOCKS" --weights "$bw" --C "$bc" -j "$J" | tee -a "$out"
