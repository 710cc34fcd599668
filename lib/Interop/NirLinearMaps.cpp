//===- NirLinearMaps.cpp - A path of NIR linear nodes as one map ----------===//
//
// Step 4a of the lowering (NirLowering.cpp): the linear nodes on a path
// from a population to a neuron node, composed one after the other into a
// LinearMap: a window (convolution or pooling; two windows compose into one
// when that is exact), a matrix (Linear, Affine; after a window, their
// product), or per-element factors (Scale alone); Delay and biases ride
// along.
//
//===----------------------------------------------------------------------===//
#include "NirLoweringInternal.h"
#include "llvm/ADT/STLExtras.h"

using namespace scnc;
using namespace scnc::nir;
using namespace llvm;

/// Composes window map \p b after window map \p a (both set); false when
/// the composition would read input where b reads a's padding.
static bool composeWindows(const LinearMap &a, const LinearMap &b,
                           const Dims &in, const Dims &mid, const Dims &out,
                           LinearMap &r) {
  r.kind = LinearMap::Window;
  r.cin = a.cin;
  r.cout = b.cout;
  r.kh = (b.kh - 1) * a.sh + a.kh;
  r.kw = (b.kw - 1) * a.sw + a.kw;
  r.sh = a.sh * b.sh;
  r.sw = a.sw * b.sw;
  r.ph = b.ph * a.sh + a.ph;
  r.pw = b.pw * a.sw + a.pw;
  // b's padded positions must read only a's padding.
  auto axisOk = [](uint64_t H, uint64_t H1, uint64_t H2, uint64_t ka,
                   uint64_t sa, uint64_t pa, uint64_t kb, uint64_t sb,
                   uint64_t pb, uint64_t k, uint64_t s, uint64_t p) {
    if (H + 2 * p < k || (H + 2 * p - k) / s + 1 != H2)
      return false;
    for (int64_t o = 0; o < int64_t(H2); ++o)
      for (int64_t j = 0; j < int64_t(kb); ++j) {
        int64_t q = o * int64_t(sb) - int64_t(pb) + j;
        if (q >= 0 && q < int64_t(H1))
          continue;
        int64_t lo = q * int64_t(sa) - int64_t(pa), hi = lo + int64_t(ka);
        if (hi > 0 && lo < int64_t(H))
          return false;
      }
    return true;
  };
  if (!axisOk(in[1], mid[1], out[1], a.kh, a.sh, a.ph, b.kh, b.sh, b.ph, r.kh,
              r.sh, r.ph) ||
      !axisOk(in[2], mid[2], out[2], a.kw, a.sw, a.pw, b.kw, b.sw, b.pw, r.kw,
              r.sw, r.pw))
    return false;
  r.w.assign(r.cout * r.cin * r.kh * r.kw, 0.0);
  for (uint64_t o = 0; o < b.cout; ++o)
    for (uint64_t m = 0; m < b.cin; ++m)
      for (uint64_t y = 0; y < b.kh; ++y)
        for (uint64_t x = 0; x < b.kw; ++x) {
          double wb = b.w[((o * b.cin + m) * b.kh + y) * b.kw + x];
          if (wb == 0)
            continue;
          for (uint64_t i = 0; i < a.cin; ++i)
            for (uint64_t ay = 0; ay < a.kh; ++ay)
              for (uint64_t ax = 0; ax < a.kw; ++ax) {
                double wa = a.w[((m * a.cin + i) * a.kh + ay) * a.kw + ax];
                uint64_t ry = y * a.sh + ay, rx = x * a.sw + ax;
                r.w[((o * r.cin + i) * r.kh + ry) * r.kw + rx] += wb * wa;
              }
        }
  return true;
}

