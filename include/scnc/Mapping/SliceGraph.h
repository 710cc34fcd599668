//===- SliceGraph.h - Which slices send packets to which --------*- C++ -*-===//
#ifndef SCNC_MAPPING_SLICEGRAPH_H
#define SCNC_MAPPING_SLICEGRAPH_H

#include "scnc/IR/Network.h"
#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <vector>

namespace scnc {

/// For every source slice, the slices holding at least one target of one of
/// its neurons (sorted, without duplicates): the cores its multicast packets
/// must reach. Built from the connection lists in one pass.
struct SliceGraph {
  std::vector<std::vector<uint32_t>> targets;
  /// Number of (slice, slice) edges.
  uint64_t edges() const {
    uint64_t e = 0;
    for (const auto &t : targets)
      e += t.size();
    return e;
  }
};

/// `sliceOf[p][i]` is the global slice of neuron i of population p.
SliceGraph buildSliceGraph(const Network &n,
                           llvm::ArrayRef<std::vector<uint32_t>> sliceOf,
                           uint32_t numSlices);

/// Per source slice, for each of its neurons (local index), the slices
/// holding at least one of its targets, sorted: neuron i's are
/// `targets[offsets[i] .. offsets[i + 1])`.
struct NeuronTargets {
  std::vector<uint32_t> offsets, targets;
  llvm::ArrayRef<uint32_t> of(uint32_t local) const {
    return llvm::ArrayRef<uint32_t>(targets).slice(
        offsets[local], offsets[local + 1] - offsets[local]);
  }
};

/// NeuronTargets of every slice (`slices[s]`: population and neurons,
/// `sliceOf` and `localIndex` per population: a neuron's slice and index
/// in it), from the connection lists, each (neuron, target slice) once.
std::vector<NeuronTargets> buildNeuronTargets(
    const Network &n, llvm::ArrayRef<std::vector<uint32_t>> sliceOf,
    llvm::ArrayRef<std::vector<uint32_t>> localIndex,
    llvm::ArrayRef<std::pair<unsigned, llvm::ArrayRef<uint32_t>>> slices);

/// An order of a slice's neurons (old local indices, \p neurons of them)
/// that puts neurons with the same target slices next to each other, so
/// that each set of targets takes few aligned blocks of keys: groups of
/// neurons with the same targets by decreasing size (then by their
/// targets), each in the old order, then the neurons without targets.
std::vector<uint32_t> orderByTargets(const NeuronTargets &t, uint32_t neurons);

/// \p t renumbered: neuron k of the result is neuron order[k] of \p t.
NeuronTargets permuteTargets(const NeuronTargets &t,
                             llvm::ArrayRef<uint32_t> order);

/// An aligned block of a source slice's key space, [start, start + 2^bits)
/// in local neuron indices, and the slices its packets must reach.
struct TargetBlock {
  uint32_t start = 0;
  unsigned bits = 0;
  std::vector<uint32_t> targets;
};

/// Splits the key space of a source slice of \p neurons neurons (aligned
/// blocks of 2^spaceBits keys at most) into the largest aligned blocks
/// whose neurons with targets all have the same target slices, so that a
/// block's multicast tree reaches only cores where each of its neurons has
/// synapses. Neurons without targets go with any block; a block of them
/// alone takes the targets of the first neuron with targets of its sibling
/// half (their packets must match a routing entry). Blocks in key order;
/// none when no neuron has a target.
std::vector<TargetBlock> splitByTargets(const NeuronTargets &t,
                                        uint32_t neurons, unsigned spaceBits);

} // namespace scnc

#endif
