//===- Partition.cpp - Populations into core-sized slices -----------------===//
//
// The METIS partitioner works per population (a core holds one population's
// neurons) on a coarse graph (docs/mapping.md):
//  1. Coarsen: a population with a spatial layout that convolutions or pools
//     touch is split into (position, channel group) vertices. Channels that
//     read the same source channels (all of them in a standard convolution,
//     one input map's in a per-map one) form a class; every class is cut
//     into the fewest near-equal groups that pack cores with at most ~5%
//     waste (usually one: the whole column). Other populations: one vertex
//     per neuron up to 50,000 neurons, else runs of consecutive neurons.
//  2. Nets: every group of source neurons with the same set of target
//     vertices is a net weighted by its neuron count (its packets per
//     spike). Windowed projections give them from geometry (a source
//     position reaches the outputs whose window covers it), explicit lists
//     from the lists; dense, all-to-all and one-to-one projections carry no
//     information (their nets hold every vertex or one). A population
//     without informative inputs (a spike source) uses its outputs instead:
//     one net per target vertex over the vertices feeding it.
//  3. Affinity: A = M W M^T (Eigen sparse product), M the vertex x net
//     incidence, W the net weights: A(u, v) = source neurons that target
//     both u and v. Large graphs keep each vertex's 8 heaviest edges.
//  4. METIS (k-way; recursive bisection beyond 2048 parts) into k parts (k
//     from packing the vertex weights into the limit), then a repair step
//     that moves vertices out of parts over the limit along chains of
//     adjacent parts.
//
//===----------------------------------------------------------------------===//
#include "scnc/Mapping/Partition.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/Support/Debug.h"
#include "scnc/Support/Parallel.h"
#include "scnc/Support/Timing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include <Eigen/SparseCore>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <metis.h>
#include <mutex>
#include <numeric>
#include <thread>

#define DEBUG_TYPE "partition"

using namespace scnc;
using namespace llvm;

