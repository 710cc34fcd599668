//===- Resources.cpp - The partitioner's view of a core's memory ----------===//
#include "scnc/Mapping/Resources.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/IR/WeightScale.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Support/Npy.h"
#include <algorithm>
#include <set>
#include <vector>

using namespace scnc;

static_assert(resources::kDTCMBytes == spinnaker::kDTCMBytes,
              "the kernel's DTCM is the machine's");

CoreKind scnc::coreKindOf(const Network &n, unsigned pop) {
  CoreKind k;
  k.input = n.populations[pop].kind == Population::Kind::Input;
  uint32_t maxDelay = 1;
  bool lists =
      n.connections && n.connections->lists.size() == n.projections.size();
  for (unsigned pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    if (p.post != pop)
      continue;
    k.plastic |= !p.stdp.empty();
    // As the writer: the longest delay of a synapse into the population.
    if (!lists) {
      maxDelay = std::max(maxDelay, delayTicks(p.delay, n.sim.timestep));
      continue;
    }
    const ConnectionList &l = n.connections->lists[pi];
    if (l.delays.empty()) {
      if (l.size())
        maxDelay = std::max(maxDelay, delayTicks(p.delay, n.sim.timestep));
      continue;
    }
    for (uint64_t i = 0; i < l.size(); ++i)
      maxDelay = std::max(maxDelay, synapseDelayTicks(n, p, l, i));
  }
  k.delayBits = resources::delayBitsFor(maxDelay);
  // Per-neuron parameters: the population's distinct value tuples.
  const Population &p = n.populations[pop];
  const NeuronParams *set = k.input ? nullptr : n.findNeuronSet(p.neuron);
  if (set && set->hasPerNeuron()) {
    std::set<std::vector<double>> distinct;
    for (uint64_t i = 0; i < set->perNeuronCount(); ++i) {
      std::vector<double> v;
      for (const auto &a : set->perNeuron)
        if (a)
          v.push_back(a->data[i]);
      distinct.insert(std::move(v));
    }
    k.paramSets = distinct.size();
  }
  return k;
}

uint64_t scnc::sliceDTCMBytes(const CoreKind &k, uint64_t neurons) {
  using namespace resources;
  if (k.input)
    return programDTCMBytes(true) + sourceCoreArrayBytes(neurons);
  return programDTCMBytes(false) + kRegionReserveDTCMBytes +
         neuronCoreArrays(neurons, k.delayBits, indexBitsFor(neurons),
                          k.plastic, true, std::min(neurons, k.paramSets))
             .total();
}

uint32_t scnc::effectiveNeuronLimit(const Network &n, unsigned pop) {
  using namespace resources;
  uint64_t requested = n.neuronsPerCore(n.populations[pop]);
  CoreKind k = coreKindOf(n, pop);
  uint64_t fit =
      k.input
          ? maxSourcesFitting(kDTCMBytes - programDTCMBytes(true), requested)
      : k.paramSets
          ? largestFitting(
                requested,
                [&](uint64_t m) { return sliceDTCMBytes(k, m) <= kDTCMBytes; })
          : maxNeuronsFitting(kDTCMBytes - programDTCMBytes(false) -
                                  kRegionReserveDTCMBytes,
                              k.delayBits, k.plastic, true, requested);
  return uint32_t(std::max<uint64_t>(1, fit));
}
