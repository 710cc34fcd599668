//===- ExpandConnections.cpp - Projections to connection lists ------------===//
//
// Every projection becomes a list of synapses sorted by (post, pre), written
// straight into preallocated structure-of-arrays buffers:
//  - conv (standard: kernel element ((f*Cin + c)*kH + ky)*kW + kx;
//    per-map: output map f*Cin + c reads input map c through 2-D kernel f,
//    element (f*kH + ky)*kW + kx, as the original system shares a kernel
//    across input maps), pool (output map c reads input map c, element
//    ky*kW + kx), with any stride, padding and non-square shape;
//  - dense, one_to_one, all_to_all (with or without self connections),
//    explicit lists from .npy/.csv files.
// Windowed kinds are split into output rows whose synapse offsets are known
// in advance, so threads fill disjoint ranges and the result does not depend
// on the thread count.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Summary.h"
#include "scnc/Support/Debug.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/Parallel.h"
#include "scnc/Support/Random.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define DEBUG_TYPE "expand-connections"

using namespace scnc;
using namespace llvm;

namespace {

/// Valid kernel taps [lo, hi) of output position o along one axis.
struct Range {
  uint32_t lo, hi;
  int64_t start; ///< input coordinate of tap 0
};

/// Stores a list entry bypassing the caches where the target has
/// non-temporal stores: the lists (gigabytes) are written once, in order,
/// and read much later, so reading each line in before writing it (what a
/// plain store does) only doubles the memory traffic the threads share.
inline void streamStore(uint32_t *at, uint32_t v) {
#if defined(__SSE2__)
  _mm_stream_si32(reinterpret_cast<int *>(at), int(v));
#else
  *at = v;
#endif
}

/// Orders a thread's non-temporal stores before it finishes its part.
struct StreamFence {
  ~StreamFence() {
#if defined(__SSE2__)
    _mm_sfence();
#endif
  }
};

std::vector<Range> axisRanges(uint32_t in, uint32_t out, uint32_t k, uint32_t s,
                              uint32_t pad) {
  std::vector<Range> r(out);
  for (uint64_t o = 0; o < out; ++o) {
    int64_t start = int64_t(o * s) - int64_t(pad);
    int64_t lo = std::max<int64_t>(0, -start);
    int64_t hi = std::min<int64_t>(k, int64_t(in) - start);
    r[o] = Range{uint32_t(lo), uint32_t(std::max(hi, lo)), start};
  }
  return r;
}

class Expander {
public:
  Expander(Network &n, PassContext &ctx) : net(n), ctx(ctx) {}
  bool run();

private:
  struct Plan {
    uint64_t synapses = 0;
    uint64_t tableSize = 0; ///< weight-table entries
    bool indexed = false;   ///< synapses carry a weight index
    NumArray list;          ///< from_list: the file's rows
  };
  bool plan(unsigned pi, Plan &p);
  bool fillWeights(const Projection &p, uint64_t n, ConnectionList &l,
                   const NumArray *list);
  void expandWindowed(const Projection &p, ConnectionList &l);
  void expandPairs(const Projection &p, ConnectionList &l);
  bool expandList(const Projection &p, Plan &plan, ConnectionList &l);
  std::string resolve(StringRef path) const;
  bool error(const Projection &p, const Twine &msg) {
    ctx.diag.error(p.loc, "projection '" + p.name + "': " + msg);
    return false;
  }

  Network &net;
  PassContext &ctx;
};

std::string Expander::resolve(StringRef path) const {
  if (sys::path::is_absolute(path) || net.sourceDir.empty())
    return path.str();
  SmallString<256> full(net.sourceDir);
  sys::path::append(full, path);
  return std::string(full.str());
}

std::string formatBytes(uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30))
    snprintf(buf, sizeof buf, "%.2f GiB", double(b) / double(1ull << 30));
  else if (b >= (1ull << 20))
    snprintf(buf, sizeof buf, "%.1f MiB", double(b) / double(1ull << 20));
  else
    snprintf(buf, sizeof buf, "%llu bytes", (unsigned long long)b);
  return buf;
}