namespace {

bool isWindowed(const Projection &p) {
  return p.kind == Projection::Kind::Conv || p.kind == Projection::Kind::Pool;
}

/// Output channels that input channel `c` drives (docs/ir.md).
void targetChannels(const Projection &p, uint32_t cin, uint32_t cout,
                    uint32_t c, std::vector<uint32_t> &out) {
  out.clear();
  if (p.kind == Projection::Kind::Pool) {
    out.push_back(c);
  } else if (p.mode == Projection::ChannelMode::Standard) {
    for (uint32_t m = 0; m < cout; ++m)
      out.push_back(m);
  } else {
    for (uint32_t f = 0; uint64_t(f) * cin + c < cout; ++f)
      out.push_back(f * cin + c);
  }
}

/// Input channels that output channel `m` reads.
void sourceChannels(const Projection &p, uint32_t cin, uint32_t m,
                    std::vector<uint32_t> &out) {
  out.clear();
  if (p.kind == Projection::Kind::Pool) {
    out.push_back(m);
  } else if (p.mode == Projection::ChannelMode::Standard) {
    for (uint32_t c = 0; c < cin; ++c)
      out.push_back(c);
  } else {
    out.push_back(m % cin);
  }
}

/// Outputs [lo, hi] whose window reads input coordinate i along one axis:
/// o*s - pad <= i <= o*s - pad + k - 1. Empty when lo > hi.
std::pair<int64_t, int64_t> outputsReading(int64_t i, uint32_t k, uint32_t s,
                                           uint32_t pad, uint32_t out) {
  int64_t a = i + pad - int64_t(k) + 1;
  int64_t lo = a <= 0 ? 0 : (a + s - 1) / s;
  int64_t hi = std::min<int64_t>(int64_t(out) - 1, (i + pad) / s);
  return {lo, hi};
}

/// Inputs [lo, hi] read by output o along one axis.
std::pair<int64_t, int64_t> inputsReadBy(int64_t o, uint32_t k, uint32_t s,
                                         uint32_t pad, uint32_t in) {
  int64_t start = o * int64_t(s) - int64_t(pad);
  return {std::max<int64_t>(0, start),
          std::min<int64_t>(int64_t(in) - 1, start + int64_t(k) - 1)};
}

/// Greedy bin packing over (weight -> count), largest weights first.
uint32_t packBins(std::map<uint32_t, uint64_t, std::greater<uint32_t>> counts,
                  uint32_t limit) {
  uint64_t bins = 0;
  for (;;) {
    auto first = counts.begin();
    while (first != counts.end() && first->second == 0)
      first = counts.erase(first);
    if (first == counts.end())
      break;
    ++bins;
    uint64_t room = limit;
    for (auto &wc : counts) {
      uint64_t take = std::min<uint64_t>(wc.second, room / wc.first);
      wc.second -= take;
      room -= take * wc.first;
    }
  }
  return uint32_t(bins);
}

//===----------------------------------------------------------------------===//
// Coarsening
//===----------------------------------------------------------------------===//

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

/// Neuron-level graphs up to this size; runs of neurons beyond.
constexpr uint64_t kNeuronGraphLimit = 50000;

/// Spatial coarsenings with more vertices than this fall back to whole
/// channel ranges per position.
constexpr uint64_t kMaxSpatialVertices = 250000;

/// Channel classes of population `pop`: channels that read the same source
/// channels through every windowed projection into it. One class when all
/// channels share their sources (standard convolutions) or when every
/// channel is its own class (pooling, one filter per map): then the
/// channels at a position are grouped by index ranges.
std::vector<std::vector<uint32_t>> channelClasses(const Network &n,
                                                  unsigned pop) {
  uint32_t C = n.populations[pop].shape.c;
  std::map<std::vector<uint32_t>, uint32_t> ids;
  std::vector<std::vector<uint32_t>> classes;
  std::vector<uint32_t> sig, src;
  for (uint32_t m = 0; m < C; ++m) {
    sig.clear();
    for (unsigned pi = 0; pi < n.projections.size(); ++pi) {
      const Projection &p = n.projections[pi];
      if (p.post != pop || !isWindowed(p))
        continue;
      sourceChannels(p, n.populations[p.pre].shape.c, m, src);
      sig.push_back(pi);
      sig.push_back(uint32_t(src.size()));
      sig.insert(sig.end(), src.begin(), src.end());
    }
    auto it = ids.emplace(sig, uint32_t(classes.size())).first;
    if (it->second == classes.size())
      classes.emplace_back();
    classes[it->second].push_back(m);
  }
  if (classes.size() <= 1 || classes.size() == C) {
    classes.assign(1, {});
    for (uint32_t m = 0; m < C; ++m)
      classes[0].push_back(m);
  }
  return classes;
}

Coarse coarsen(const Network &n, unsigned pop, uint32_t limit) {
  const Population &p = n.populations[pop];
  Coarse c;
  uint64_t size = p.shape.size();
  c.plane = uint64_t(p.shape.h) * p.shape.w;
  bool windowed = false;
  for (const Projection &pr : n.projections)
    windowed |= (pr.pre == pop || pr.post == pop) && isWindowed(pr);
  c.spatial = windowed && c.plane > 1;
  if (c.spatial) {
    uint32_t C = p.shape.c;
    std::vector<std::vector<uint32_t>> classes = channelClasses(n, pop);
    if (classes.size() > 1 && c.plane * classes.size() > kMaxSpatialVertices) {
      classes.assign(1, {});
      for (uint32_t m = 0; m < C; ++m)
        classes[0].push_back(m);
    }
    // Split every class into the fewest near-equal pieces (at most m per
    // class) whose packing wastes at most 5% of the cores an ideal split
    // would use.
    uint64_t ideal = (size + limit - 1) / limit;
    uint64_t allowed = ideal + ideal / 20;
    uint32_t largest = 0, m = 1;
    for (const std::vector<uint32_t> &cls : classes) {
      largest = std::max(largest, uint32_t(cls.size()));
      m = std::max(m, uint32_t((cls.size() + limit - 1) / limit));
    }
    for (;; ++m) {
      std::map<uint32_t, uint64_t, std::greater<uint32_t>> counts;
      for (const std::vector<uint32_t> &cls : classes) {
        uint32_t s = uint32_t(cls.size()), pieces = std::min(m, s);
        uint32_t base = s / pieces, extra = s % pieces;
        if (extra)
          counts[base + 1] += uint64_t(extra) * c.plane;
        counts[base] += uint64_t(pieces - extra) * c.plane;
      }
      if (m >= largest || packBins(counts, limit) <= allowed)
        break;
    }
    // Piece j of a class of s channels holds its channels i with
    // floor(i * pieces / s) == j.
    c.groupOf.resize(C);
    std::vector<uint32_t> groupSize;
    for (const std::vector<uint32_t> &cls : classes) {
      uint32_t s = uint32_t(cls.size()), pieces = std::min(m, s);
      uint32_t first = uint32_t(groupSize.size());
      groupSize.resize(first + pieces, 0);
      for (uint32_t i = 0; i < s; ++i) {
        uint32_t g = first + uint32_t(uint64_t(i) * pieces / s);
        c.groupOf[cls[i]] = g;
        ++groupSize[g];
      }
    }
    uint32_t G = uint32_t(groupSize.size());
    c.groups = G;
    c.weights.resize(c.plane * G);
    for (uint64_t pos = 0; pos < c.plane; ++pos)
      for (uint32_t g = 0; g < G; ++g)
        c.weights[pos * G + g] = groupSize[g];
    c.vertexOf.resize(size);
    for (uint32_t ch = 0; ch < C; ++ch)
      for (uint64_t pos = 0; pos < c.plane; ++pos)
        c.vertexOf[ch * c.plane + pos] = uint32_t(pos * G + c.groupOf[ch]);
    return c;
  }
  uint32_t run = size <= kNeuronGraphLimit ? 1 : std::max(1u, limit / 16);
  c.vertexOf.resize(size);
  for (uint64_t i = 0; i < size; ++i)
    c.vertexOf[i] = uint32_t(i / run);
  c.weights.assign((size + run - 1) / run, run);
  if (size % run)
    c.weights.back() = uint32_t(size % run);
  return c;
}

//===----------------------------------------------------------------------===//
// Nets and the affinity graph
//===----------------------------------------------------------------------===//

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

/// Source classes of a windowed projection: input channels grouped by the
/// sorted set of "target keys" they reach (coarse groups of a spatial
/// target, channels otherwise), with their counts.
std::map<std::vector<uint32_t>, uint64_t> inputClasses(const Projection &p,
                                                       const Shape &in,
                                                       const Shape &out,
                                                       const Coarse &target) {
  std::map<std::vector<uint32_t>, uint64_t> classes;
  std::vector<uint32_t> chans;
  for (uint32_t c = 0; c < in.c; ++c) {
    targetChannels(p, in.c, out.c, c, chans);
    if (target.spatial)
      for (uint32_t &t : chans)
        t = target.groupOf[t];
    llvm::sort(chans);
    chans.erase(std::unique(chans.begin(), chans.end()), chans.end());
    if (!chans.empty())
      ++classes[chans];
  }
  return classes;
}

/// Nets of the sources of a windowed projection into `q`: per source
/// position and source class, the target vertices in reach.
void windowedInputNets(const Network &n, const Projection &p, const Coarse &q,
                       Nets &nets) {
  const Shape &in = n.populations[p.pre].shape;
  const Shape &out = n.populations[p.post].shape;
  auto classes = inputClasses(p, in, out, q);
  std::vector<uint32_t> vs;
  for (uint32_t y = 0; y < in.h; ++y) {
    auto ry = outputsReading(y, p.kernel.h, p.stride.h, p.padding.h, out.h);
    if (ry.first > ry.second)
      continue;
    for (uint32_t x = 0; x < in.w; ++x) {
      auto rx = outputsReading(x, p.kernel.w, p.stride.w, p.padding.w, out.w);
      if (rx.first > rx.second)
        continue;
      for (const auto &cls : classes) {
        vs.clear();
        for (int64_t oy = ry.first; oy <= ry.second; ++oy)
          for (int64_t ox = rx.first; ox <= rx.second; ++ox) {
            uint64_t pos = uint64_t(oy) * out.w + uint64_t(ox);
            for (uint32_t key : cls.first)
              vs.push_back(q.spatial ? uint32_t(pos * q.groups + key)
                                     : q.vertex(pos, key));
          }
        nets.add(vs, cls.second);
      }
    }
  }
}

/// Nets of a source population `q` from a windowed projection out of it:
/// per target position and target class, the vertices of `q` it reads.
void windowedOutputNets(const Network &n, const Projection &p, const Coarse &q,
                        Nets &nets) {
  const Shape &in = n.populations[p.pre].shape;
  const Shape &out = n.populations[p.post].shape;
  std::map<std::vector<uint32_t>, uint64_t> classes;
  std::vector<uint32_t> chans;
  for (uint32_t m = 0; m < out.c; ++m) {
    sourceChannels(p, in.c, m, chans);
    if (q.spatial)
      for (uint32_t &c : chans)
        c = q.groupOf[c];
    llvm::sort(chans);
    chans.erase(std::unique(chans.begin(), chans.end()), chans.end());
    ++classes[chans];
  }
  std::vector<uint32_t> vs;
  for (uint32_t oy = 0; oy < out.h; ++oy) {
    auto ry = inputsReadBy(oy, p.kernel.h, p.stride.h, p.padding.h, in.h);
    for (uint32_t ox = 0; ox < out.w; ++ox) {
      auto rx = inputsReadBy(ox, p.kernel.w, p.stride.w, p.padding.w, in.w);
      for (const auto &cls : classes) {
        vs.clear();
        for (int64_t y = ry.first; y <= ry.second; ++y)
          for (int64_t x = rx.first; x <= rx.second; ++x) {
            uint64_t pos = uint64_t(y) * in.w + uint64_t(x);
            for (uint32_t key : cls.first)
              vs.push_back(q.spatial ? uint32_t(pos * q.groups + key)
                                     : q.vertex(pos, key));
          }
        nets.add(vs, 1);
      }
    }
  }
}

/// Nets of the sources of an explicit list into `q`: per source neuron its
/// target vertices.
void listInputNets(const Network &n, const Projection &p,
                   const ConnectionList &l, const Coarse &q, Nets &nets) {
  uint64_t nPre = n.populations[p.pre].shape.size();
  std::vector<uint64_t> start(nPre + 1, 0);
  for (uint64_t i = 0; i < l.size(); ++i)
    ++start[l.pre[i] + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<uint32_t> byPre(l.size());
  std::vector<uint64_t> fill(start.begin(), start.end() - 1);
  for (uint64_t i = 0; i < l.size(); ++i)
    byPre[fill[l.pre[i]]++] = q.vertexOf[l.post[i]];
  std::vector<uint32_t> vs;
  for (uint64_t s = 0; s < nPre; ++s) {
    vs.assign(byPre.begin() + start[s], byPre.begin() + start[s + 1]);
    nets.add(vs, 1);
  }
}

/// Nets of a source population `q` from an explicit list out of it: per
/// target neuron the vertices of `q` it reads.
void listOutputNets(const ConnectionList &l, const Coarse &q, Nets &nets) {
  std::vector<uint32_t> vs;
  for (uint64_t i = 0; i < l.size();) {
    uint64_t j = i;
    vs.clear();
    for (; j < l.size() && l.post[j] == l.post[i]; ++j)
      vs.push_back(q.vertexOf[l.pre[j]]);
    nets.add(vs, 1);
    i = j;
  }
}

/// Keeps the pair count of the affinity product bounded: the largest nets
/// go first (they are the least informative) until sum(size^2) fits.
constexpr uint64_t kMaxNetPairs = 400000000;

/// The affinity graph A = M W M^T of a population's nets.
PartitionGraph affinityGraph(const Coarse &c, const Nets &nets) {
  PartitionGraph g;
  g.weights = c.weights;
  uint32_t V = g.numVertices();
  g.offsets.assign(V + 1, 0);
  if (!nets.size())
    return g;
  // Bound the work: drop the largest nets first.
  std::vector<uint32_t> order(nets.size());
  std::iota(order.begin(), order.end(), 0);
  auto netSize = [&](uint32_t j) {
    return nets.offsets[j + 1] - nets.offsets[j];
  };
  uint64_t pairs = 0;
  for (uint32_t j : order)
    pairs += netSize(j) * netSize(j);
  std::vector<bool> keep(nets.size(), true);
  if (pairs > kMaxNetPairs) {
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return netSize(a) > netSize(b);
    });
    for (uint32_t j : order) {
      if (pairs <= kMaxNetPairs)
        break;
      keep[j] = false;
      pairs -= netSize(j) * netSize(j);
    }
  }
  using SpMat = Eigen::SparseMatrix<double>;
  std::vector<Eigen::Triplet<double>> ones, weighted;
  ones.reserve(nets.vertices.size());
  weighted.reserve(nets.vertices.size());
  int cols = 0;
  for (uint32_t j = 0; j < nets.size(); ++j) {
    if (!keep[j])
      continue;
    for (uint64_t i = nets.offsets[j]; i < nets.offsets[j + 1]; ++i) {
      ones.emplace_back(int(nets.vertices[i]), cols, 1.0);
      weighted.emplace_back(int(nets.vertices[i]), cols,
                            double(nets.weights[j]));
    }
    ++cols;
  }
  SpMat m(V, cols), mw(V, cols);
  m.setFromTriplets(ones.begin(), ones.end());
  mw.setFromTriplets(weighted.begin(), weighted.end());
  ones = {};
  weighted = {};
  SpMat a = mw * SpMat(m.transpose());
  // METIS sums edge weights in 32 bits: scale the total below 2^30.
  double total = 0;
  for (int k = 0; k < a.outerSize(); ++k)
    for (SpMat::InnerIterator it(a, k); it; ++it)
      if (it.row() != it.col())
        total += it.value();
  double scale = total > double(1 << 30) ? double(1 << 30) / total : 1.0;
  for (int k = 0; k < a.outerSize(); ++k) {
    for (SpMat::InnerIterator it(a, k); it; ++it) {
      if (it.row() == it.col() || it.value() <= 0)
        continue;
      g.adjacency.push_back(uint32_t(it.row()));
      g.edgeWeights.push_back(
          uint32_t(std::max(1.0, std::round(it.value() * scale))));
    }
    g.offsets[k + 1] = g.adjacency.size();
  }
  return g;
}

