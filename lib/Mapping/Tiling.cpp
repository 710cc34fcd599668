//===- Tiling.cpp - Box tilings of convolution and pooling layers ---------===//
//
// The tiling partitioner (docs/mapping.md): a population whose every
// incoming projection is a convolution or a pool is cut into boxes of
// bh x bw positions x bc channels. Its communication volume (per source
// neuron, the tiles holding one of its targets) factorises over the three
// axes, so every box is costed exactly from the windows' geometry in
// O(H + W + C) without touching a synapse; the driver (Partition.cpp)
// compares the best box with METIS's partition on the connection lists and
// keeps the cheaper.
//
//===----------------------------------------------------------------------===//
#include "PartitionInternal.h"
#include "scnc/IR/Connections.h"
#include "scnc/Support/Parallel.h"

using namespace scnc;
using namespace scnc::partitioning;

namespace {

/// Per source index along one axis of a window, the first and last output
/// that reads it (outputsReading); first > last when none does.
struct AxisReach {
  std::vector<int64_t> first, last;
};

AxisReach axisReach(uint32_t in, uint32_t out, uint32_t k, uint32_t s,
                    uint32_t pad) {
  AxisReach r;
  for (uint32_t i = 0; i < in; ++i) {
    std::pair<int64_t, int64_t> o = outputsReading(i, k, s, pad, out);
    r.first.push_back(o.first);
    r.last.push_back(o.second);
  }
  return r;
}

/// Sum over the source indices of the tiles of size \p b their outputs
/// fall in.
uint64_t tilesHit(const AxisReach &r, uint32_t b) {
  uint64_t sum = 0;
  for (size_t i = 0; i < r.first.size(); ++i)
    if (r.first[i] <= r.last[i])
      sum += uint64_t(r.last[i] / b - r.first[i] / b + 1);
  return sum;
}

/// The distinct tile sizes along an axis of \p n: ceil(n / t) for t tiles.
std::vector<uint32_t> tileSizes(uint32_t n) {
  std::vector<uint32_t> out;
  for (uint32_t t = 1; t <= n; ++t) {
    uint32_t b = (n + t - 1) / t;
    if (out.empty() || out.back() != b)
      out.push_back(b);
  }
  return out;
}

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

} // namespace

llvm::Optional<Tiling> partitioning::bestTiling(const Network &n, unsigned pop,
                                                uint32_t limit,
                                                uint64_t maxCores) {
  const Shape &out = n.populations[pop].shape;
  if (!limit || out.size() <= limit)
    return llvm::None;
  // Each incoming projection's reach along the three axes.
  struct Incoming {
    AxisReach h, w;
    /// Per source channel, the output channels it reaches.
    std::vector<std::vector<uint32_t>> channels;
  };
  std::vector<Incoming> in;
  std::vector<uint32_t> src;
  for (const Projection &p : n.projections) {
    if (p.post != pop)
      continue;
    if (!isWindowed(p) || p.pre == pop)
      return llvm::None;
    const Shape &s = n.populations[p.pre].shape;
    Incoming i;
    i.h = axisReach(s.h, out.h, p.kernel.h, p.stride.h, p.padding.h);
    i.w = axisReach(s.w, out.w, p.kernel.w, p.stride.w, p.padding.w);
    i.channels.resize(s.c);
    for (uint32_t m = 0; m < out.c; ++m) {
      sourceChannels(p, s.c, m, src);
      for (uint32_t c : src)
        if (c < s.c)
          i.channels[c].push_back(m);
    }
    in.push_back(std::move(i));
  }
  if (in.empty())
    return llvm::None;
  std::vector<uint32_t> hs = tileSizes(out.h), ws = tileSizes(out.w),
                        cs = tileSizes(out.c);
  // Per candidate size, each projection's sum along each axis.
  auto axisSums = [&](const std::vector<uint32_t> &sizes, auto reach) {
    std::vector<std::vector<uint64_t>> sums(sizes.size());
    for (size_t k = 0; k < sizes.size(); ++k)
      for (const Incoming &i : in)
        sums[k].push_back(tilesHit(reach(i), sizes[k]));
    return sums;
  };
  auto hSums =
      axisSums(hs, [](const Incoming &i) -> const AxisReach & { return i.h; });
  auto wSums =
      axisSums(ws, [](const Incoming &i) -> const AxisReach & { return i.w; });
  std::vector<std::vector<uint64_t>> cSums(cs.size());
  std::vector<uint32_t> seen;
  for (size_t k = 0; k < cs.size(); ++k)
    for (const Incoming &i : in) {
      uint64_t sum = 0;
      for (const std::vector<uint32_t> &ms : i.channels) {
        seen.clear();
        for (uint32_t m : ms)
          seen.push_back(m / cs[k]);
        std::sort(seen.begin(), seen.end());
        sum += uint64_t(std::unique(seen.begin(), seen.end()) - seen.begin());
      }
      cSums[k].push_back(sum);
    }
  // Every box of at most `limit` neurons; the volume of a box is, per
  // projection, the product of its three axis sums (the tiles a source
  // neuron reaches are the product of the tiles along each axis). Among
  // the boxes on at most `maxCores` cores, or the fewest any box needs if
  // more (without `maxCores`: within 10% of those), the least volume, then
  // the fewest cores.
  std::vector<Tiling> boxes;
  for (size_t a = 0; a < hs.size(); ++a)
    for (size_t b = 0; b < ws.size(); ++b) {
      uint64_t plane = uint64_t(hs[a]) * ws[b];
      if (plane > limit)
        continue;
      // The largest channel tile that fits: fewer channel tiles never
      // reach more tiles.
      size_t c = 0;
      while (c < cs.size() && plane * cs[c] > limit)
        ++c;
      if (c == cs.size())
        continue;
      Tiling t{hs[a], ws[b], cs[c], 0, 0};
      t.cores =
          ceilDiv(out.h, t.bh) * ceilDiv(out.w, t.bw) * ceilDiv(out.c, t.bc);
      for (size_t j = 0; j < in.size(); ++j)
        t.volume += hSums[a][j] * wSums[b][j] * cSums[c][j];
      boxes.push_back(t);
    }
  if (boxes.empty())
    return llvm::None;
  uint64_t fewest = UINT64_MAX;
  for (const Tiling &t : boxes)
    fewest = std::min(fewest, t.cores);
  const uint64_t allowed =
      maxCores ? std::max(maxCores, fewest) : fewest + fewest / 10;
  llvm::Optional<Tiling> best;
  for (const Tiling &t : boxes) {
    if (t.cores > allowed)
      continue;
    if (!best || t.volume < best->volume ||
        (t.volume == best->volume && t.cores < best->cores))
      best = t;
  }
  return best;
}

