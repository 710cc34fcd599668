//===- Connections.cpp - Connection statistics and printing ---------------===//
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Shapes.h"
#include "scnc/IR/Summary.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/Parallel.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cstdlib>
#include <sys/mman.h>

using namespace scnc;
using namespace llvm;

static constexpr uint64_t kLargeThreshold = 4ull << 20;

void *scnc::allocateLarge(uint64_t bytes) {
  if (bytes < kLargeThreshold)
    return std::malloc(bytes);
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return nullptr;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

void scnc::freeLarge(void *p, uint64_t bytes) {
  if (bytes < kLargeThreshold)
    std::free(p);
  else
    munmap(p, bytes);
}

namespace {
/// Per output position along one dimension, the kernel taps inside the
/// input; per input position, the windows that cover it.
struct AxisCounts {
  std::vector<uint32_t> taps, cover;
};

AxisCounts axisCounts(uint32_t in, uint32_t out, uint32_t k, uint32_t s,
                      uint32_t pad) {
  AxisCounts a;
  a.taps.assign(out, 0);
  a.cover.assign(in, 0);
  for (uint64_t o = 0; o < out; ++o) {
    int64_t start = int64_t(o * s) - int64_t(pad);
    int64_t lo = std::max<int64_t>(start, 0);
    int64_t hi = std::min<int64_t>(start + int64_t(k), int64_t(in));
    for (int64_t i = lo; i < hi; ++i)
      ++a.cover[i];
    a.taps[o] = hi > lo ? uint32_t(hi - lo) : 0;
  }
  return a;
}

std::pair<uint64_t, uint64_t> minMax(const std::vector<uint32_t> &v) {
  if (v.empty())
    return {0, 0};
  auto mm = std::minmax_element(v.begin(), v.end());
  return {*mm.first, *mm.second};
}

FanStats product(const std::vector<uint32_t> &a, const std::vector<uint32_t> &b,
                 uint64_t factor, uint64_t total, uint64_t count) {
  FanStats f;
  auto ma = minMax(a), mb = minMax(b);
  f.min = ma.first * mb.first * factor;
  f.max = ma.second * mb.second * factor;
  f.mean = count ? double(total) / double(count) : 0;
  return f;
}

FanStats uniform(uint64_t v, uint64_t total, uint64_t count) {
  FanStats f;
  f.min = f.max = v;
  f.mean = count ? double(total) / double(count) : 0;
  return f;
}
} // namespace

ProjectionStats scnc::analyzeProjection(const Network &n, const Projection &p) {
  const Shape &in = n.populations[p.pre].shape;
  const Shape &out = n.populations[p.post].shape;
  uint64_t nPre = in.size(), nPost = out.size();
  ProjectionStats s;
  switch (p.kind) {
  case Projection::Kind::Conv:
  case Projection::Kind::Pool: {
    AxisCounts h = axisCounts(in.h, out.h, p.kernel.h, p.stride.h, p.padding.h);
    AxisCounts w = axisCounts(in.w, out.w, p.kernel.w, p.stride.w, p.padding.w);
    bool pool = p.kind == Projection::Kind::Pool;
    bool standard = !pool && p.mode == Projection::ChannelMode::Standard;
    uint64_t filters = pool ? 1 : p.filters;
    s.synapses = countSynapses(n, p);
    s.fanIn = product(h.taps, w.taps, standard ? in.c : 1, s.synapses, nPost);
    s.fanOut = product(h.cover, w.cover, filters, s.synapses, nPre);
    return s;
  }
  case Projection::Kind::Dense:
    s.synapses = countSynapses(n, p);
    s.fanIn = uniform(nPre, s.synapses, nPost);
    s.fanOut = uniform(nPost, s.synapses, nPre);
    return s;
  case Projection::Kind::OneToOne: {
    s.synapses = countSynapses(n, p);
    s.fanIn = uniform(1, s.synapses, nPost);
    s.fanIn.min = nPost > s.synapses ? 0 : 1;
    s.fanOut = uniform(1, s.synapses, nPre);
    s.fanOut.min = nPre > s.synapses ? 0 : 1;
    return s;
  }
  case Projection::Kind::AllToAll: {
    bool noSelf = p.pre == p.post && !p.allowSelf;
    s.synapses = countSynapses(n, p);
    s.fanIn = uniform(noSelf ? nPre - 1 : nPre, s.synapses, nPost);
    s.fanOut = uniform(noSelf ? nPost - 1 : nPost, s.synapses, nPre);
    return s;
  }
  case Projection::Kind::FromList:
    s.known = false;
    return s;
  }
  return s;
}

ProjectionStats scnc::measureProjection(const Network &n, const Projection &p,
                                        const ConnectionList &l) {
  uint64_t nPre = n.populations[p.pre].shape.size();
  uint64_t nPost = n.populations[p.post].shape.size();
  std::vector<uint32_t> in(nPost, 0), out(nPre, 0);
  for (uint64_t i = 0; i < l.size(); ++i) {
    ++in[l.post[i]];
    ++out[l.pre[i]];
  }
  ProjectionStats s;
  s.synapses = l.size();
  auto stats = [&](const std::vector<uint32_t> &v, uint64_t count) {
    FanStats f;
    auto mm = minMax(v);
    f.min = mm.first;
    f.max = mm.second;
    f.mean = count ? double(s.synapses) / double(count) : 0;
    return f;
  };
  s.fanIn = stats(in, nPost);
  s.fanOut = stats(out, nPre);
  return s;
}

void scnc::printConnections(const Network &n, const ConnectionSet &c,
                            raw_ostream &os, uint64_t maxPrint) {
  for (size_t pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    const ConnectionList &l = c.lists[pi];
    os << "projection " << p.name << " (" << n.populations[p.pre].name << " -> "
       << n.populations[p.post].name << ") : " << toString(p.kind) << ", "
       << withCommas(l.size()) << (l.size() == 1 ? " synapse, " : " synapses, ")
       << toString(p.receptor) << ", delay ";
    printNumber(os, p.delay);
    os << " ms, " << withCommas(l.weights.size()) << " weight"
       << (l.weights.size() == 1 ? "" : "s") << "\n";
    os << "  pre post weight element" << (l.delays.empty() ? "" : " delay")
       << "\n";
    uint64_t shown =
        maxPrint ? std::min<uint64_t>(maxPrint, l.size()) : l.size();
    for (uint64_t i = 0; i < shown; ++i) {
      os << "  " << l.pre[i] << ' ' << l.post[i] << ' '
         << format("%.9g", double(l.weight(i))) << ' ' << l.element(i);
      if (!l.delays.empty()) {
        os << ' ';
        printNumber(os, l.delays[i]);
      }
      os << '\n';
    }
    if (shown < l.size())
      os << "  ... " << withCommas(l.size() - shown)
         << " more (--max-print=0 prints all)\n";
  }
}

Error scnc::writeConnectionsNpy(const Network &n, StringRef dir) {
  if (!n.connections)
    return createStringError(inconvertibleErrorCode(),
                             "the connections were not expanded");
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, "cannot create directory '%s': %s",
                             dir.str().c_str(), ec.message().c_str());
  for (size_t pi = 0; pi < n.projections.size(); ++pi) {
    const Projection &p = n.projections[pi];
    const ConnectionList &l = n.connections->lists[pi];
    SmallString<256> path(dir);
    sys::path::append(path, p.name + ".npy");
    Error e = writeOutputAtomically(path, [&](raw_ostream &os) {
      writeNpyHeader(os, "<f8", {l.size(), 4});
      for (uint64_t i = 0; i < l.size(); ++i) {
        double row[4] = {double(l.pre[i]), double(l.post[i]),
                         double(l.weight(i)),
                         l.delays.empty() ? p.delay : double(l.delays[i])};
        for (double v : row)
          support::endian::write<double>(os, v, support::little);
      }
      return Error::success();
    });
    if (e)
      return e;
  }
  return Error::success();
}

std::vector<uint64_t> scnc::postStarts(const ConnectionList &l, uint64_t nPost,
                                       unsigned threads) {
  std::vector<uint64_t> start(nPost + 1, l.size());
  uint64_t syn = l.size();
  if (!syn)
    return start;
  unsigned chunks = std::max(1u, threads);
  forEachTask(chunks, threads, [&](size_t t) {
    uint64_t b = syn * t / chunks, e = syn * (t + 1) / chunks;
    for (uint64_t i = b; i < e; ++i) {
      uint32_t prev = i ? l.post[i - 1] : UINT32_MAX;
      if (i && prev == l.post[i])
        continue;
      // Posts (prev, post[i]] start at i (all of [0, post[0]] for i = 0).
      uint64_t from = i ? uint64_t(prev) + 1 : 0;
      for (uint64_t q = from; q <= l.post[i]; ++q)
        start[q] = i;
    }
  });
  return start;
}
