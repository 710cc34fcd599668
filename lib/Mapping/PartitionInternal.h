//===- PartitionInternal.h - Partitioner internals ------------ -*- C++ -*-===//
//
// Private to lib/Mapping: what the steps of the METIS partitioner
// (Partition.cpp drives them) pass to each other. Coarsen.cpp turns a
// population into coarse vertices, AffinityGraph.cpp joins them by shared
// sources into a PartitionGraph, Metis.cpp and Repair.cpp split that graph.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LIB_MAPPING_PARTITIONINTERNAL_H
#define SCNC_LIB_MAPPING_PARTITIONINTERNAL_H

#include "scnc/IR/Network.h"
#include "scnc/Mapping/Partition.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace scnc {
namespace partitioning {

/// Convolutions and pools: projections whose connections follow from a
/// window over the source's positions.
inline bool isWindowed(const Projection &p) {
  return p.kind == Projection::Kind::Conv || p.kind == Projection::Kind::Pool;
}

/// Outputs [lo, hi] whose window reads input coordinate i along one axis:
/// o*s - pad <= i <= o*s - pad + k - 1. Empty when lo > hi.
inline std::pair<int64_t, int64_t>
outputsReading(int64_t i, uint32_t k, uint32_t s, uint32_t pad, uint32_t out) {
  int64_t a = i + pad - int64_t(k) + 1;
  int64_t lo = a <= 0 ? 0 : (a + s - 1) / s;
  int64_t hi = std::min<int64_t>(int64_t(out) - 1, (i + pad) / s);
  return {lo, hi};
}

/// Inputs [lo, hi] read by output o along one axis.
inline std::pair<int64_t, int64_t>
inputsReadBy(int64_t o, uint32_t k, uint32_t s, uint32_t pad, uint32_t in) {
  int64_t start = o * int64_t(s) - int64_t(pad);
  return {std::max<int64_t>(0, start),
          std::min<int64_t>(int64_t(in) - 1, start + int64_t(k) - 1)};
}

/// Input channels that output channel `m` of windowed projection `p` reads
/// (docs/ir.md); `cin` is the source's channel count.
void sourceChannels(const Projection &p, uint32_t cin, uint32_t m,
                    std::vector<uint32_t> &out);

/// Greedy bin packing over (weight -> count), largest weights first: the
/// bins of `limit` needed.
uint32_t packBins(std::map<uint32_t, uint64_t, std::greater<uint32_t>> counts,
                  uint32_t limit);

/// A population's coarse vertices.
struct Coarse {
  bool spatial = false;
  uint32_t groups = 1;            ///< spatial: channel groups per position
  std::vector<uint32_t> groupOf;  ///< spatial: channel -> group
  uint64_t plane = 0;             ///< H x W
  std::vector<uint32_t> vertexOf; ///< neuron -> vertex
  std::vector<uint32_t> weights;  ///< neurons per vertex

  /// Vertex of the neuron at (channel, position).
  uint32_t vertex(uint64_t pos, uint32_t channel) const {
    return spatial ? uint32_t(pos * groups + groupOf[channel])
                   : vertexOf[channel * plane + pos];
  }
};

/// Coarsens population `pop` for a neurons-per-core `limit`: its spatial
/// (position, channel group) vertices, or neurons / runs of neurons.
Coarse coarsen(const Network &n, unsigned pop, uint32_t limit);

/// Groups of source neurons with their sets of target vertices.
struct Nets {
  explicit Nets(uint32_t numVertices) : numVertices(numVertices) {}
  uint32_t numVertices;
  std::vector<uint64_t> offsets{0};
  std::vector<uint32_t> vertices;
  std::vector<uint64_t> weights;

  /// Adds a net (sorts `vs`); nets of one vertex or of all of them are
  /// dropped: every partition pays the same for them.
  void add(std::vector<uint32_t> &vs, uint64_t weight) {
    llvm::sort(vs);
    vs.erase(std::unique(vs.begin(), vs.end()), vs.end());
    if (vs.size() < 2 || vs.size() >= numVertices || !weight)
      return;
    vertices.insert(vertices.end(), vs.begin(), vs.end());
    offsets.push_back(vertices.size());
    weights.push_back(weight);
  }
  size_t size() const { return weights.size(); }
};

/// The nets of population `pop` over its coarse vertices `c`: from the
/// windowed and list projections into it, else (`fromOutputs` set) from
/// those out of it.
Nets populationNets(const Network &n, unsigned pop, const Coarse &c,
                    bool &fromOutputs);

/// The affinity graph A = M W M^T of a population's nets.
PartitionGraph affinityGraph(const Coarse &c, const Nets &nets);

/// A box tiling of a (H, W, C) population (Tiling.cpp): tiles of bh x bw
/// positions x bc channels, smaller at the far edges.
struct Tiling {
  uint32_t bh = 0, bw = 0, bc = 0;
  /// Communication volume into the population, from the windows' geometry.
  uint64_t volume = 0;
  uint64_t cores = 0;
};

/// The box tiling of population `pop` with the least communication volume
/// into it among those of at most `limit` neurons per tile that use at most
/// `maxCores` cores or the fewest any box needs if more (0: 10% more than
/// the fewest any box needs); among boxes of equal volume, the one with
/// the fewest (source tile, tile) pairs from sources cut into boxes
/// (`tilings`, per population: aligned boxes make small trees and tables
/// that merge), then the fewest cores. None when no box qualifies, when a
/// projection into `pop` is not a convolution or pool from another
/// population, or when `pop` fits one core.
llvm::Optional<Tiling>
bestTiling(const Network &n, unsigned pop, uint32_t limit,
           uint64_t maxCores = 0,
           const std::vector<llvm::Optional<Tiling>> &tilings = {});

/// A lower bound on the communication volume into `pop` under any cut of
/// at most `limit` neurons per core: per source neuron, its targets over
/// `limit`, rounded up. 0 (no bound) unless every projection into `pop` is
/// a convolution or pool from a distinct other population.
uint64_t volumeLowerBound(const Network &n, unsigned pop, uint32_t limit);

/// A population the source tiling (sourceTiling) may cut: more than
/// `limit` neurons, no projection into it, and every projection out of it a
/// convolution or pool into another population.
bool isTileableSource(const Network &n, unsigned pop, uint32_t limit);

/// For a tileable source `pop` whose every target population is cut into
/// boxes (`tilings`, per population): the box of at most `limit` neurons,
/// on at most 10% more cores than ceil(neurons / limit), whose tiles
/// reach the fewest target tiles in all (then the fewest cores). A source's
/// own cut does not change its communication volume (every one of its
/// neurons' targets is on another population's core), so this only makes
/// its multicast trees small: each tile reaches the target tiles its
/// positions' windows overlap, counted per axis from the geometry (the
/// total is the product of the three axis sums). `Tiling::volume` holds
/// that total. None when a target is not tiled or no box is that small.
llvm::Optional<Tiling>
sourceTiling(const Network &n, unsigned pop, uint32_t limit,
             const std::vector<llvm::Optional<Tiling>> &tilings);

/// The tiles' neurons (each sorted), ordered by first neuron.
std::vector<std::vector<uint32_t>> tilingSlices(const Shape &s,
                                                const Tiling &t);

/// The communication volume into population `pop` cut into `slices` (each
/// sorted), counted on the connection lists (as partitionStats does).
uint64_t incomingVolume(const Network &n, unsigned pop,
                        const std::vector<std::vector<uint32_t>> &slices,
                        unsigned threads);

} // namespace partitioning
} // namespace scnc

#endif