/// Graphs for more parts or with more edges than these keep only the
/// kPruneDegree heaviest edges of every vertex (METIS's time grows with
/// edges and parts; the volume hardly changes, docs/mapping.md).
constexpr uint32_t kPruneAboveParts = 1024;
constexpr uint64_t kPruneAboveEdgeEntries = 2000000;
constexpr unsigned kPruneDegree = 8;
/// Cut-objective partitions into more parts use recursive bisection.
constexpr uint32_t kRecursiveAboveParts = 2048;

/// Keeps, for every vertex, its `degree` heaviest edges (all edges tied
/// with the last one too); an edge stays when either end keeps it.
PartitionGraph pruneGraph(const PartitionGraph &g, unsigned degree) {
  uint32_t V = g.numVertices();
  std::vector<uint8_t> keep(g.adjacency.size(), 0);
  std::vector<uint32_t> w;
  for (uint32_t v = 0; v < V; ++v) {
    uint64_t b = g.offsets[v], e = g.offsets[v + 1];
    if (e - b <= degree) {
      std::fill(keep.begin() + b, keep.begin() + e, 1);
      continue;
    }
    w.assign(g.edgeWeights.begin() + b, g.edgeWeights.begin() + e);
    std::nth_element(w.begin(), w.begin() + (degree - 1), w.end(),
                     std::greater<uint32_t>());
    uint32_t threshold = w[degree - 1];
    for (uint64_t i = b; i < e; ++i)
      keep[i] = g.edgeWeights[i] >= threshold;
  }
  // Symmetrise: (v, u) kept by v keeps (u, v).
  for (uint32_t v = 0; v < V; ++v)
    for (uint64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i)
      if (keep[i]) {
        uint32_t u = g.adjacency[i];
        const uint32_t *b = g.adjacency.data() + g.offsets[u],
                       *e = g.adjacency.data() + g.offsets[u + 1];
        const uint32_t *at = std::lower_bound(b, e, v);
        if (at != e && *at == v)
          keep[g.offsets[u] + (at - b)] = 1;
      }
  PartitionGraph out;
  out.weights = g.weights;
  out.offsets.assign(V + 1, 0);
  for (uint32_t v = 0; v < V; ++v) {
    for (uint64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i)
      if (keep[i]) {
        out.adjacency.push_back(g.adjacency[i]);
        out.edgeWeights.push_back(g.edgeWeights[i]);
      }
    out.offsets[v + 1] = out.adjacency.size();
  }
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// The graph partitioner
//===----------------------------------------------------------------------===//

uint32_t scnc::binsNeeded(const std::vector<uint32_t> &weights,
                          uint32_t limit) {
  std::map<uint32_t, uint64_t, std::greater<uint32_t>> counts;
  for (uint32_t w : weights)
    if (w)
      ++counts[std::min(w, limit)];
  return packBins(std::move(counts), limit);
}

Expected<std::vector<uint32_t>> scnc::metisPartition(const PartitionGraph &g,
                                                     uint32_t nparts,
                                                     uint64_t capacity,
                                                     uint64_t seed,
                                                     MetisObjective objective) {
  uint32_t V = g.numVertices();
  if (V == 0)
    return std::vector<uint32_t>();
  if (nparts == 0)
    return createStringError(inconvertibleErrorCode(),
                             "cannot split %u vertices into 0 parts", V);
  // METIS 5.1 divides by zero for one part and returns a useless partition
  // for more parts than vertices.
  if (nparts == 1)
    return std::vector<uint32_t>(V, 0);
  std::vector<uint32_t> part(V);
  if (nparts >= V) {
    std::iota(part.begin(), part.end(), 0);
    return part;
  }
  uint64_t total = 0;
  for (uint32_t w : g.weights)
    total += w;
  if (g.adjacency.empty()) {
    // Nothing to optimise: pack the vertices in order.
    uint32_t p = 0;
    uint64_t load = 0;
    for (uint32_t v = 0; v < V; ++v) {
      if (load && load + g.weights[v] > capacity && p + 1 < nparts)
        ++p, load = 0;
      part[v] = p;
      load += g.weights[v];
    }
    return part;
  }
  if (g.adjacency.size() > uint64_t(INT32_MAX) || total > uint64_t(INT32_MAX))
    return createStringError(inconvertibleErrorCode(),
                             "graph too large for METIS (%u vertices, %zu "
                             "edge entries, weight %llu)",
                             V, g.adjacency.size(), (unsigned long long)total);
  std::vector<idx_t> xadj(g.offsets.begin(), g.offsets.end());
  std::vector<idx_t> adjncy(g.adjacency.begin(), g.adjacency.end());
  std::vector<idx_t> adjwgt(g.edgeWeights.begin(), g.edgeWeights.end());
  std::vector<idx_t> vwgt(g.weights.begin(), g.weights.end());
  idx_t nvtxs = idx_t(V), ncon = 1, np = idx_t(nparts), objval = 0;
  std::vector<idx_t> out(V);
  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_OBJTYPE] = objective == MetisObjective::Volume
                                      ? METIS_OBJTYPE_VOL
                                      : METIS_OBJTYPE_CUT;
  options[METIS_OPTION_SEED] = idx_t((seed ^ (seed >> 32)) & 0x7fffffff);
  options[METIS_OPTION_NUMBERING] = 0;
  // Let METIS use the slack the parts have up to their capacity.
  real_t ub = real_t(std::max(
      1.001, std::min(2.0, double(capacity) * nparts / double(total))));
  // METIS 5.1 keeps its random generator in a global (GKlib): concurrent
  // calls would draw from one stream and stop being reproducible.
  static std::mutex metisLock;
  std::lock_guard<std::mutex> hold(metisLock);
  // Beyond kRecursiveAboveParts parts k-way's own initial partition is a
  // recursive bisection of the uncoarsened graph (METIS coarsens to 30
  // vertices per part); its k-way refinement then costs more than it gains.
  bool recursive =
      objective == MetisObjective::Cut && nparts > kRecursiveAboveParts;
  auto *fn = recursive ? METIS_PartGraphRecursive : METIS_PartGraphKway;
  int rc = fn(&nvtxs, &ncon, xadj.data(), adjncy.data(), vwgt.data(), nullptr,
              adjwgt.data(), &np, nullptr, &ub, options, &objval, out.data());
  if (rc != METIS_OK)
    return createStringError(inconvertibleErrorCode(),
                             "METIS_PartGraphKway failed (%s) on %u vertices "
                             "into %u parts",
                             rc == METIS_ERROR_MEMORY  ? "out of memory"
                             : rc == METIS_ERROR_INPUT ? "input error"
                                                       : "error",
                             V, nparts);
  for (uint32_t v = 0; v < V; ++v)
    part[v] = uint32_t(out[v]);
  return part;
}

