//===- SliceGraph.h - Which slices send packets to which --------*- C++ -*-===//
#ifndef SCNC_MAPPING_SLICEGRAPH_H
#define SCNC_MAPPING_SLICEGRAPH_H

#include "scnc/IR/Network.h"
#include "scnc/Mapping/Routing.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
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

/// splitByTargets kept as a binary tree, so that blocks can be merged back
/// (a merged node is one block, its neurons' targets united).
struct SplitNode {
  /// Keys [start, start + 2^bits) in local neuron indices.
  uint32_t start = 0;
  unsigned bits = 0;
  /// A leaf: its block's targets; inside: the union of its children's.
  std::vector<uint32_t> targets;
  /// Children (-1: none; a leaf has neither), parent (-1 at the root).
  int32_t lo = -1, hi = -1, parent = -1;
  /// Neurons with targets under the node, and their (neuron, target slice)
  /// pairs.
  uint32_t withTargets = 0;
  uint64_t pairs = 0;
  bool leaf() const { return lo < 0 && hi < 0; }
  /// (neuron, target slice) pairs that the node as one block adds to what
  /// its neurons need: packets to slices with no synapse from their neuron.
  uint64_t cost() const {
    return uint64_t(withTargets) * targets.size() - pairs;
  }
};

/// Node 0 is the root; no nodes when no neuron has a target. Parents come
/// before their children.
struct SplitTree {
  std::vector<SplitNode> nodes;
};

/// The tree whose leaves, in key order, are splitByTargets(t, neurons,
/// spaceBits).
SplitTree buildSplitTree(const NeuronTargets &t, uint32_t neurons,
                         unsigned spaceBits);

/// The nodes that are blocks when the nodes with `merged[v]` are merged:
/// in key order, each a leaf or a merged node with no merged ancestor.
std::vector<uint32_t> blocksOfSplit(const SplitTree &t,
                                    llvm::ArrayRef<uint8_t> merged);

/// Chips where a tree needs a routing entry: all of its chips but those
/// where the packet goes straight on (default routing; buildTables).
void chipsWithEntries(const RoutingTree &t,
                      llvm::SmallVectorImpl<ChipId> &chips);

/// What fitSplitRoutes did.
struct SplitBudgetStats {
  /// Nodes merged, rounds of merging.
  uint64_t merged = 0;
  unsigned rounds = 0;
  /// Largest count of entries on a chip at the end (before compression).
  uint64_t maxEntries = 0;
};

/// Merges blocks of split routes until no chip of \p numChips needs more
/// than \p budget routing entries (0: no limit) before compression, as
/// counted by chipsWithEntries over the trees of every block. \p route(s,
/// v) is the tree of node v of slice s's split tree. Each round,
/// for every chip over the budget, merges the nodes with the fewest added
/// (neuron, target) pairs per entry saved on that chip, where the nodes'
/// blocks have entries there, until the estimated saving covers the excess;
/// it stops when every chip fits or no merge can help (a chip over the
/// budget with one tree per slice). Returns per slice the merged flags of
/// its tree's nodes. Deterministic.
std::vector<std::vector<uint8_t>> fitSplitRoutes(
    llvm::ArrayRef<SplitTree> trees, unsigned numChips, uint64_t budget,
    llvm::function_ref<const RoutingTree &(uint32_t slice, uint32_t node)>
        route,
    SplitBudgetStats *stats = nullptr);

} // namespace scnc

#endif