std::vector<std::vector<uint32_t>> partitioning::tilingSlices(const Shape &s,
                                                              const Tiling &t) {
  // Tiles in order of their first neuron (channel-major neuron order:
  // channel tile, then rows, then columns).
  std::vector<std::vector<uint32_t>> out;
  const uint64_t plane = uint64_t(s.h) * s.w;
  for (uint32_t c0 = 0; c0 < s.c; c0 += t.bc)
    for (uint32_t y0 = 0; y0 < s.h; y0 += t.bh)
      for (uint32_t x0 = 0; x0 < s.w; x0 += t.bw) {
        out.emplace_back();
        std::vector<uint32_t> &tile = out.back();
        for (uint32_t c = c0; c < std::min(s.c, c0 + t.bc); ++c)
          for (uint32_t y = y0; y < std::min(s.h, y0 + t.bh); ++y)
            for (uint32_t x = x0; x < std::min(s.w, x0 + t.bw); ++x)
              tile.push_back(uint32_t(c * plane + uint64_t(y) * s.w + x));
      }
  llvm::sort(out, [](const std::vector<uint32_t> &a,
                     const std::vector<uint32_t> &b) { return a[0] < b[0]; });
  return out;
}

uint64_t
partitioning::incomingVolume(const Network &n, unsigned pop,
                             const std::vector<std::vector<uint32_t>> &slices,
                             unsigned threads) {
  // Projections into pop grouped by source: a neuron's packet reaches a
  // core once whatever projections its targets there belong to.
  std::map<unsigned, std::vector<unsigned>> bySource;
  for (unsigned pi = 0; pi < n.projections.size(); ++pi)
    if (n.projections[pi].post == pop)
      bySource[n.projections[pi].pre].push_back(pi);
  const uint64_t nPost = n.populations[pop].shape.size();
  uint64_t volume = 0;
  for (const auto &src : bySource) {
    // (Named copies: clang 14 cannot capture structured bindings.)
    const unsigned pre = src.first;
    const std::vector<unsigned> &lists = src.second;
    std::vector<std::vector<uint64_t>> starts;
    for (unsigned pi : lists)
      starts.push_back(postStarts(n.connections->lists[pi], nPost, threads));
    const uint64_t nPre = n.populations[pre].shape.size();
    unsigned chunks =
        std::max(1u, std::min<unsigned>(threads, unsigned(slices.size())));
    std::vector<uint64_t> part(chunks, 0);
    forEachTask(chunks, threads, [&](size_t t) {
      std::vector<uint32_t> stamp(nPre, UINT32_MAX);
      size_t b = slices.size() * t / chunks,
             e = slices.size() * (t + 1) / chunks;
      for (size_t si = b; si < e; ++si)
        for (size_t li = 0; li < lists.size(); ++li) {
          const ConnectionList &l = n.connections->lists[lists[li]];
          for (uint32_t post : slices[si])
            for (uint64_t i = starts[li][post]; i < starts[li][post + 1]; ++i)
              if (stamp[l.pre[i]] != si) {
                stamp[l.pre[i]] = uint32_t(si);
                // A neuron's own core is not a destination.
                part[t] += !(pre == pop &&
                             std::binary_search(slices[si].begin(),
                                                slices[si].end(), l.pre[i]));
              }
        }
    });
    for (uint64_t v : part)
      volume += v;
  }
  return volume;
}
