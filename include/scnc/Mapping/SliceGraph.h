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

} // namespace scnc

#endif
