//===- AffinityGraph.cpp - Coarse vertices joined by shared sources -------===//
//
// Steps 2 and 3 of the METIS partitioner (docs/mapping.md). Nets: every
// group of source neurons with the same set of target vertices is a net
// weighted by its neuron count (its packets per spike). Windowed
// projections give them from geometry (a source position reaches the
// outputs whose window covers it), explicit lists from the lists; dense,
// all-to-all and one-to-one projections carry no information (their nets
// hold every vertex or one). A population without informative inputs (a
// spike source) uses its outputs instead: one net per target vertex over
// the vertices feeding it. Affinity: A = M W M^T (Eigen sparse product), M
// the vertex x net incidence, W the net weights: A(u, v) = source neurons
// that target both u and v.
//
//===----------------------------------------------------------------------===//
#include "PartitionInternal.h"
#include "scnc/IR/Connections.h"
#include <Eigen/SparseCore>
#include <cmath>
#include <numeric>

using namespace scnc;
using namespace scnc::partitioning;

/// Output channels that input channel `c` drives (docs/ir.md).
static void targetChannels(const Projection &p, uint32_t cin, uint32_t cout,
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

/// Source classes of a windowed projection: input channels grouped by the
/// sorted set of "target keys" they reach (coarse groups of a spatial
/// target, channels otherwise), with their counts.
static std::map<std::vector<uint32_t>, uint64_t>
inputClasses(const Projection &p, const Shape &in, const Shape &out,
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
static void windowedInputNets(const Network &n, const Projection &p,
                              const Coarse &q, Nets &nets) {
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
static void windowedOutputNets(const Network &n, const Projection &p,
                               const Coarse &q, Nets &nets) {
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
static void listInputNets(const Network &n, const Projection &p,
                          const ConnectionList &l, const Coarse &q,
                          Nets &nets) {
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
static void listOutputNets(const ConnectionList &l, const Coarse &q,
                           Nets &nets) {
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

Nets partitioning::populationNets(const Network &n, unsigned pop,
                                  const Coarse &c, bool &fromOutputs) {
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
  fromOutputs = !nets.size();
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
  return nets;
}

/// Keeps the pair count of the affinity product bounded: the largest nets
/// go first (they are the least informative) until sum(size^2) fits.
constexpr uint64_t kMaxNetPairs = 400000000;

PartitionGraph partitioning::affinityGraph(const Coarse &c, const Nets &nets) {
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