bool Expander::plan(unsigned pi, Plan &pl) {
  const Projection &p = net.projections[pi];
  const Shape &in = net.populations[p.pre].shape;
  switch (p.kind) {
  case Projection::Kind::Conv:
    pl.tableSize = uint64_t(p.filters) * p.kernel.h * p.kernel.w *
                   (p.mode == Projection::ChannelMode::Standard ? in.c : 1);
    pl.indexed = true;
    break;
  case Projection::Kind::Pool:
    pl.tableSize = uint64_t(p.kernel.h) * p.kernel.w;
    pl.indexed = true;
    break;
  case Projection::Kind::FromList: {
    std::string path = resolve(p.listPath);
    Expected<NumArray> a = readArrayFile(path);
    if (!a)
      return error(p, toString(a.takeError()));
    if (Error e = checkFinite(*a, path))
      return error(p, toString(std::move(e)));
    if (a->shape.size() != 2 || a->cols() < 2 || a->cols() > 4)
      return error(
          p, "'" + path +
                 "': a connection list needs 2 to 4 columns "
                 "(pre, post[, weight[, delay]]), found shape (" +
                 [&] {
                   std::string s;
                   for (size_t i = 0; i < a->shape.size(); ++i)
                     s += (i ? ", " : "") + std::to_string(a->shape[i]);
                   return s;
                 }() +
                 ")");
    uint64_t cols = a->cols();
    // Rows are named by their CSV line or 0-based .npy row.
    auto rowError = [&](uint64_t r, const Twine &msg) {
      return error(p, "'" + path + "': " + a->rowName(r) + ": " + msg);
    };
    auto checkIndex = [&](uint64_t r, unsigned col, StringRef what,
                          unsigned pop) {
      double v = a->data[r * cols + col];
      uint64_t limit = net.populations[pop].shape.size();
      if (v != std::floor(v))
        return rowError(r, what + " index " + formatNumber(v) +
                               " is not an integer");
      if (v < 0 || v >= double(limit))
        return rowError(
            r, what + " index " + formatNumber(v) + " is out of range: '" +
                   net.populations[pop].name + "' has " + withCommas(limit) +
                   " neurons (0 to " + withCommas(limit - 1) + ")");
      return true;
    };
    for (uint64_t r = 0; r < a->rows(); ++r) {
      if (!checkIndex(r, 0, "pre", p.pre) || !checkIndex(r, 1, "post", p.post))
        return false;
      if (cols >= 3 && a->data[r * cols + 2] < 0)
        return rowError(r, "negative weight " +
                               formatNumber(a->data[r * cols + 2]) +
                               " (use receptor = inhibitory)");
      if (cols == 4 && a->data[r * cols + 3] < net.sim.timestep)
        return rowError(r, "delay " + formatNumber(a->data[r * cols + 3]) +
                               " ms is below the timestep (" +
                               formatNumber(net.sim.timestep) + " ms)");
    }
    pl.synapses = a->rows();
    pl.tableSize = pl.synapses;
    pl.list = std::move(*a);
    return true;
  }
  default:
    break;
  }
  pl.synapses = analyzeProjection(net, p).synapses;
  if (!pl.indexed)
    pl.tableSize = pl.synapses;
  if (pl.tableSize > UINT32_MAX && pl.indexed)
    return error(p, "more than 2^32 kernel elements");
  return true;
}

