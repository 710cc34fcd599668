//===- Features.h - Spike counts as the SVM's features --------*- C++ -*-===//
//
// The read-out's features (docs/training.md "The training flow"): every
// image runs once through the frozen network, and the spike counts per
// neuron of the classifier's source layer are its feature vector.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_FEATURES_H
#define SCNC_LEARNING_FEATURES_H

#include "scnc/IR/Network.h"
#include "scnc/Learning/Backend.h"
#include "scnc/Learning/Dataset.h"
#include "scnc/Learning/Svm.h"
#include "scnc/Learning/Training.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace scnc {
class DiagnosticEngine;

/// Adds one sample's spike count per neuron (its features) to \p row, one
/// entry per neuron; spikes of neurons past the row's end are not counted.
void addSpikeCounts(llvm::ArrayRef<Spike> spikes,
                    llvm::MutableArrayRef<double> row);

struct FeatureOptions {
  /// Encoder seeds: sampleSeed(seed, image).
  uint64_t seed = 1;
  unsigned jobs = 1;
  /// The rate code's noise spikes for the images.
  bool noiseSpikes = false;
  /// Where the network runs.
  BackendOptions backend;
  /// (samples done, total).
  ProgressFn progress;
};

/// Features of every image of \p data: the spike counts of \p n's
/// classifier source layers side by side, in the classifier's order (an
/// error when \p n has no classifier), one row
/// per image, from runs on `o.backend`. \p evaluator, when given, gets
/// what ran them (PreparedNetwork::description). Problems of the network
/// go to \p diag.
llvm::Expected<FeatureMatrix>
classifierFeatures(const Network &n, const Dataset &data,
                   const FeatureOptions &o, DiagnosticEngine &diag,
                   std::string *evaluator = nullptr);

} // namespace scnc

#endif