namespace {

/// Repair state: parts with their members and loads.
class Repairer {
public:
  Repairer(const PartitionGraph &g, uint32_t limit, std::vector<uint32_t> &part)
      : g(g), limit(limit), part(part) {
    uint32_t nparts = 0;
    for (uint32_t p : part)
      nparts = std::max(nparts, p + 1);
    load.assign(nparts, 0);
    members.resize(nparts);
    slot.resize(part.size());
    for (uint32_t v = 0; v < part.size(); ++v) {
      load[part[v]] += g.weights[v];
      slot[v] = uint32_t(members[part[v]].size());
      members[part[v]].push_back(v);
    }
    minWeight = g.weights.empty()
                    ? 1
                    : *std::min_element(g.weights.begin(), g.weights.end());
  }

  uint64_t run() {
    for (uint32_t p = 0; p < load.size(); ++p)
      while (load[p] > limit)
        if (!chain(p))
          fallback(p);
    return moves;
  }

private:
  uint64_t room(uint32_t p) const {
    return load[p] >= limit ? 0 : limit - load[p];
  }
  void move(uint32_t v, uint32_t to) {
    uint32_t from = part[v];
    std::vector<uint32_t> &m = members[from];
    uint32_t last = m.back();
    m[slot[v]] = last;
    slot[last] = slot[v];
    m.pop_back();
    load[from] -= g.weights[v];
    slot[v] = uint32_t(members[to].size());
    members[to].push_back(v);
    load[to] += g.weights[v];
    part[v] = to;
    ++moves;
  }
  /// Edge weight from v into part p.
  uint64_t conn(uint32_t v, uint32_t p) const {
    uint64_t c = 0;
    for (uint64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e)
      if (part[g.adjacency[e]] == p)
        c += g.edgeWeights[e];
    return c;
  }
  /// The member of `from` with an edge into `to` that fits its room and
  /// gains most; UINT32_MAX when none.
  uint32_t bestBoundary(uint32_t from, uint32_t to) const {
    uint32_t best = UINT32_MAX;
    int64_t bestGain = 0;
    for (uint32_t v : members[from]) {
      if (g.weights[v] > room(to))
        continue;
      uint64_t into = conn(v, to);
      if (!into)
        continue;
      int64_t gain = int64_t(into) - int64_t(conn(v, from));
      if (best == UINT32_MAX || gain > bestGain ||
          (gain == bestGain && v < best))
        best = v, bestGain = gain;
    }
    return best;
  }
  /// Moves one vertex out of `p` along the shortest chain of adjacent parts
  /// ending in one with room; false when there is no such chain.
  bool chain(uint32_t p) {
    if (parent.size() < load.size())
      parent.resize(load.size()), seen.resize(load.size(), 0);
    ++stamp;
    std::vector<uint32_t> queue{p};
    seen[p] = stamp;
    uint32_t found = UINT32_MAX;
    for (size_t head = 0; head < queue.size() && found == UINT32_MAX; ++head) {
      uint32_t x = queue[head];
      for (uint32_t v : members[x]) {
        for (uint64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
          uint32_t y = part[g.adjacency[e]];
          if (seen[y] == stamp)
            continue;
          seen[y] = stamp;
          parent[y] = x;
          if (room(y) >= minWeight) {
            found = y;
            break;
          }
          queue.push_back(y);
        }
        if (found != UINT32_MAX)
          break;
      }
    }
    if (found == UINT32_MAX)
      return false;
    std::vector<uint32_t> path{found};
    while (path.back() != p)
      path.push_back(parent[path.back()]);
    // path = found, ..., p: move from the far end back towards p so that
    // every part but p stays within the limit.
    uint64_t before = load[p];
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      uint32_t v = bestBoundary(path[i + 1], path[i]);
      if (v == UINT32_MAX)
        return load[p] < before;
      move(v, path[i]);
    }
    return load[p] < before;
  }
  /// Moves the lightest vertex of p to the part with the most room, or to a
  /// new part.
  void fallback(uint32_t p) {
    uint32_t v = members[p].front();
    for (uint32_t u : members[p])
      if (g.weights[u] < g.weights[v] ||
          (g.weights[u] == g.weights[v] && u < v))
        v = u;
    uint32_t best = UINT32_MAX;
    for (uint32_t q = 0; q < load.size(); ++q)
      if (q != p && room(q) >= g.weights[v] &&
          (best == UINT32_MAX || room(q) > room(best)))
        best = q;
    if (best == UINT32_MAX) {
      best = uint32_t(load.size());
      load.push_back(0);
      members.emplace_back();
    }
    move(v, best);
  }