bool Expander::fillWeights(const Projection &p, uint64_t n, ConnectionList &l,
                           const NumArray *list) {
  const StdpRule *rule = p.stdp.empty() ? nullptr : net.findStdpRule(p.stdp);
  double lo = rule ? rule->wMin : 0.0;
  double hi = rule ? rule->wMax : HUGE_VAL;
  l.weights.resize(n);
  const WeightInit &w = p.weights;
  uint64_t clipped = 0;
  auto clip = [&](double v) {
    double c = std::min(std::max(v, lo), hi);
    clipped += c != v;
    return float(c);
  };
  if (list && list->cols() >= 3) {
    // A learning projection's list weights obey the rule's bounds too.
    for (uint64_t i = 0; i < n; ++i)
      l.weights[i] = clip(list->data[i * list->cols() + 2]);
    return true;
  }
  switch (w.kind) {
  case WeightInit::Constant:
    std::fill(l.weights.begin(), l.weights.end(), clip(w.value));
    break;
  case WeightInit::Shared:
  case WeightInit::Mean:
  case WeightInit::Complement: {
    // The other projection's weights over the same synapses (the verifier
    // checked the geometry): the same (Shared), scale * (w_max - w), at
    // least 0 (Complement), or scale times the mean over the filters of
    // the weight at the same kernel element (Mean, conv only: the table is
    // filter-major).
    const Projection *of = nullptr;
    for (const Projection &q : net.projections)
      if (q.name == w.of)
        of = &q;
    if (!of || of->weights.derived())
      return error(p, Twine(w.kind == WeightInit::Shared ? "shared weights"
                            : w.kind == WeightInit::Mean ? "filter mean"
                                                         : "complement") +
                          " of '" + w.of + "': no such projection");
    ConnectionList src;
    if (!fillWeights(*of, n, src, nullptr))
      return false;
    if (w.kind == WeightInit::Mean) {
      // (The verifier rejects zero filters; a table of zero entries stays
      // empty.)
      uint64_t groups = p.filters, per = groups ? n / groups : 0;
      if (per == 0)
        break;
      std::vector<double> sum(per, 0.0);
      for (uint64_t i = 0; i < n; ++i)
        sum[i % per] += src.weights[i];
      for (uint64_t i = 0; i < n; ++i)
        l.weights[i] = clip(w.scale * sum[i % per] / double(groups));
      break;
    }
    for (uint64_t i = 0; i < n; ++i)
      l.weights[i] =
          w.kind == WeightInit::Shared
              ? clip(src.weights[i])
              : clip(std::max(0.0, w.scale * (w.wMax - src.weights[i])));
    break;
  }
  case WeightInit::Normal: {
    // Every draw is addressable: fill in parallel, same table for any -j.
    NormalStream stream(w.seed, w.mean, w.sigma);
    std::atomic<uint64_t> clippedNormal{0};
    float *out = l.weights.data();
    parallelFor(n, ctx.options.threads, [&](uint64_t b, uint64_t e) {
      uint64_t local = 0;
      for (uint64_t i = b; i < e; ++i) {
        double v = stream.at(i);
        double c = std::min(std::max(v, lo), hi);
        local += c != v;
        out[i] = float(c);
      }
      clippedNormal += local;
    });
    clipped += clippedNormal;
    break;
  }
  case WeightInit::File:
  case WeightInit::Dense: {
    // Say so before complaining about the file.
    bool dense = w.kind == WeightInit::Dense;
    if (p.kind != Projection::Kind::Conv && p.kind != Projection::Kind::Dense)
      return error(
          p, Twine("weights from ") + (dense ? "a dense array" : "a file") +
                 " are not supported for " + toString(p.kind) + " projections");
    std::string path = dense ? "dense weights" : resolve(w.path);
    // The IR's own array is read in place; a file's is read here.
    Expected<NumArray> file = dense ? NumArray() : readArrayFile(path);
    if (!file)
      return error(p, toString(file.takeError()));
    const NumArray *a = dense ? w.array.get() : &*file;
    if (Error e = checkFinite(*a, path))
      return error(p, toString(std::move(e)));
    const Shape &in = net.populations[p.pre].shape;
    uint64_t nPost = net.populations[p.post].shape.size();
    // Exact shapes only: a channels-last or transposed array with the right
    // number of values would otherwise be misread silently.
    std::vector<std::vector<uint64_t>> accepted;
    std::string expect;
    uint64_t F = p.filters, kH = p.kernel.h, kW = p.kernel.w;
    switch (p.kind) {
    case Projection::Kind::Conv:
      if (p.mode == Projection::ChannelMode::Standard) {
        // 2-D (CSV): one row per filter in (channel, ky, kx) order.
        accepted = {{F, in.c, kH, kW}, {F, in.c * kH * kW}};
        expect = "(" + std::to_string(F) + ", " + std::to_string(in.c) + ", " +
                 std::to_string(kH) + ", " + std::to_string(kW) +
                 ") (filters, input channels, kernel height, width) or (" +
                 std::to_string(F) + ", " + std::to_string(in.c * kH * kW) +
                 ")";
      } else {
        accepted = {{F, kH, kW}, {F, kH * kW}};
        expect = "(" + std::to_string(F) + ", " + std::to_string(kH) + ", " +
                 std::to_string(kW) + ") (filters, kernel height, width) or (" +
                 std::to_string(F) + ", " + std::to_string(kH * kW) + ")";
      }
      break;
    case Projection::Kind::Dense:
      accepted = {{in.size(), nPost}};
      expect = "(" + std::to_string(in.size()) + ", " + std::to_string(nPost) +
               ") (pre, post)";
      break;
    default:
      llvm_unreachable("checked above");
    }
    if (!llvm::is_contained(accepted, a->shape)) {
      std::string got;
      for (size_t i = 0; i < a->shape.size(); ++i)
        got += (i ? ", " : "") + std::to_string(a->shape[i]);
      return error(p, "'" + path + "': weights of shape (" + got +
                          "), expected " + expect);
    }
    for (uint64_t i = 0; i < n; ++i) {
      // Synapse i's entry in the file: dense lists are post-major, the file
      // is (pre, post).
      uint64_t at = p.kind == Projection::Kind::Dense
                        ? (i % in.size()) * nPost + i / in.size()
                        : i;
      double v = a->data[at];
      if (v < 0)
        return error(p, "'" + path + "': negative weight " + formatNumber(v) +
                            " at " + a->entryName(at) +
                            " (use receptor = inhibitory)");
      l.weights[i] = clip(v);
    }
    break;
  }
  }
  SCNC_DEBUG(dbgs() << "expand-connections: " << p.name << ": " << n
                    << " weights, " << clipped << " clipped to [" << lo << ", "
                    << hi << "]\n");
  return true;
}

