//===- Stdp.h - The pair STDP rule in integer arithmetic --------*- C++ -*-===//
//
// docs/execution.md "Plasticity": sPyNNaker's pair rule (all-to-all pairing,
// exponential traces, additive or multiplicative weight dependence, A+ and
// A- scaled by w_max, weights clipped), with updates deferred to the next
// pre-synaptic spike as on a core (the row is only in DTCM then). Integer
// only and header-only: the kernel (ARM968, no FPU) and the reference
// evaluator both call these functions, so their learned weights agree bit
// for bit.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_STDP_H
#define SCNC_RUNTIME_KERNEL_STDP_H

#include "kernel/FixedPoint.h"
#include <cstdint>

namespace scnc {
namespace stdp {

/// Traces are s4.11 (sPyNNaker's STDP trace format): 2048 is 1.0.
constexpr int32_t kTraceOne = 2048;
/// A trace never exceeds this (int16 range).
constexpr int32_t kTraceMax = 32767;
/// Post-synaptic spikes a neuron remembers (sPyNNaker: 16 in DTCM).
constexpr unsigned kHistory = 16;

/// The rule in the core's units (the image's stdp-params region).
struct Rule {
  bool multiplicative = false;
  Accum aPlus, aMinus;        ///< A+ w_max and A- w_max, ring-buffer units
  int32_t wMin = 0, wMax = 0; ///< ring-buffer units (rounded)
  const UFract32 *decayPlus = nullptr, *decayMinus = nullptr;
  uint32_t lenPlus = 0, lenMinus = 0; ///< exp(-k dt / tau) for k < len
};

/// An S16.15 bound (the stdp-params region's w_min, w_max) as whole
/// ring-buffer units: rounded to nearest, ties up.
inline int32_t roundBound(Accum a) {
  return int32_t((int64_t(a.bits) + (1 << 14)) >> 15);
}

/// The rule from the stdp-params region's values (docs/image-format.md):
/// the bounds rounded to whole units, w_max at most 0xFFFF (a uint16
/// weight), w_min at most w_max. The decay tables stay where they are.
inline Rule makeRule(bool multiplicative, Accum aPlus, Accum aMinus, Accum wMin,
                     Accum wMax, const UFract32 *decayPlus, uint32_t lenPlus,
                     const UFract32 *decayMinus, uint32_t lenMinus) {
  Rule r;
  r.multiplicative = multiplicative;
  r.aPlus = aPlus;
  r.aMinus = aMinus;
  r.wMax = roundBound(wMax);
  if (r.wMax > 0xFFFF)
    r.wMax = 0xFFFF;
  r.wMin = roundBound(wMin);
  if (r.wMin > r.wMax)
    r.wMin = r.wMax;
  r.decayPlus = decayPlus;
  r.decayMinus = decayMinus;
  r.lenPlus = lenPlus;
  r.lenMinus = lenMinus;
  return r;
}

/// trace * exp(-dt ticks / tau) from the table (0 past its end), rounded
/// to nearest with ties up (the rounding of mul(Accum, UFract32)).
inline int32_t decayTrace(int32_t trace, uint32_t dt, const UFract32 *lut,
                          uint32_t len) {
  if (dt >= len)
    return 0;
  int64_t p = int64_t(trace) * int64_t(lut[dt].bits);
  return int32_t((p >> 32) + ((p >> 31) & 1));
}

/// A trace after a spike: the old trace decayed to now, plus 1.0.
inline int32_t bumpTrace(int32_t trace, uint32_t dt, const UFract32 *lut,
                         uint32_t len) {
  int32_t t = decayTrace(trace, dt, lut, len) + kTraceOne;
  return t > kTraceMax ? kTraceMax : t;
}

/// The post-synaptic side of one neuron: its last kHistory spikes (ticks
/// and the trace just after each), oldest first.
struct PostHistory {
  uint32_t count = 0;
  uint32_t ticks[kHistory] = {};
  int32_t traces[kHistory] = {};
  /// The neuron spiked at tick t (called in tick order).
  void record(uint32_t t, const Rule &r) {
    int32_t prev = count ? traces[count - 1] : 0;
    uint32_t prevTick = count ? ticks[count - 1] : t;
    int32_t trace =
        count ? bumpTrace(prev, t - prevTick, r.decayMinus, r.lenMinus)
              : kTraceOne;
    if (count == kHistory) { // forget the oldest
      for (unsigned i = 1; i < kHistory; ++i) {
        ticks[i - 1] = ticks[i];
        traces[i - 1] = traces[i];
      }
      --count;
    }
    ticks[count] = t;
    traces[count] = trace;
    ++count;
  }
  /// The post trace at tick t (the last spike at or before t, decayed).
  int32_t traceAt(uint32_t t, const Rule &r) const {
    for (uint32_t i = count; i-- > 0;)
      if (ticks[i] <= t)
        return decayTrace(traces[i], t - ticks[i], r.decayMinus, r.lenMinus);
    return 0;
  }
};

/// A weight change `amplitude * trace` (S16.15 weight units times s4.11)
/// as whole ring-buffer units, rounded to nearest with ties up; with the
/// multiplicative dependence scaled by `room / (wMax - wMin)`.
inline int32_t weightStep(Accum amplitude, int32_t trace, int32_t room,
                          const Rule &r) {
  // trace s4.11 -> S16.15: << 4.
  Accum d = mul(amplitude, Accum::fromBits(trace << 4));
  if (r.multiplicative) {
    int32_t span = r.wMax - r.wMin;
    if (span <= 0 || room <= 0)
      return 0;
    // room / span as u0.32 (room <= span).
    uint64_t f = (uint64_t(uint32_t(room)) << 32) / uint32_t(span);
    d = mul(d, UFract32::fromBits(f > 0xffffffffu ? 0xffffffffu : uint32_t(f)));
  }
  return (d.bits >> 15) + ((d.bits >> 14) & 1);
}

inline int32_t clip(int32_t w, const Rule &r) {
  return w < r.wMin ? r.wMin : w > r.wMax ? r.wMax : w;
}

/// One plastic synapse when its pre-synaptic neuron spikes at tick t (the
/// row's previous pre spike was at lastPre with trace preTrace, valid when
/// hasPre): potentiation for every remembered post spike in (lastPre, t],
/// each with the pre trace decayed to it; then depression with the post
/// trace at t. Returns the new weight.
inline uint16_t onPreSpike(uint16_t weight, uint32_t t, bool hasPre,
                           uint32_t lastPre, int32_t preTrace,
                           const PostHistory &post, const Rule &r) {
  int32_t w = weight;
  if (hasPre)
    for (uint32_t i = 0; i < post.count; ++i) {
      uint32_t tp = post.ticks[i];
      if (tp <= lastPre || tp > t)
        continue;
      int32_t x = decayTrace(preTrace, tp - lastPre, r.decayPlus, r.lenPlus);
      w = clip(w + weightStep(r.aPlus, x, r.wMax - w, r), r);
    }
  int32_t y = post.traceAt(t, r);
  w = clip(w - weightStep(r.aMinus, y, w - r.wMin, r), r);
  return uint16_t(w);
}

/// The updates still deferred at the end of a run (post spikes after the
/// row's last pre spike), applied when the host reads the weights back.
inline uint16_t flush(uint16_t weight, uint32_t lastPre, int32_t preTrace,
                      const PostHistory &post, const Rule &r) {
  int32_t w = weight;
  for (uint32_t i = 0; i < post.count; ++i) {
    uint32_t tp = post.ticks[i];
    if (tp <= lastPre)
      continue;
    int32_t x = decayTrace(preTrace, tp - lastPre, r.decayPlus, r.lenPlus);
    w = clip(w + weightStep(r.aPlus, x, r.wMax - w, r), r);
  }
  return uint16_t(w);
}

} // namespace stdp
} // namespace scnc

#endif
