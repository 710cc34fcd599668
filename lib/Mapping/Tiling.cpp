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
#include "WindowSources.h"
#include "scnc/IR/Connections.h"
#include "scnc/Support/Parallel.h"

using namespace scnc;
using namespace scnc::partitioning;
using llvm::None;
using llvm::Optional;

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

/// A windowed projection's geometry: per source index along each axis the
/// outputs that read it, and per source channel the output channels.
struct Window {
  AxisReach h, w;
  std::vector<std::vector<uint32_t>> channels;
};

Window windowOf(const Network &n, const Projection &p) {
  const Shape &s = n.populations[p.pre].shape;
  const Shape &out = n.populations[p.post].shape;
  Window win;
  win.h = axisReach(s.h, out.h, p.kernel.h, p.stride.h, p.padding.h);
  win.w = axisReach(s.w, out.w, p.kernel.w, p.stride.w, p.padding.w);
  win.channels.resize(s.c);
  std::vector<uint32_t> src;
  for (uint32_t m = 0; m < out.c; ++m) {
    sourceChannels(p, s.c, m, src);
    for (uint32_t c : src)
      if (c < s.c)
        win.channels[c].push_back(m);
  }
  return win;
}

/// Along one axis, source tiles of size \p b: the sum over them of the
/// target tiles of size \p tb their reach overlaps.
uint64_t axisPairs(const AxisReach &r, uint32_t b, uint32_t tb) {
  uint64_t sum = 0;
  const int64_t size = int64_t(r.first.size());
  for (int64_t t0 = 0; t0 < size; t0 += b) {
    int64_t lo = INT64_MAX, hi = -1;
    for (int64_t i = t0; i < std::min<int64_t>(size, t0 + b); ++i)
      if (r.first[i] <= r.last[i]) {
        lo = std::min(lo, r.first[i]);
        hi = std::max(hi, r.last[i]);
      }
    if (lo <= hi)
      sum += uint64_t(hi / tb - lo / tb + 1);
  }
  return sum;
}

/// The same over channels: source channel tiles of \p b, target channel
/// tiles of \p tb.
uint64_t channelPairs(const Window &win, uint32_t b, uint32_t tb) {
  uint64_t sum = 0;
  std::vector<uint32_t> seen;
  const uint32_t c = uint32_t(win.channels.size());
  for (uint32_t c0 = 0; c0 < c; c0 += b) {
    seen.clear();
    for (uint32_t k = c0; k < std::min(c, c0 + b); ++k)
      for (uint32_t m : win.channels[k])
        seen.push_back(m / tb);
    llvm::sort(seen);
    sum += uint64_t(std::unique(seen.begin(), seen.end()) - seen.begin());
  }
  return sum;
}

/// (Source tile, target tile) pairs joined by a window, for source box
/// \p s and target box \p t: the product of the three axis sums (a source
/// tile reaches the product of the tiles along each axis).
uint64_t tilePairs(const Window &win, const Tiling &s, const Tiling &t) {
  return axisPairs(win.h, s.bh, t.bh) * axisPairs(win.w, s.bw, t.bw) *
         channelPairs(win, s.bc, t.bc);
}

/// Every box of at most \p limit neurons over \p shape, each with the
/// largest channel tile that fits (fewer channel tiles never reach more
/// tiles, nor are reached by more), with its cores.
std::vector<Tiling> candidateBoxes(const Shape &shape, uint32_t limit) {
  std::vector<uint32_t> hs = tileSizes(shape.h), ws = tileSizes(shape.w),
                        cs = tileSizes(shape.c);
  std::vector<Tiling> boxes;
  for (uint32_t bh : hs)
    for (uint32_t bw : ws) {
      uint64_t plane = uint64_t(bh) * bw;
      if (plane > limit)
        continue;
      size_t c = 0;
      while (c < cs.size() && plane * cs[c] > limit)
        ++c;
      if (c == cs.size())
        continue;
      Tiling t{bh, bw, cs[c], 0, 0};
      t.cores =
          ceilDiv(shape.h, bh) * ceilDiv(shape.w, bw) * ceilDiv(shape.c, t.bc);
      boxes.push_back(t);
    }
  return boxes;
}

} // namespace