  const PartitionGraph &g;
  uint32_t limit;
  std::vector<uint32_t> &part;
  std::vector<uint64_t> load;
  std::vector<std::vector<uint32_t>> members;
  std::vector<uint32_t> slot;
  std::vector<uint32_t> parent, seen;
  uint32_t stamp = 0;
  uint32_t minWeight = 1;
  uint64_t moves = 0;
};

} // namespace

Expected<uint64_t> scnc::repairPartition(const PartitionGraph &g,
                                         uint32_t limit,
                                         std::vector<uint32_t> &part) {
  if (part.size() != g.weights.size())
    return createStringError(inconvertibleErrorCode(),
                             "partition of %zu vertices for a graph of %zu",
                             part.size(), g.weights.size());
  for (uint32_t v = 0; v < g.numVertices(); ++v)
    if (g.weights[v] > limit)
      return createStringError(inconvertibleErrorCode(),
                               "vertex %u holds %u neurons, more than the "
                               "limit of %u per core",
                               v, g.weights[v], limit);
  return Repairer(g, limit, part).run();
}

Expected<std::vector<uint32_t>>
scnc::partitionGraph(const PartitionGraph &g, uint32_t limit, uint64_t seed,
                     MetisObjective objective, uint64_t *repairMoves) {
  if (repairMoves)
    *repairMoves = 0;
  if (g.weights.empty())
    return std::vector<uint32_t>();
  if (limit == 0)
    return createStringError(inconvertibleErrorCode(),
                             "a limit of 0 neurons per core");
  for (uint32_t w : g.weights)
    if (w > limit)
      return createStringError(inconvertibleErrorCode(),
                               "a vertex of %u neurons exceeds the limit of "
                               "%u per core",
                               w, limit);
  uint32_t k = binsNeeded(g.weights, limit);
  auto t0 = std::chrono::steady_clock::now();
  PartitionGraph pruned;
  bool prune =
      k > kPruneAboveParts || g.adjacency.size() > kPruneAboveEdgeEntries;
  if (prune)
    pruned = pruneGraph(g, kPruneDegree);
  const PartitionGraph &input = prune ? pruned : g;
  Expected<std::vector<uint32_t>> part =
      metisPartition(input, k, limit, seed, objective);
  double tMetis = secondsSince(t0);
  if (!part)
    return part.takeError();
  Expected<uint64_t> moves = repairPartition(input, limit, *part);
  if (!moves)
    return moves.takeError();
  if (repairMoves)
    *repairMoves = *moves;
  SCNC_DEBUG(dbgs() << "partition:   " << g.numVertices() << " vertices, "
                    << input.adjacency.size() / 2 << " edges into " << k
                    << " parts: METIS " << format("%.2f", tMetis)
                    << " s, repair " << *moves << " moves "
                    << format("%.2f", secondsSince(t0) - tMetis) << " s\n");
  // Renumber by first vertex; empty parts disappear.
  std::vector<uint32_t> renum;
  uint32_t next = 0;
  for (uint32_t &p : *part) {
    if (p >= renum.size())
      renum.resize(p + 1, UINT32_MAX);
    if (renum[p] == UINT32_MAX)
      renum[p] = next++;
    p = renum[p];
  }
  return part;
}