void Expander::expandWindowed(const Projection &p, ConnectionList &l) {
  const Shape &in = net.populations[p.pre].shape;
  const Shape &out = net.populations[p.post].shape;
  std::vector<Range> rh =
      axisRanges(in.h, out.h, p.kernel.h, p.stride.h, p.padding.h);
  std::vector<Range> rw =
      axisRanges(in.w, out.w, p.kernel.w, p.stride.w, p.padding.w);
  bool pool = p.kind == Projection::Kind::Pool;
  bool standard = !pool && p.mode == Projection::ChannelMode::Standard;
  uint64_t chans = standard ? in.c : 1; // input maps per output map
  uint64_t sumW = 0;
  for (const Range &r : rw)
    sumW += r.hi - r.lo;
  // Rows (output map, oy) in post order, with their first synapse.
  uint64_t rows = uint64_t(out.c) * out.h;
  std::vector<uint64_t> offset(rows + 1, 0);
  for (uint64_t r = 0; r < rows; ++r) {
    const Range &h = rh[r % out.h];
    offset[r + 1] = offset[r] + uint64_t(h.hi - h.lo) * sumW * chans;
  }
  uint64_t planeIn = uint64_t(in.h) * in.w, planeOut = uint64_t(out.h) * out.w;
  uint32_t kh = p.kernel.h, kw = p.kernel.w;
  uint32_t cin = in.c;
  uint32_t *pre = l.pre.begin(), *post = l.post.begin(),
           *widx = l.weightIndex.begin();
  parallelFor(rows, ctx.options.threads, [&](uint64_t rb, uint64_t re) {
    StreamFence fence;
    for (uint64_t r = rb; r < re; ++r) {
      uint64_t m = r / out.h, oy = r % out.h;
      const Range &h = rh[oy];
      uint64_t o = offset[r];
      // Input maps and kernel-element base of output map m.
      uint64_t firstIn, f;
      if (standard) {
        f = m, firstIn = 0;
      } else if (pool) {
        f = 0, firstIn = m;
      } else {
        f = m / cin, firstIn = m % cin;
      }
      for (uint64_t ox = 0; ox < out.w; ++ox) {
        const Range &w = rw[ox];
        uint32_t postIdx = uint32_t(m * planeOut + oy * out.w + ox);
        for (uint64_t ci = 0; ci < chans; ++ci) {
          uint64_t c = firstIn + ci;
          uint64_t kbase = standard ? (f * cin + c) * kh : f * kh;
          for (uint32_t ky = h.lo; ky < h.hi; ++ky) {
            uint64_t rowBase =
                c * planeIn + uint64_t(h.start + ky) * in.w + uint64_t(w.start);
            uint32_t ebase = uint32_t((kbase + ky) * kw);
            for (uint32_t kx = w.lo; kx < w.hi; ++kx, ++o) {
              streamStore(pre + o, uint32_t(rowBase + kx));
              streamStore(post + o, postIdx);
              streamStore(widx + o, ebase + kx);
            }
          }
        }
      }
    }
  });
}

void Expander::expandPairs(const Projection &p, ConnectionList &l) {
  uint64_t nPre = net.populations[p.pre].shape.size();
  uint64_t nPost = net.populations[p.post].shape.size();
  uint32_t *pre = l.pre.begin(), *post = l.post.begin();
  if (p.kind == Projection::Kind::OneToOne) {
    parallelFor(l.size(), ctx.options.threads, [&](uint64_t b, uint64_t e) {
      for (uint64_t i = b; i < e; ++i)
        pre[i] = post[i] = uint32_t(i);
    });
    return;
  }
  // dense and all_to_all: post-major, every pre (but itself, maybe).
  bool noSelf =
      p.kind == Projection::Kind::AllToAll && p.pre == p.post && !p.allowSelf;
  uint64_t perPost = noSelf ? nPre - 1 : nPre;
  parallelFor(nPost, ctx.options.threads, [&](uint64_t b, uint64_t e) {
    for (uint64_t q = b; q < e; ++q) {
      uint64_t o = q * perPost;
      for (uint64_t s = 0; s < nPre; ++s) {
        if (noSelf && s == q)
          continue;
        pre[o] = uint32_t(s);
        post[o] = uint32_t(q);
        ++o;
      }
    }
  });
}