Optional<Tiling>
partitioning::bestTiling(const Network &n, unsigned pop, uint32_t limit,
                         uint64_t maxCores,
                         const std::vector<Optional<Tiling>> &tilings) {
  const Shape &out = n.populations[pop].shape;
  if (!limit || out.size() <= limit)
    return None;
  // Each incoming projection's window, and its source's box if it has one.
  std::vector<Window> in;
  std::vector<const Tiling *> sourceBox;
  for (const Projection &p : n.projections) {
    if (p.post != pop)
      continue;
    if (!isWindowed(p) || p.pre == pop)
      return None;
    in.push_back(windowOf(n, p));
    sourceBox.push_back(
        p.pre < tilings.size() && tilings[p.pre] ? &*tilings[p.pre] : nullptr);
  }
  if (in.empty())
    return None;
  std::vector<uint32_t> hs = tileSizes(out.h), ws = tileSizes(out.w),
                        cs = tileSizes(out.c);
  // Per candidate size, each projection's sum along each axis: the target
  // tiles its source indices reach.
  auto axisSums = [&](const std::vector<uint32_t> &sizes, auto reach) {
    std::map<uint32_t, std::vector<uint64_t>> sums;
    for (uint32_t b : sizes)
      for (const Window &w : in)
        sums[b].push_back(axisPairs(reach(w), 1, b));
    return sums;
  };
  auto hSums =
      axisSums(hs, [](const Window &w) -> const AxisReach & { return w.h; });
  auto wSums =
      axisSums(ws, [](const Window &w) -> const AxisReach & { return w.w; });
  std::map<uint32_t, std::vector<uint64_t>> cSums;
  for (uint32_t b : cs)
    for (const Window &w : in)
      cSums[b].push_back(channelPairs(w, 1, b));
  // The volume of a box is, per projection, the product of its three axis
  // sums (the tiles a source neuron reaches are the product of the tiles
  // along each axis).
  std::vector<Tiling> boxes = candidateBoxes(out, limit);
  if (boxes.empty())
    return None;
  uint64_t fewest = UINT64_MAX;
  for (Tiling &t : boxes) {
    for (size_t j = 0; j < in.size(); ++j)
      t.volume += hSums[t.bh][j] * wSums[t.bw][j] * cSums[t.bc][j];
    fewest = std::min(fewest, t.cores);
  }
  // Among the boxes on at most `maxCores` cores, or the fewest any box
  // needs if more (without `maxCores`: within 10% of those): the least
  // volume, then the fewest (source tile, tile) pairs from the boxed
  // sources (the multicast trees' leaves: boxes aligned with the sources'
  // make tables that merge), then the fewest cores.
  const uint64_t allowed =
      maxCores ? std::max(maxCores, fewest) : fewest + fewest / 10;
  Optional<Tiling> best;
  uint64_t bestPairs = 0;
  for (const Tiling &t : boxes) {
    if (t.cores > allowed || (best && t.volume > best->volume))
      continue;
    uint64_t pairs = 0;
    for (size_t j = 0; j < in.size(); ++j)
      if (sourceBox[j])
        pairs += tilePairs(in[j], *sourceBox[j], t);
    if (!best || t.volume < best->volume || pairs < bestPairs ||
        (pairs == bestPairs && t.cores < best->cores)) {
      best = t;
      bestPairs = pairs;
    }
  }
  return best;
}

uint64_t partitioning::volumeLowerBound(const Network &n, unsigned pop,
                                        uint32_t limit) {
  if (!limit)
    return 0;
  std::vector<unsigned> sources;
  uint64_t bound = 0;
  for (const Projection &p : n.projections) {
    if (p.post != pop)
      continue;
    if (!isWindowed(p) || p.pre == pop ||
        std::count(sources.begin(), sources.end(), p.pre))
      return 0;
    sources.push_back(p.pre);
    // A source's targets are the outputs its window positions reach along
    // each axis times the output channels it reaches: no partition puts
    // them on fewer than ceil(targets / limit) cores.
    Window win = windowOf(n, p);
    auto reach = [](const AxisReach &r, size_t i) -> uint64_t {
      return r.first[i] <= r.last[i] ? uint64_t(r.last[i] - r.first[i] + 1) : 0;
    };
    for (size_t c = 0; c < win.channels.size(); ++c)
      for (size_t y = 0; y < win.h.first.size(); ++y)
        for (size_t x = 0; x < win.w.first.size(); ++x)
          bound += ceilDiv(win.channels[c].size() * reach(win.h, y) *
                               reach(win.w, x),
                           limit);
  }
  return bound;
}

bool partitioning::isTileableSource(const Network &n, unsigned pop,
                                    uint32_t limit) {
  if (!limit || n.populations[pop].shape.size() <= limit)
    return false;
  bool any = false;
  for (const Projection &p : n.projections) {
    if (p.post == pop)
      return false;
    if (p.pre == pop) {
      if (!isWindowed(p))
        return false;
      any = true;
    }
  }
  return any;
}

Optional<Tiling>
partitioning::sourceTiling(const Network &n, unsigned pop, uint32_t limit,
                           const std::vector<Optional<Tiling>> &tilings) {
  if (!isTileableSource(n, pop, limit))
    return None;
  std::vector<Window> out;
  std::vector<Tiling> targetBox;
  for (const Projection &p : n.projections) {
    if (p.pre != pop)
      continue;
    if (p.post >= tilings.size() || !tilings[p.post])
      return None;
    out.push_back(windowOf(n, p));
    targetBox.push_back(*tilings[p.post]);
  }
  std::vector<Tiling> boxes = candidateBoxes(n.populations[pop].shape, limit);
  if (boxes.empty())
    return None;
  // At most 10% more cores than the population needs at `limit` per core.
  const uint64_t ideal = ceilDiv(n.populations[pop].shape.size(), limit);
  Optional<Tiling> best;
  for (Tiling &t : boxes) {
    if (t.cores > ideal + ideal / 10)
      continue;
    for (size_t j = 0; j < out.size(); ++j)
      t.volume += tilePairs(out[j], t, targetBox[j]);
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
    unsigned chunks =
        std::max(1u, std::min<unsigned>(threads, unsigned(slices.size())));
    std::vector<uint64_t> part(chunks, 0);
    if (lists.size() == 1 && pre != pop &&
        isWindowed(n.projections[lists[0]])) {
      // From the window geometry (WindowSources), as partitionStats.
      forEachTask(chunks, threads, [&](size_t t) {
        WindowSources ws(n, n.projections[lists[0]]);
        size_t b = slices.size() * t / chunks,
               e = slices.size() * (t + 1) / chunks;
        for (size_t si = b; si < e; ++si)
          ws.forEach(slices[si], [&](uint32_t) { ++part[t]; });
      });
      for (uint64_t v : part)
        volume += v;
      continue;
    }
    std::vector<std::vector<uint64_t>> starts;
    for (unsigned pi : lists)
      starts.push_back(postStarts(n.connections->lists[pi], nPost, threads));
    const uint64_t nPre = n.populations[pre].shape.size();
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