//===----------------------------------------------------------------------===//
// Populations
//===----------------------------------------------------------------------===//

StringRef scnc::toString(PartitionerKind k) {
  return k == PartitionerKind::Metis ? "metis" : "slices";
}

static bool isPlasticTarget(const Network &n, unsigned pop) {
  for (const Projection &p : n.projections)
    if (p.post == pop && !p.stdp.empty())
      return true;
  return false;
}

uint64_t scnc::dtcmBytesPerNeuron(const Network &n, unsigned pop) {
  using namespace resources;
  if (n.populations[pop].kind == Population::Kind::Input)
    return kSourceStateBytes;
  uint64_t b =
      kNeuronStateBytes + kReceptorTypes * kDelaySlots * kRingEntryBytes;
  if (isPlasticTarget(n, pop))
    b += kPostHistoryBytes;
  return b;
}

uint32_t scnc::effectiveNeuronLimit(const Network &n, unsigned pop) {
  using namespace resources;
  uint64_t requested = n.neuronsPerCore(n.populations[pop]);
  uint64_t fit =
      (kDTCMBytes - kCoreFixedDTCMBytes) / dtcmBytesPerNeuron(n, pop);
  return uint32_t(std::max<uint64_t>(1, std::min(requested, fit)));
}

namespace {

/// Slices (neuron lists, ordered by first neuron) of one population.
using PopulationSlices = std::vector<std::vector<uint32_t>>;

PopulationSlices contiguousSlices(uint64_t size, uint32_t limit) {
  PopulationSlices s;
  for (uint64_t b = 0; b < size; b += limit) {
    s.emplace_back();
    for (uint64_t i = b; i < std::min<uint64_t>(size, b + limit); ++i)
      s.back().push_back(uint32_t(i));
  }
  return s;
}

Expected<PopulationSlices> metisSlices(const Network &n, unsigned pop,
                                       const std::vector<Coarse> &coarse,
                                       uint32_t limit,
                                       const PartitionConfig &cfg) {
  uint64_t size = n.populations[pop].shape.size();
  if (size <= limit)
    return contiguousSlices(size, limit);
  auto t0 = std::chrono::steady_clock::now();
  const Coarse &c = coarse[pop];
  Nets nets(uint32_t(c.weights.size()));
  for (unsigned pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    if (p.post != pop)
      continue;
    if (isWindowed(p))
      windowedInputNets(n, p, c, nets);
    else if (p.kind == Projection::Kind::FromList)
      listInputNets(n, p, n.connections->lists[pi], c, nets);
  }
  bool fromOutputs = !nets.size();
  if (fromOutputs) {
    for (unsigned pi = 0; pi < n.projections.size(); ++pi) {
      const Projection &p = n.projections[pi];
      if (p.pre != pop)
        continue;
      if (isWindowed(p))
        windowedOutputNets(n, p, c, nets);
      else if (p.kind == Projection::Kind::FromList)
        listOutputNets(n.connections->lists[pi], c, nets);
    }
  }
  double tNets = secondsSince(t0);
  PartitionGraph g = affinityGraph(c, nets);
  double tGraph = secondsSince(t0);
  uint64_t moves = 0;
  Expected<std::vector<uint32_t>> part =
      partitionGraph(g, limit, cfg.seed, cfg.objective, &moves);
  if (!part)
    return createStringError(inconvertibleErrorCode(), "population '%s': %s",
                             n.populations[pop].name.c_str(),
                             toString(part.takeError()).c_str());
  SCNC_DEBUG(
      dbgs()
      << "partition: " << n.populations[pop].name << ": " << c.weights.size()
      << " vertices ("
      << (c.spatial ? std::to_string(c.groups) + " channel groups per position"
                    : std::string("neurons/runs"))
      << "), " << nets.size() << (fromOutputs ? " output" : " input")
      << " nets, " << g.adjacency.size() / 2 << " edges; "
      << (part->empty() ? 0 : *std::max_element(part->begin(), part->end()) + 1)
      << " parts, " << moves << " repair moves; nets " << format("%.2f", tNets)
      << " s, graph " << format("%.2f", tGraph - tNets) << " s, METIS+repair "
      << format("%.2f", secondsSince(t0) - tGraph) << " s\n");
  uint32_t parts = 0;
  for (uint32_t p : *part)
    parts = std::max(parts, p + 1);
  PopulationSlices s(parts);
  for (uint64_t i = 0; i < size; ++i)
    s[(*part)[c.vertexOf[i]]].push_back(uint32_t(i));
  s.erase(
      std::remove_if(s.begin(), s.end(),
                     [](const std::vector<uint32_t> &v) { return v.empty(); }),
      s.end());
  llvm::sort(s, [](const std::vector<uint32_t> &a,
                   const std::vector<uint32_t> &b) { return a[0] < b[0]; });
  return s;
}

} // namespace

