//===- Features.cpp - Spike counts as the SVM's features ------------------===//
#include "scnc/Learning/Features.h"

using namespace llvm;
using namespace scnc;

void scnc::addSpikeCounts(ArrayRef<Spike> spikes, MutableArrayRef<double> row) {
  for (const Spike &s : spikes)
    if (s.neuron < row.size())
      row[s.neuron] += 1;
}

Expected<FeatureMatrix> scnc::classifierFeatures(const Network &n,
                                                 const Dataset &data,
                                                 const FeatureOptions &o,
                                                 DiagnosticEngine &diag,
                                                 std::string *evaluator) {
  if (!n.classifier)
    return createStringError(inconvertibleErrorCode(),
                             "network '" + n.name +
                                 "' has no classifier: nothing names the "
                                 "layer whose spike counts are the features");
  Expected<std::unique_ptr<PreparedNetwork>> net =
      PreparedNetwork::prepare(n, o.backend, /*plastic=*/false, o.jobs, diag);
  if (!net)
    return net.takeError();
  if (evaluator)
    *evaluator = (*net)->description();
  const Network &full = (*net)->network();
  // The classifier's layers side by side (runSamples numbers them so).
  // Each image's row is counted as its run ends: the spikes of all images
  // are never kept at once.
  const std::vector<unsigned> &src = full.classifier->sources;
  std::vector<size_t> blocks;
  uint64_t neurons = 0;
  for (unsigned s : src) {
    blocks.push_back(size_t(full.populations[s].shape.size()));
    neurons += blocks.back();
  }
  FeatureMatrix x(data.size(), neurons);
  x.blocks = std::move(blocks);
  if (Error e = runSamplesInto(
          **net, data, o.seed, o.jobs, src,
          [&](size_t i, std::vector<Spike> &&spikes) {
            addSpikeCounts(spikes, MutableArrayRef<double>(
                                       x.data.data() + i * neurons, neurons));
          },
          o.progress, o.noiseSpikes, /*forCounting=*/true))
    return e;
  return x;
}
