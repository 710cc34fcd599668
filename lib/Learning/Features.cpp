//===- Features.cpp - Spike counts as the SVM's features ------------------===//
#include "scnc/Learning/Features.h"

using namespace llvm;
using namespace scnc;

std::vector<double> scnc::spikeCounts(const std::vector<Spike> &spikes,
                                      uint64_t neurons) {
  std::vector<double> c(neurons, 0.0);
  for (const Spike &s : spikes)
    if (s.neuron < neurons)
      c[s.neuron] += 1;
  return c;
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
  unsigned src = full.classifier->source;
  Expected<std::vector<std::vector<Spike>>> spikes =
      runSamples(**net, data, o.seed, o.jobs, src, o.progress, o.noiseSpikes,
                 /*forCounting=*/true);
  if (!spikes)
    return spikes.takeError();
  uint64_t neurons = full.populations[src].shape.size();
  FeatureMatrix x(0, neurons);
  for (const std::vector<Spike> &s : *spikes)
    x.addRow(spikeCounts(s, neurons));
  return x;
}