Expected<Partition> scnc::partitionNetwork(const Network &n,
                                           const PartitionConfig &cfg) {
  if (!n.connections || n.connections->lists.size() != n.projections.size())
    return createStringError(inconvertibleErrorCode(),
                             "partitioning needs the expanded connection "
                             "lists (run expand-connections first)");
  unsigned numPops = unsigned(n.populations.size());
  for (const Population &p : n.populations)
    if (!p.shape.isKnown())
      return createStringError(inconvertibleErrorCode(),
                               "population '%s' has no inferred shape",
                               p.name.c_str());
  Partition result;
  result.limits.resize(numPops);
  for (unsigned p = 0; p < numPops; ++p)
    result.limits[p] = effectiveNeuronLimit(n, p);

  std::vector<Coarse> coarse(numPops);
  if (cfg.kind == PartitionerKind::Metis)
    forEachTask(numPops, cfg.threads, [&](size_t p) {
      coarse[p] = coarsen(n, unsigned(p), result.limits[p]);
    });
  std::vector<PopulationSlices> slices(numPops);
  std::vector<std::string> failures(numPops);
  // Largest populations first, so that one does not start last.
  std::vector<unsigned> order(numPops);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
    return n.populations[a].shape.size() > n.populations[b].shape.size();
  });
  forEachTask(numPops, cfg.threads, [&](size_t t) {
    unsigned p = order[t];
    uint64_t size = n.populations[p].shape.size();
    if (cfg.kind == PartitionerKind::Slices) {
      slices[p] = contiguousSlices(size, result.limits[p]);
      return;
    }
    Expected<PopulationSlices> s =
        metisSlices(n, p, coarse, result.limits[p], cfg);
    if (!s) {
      failures[p] = toString(s.takeError());
      return;
    }
    slices[p] = std::move(*s);
    coarse[p] = Coarse(); // free the vertex map early
  });
  for (const std::string &f : failures)
    if (!f.empty())
      return createStringError(inconvertibleErrorCode(), f);

  result.sliceOf.resize(numPops);
  result.localIndex.resize(numPops);
  for (unsigned p = 0; p < numPops; ++p) {
    uint64_t size = n.populations[p].shape.size();
    result.sliceOf[p].assign(size, UINT32_MAX);
    result.localIndex[p].assign(size, UINT32_MAX);
    for (std::vector<uint32_t> &neurons : slices[p]) {
      uint32_t idx = uint32_t(result.slices.size());
      for (uint32_t i = 0; i < neurons.size(); ++i) {
        result.sliceOf[p][neurons[i]] = idx;
        result.localIndex[p][neurons[i]] = i;
      }
      result.slices.push_back(Slice{p, std::move(neurons)});
    }
  }
  return result;
}

std::vector<std::string> scnc::verifyPartition(const Network &n,
                                               const Partition &p) {
  std::vector<std::string> problems;
  unsigned numPops = unsigned(n.populations.size());
  if (p.sliceOf.size() != numPops || p.localIndex.size() != numPops ||
      p.limits.size() != numPops) {
    problems.push_back("per-population tables have the wrong size");
    return problems;
  }
  std::vector<std::vector<uint8_t>> seen(numPops);
  for (unsigned q = 0; q < numPops; ++q) {
    uint64_t size = n.populations[q].shape.size();
    seen[q].assign(size, 0);
    if (p.sliceOf[q].size() != size || p.localIndex[q].size() != size)
      problems.push_back("population '" + n.populations[q].name +
                         "': neuron tables have the wrong size");
  }
  if (!problems.empty())
    return problems;
  for (uint32_t s = 0; s < p.slices.size(); ++s) {
    const Slice &sl = p.slices[s];
    std::string name = "slice " + std::to_string(s);
    if (sl.population >= numPops) {
      problems.push_back(name + ": no population " +
                         std::to_string(sl.population));
      continue;
    }
    const std::string &pop = n.populations[sl.population].name;
    if (sl.neurons.empty())
      problems.push_back(name + " (" + pop + ") is empty");
    if (sl.neurons.size() > p.limits[sl.population])
      problems.push_back(name + " (" + pop + ") holds " +
                         std::to_string(sl.neurons.size()) +
                         " neurons, over the limit of " +
                         std::to_string(p.limits[sl.population]));
    if (s > 0 && !sl.neurons.empty() && !p.slices[s - 1].neurons.empty()) {
      const Slice &prev = p.slices[s - 1];
      if (prev.population > sl.population ||
          (prev.population == sl.population &&
           prev.neurons[0] >= sl.neurons[0]))
        problems.push_back(name + " is out of (population, first neuron) "
                                  "order");
    }
    uint64_t size = n.populations[sl.population].shape.size();
    for (uint32_t i = 0; i < sl.neurons.size(); ++i) {
      uint32_t v = sl.neurons[i];
      if (v >= size) {
        problems.push_back(name + " (" + pop + "): neuron " +
                           std::to_string(v) + " out of range");
        continue;
      }
      if (i && sl.neurons[i - 1] >= v)
        problems.push_back(name + " (" + pop + "): neurons not sorted");
      if (seen[sl.population][v]++)
        problems.push_back(pop + " neuron " + std::to_string(v) +
                           " is in more than one slice");
      if (p.sliceOf[sl.population][v] != s ||
          p.localIndex[sl.population][v] != i)
        problems.push_back(pop + " neuron " + std::to_string(v) +
                           ": sliceOf/localIndex disagree with slice " +
                           std::to_string(s));
    }
  }
  for (unsigned q = 0; q < numPops; ++q) {
    uint64_t missing = std::count(seen[q].begin(), seen[q].end(), 0);
    if (missing)
      problems.push_back("population '" + n.populations[q].name + "': " +
                         std::to_string(missing) + " neurons in no slice");
  }
  return problems;
}

//===----------------------------------------------------------------------===//
// Statistics
//===----------------------------------------------------------------------===//

namespace {} // namespace

