#!/bin/bash
# The choices table of docs/results.md ("How the network was chosen"):
# variants of examples/mnist-stdp.scn, one line changed each, scored with a
# smaller protocol (SVM on 500 training images per class, test on 200 per
# class). Layer 1 is trained once (100 images per class, --depress-silent)
# and shared by the variants that keep its kernels.
#
#   bench/mnist-variants.sh BUILD_DIR [RUN_DIR]
set -euo pipefail
BUILD=${1:?usage: bench/mnist-variants.sh BUILD_DIR [RUN_DIR]}
RUN=${2:-runs/mnist-variants}
B=$BUILD/bin
DATA=data/mnist
[ -f $DATA/t10k-labels-idx1-ubyte ] || scripts/fetch-mnist.sh $DATA
mkdir -p "$RUN"
common=(--data $DATA --digits all --seed 1 -j 2)
train() { # dir net [options]
  local dir=$1 net=$2; shift 2
  [ -f "$dir/layer1.weights.npy" ] ||
    "$B/scnc-train" layer 1 "$net" "${common[@]}" --train-per-class 100 --run-dir "$dir" "$@" > /dev/null
}
score() { # name net [svm options]
  local name=$1 net=$2; shift 2
  local d="$RUN/$name"
  "$B/scnc-train" svm "$net" "${common[@]}" --train-per-class 500 --run-dir "$d" "$@" > /dev/null
  printf '%-12s %s\n' "$name" "$("$B/scnc-train" test "$net" "${common[@]}" --test-per-class 200 --run-dir "$d" | grep '^accuracy')" |
    tee -a "$RUN/variants.txt"
}
variant() { # base-net out sed-expression
  sed "$3" "$1" > "$2"
  cmp -s "$1" "$2" && { echo "variant $2: the edit '$3' changed nothing" >&2; exit 1; }
  true
}
: > "$RUN/variants.txt"
train "$RUN/base" examples/mnist-stdp.scn --depress-silent
N=$RUN/base/net.scn
V=$RUN/base # variants beside net.scn: its weights path is relative
variant $N $V/c1.scn 's/C = 10;/C = 1;/'
score raw-c1 $V/c1.scn
score norm-c1 $V/c1.scn --normalize
score norm-c10 $N --normalize
variant $N $V/t6.scn '/^neuron ifn :/,/}/ s/v_thresh = -58 mV/v_thresh = -59 mV/'
variant $N $V/t8.scn '/^neuron ifn :/,/}/ s/v_thresh = -58 mV/v_thresh = -57 mV/'
variant $V/t6.scn $V/t6c1.scn 's/C = 10;/C = 1;/'
variant $V/t8.scn $V/t8c1.scn 's/C = 10;/C = 1;/'
score thresh6-c1 $V/t6c1.scn
score thresh8-c1 $V/t8c1.scn
variant $V/c1.scn $V/p4c1.scn 's/kernel = 6 x 6; stride = 2 x 2;/kernel = 4 x 4; stride = 2 x 2;/'
variant $N $V/p4.scn 's/kernel = 6 x 6; stride = 2 x 2;/kernel = 4 x 4; stride = 2 x 2;/'
variant $V/p4.scn $V/p4c100.scn 's/C = 10;/C = 100;/'
score pool4-raw $V/p4c1.scn
score pool4-c1 $V/p4c1.scn --normalize
score pool4-c10 $V/p4.scn --normalize
score pool4-c100 $V/p4c100.scn --normalize
variant $V/c1.scn $V/p8c1.scn 's/kernel = 6 x 6; stride = 2 x 2;/kernel = 8 x 8; stride = 4 x 4;/'
score pool8-raw $V/p8c1.scn
# Kernels trained without --depress-silent.
train "$RUN/nods" examples/mnist-stdp.scn
score no-depress $RUN/nods/net.scn --normalize
# 60 kernels.
variant examples/mnist-stdp.scn $RUN/f60.scn 's/filters = 30;/filters = 60;/'
train "$RUN/f60" $RUN/f60.scn --depress-silent
score kernels60 $RUN/f60/net.scn --normalize
# STDP learning rates (retrained): twice the committed rates (the rates
# before 2026-12-07) and half of them; and 60 kernels with the earlier rates.
variant examples/mnist-stdp.scn $RUN/a02.scn 's/A_plus = 0.01; A_minus = 0.0075;/A_plus = 0.02; A_minus = 0.015;/'
train "$RUN/a02" $RUN/a02.scn --depress-silent
score rates-x2 $RUN/a02/net.scn --normalize
variant examples/mnist-stdp.scn $RUN/a005.scn 's/A_plus = 0.01; A_minus = 0.0075;/A_plus = 0.005; A_minus = 0.00375;/'
train "$RUN/a005" $RUN/a005.scn --depress-silent
score rates-half $RUN/a005/net.scn --normalize
variant $RUN/a02.scn $RUN/a02f60.scn 's/filters = 30;/filters = 60;/'
train "$RUN/a02f60" $RUN/a02f60.scn --depress-silent
score rates-x2-k60 $RUN/a02f60/net.scn --normalize
