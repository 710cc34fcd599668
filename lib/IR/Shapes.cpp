//===- Shapes.cpp ---------------------------------------------------------===//
#include "scnc/IR/Shapes.h"
#include "scnc/IR/Printer.h"

using namespace scnc;

static bool outDim(uint64_t in, uint64_t k, uint64_t s, uint64_t pad,
                   uint64_t &out) {
  uint64_t span = in + 2 * pad; // no overflow: all factors < 2^32
  if (span < k)
    return false;
  out = (span - k) / s + 1;
  return true;
}

bool scnc::computeOutputShape(const Shape &in, const Projection &p, Shape &out,
                              std::string &error) {
  out = Shape();
  uint64_t h = 0, w = 0, c = 0;
  auto windowed = [&](uint64_t depth) {
    bool okH = outDim(in.h, p.kernel.h, p.stride.h, p.padding.h, h);
    bool okW = outDim(in.w, p.kernel.w, p.stride.w, p.padding.w, w);
    if (okH && okW) {
      c = depth;
      return true;
    }
    auto explain = [&](const char *dim, uint64_t i, uint64_t k, uint64_t s,
                       uint64_t pad) {
      int64_t num = int64_t(i) + 2 * int64_t(pad) - int64_t(k);
      // floor division for negative numerators
      int64_t q =
          num >= 0 ? num / int64_t(s) : -((-num + int64_t(s) - 1) / int64_t(s));
      return std::string("output ") + dim + " collapses to " +
             std::to_string(q + 1) + ": input " + formatShape(in) +
             ", kernel " + std::to_string(p.kernel.h) + "x" +
             std::to_string(p.kernel.w) + ", stride " +
             std::to_string(p.stride.h) + "x" + std::to_string(p.stride.w) +
             ", padding " + std::to_string(p.padding.h) + "x" +
             std::to_string(p.padding.w) + " give floor((" + std::to_string(i) +
             " + 2*" + std::to_string(pad) + " - " + std::to_string(k) + ")/" +
             std::to_string(s) + ") + 1 = " + std::to_string(q + 1);
    };
    error = !okH ? explain("height", in.h, p.kernel.h, p.stride.h, p.padding.h)
                 : explain("width", in.w, p.kernel.w, p.stride.w, p.padding.w);
    return false;
  };
  switch (p.kind) {
  case Projection::Kind::Conv: {
    uint64_t depth = p.filters;
    if (p.mode == Projection::ChannelMode::PerMap)
      depth *= in.c; // both < 2^32: fits 64 bits
    if (!windowed(depth))
      return false;
    break;
  }
  case Projection::Kind::Pool:
    if (!windowed(in.c))
      return false;
    break;
  case Projection::Kind::Dense:
    h = 1, w = 1, c = p.units;
    break;
  case Projection::Kind::OneToOne:
    h = in.h, w = in.w, c = in.c;
    break;
  case Projection::Kind::AllToAll:
  case Projection::Kind::FromList:
    return true;
  }
  uint64_t hw, n;
  if (__builtin_mul_overflow(h, w, &hw) || __builtin_mul_overflow(hw, c, &n) ||
      n > UINT32_MAX || c > UINT32_MAX) {
    error = "output shape " + std::to_string(h) + "x" + std::to_string(w) +
            "x" + std::to_string(c) +
            " has too many neurons (the limit is 2^32 - 1)";
    return false;
  }
  out = Shape{uint32_t(h), uint32_t(w), uint32_t(c)};
  return true;
}

Pair scnc::uncoveredInput(const Shape &in, const Projection &p) {
  if (p.kind != Projection::Kind::Conv && p.kind != Projection::Kind::Pool)
    return Pair{0, 0};
  // Windows start at o*s - pad and are ordered, so the union of their
  // (clipped) extents is counted in one sweep: gaps between windows when the
  // stride exceeds the kernel, and rows past the last window.
  auto left = [](uint64_t i, uint64_t k, uint64_t s, uint64_t pad) -> uint32_t {
    uint64_t span = i + 2 * pad;
    if (span < k)
      return 0;
    uint64_t out = (span - k) / s + 1;
    uint64_t covered = 0, reach = 0; // rows [0, reach) already counted
    for (uint64_t o = 0; o < out; ++o) {
      int64_t lo = std::max<int64_t>(int64_t(o * s) - int64_t(pad), 0);
      int64_t hi =
          std::min<int64_t>(int64_t(o * s + k) - int64_t(pad), int64_t(i));
      lo = std::max<int64_t>(lo, int64_t(reach));
      if (hi > lo) {
        covered += uint64_t(hi - lo);
        reach = uint64_t(hi);
      }
    }
    return uint32_t(i - covered);
  };
  return Pair{left(in.h, p.kernel.h, p.stride.h, p.padding.h),
              left(in.w, p.kernel.w, p.stride.w, p.padding.w)};
}

uint64_t scnc::validTaps(uint32_t in, uint32_t out, uint32_t k, uint32_t stride,
                         uint32_t pad) {
  uint64_t total = 0;
  for (uint64_t o = 0; o < out; ++o) {
    int64_t start = int64_t(o) * stride - int64_t(pad);
    int64_t lo = std::max<int64_t>(start, 0);
    int64_t hi = std::min<int64_t>(start + k, in);
    if (hi > lo)
      total += uint64_t(hi - lo);
  }
  return total;
}

uint64_t scnc::countSynapses(const Network &n, const Projection &p) {
  const Shape &in = n.populations[p.pre].shape;
  const Shape &out = n.populations[p.post].shape;
  switch (p.kind) {
  case Projection::Kind::Conv:
  case Projection::Kind::Pool: {
    uint64_t th = validTaps(in.h, out.h, p.kernel.h, p.stride.h, p.padding.h);
    uint64_t tw = validTaps(in.w, out.w, p.kernel.w, p.stride.w, p.padding.w);
    // Standard conv: each of `filters` maps sees all input channels; per-map
    // and pooling: each output map sees one input channel. Both come to
    // taps x input channels x filters (pool: filters = 1).
    // Saturates instead of wrapping for absurd sizes.
    uint64_t perChannel, total;
    if (__builtin_mul_overflow(th, tw, &perChannel) ||
        __builtin_mul_overflow(perChannel, uint64_t(in.c), &perChannel))
      return UINT64_MAX;
    if (p.kind == Projection::Kind::Pool)
      return perChannel;
    if (__builtin_mul_overflow(perChannel, uint64_t(p.filters), &total))
      return UINT64_MAX;
    return total;
  }
  case Projection::Kind::Dense:
    return in.size() * out.size();
  case Projection::Kind::OneToOne:
    return std::min(in.size(), out.size());
  case Projection::Kind::AllToAll:
    return p.pre == p.post && !p.allowSelf ? in.size() * (in.size() - 1)
                                           : in.size() * out.size();
  case Projection::Kind::FromList:
    return 0; // known only once the list is read (expand-connections)
  }
  return 0;
}
