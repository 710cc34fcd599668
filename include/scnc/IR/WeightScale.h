//===- WeightScale.h - Ring-buffer weights and delays in ticks --*- C++ -*-===//
//
// The host-side numbers every execution of a network shares (docs/
// execution.md): per population and synapse type the ring-buffer left
// shift, chosen from the largest summed input one neuron can receive in a
// tick, and delays in whole ticks. The image writer and the reference
// evaluator both use these, so that their arithmetic is the same.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IR_WEIGHTSCALE_H
#define SCNC_IR_WEIGHTSCALE_H

#include "scnc/IR/Network.h"
#include <array>
#include <cstdint>
#include <vector>

namespace scnc {

struct ConnectionList;

/// Synapse types, as the image and the kernel number them.
enum SynapseType : unsigned { ExcitatorySynapse = 0, InhibitorySynapse = 1 };
constexpr unsigned kNumSynapseTypes = 2;

inline unsigned synapseType(const Projection &p) {
  return p.receptor == Projection::Receptor::Inhibitory ? InhibitorySynapse
                                                        : ExcitatorySynapse;
}

/// The ring-buffer scaling of one population.
struct PopulationWeightScale {
  /// The population's model input factor (inputFactor of its `neuron` set,
  /// scnc/Support/FixedPoint.h; 1 for IF_curr_exp): every weight into the
  /// population is |w| * factor in the ring buffers, and maxSummedInput
  /// below is in those units (nA, or mV for IF and LIF).
  double factor = 1;
  /// Per neuron of the population its own factor when its `neuron` set has
  /// per-neuron values (then `factor` is unused); empty otherwise.
  std::vector<double> factors;
  /// The factor of post neuron \p i.
  double factorOf(uint64_t i) const {
    return factors.empty() ? factor : factors[i];
  }
  /// Per synapse type: the largest sum of |w| (nA) over one neuron's
  /// incoming synapses of that type, its left shift, and whether that sum
  /// does not fit S16.15 (shift saturated at 16).
  std::array<double, kNumSynapseTypes> maxSummedInput{};
  std::array<unsigned, kNumSynapseTypes> leftShift{};
  std::array<bool, kNumSynapseTypes> overflow{};
};

/// One entry per population (input populations get shift 0). Needs the
/// expanded connections; \p threads host threads, same result for any.
std::vector<PopulationWeightScale> computeWeightScales(const Network &n,
                                                       unsigned threads = 1);
/// The same from each projection's postStarts (\p starts[j] for list j),
/// for callers that need those anyway.
std::vector<PopulationWeightScale>
computeWeightScales(const Network &n,
                    const std::vector<std::vector<uint64_t>> &starts,
                    unsigned threads = 1);

/// A delay in ms as whole ticks: round(delay / dt), ties away from zero.
uint32_t delayTicks(double delayMs, double dt);

/// The delay in ticks of synapse \p i of projection \p p's list \p l.
uint32_t synapseDelayTicks(const Network &n, const Projection &p,
                           const ConnectionList &l, uint64_t i);

} // namespace scnc

#endif