bool Expander::expandList(const Projection &p, Plan &pl, ConnectionList &l) {
  const NumArray &a = pl.list;
  uint64_t cols = a.cols(), n = a.rows();
  // Stable order by (post, pre): duplicates keep the file's order.
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint64_t x, uint64_t y) {
    double px = a.data[x * cols + 1], py = a.data[y * cols + 1];
    if (px != py)
      return px < py;
    return a.data[x * cols] < a.data[y * cols];
  });
  NumArray sorted;
  sorted.shape = a.shape;
  sorted.data.resize(a.data.size());
  for (uint64_t i = 0; i < n; ++i)
    std::copy_n(&a.data[order[i] * cols], cols, &sorted.data[i * cols]);
  pl.list = NumArray();
  for (uint64_t i = 0; i < n; ++i) {
    l.pre[i] = uint32_t(sorted.data[i * cols]);
    l.post[i] = uint32_t(sorted.data[i * cols + 1]);
  }
  if (cols == 4) {
    if (!l.delays.allocate(n))
      return error(p, "out of memory for " + Twine(n) + " delays");
    for (uint64_t i = 0; i < n; ++i)
      l.delays[i] = float(sorted.data[i * cols + 3]);
  }
  return fillWeights(p, n, l, &sorted);
}

bool Expander::run() {
  std::vector<Plan> plans(net.projections.size());
  bool ok = true;
  uint64_t total = 0, synapses = 0;
  for (unsigned i = 0; i < net.projections.size(); ++i) {
    if (!plan(i, plans[i])) {
      ok = false;
      continue;
    }
    const Plan &pl = plans[i];
    // pre + post, then a weight index (conv, pool) or a weight (the rest),
    // a delay for lists that have them, and the kernel table.
    uint64_t perSyn = 12 + (pl.list.cols() == 4 ? 4 : 0);
    total += pl.synapses * perSyn + (pl.indexed ? pl.tableSize * 4 : 0);
    synapses += pl.synapses;
  }
  if (!ok)
    return false;
  if (ctx.options.maxMemory && total > ctx.options.maxMemory) {
    ctx.diag.error(net.loc, "expanding the connections of '" + net.name +
                                "' needs " + formatBytes(total) + " for " +
                                withCommas(synapses) +
                                " synapses, more than --max-memory allows (" +
                                formatBytes(ctx.options.maxMemory) + ")");
    return false;
  }
  auto set = std::make_shared<ConnectionSet>();
  set->lists.resize(net.projections.size());
  for (unsigned i = 0; i < net.projections.size(); ++i) {
    const Projection &p = net.projections[i];
    Plan &pl = plans[i];
    ConnectionList &l = set->lists[i];
    if (!l.pre.allocate(pl.synapses) || !l.post.allocate(pl.synapses) ||
        (pl.indexed && !l.weightIndex.allocate(pl.synapses))) {
      ctx.diag.error(p.loc, "projection '" + p.name + "': out of memory for " +
                                withCommas(pl.synapses) + " synapses");
      return false;
    }
    switch (p.kind) {
    case Projection::Kind::Conv:
    case Projection::Kind::Pool:
      expandWindowed(p, l);
      ok &= fillWeights(p, pl.tableSize, l, nullptr);
      break;
    case Projection::Kind::FromList:
      ok &= expandList(p, pl, l);
      break;
    default:
      expandPairs(p, l);
      ok &= fillWeights(p, pl.synapses, l, nullptr);
      break;
    }
    SCNC_DEBUG(dbgs() << "expand-connections: " << p.name << ": " << l.size()
                      << " synapses, " << l.weights.size() << " weights\n");
  }
  if (!ok)
    return false;
  net.connections = std::move(set);
  return true;
}

} // namespace

bool scnc::runExpandConnections(Network &n, PassContext &ctx) {
  Expander e(n, ctx);
  return e.run();
}