Error Lowering::compose(const FlatNode &n, const Dims &in, LinearMap &m) {
  const std::string &t = n.type;
  const NirNode &nd = *n.node;
  auto noBias = [&]() -> Error {
    if (llvm::any_of(m.bias, [](double b) { return b != 0; }))
      return failNode(n, "follows a node with a non-zero bias; scnc passes a "
                         "bias to neurons only from the last linear node "
                         "before them");
    m.bias.clear();
    return Error::success();
  };
  if (t == "Identity" || t == "Flatten")
    return Error::success();
  if (t == "Delay") {
    auto d = uniform(n, "delay", 0, true);
    if (!d)
      return d.takeError();
    if (*d < 0)
      return failNode(n, "negative delay " + formatValue(*d) + " s");
    m.delayMs += *d * 1000.0;
    return Error::success();
  }
  if (t == "Scale") {
    const NirValue &s = *nd.get("scale");
    uint64_t N = numel(in);
    // The factor of output element e.
    auto factor = [&](uint64_t e) {
      if (s.numbers.size() == 1)
        return s.numbers[0];
      if (s.numbers.size() == N)
        return s.numbers[e];
      return s.numbers[e / (N / in[0])];
    };
    for (uint64_t e = 0; e < m.bias.size(); ++e)
      m.bias[e] *= factor(e);
    switch (m.kind) {
    case LinearMap::Identity:
      if (m.scale.empty())
        m.scale.assign(N, 1.0);
      for (uint64_t e = 0; e < N; ++e)
        m.scale[e] *= factor(e);
      return Error::success();
    case LinearMap::Matrix:
      for (uint64_t r = 0; r < m.rows; ++r)
        for (uint64_t c = 0; c < m.cols; ++c)
          m.w[r * m.cols + c] *= factor(r);
      return Error::success();
    case LinearMap::Window: {
      uint64_t per = N / m.cout;
      uint64_t taps = m.cin * m.kh * m.kw;
      for (uint64_t o = 0; o < m.cout; ++o) {
        double f = factor(o * per);
        for (uint64_t e = 1; e < per; ++e)
          if (factor(o * per + e) != f)
            return failNode(n, "scales channel " + Twine(o) +
                                   " of a convolution or pooling by "
                                   "different factors; a window's weights "
                                   "are shared across positions");
        for (uint64_t j = 0; j < taps; ++j)
          m.w[o * taps + j] *= f;
      }
      return Error::success();
    }
    }
  }
  if (Error e = noBias())
    return e;
  if (t == "Linear" || t == "Affine") {
    const NirValue &w = *nd.get("weight");
    uint64_t O = w.shape[0], I = w.shape[1];
    if (t == "Affine") {
      auto b = param(n, "bias");
      if (!b)
        return b.takeError();
      if ((*b)->numbers.size() != O)
        return failNode(n, Twine((*b)->numbers.size()) + " biases for " +
                               Twine(O) + " outputs");
      m.bias = (*b)->numbers;
    }
    LinearMap r;
    r.kind = LinearMap::Matrix;
    r.rows = O;
    r.delayMs = m.delayMs;
    r.bias = m.bias;
    if (m.kind == LinearMap::Identity) {
      r.cols = I;
      r.w = w.numbers;
      if (!m.scale.empty())
        for (uint64_t o = 0; o < O; ++o)
          for (uint64_t i = 0; i < I; ++i)
            r.w[o * I + i] *= m.scale[i];
    } else if (m.kind == LinearMap::Window) {
      // Columns over the window map's input (cin, H, W): each of its outputs
      // (cout, H', W') spreads its column over its window.
      uint64_t H = m.inH, W = m.inW, Ho = m.outH, Wo = m.outW;
      r.cols = m.cin * H * W;
      r.w.assign(O * r.cols, 0.0);
      for (uint64_t o = 0; o < O; ++o)
        for (uint64_t c = 0; c < m.cout; ++c)
          for (uint64_t y = 0; y < Ho; ++y)
            for (uint64_t x = 0; x < Wo; ++x) {
              double v = w.numbers[o * I + (c * Ho + y) * Wo + x];
              if (v == 0)
                continue;
              for (uint64_t i = 0; i < m.cin; ++i)
                for (uint64_t ky = 0; ky < m.kh; ++ky) {
                  int64_t iy = int64_t(y * m.sh + ky) - int64_t(m.ph);
                  if (iy < 0 || iy >= int64_t(H))
                    continue;
                  for (uint64_t kx = 0; kx < m.kw; ++kx) {
                    int64_t ix = int64_t(x * m.sw + kx) - int64_t(m.pw);
                    if (ix < 0 || ix >= int64_t(W))
                      continue;
                    double k = m.w[((c * m.cin + i) * m.kh + ky) * m.kw + kx];
                    r.w[o * r.cols + (i * H + uint64_t(iy)) * W +
                        uint64_t(ix)] += v * k;
                  }
                }
            }
    } else {
      return failNode(n, "follows another Linear or Affine node without "
                         "neurons between (compose them in the framework)");
    }
    m = std::move(r);
    return Error::success();
  }
  // Conv2d, SumPool2d, AvgPool2d: a window map over (C, H, W).
  LinearMap b;
  b.kind = LinearMap::Window;
  b.sh = n.s[0];
  b.sw = n.s[1];
  b.ph = n.p[0];
  b.pw = n.p[1];
  if (t == "Conv2d") {
    const NirValue &w = *nd.get("weight");
    const uint64_t *d = n.d, groups = n.groups;
    uint64_t F = w.shape[0], Cg = w.shape[1], KH = w.shape[2], KW = w.shape[3];
    b.cout = F;
    b.cin = Cg * groups;
    b.kh = d[0] * (KH - 1) + 1;
    b.kw = d[1] * (KW - 1) + 1;
    b.w.assign(b.cout * b.cin * b.kh * b.kw, 0.0);
    uint64_t perGroup = F / groups;
    for (uint64_t f = 0; f < F; ++f)
      for (uint64_t c = 0; c < Cg; ++c)
        for (uint64_t y = 0; y < KH; ++y)
          for (uint64_t x = 0; x < KW; ++x) {
            uint64_t ci = (f / perGroup) * Cg + c;
            b.w[((f * b.cin + ci) * b.kh + y * d[0]) * b.kw + x * d[1]] =
                w.numbers[((f * Cg + c) * KH + y) * KW + x];
          }
    if (const NirValue *bias = nd.get("bias")) {
      if (bias->isString ||
          (bias->numbers.size() != F && bias->numbers.size() != 1))
        return failNode(n, "'bias' must have one value per output channel");
      uint64_t per = n.out[1] * n.out[2];
      b.bias.assign(F * per, 0.0);
      for (uint64_t f = 0; f < F; ++f)
        for (uint64_t e = 0; e < per; ++e)
          b.bias[f * per + e] =
              bias->numbers[bias->numbers.size() == 1 ? 0 : f];
    }
  } else {
    b.cout = b.cin = in[0];
    b.kh = n.k[0];
    b.kw = n.k[1];
    double v = t == "AvgPool2d" ? 1.0 / double(b.kh * b.kw) : 1.0;
    b.w.assign(b.cout * b.cin * b.kh * b.kw, 0.0);
    for (uint64_t c = 0; c < b.cout; ++c)
      for (uint64_t j = 0; j < b.kh * b.kw; ++j)
        b.w[(c * b.cin + c) * b.kh * b.kw + j] = v;
  }
  b.inH = in[1];
  b.inW = in[2];
  b.outH = n.out[1];
  b.outW = n.out[2];
  if (m.kind == LinearMap::Matrix)
    return failNode(n, "follows a Linear or Affine node without neurons "
                       "between: scnc cannot express it as one projection");
  if (m.kind == LinearMap::Identity) {
    if (!m.scale.empty()) {
      // A per-element scale before a window: per input channel only.
      uint64_t per = in[1] * in[2];
      for (uint64_t c = 0; c < in[0]; ++c) {
        double f = m.scale[c * per];
        for (uint64_t e = 1; e < per; ++e)
          if (m.scale[c * per + e] != f)
            return failNode(n, "follows a Scale that differs within channel " +
                                   Twine(c));
        for (uint64_t o = 0; o < b.cout; ++o)
          for (uint64_t j = 0; j < b.kh * b.kw; ++j)
            b.w[(o * b.cin + c) * b.kh * b.kw + j] *= f;
      }
    }
    b.delayMs = m.delayMs;
    m = std::move(b);
    return Error::success();
  }
  // Window after window: one window over the first one's input.
  LinearMap r;
  Dims first = {m.cin, m.inH, m.inW};
  if (!composeWindows(m, b, first, in, n.out, r))
    return failNode(n, "with the convolution or pooling before it, it would "
                       "read input where it reads padding; scnc cannot "
                       "express the pair as one projection");
  r.inH = m.inH;
  r.inW = m.inW;
  r.outH = b.outH;
  r.outW = b.outW;
  r.delayMs = m.delayMs;
  r.bias = b.bias;
  m = std::move(r);
  return Error::success();
}
