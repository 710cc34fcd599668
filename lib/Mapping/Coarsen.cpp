//===- Coarsen.cpp - Populations into coarse vertices ---------------------===//
//
// Step 1 of the METIS partitioner (docs/mapping.md): a population with a
// spatial layout that convolutions or pools touch is split into (position,
// channel group) vertices. Channels that read the same source channels (all
// of them in a standard convolution, one input map's in a per-map one) form
// a class; every class is cut into the fewest near-equal groups that pack
// cores with at most ~5% waste (usually one: the whole column). Other
// populations: one vertex per neuron up to 50,000 neurons, else runs of
// consecutive neurons.
//
//===----------------------------------------------------------------------===//
#include "PartitionInternal.h"

using namespace scnc;
using namespace scnc::partitioning;

void partitioning::sourceChannels(const Projection &p, uint32_t cin, uint32_t m,
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
static std::vector<std::vector<uint32_t>> channelClasses(const Network &n,
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

Coarse partitioning::coarsen(const Network &n, unsigned pop, uint32_t limit) {
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
