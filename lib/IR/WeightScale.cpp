//===- WeightScale.cpp - Ring-buffer weights and delays in ticks ----------===//
//
// docs/execution.md "Weights in the ring buffers".
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/WeightScale.h"
#include "scnc/IR/Connections.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/Parallel.h"
#include <algorithm>
#include <cmath>

using namespace scnc;

std::vector<PopulationWeightScale> scnc::computeWeightScales(const Network &n,
                                                             unsigned threads) {
  std::vector<std::vector<uint64_t>> starts;
  if (n.connections)
    for (size_t j = 0;
         j < n.projections.size() && j < n.connections->lists.size(); ++j)
      starts.push_back(postStarts(
          n.connections->lists[j],
          n.populations[n.projections[j].post].shape.size(), threads));
  return computeWeightScales(n, starts, threads);
}

std::vector<PopulationWeightScale>
scnc::computeWeightScales(const Network &n,
                          const std::vector<std::vector<uint64_t>> &starts,
                          unsigned threads) {
  std::vector<PopulationWeightScale> scales(n.populations.size());
  if (!n.connections)
    return scales;
  for (size_t q = 0; q < n.populations.size(); ++q) {
    uint64_t nPost = n.populations[q].shape.size();
    if (const NeuronParams *set = n.findNeuronSet(n.populations[q].neuron)) {
      scales[q].factor = inputFactor(*set);
      if (set->hasPerNeuron() && set->perNeuronCount() == nPost) {
        scales[q].factors.resize(nPost);
        for (uint64_t i = 0; i < nPost; ++i)
          scales[q].factors[i] = inputFactor(set->neuron(i));
      }
    }
    for (unsigned type = 0; type < kNumSynapseTypes; ++type) {
      std::vector<size_t> projs;
      for (size_t j = 0; j < n.projections.size() && j < starts.size(); ++j)
        if (n.projections[j].post == q && synapseType(n.projections[j]) == type)
          projs.push_back(j);
      if (projs.empty())
        continue;
      // Per post neuron the sum of |w| (lists are sorted by post: each
      // chunk of posts is summed by one thread, in list order).
      std::vector<double> sums(nPost, 0.0);
      for (size_t j : projs) {
        const ConnectionList &l = n.connections->lists[j];
        const std::vector<uint64_t> &start = starts[j];
        parallelFor(nPost, threads, [&](uint64_t b, uint64_t e) {
          for (uint64_t p = b; p < e; ++p)
            for (uint64_t i = start[p]; i < start[p + 1]; ++i)
              sums[p] += std::fabs(double(l.weight(i)));
        });
      }
      // Times each neuron's factor (a positive factor keeps the order, so
      // with one factor this is the largest sum times it).
      double most = 0;
      for (uint64_t p = 0; p < nPost; ++p)
        most = std::max(most, sums[p] * scales[q].factorOf(p));
      PopulationWeightScale &ps = scales[q];
      bool overflow = false;
      ps.maxSummedInput[type] = most;
      ps.leftShift[type] = ringBufferLeftShift(most, &overflow);
      ps.overflow[type] = overflow;
    }
  }
  return scales;
}

uint32_t scnc::delayTicks(double delayMs, double dt) {
  double t = std::round(delayMs / dt);
  if (!(t >= 1))
    return 1;
  if (t >= double(UINT32_MAX))
    return UINT32_MAX;
  return uint32_t(t);
}

uint32_t scnc::synapseDelayTicks(const Network &n, const Projection &p,
                                 const ConnectionList &l, uint64_t i) {
  return delayTicks(l.delays.empty() ? p.delay : double(l.delays[i]),
                    n.sim.timestep);
}