PartitionStats scnc::partitionStats(const Network &n, const Partition &p,
                                    unsigned threads) {
  using namespace resources;
  PartitionStats s;
  s.cores = unsigned(p.slices.size());
  s.resources.resize(p.slices.size());
  uint64_t total = 0;
  for (uint32_t i = 0; i < p.slices.size(); ++i) {
    const Slice &sl = p.slices[i];
    unsigned k = unsigned(sl.neurons.size());
    s.minNeurons = i ? std::min(s.minNeurons, k) : k;
    s.maxNeurons = std::max(s.maxNeurons, k);
    total += k;
    s.resources[i].dtcmBytes =
        kCoreFixedDTCMBytes + k * dtcmBytesPerNeuron(n, sl.population);
  }
  s.meanNeurons = s.cores ? double(total) / s.cores : 0.0;
  if (n.connections && n.connections->lists.size() == n.projections.size()) {
    // Slices of each population.
    unsigned numPops = unsigned(n.populations.size());
    std::vector<std::vector<uint32_t>> slicesOf(numPops);
    for (uint32_t i = 0; i < p.slices.size(); ++i)
      slicesOf[p.slices[i].population].push_back(i);
    std::atomic<uint64_t> volume{0}, cut{0};
    for (unsigned q = 0; q < numPops; ++q) {
      // Projections into q grouped by source population: a neuron's packet
      // reaches each core once whatever projection the targets belong to.
      std::map<unsigned, std::vector<unsigned>> bySource;
      for (unsigned pi = 0; pi < n.projections.size(); ++pi)
        if (n.projections[pi].post == q)
          bySource[n.projections[pi].pre].push_back(pi);
      uint64_t nPost = n.populations[q].shape.size();
      for (const auto &src : bySource) {
        unsigned pre = src.first;
        uint64_t nPre = n.populations[pre].shape.size();
        std::vector<std::vector<uint64_t>> starts;
        for (unsigned pi : src.second)
          starts.push_back(
              postStarts(n.connections->lists[pi], nPost, threads));
        const std::vector<uint32_t> &slices = slicesOf[q];
        unsigned chunks =
            std::max(1u, std::min<unsigned>(threads, unsigned(slices.size())));
        forEachTask(chunks, threads, [&](size_t t) {
          std::vector<uint32_t> volStamp(nPre, UINT32_MAX);
          std::vector<uint64_t> rowStamp(nPre, UINT64_MAX);
          uint64_t localVol = 0, localCut = 0;
          size_t b = slices.size() * t / chunks,
                 e = slices.size() * (t + 1) / chunks;
          for (size_t si = b; si < e; ++si) {
            uint32_t sidx = slices[si];
            SliceResources &r = s.resources[sidx];
            for (size_t li = 0; li < src.second.size(); ++li) {
              unsigned pi = src.second[li];
              const ConnectionList &l = n.connections->lists[pi];
              bool plastic = !n.projections[pi].stdp.empty();
              uint64_t rowKey = uint64_t(sidx) * src.second.size() + li;
              uint64_t rows = 0, syn = 0;
              for (uint32_t post : p.slices[sidx].neurons) {
                for (uint64_t i = starts[li][post]; i < starts[li][post + 1];
                     ++i) {
                  uint32_t pr = l.pre[i];
                  bool local = pre == q && p.sliceOf[pre][pr] == sidx;
                  localCut += !local;
                  ++syn;
                  if (rowStamp[pr] != rowKey) {
                    rowStamp[pr] = rowKey;
                    ++rows;
                  }
                  if (volStamp[pr] != sidx) {
                    volStamp[pr] = sidx;
                    localVol += !local;
                  }
                }
              }
              r.rows += rows;
              r.synapses += syn;
              r.sdramBytes += syn * kSynapseBytes + rows * kRowHeaderBytes +
                              (plastic ? rows * kPlasticRowHeaderBytes : 0);
            }
          }
          volume += localVol;
          cut += localCut;
        });
      }
    }
    s.commVolume = volume;
    s.edgeCut = cut;
  }
  for (const SliceResources &r : s.resources) {
    s.maxDTCMBytes = std::max(s.maxDTCMBytes, r.dtcmBytes);
    s.maxSDRAMBytes = std::max(s.maxSDRAMBytes, r.sdramBytes);
  }
  return s;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

/// "0-15,28-43,50".
static void printRanges(ArrayRef<uint32_t> v, raw_ostream &os) {
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1)
      ++j;
    if (i)
      os << ',';
    os << v[i];
    if (j > i)
      os << '-' << v[j];
    i = j + 1;
  }
}

void scnc::printPartition(const Network &n, const Partition &p,
                          raw_ostream &os) {
  os << "partition: " << n.populations.size() << " populations, "
     << p.slices.size() << " slices\n";
  size_t s = 0;
  for (unsigned q = 0; q < n.populations.size(); ++q) {
    const Population &pop = n.populations[q];
    size_t first = s;
    while (s < p.slices.size() && p.slices[s].population == q)
      ++s;
    uint32_t requested = n.neuronsPerCore(pop);
    os << "population " << pop.name << ": " << pop.shape.size()
       << " neurons, at most " << p.limits[q] << " per core";
    if (p.limits[q] < requested)
      os << " (neurons_per_core " << requested << ", lowered to fit DTCM)";
    os << ", " << (s - first) << " slices\n";
    for (size_t i = first; i < s; ++i) {
      os << "  slice " << i << ": " << p.slices[i].neurons.size()
         << " neurons: ";
      printRanges(p.slices[i].neurons, os);
      os << '\n';
    }
  }
}

void scnc::printPartitionStats(const Network &n, const Partition &p,
                               const PartitionStats &s, raw_ostream &os) {
  using namespace resources;
  os << "cores: " << s.cores << '\n';
  os << "neurons per core: min " << s.minNeurons << ", mean "
     << format("%.2f", s.meanNeurons) << ", max " << s.maxNeurons << '\n';
  os << "communication volume: " << s.commVolume << '\n';
  os << "edge cut: " << s.edgeCut << '\n';
  os << "DTCM per core: max " << s.maxDTCMBytes << " of " << kDTCMBytes
     << " bytes\n";
  os << "SDRAM per core: max " << s.maxSDRAMBytes << " bytes\n";
  for (unsigned q = 0; q < n.populations.size(); ++q) {
    uint32_t requested = n.neuronsPerCore(n.populations[q]);
    if (q < p.limits.size() && p.limits[q] < requested)
      os << "limit lowered: " << n.populations[q].name << ": " << requested
         << " -> " << p.limits[q]
         << " neurons per core (DTCM: " << dtcmBytesPerNeuron(n, q)
         << " bytes per neuron + " << kCoreFixedDTCMBytes << " per core, "
         << kDTCMBytes << " available)\n";
  }
}
