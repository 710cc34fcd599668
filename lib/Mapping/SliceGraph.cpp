//===- SliceGraph.cpp - Which slices send packets to which ----------------===//
#include "scnc/Mapping/SliceGraph.h"
#include "scnc/IR/Connections.h"
#include "llvm/ADT/DenseSet.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

SliceGraph scnc::buildSliceGraph(const Network &n,
                                 ArrayRef<std::vector<uint32_t>> sliceOf,
                                 uint32_t numSlices) {
  SliceGraph g;
  g.targets.resize(numSlices);
  // Lists are sorted by post, and a post's inputs mostly come from one or
  // two source slices: remember the last pair and each source's last target
  // so that the set is consulted rarely.
  DenseSet<uint64_t> seen;
  std::vector<uint32_t> lastTarget(numSlices, UINT32_MAX);
  for (size_t pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    const ConnectionList &l = n.connections->lists[pi];
    const std::vector<uint32_t> &preSlice = sliceOf[p.pre];
    const std::vector<uint32_t> &postSlice = sliceOf[p.post];
    for (uint64_t i = 0; i < l.size(); ++i) {
      uint32_t src = preSlice[l.pre[i]], dst = postSlice[l.post[i]];
      if (lastTarget[src] == dst)
        continue;
      lastTarget[src] = dst;
      if (seen.insert((uint64_t(src) << 32) | dst).second)
        g.targets[src].push_back(dst);
    }
  }
  for (auto &t : g.targets)
    std::sort(t.begin(), t.end());
  return g;
}
