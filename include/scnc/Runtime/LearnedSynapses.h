//===- LearnedSynapses.h - Weights a plastic run learned --------*- C++ -*-===//
//
// The weights a plastic run learned, as a host reads them back (the
// deferred potentiation applied, stdp::flush), per pair of populations
// joined by plastic synapses: the emulator decodes them from its cores'
// synaptic matrices, the reference evaluator gives them per projection
// (LearnedWeights). Both write the same files (`scnc-run --weights-out`,
// docs/runtime.md), so that `cmp` proves the two runs learned the same.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_LEARNEDSYNAPSES_H
#define SCNC_RUNTIME_LEARNEDSYNAPSES_H

#include "scnc/Runtime/Reference.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

struct Network;
class ImageReader;
struct ImageCore;

/// One plastic synapse: pre and post neuron (indices in their
/// populations) and its weight in nA (ring-buffer units / weightScale of
/// its synapse type's left shift).
struct LearnedSynapse {
  uint32_t pre = 0, post = 0;
  double weight = 0;
};

/// The plastic synapses from population `pre` into population `post`.
struct LearnedProjection {
  unsigned pre = 0, post = 0;
  std::vector<LearnedSynapse> synapses;
};

/// Every pair of populations with plastic synapses, sorted by (pre, post);
/// each pair's synapses sorted by (pre, post, weight).
using LearnedSynapseSet = std::vector<LearnedProjection>;

/// Sorts \p set (pairs and synapses) as LearnedSynapseSet promises, merging
/// entries of the same pair.
void sortLearnedSynapses(LearnedSynapseSet &set);

/// The reference evaluator's learned weights (per projection of \p n, in
/// its connection lists' order) as a sorted set.
LearnedSynapseSet learnedFromReference(const Network &n,
                                       const LearnedWeights &w);

/// The plastic synapses of \p img's plastic cores as their matrices hold
/// them after a run, flushed on the core (kernel::neuronCoreFlushPlastic):
/// \p matrixOf gives a core's matrix words (null: skip the core). Each
/// synapse's source neuron comes from the key of its row (the sending
/// core whose key space holds it), its target from the control half-word.
/// The emulator's read-back and a board's (docs/board.md) both use it.
LearnedSynapseSet learnedFromMatrices(
    const ImageReader &img,
    llvm::function_ref<const uint32_t *(const ImageCore &)> matrixOf);

/// One `<pre>.<post>.weights.npy` per pair into \p dir (created when
/// missing): float64 rows (pre neuron, post neuron, weight nA), sorted.
/// \p names gives the populations' names by index.
llvm::Error writeLearnedSynapses(const LearnedSynapseSet &set,
                                 llvm::ArrayRef<std::string> names,
                                 llvm::StringRef dir);

} // namespace scnc

#endif
