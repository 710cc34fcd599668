//===- Reference.h - The reference evaluator --------------------*- C++ -*-===//
//
// Runs a network straight from its IR and expanded connection lists, tick
// by tick, exactly as docs/execution.md defines it: the oracle the emulated
// machine must match bit for bit. A float64 mode evaluates the same
// equations without quantisation, to measure what fixed point costs.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_REFERENCE_H
#define SCNC_RUNTIME_REFERENCE_H

#include "scnc/Runtime/SpikeIO.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <string>
#include <vector>

namespace scnc {

struct Network;

struct ReferenceOptions {
  /// Ticks to run (of the network's timestep).
  uint32_t ticks = 0;
  /// Float64 arithmetic (lifStepDouble, ring buffers of exact sums of |w|)
  /// instead of the machine's fixed point.
  bool float64 = false;
  /// Host threads for the neuron updates; results are identical for any.
  unsigned threads = 1;
  /// Per population: record its membrane voltages (empty: none).
  std::vector<bool> recordVoltages;
  /// The training configuration (scncc --plastic): projections with an STDP
  /// rule learn (docs/execution.md "Plastic projections", the arithmetic of
  /// kernel/Stdp.h) and populations they feed use their
  /// `train_neuron` set. Fixed point only.
  bool plastic = false;
  /// Called from the tick loop (on the calling thread) with (ticks done,
  /// `ticks`): (0, ticks) before the first tick (the only call of a run of
  /// 0 ticks), then after every `progressTicks` ticks and after the last.
  /// Empty: never; results are the same either way.
  std::function<void(uint64_t doneTicks, uint64_t totalTicks)> progress;
  uint32_t progressTicks = uint32_t(1) << 16;
};

/// Weights after a plastic run, per projection in the connection lists'
/// order (nA: the ring-buffer integer / weightScale of the left shift of its
/// synapse type); empty for a projection that does not learn.
using LearnedWeights = std::vector<std::vector<float>>;

/// Evaluates \p n (its connections expanded) for `o.ticks` ticks. \p inputs
/// holds per population index the spikes of an input population, sorted by
/// (tick, neuron) without duplicates (readSpikeFile's result); populations
/// without an entry are silent. Messages about values that saturate in
/// fixed point (a summed input of 2^16 nA or more, a neuron constant out of
/// range) are appended to \p warnings when given. With `o.plastic`, the
/// learned weights (read back as a host would, stdp::flush applied) are
/// stored in \p learned when given.
llvm::Expected<Recording>
runReference(const Network &n, const std::vector<std::vector<Spike>> &inputs,
             const ReferenceOptions &o,
             std::vector<std::string> *warnings = nullptr,
             LearnedWeights *learned = nullptr);

} // namespace scnc

#endif
