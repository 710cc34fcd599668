//===- HostTick.cpp - The neuron update on the host, eight at a time ------===//
//
// kernel::neuronCoreTick's result, computed eight neurons at a time with
// AVX2 when the host has it (the emulator's hottest loop), compiled twice:
// for AVX2, and for AVX-512VL (the same 256-bit code with 32 registers and
// EVEX forms: no constants spilled; 9-11% less wall time on mnist -j 1 on a
// Zen 4 host). It gives the
// bits the kernel gives, state, ring buffers, quiet flags, spikes, keys,
// history and counters alike:
//   - every lane runs lifStep's full arithmetic (kernel/Lif.h) with no
//     shortcut: each shortcut of lifStep gives the bits the full step would
//     (Lif.h says so), so the full step is lifStep;
//   - a neuron the kernel skips (quiet, no input) is in a fixed point of
//     lifStep without input, so updating it changes nothing and leaves it
//     quiet; only the count of updated neurons tells skipped ones apart,
//     and it is counted as the kernel counts it. Blocks of eight skipped
//     neurons are not computed at all;
//   - the S16.15 and u0.32 products are exact 64-bit products rounded and
//     saturated as kernel/FixedPoint.h does;
//   - the sums are first computed wrapping, recording any lane that
//     overflowed; only then (rarely) is the block computed again with
//     saturating sums. Without an overflow both give the same bits.
// Without AVX2 (or for the last n mod 8 neurons) the kernel's own per
// neuron code runs. unittests/Runtime/HostTickTest.cpp compares each
// instruction set the host has with the kernel on random states and inputs.
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "kernel/Kernel.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCNC_HOST_AVX2 1
#include <immintrin.h>
#endif

using namespace scnc;
using namespace scnc::kernel;
using scnc::emulator::HostIsa;

namespace {

#ifdef SCNC_HOST_AVX2
#define AVX2 __attribute__((target("avx2")))
/// AVX-512 with 256-bit vectors: the same code, with 32 vector registers
/// (no spills of the broadcast constants) and the EVEX forms.
#define AVX512VL                                                               \
  __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512dq")))

/// a + b and a - b, saturating at the int32 range (fixed_detail::saturate).
AVX2 inline __m256i addSat(__m256i a, __m256i b) {
  __m256i s = _mm256_add_epi32(a, b);
  __m256i ov =
      _mm256_andnot_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, s));
  __m256i sat =
      _mm256_xor_si256(_mm256_srai_epi32(a, 31), _mm256_set1_epi32(INT32_MAX));
  return _mm256_blendv_epi8(s, sat, _mm256_srai_epi32(ov, 31));
}
AVX2 inline __m256i subSat(__m256i a, __m256i b) {
  __m256i s = _mm256_sub_epi32(a, b);
  __m256i ov = _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, s));
  __m256i sat =
      _mm256_xor_si256(_mm256_srai_epi32(a, 31), _mm256_set1_epi32(INT32_MAX));
  return _mm256_blendv_epi8(s, sat, _mm256_srai_epi32(ov, 31));
}

/// a + b and a - b without saturating; a lane that overflowed gets its sign
/// bit set in \p ov (the block is then computed again with addSat/subSat).
AVX2 inline __m256i addWrap(__m256i a, __m256i b, __m256i &ov) {
  __m256i s = _mm256_add_epi32(a, b);
  ov = _mm256_or_si256(
      ov, _mm256_and_si256(_mm256_xor_si256(a, s), _mm256_xor_si256(b, s)));
  return s;
}
AVX2 inline __m256i subWrap(__m256i a, __m256i b, __m256i &ov) {
  __m256i s = _mm256_sub_epi32(a, b);
  ov = _mm256_or_si256(
      ov, _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(a, s)));
  return s;
}

/// mul(Accum, UFract32): (a * f + 2^31) >> 32 of the exact product. The
/// unsigned product of a's bits is a * f + 2^32 f when a < 0, so its high
/// word less f is the signed one's.
AVX2 inline __m256i mulFract(__m256i a, __m256i f) {
  const __m256i half = _mm256_set1_epi64x(int64_t(1) << 31);
  __m256i even = _mm256_add_epi64(_mm256_mul_epu32(a, f), half);
  __m256i odd =
      _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), f), half);
  __m256i hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  return _mm256_sub_epi32(hi, _mm256_and_si256(_mm256_srai_epi32(a, 31), f));
}

/// mul(Accum, Accum): (a * b + 2^14) >> 15 of the exact product, saturated.
/// With w that sum, the result's bits are bits 15..46 of w; it fits when
/// w's high word h lies in [-2^14, 2^14). Without \p Sat a lane that does
/// not fit gets its sign bit set in \p ov instead.
template <bool Sat>
AVX2 inline __m256i mulAccum(__m256i a, __m256i b, __m256i &ov) {
  const __m256i half = _mm256_set1_epi64x(int64_t(1) << 14);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, b), half);
  __m256i odd =
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), b), half);
  __m256i r = _mm256_blend_epi32(_mm256_srli_epi64(even, 15),
                                 _mm256_slli_epi64(odd, 17), 0xAA);
  __m256i h = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  __m256i over = _mm256_cmpgt_epi32(h, _mm256_set1_epi32((1 << 14) - 1));
  __m256i under = _mm256_cmpgt_epi32(_mm256_set1_epi32(-(1 << 14)), h);
  if (!Sat) {
    ov = _mm256_or_si256(ov, _mm256_or_si256(over, under));
    return r;
  }
  r = _mm256_blendv_epi8(r, _mm256_set1_epi32(INT32_MAX), over);
  return _mm256_blendv_epi8(r, _mm256_set1_epi32(INT32_MIN), under);
}

/// ringBufferToAccum: slot << shift (at most 32 bits), saturated.
AVX2 inline __m256i slotToAccum(__m256i slot, __m128i shift) {
  return _mm256_min_epu32(_mm256_sll_epi32(slot, shift),
                          _mm256_set1_epi32(INT32_MAX));
}

/// Byte k of kQuietBytes[m] is bit k of m.
struct QuietBytes {
  uint64_t v[256];
  constexpr QuietBytes() : v() {
    for (unsigned m = 0; m < 256; ++m)
      for (unsigned k = 0; k < 8; ++k)
        if (m >> k & 1)
          v[m] |= uint64_t(1) << (8 * k);
  }
};
constexpr QuietBytes kQuietBytes;

/// The neuron update of tickAvx2 and tickAvx512vl: compiled into each, for
/// that target.
AVX2 __attribute__((always_inline)) inline void tickBlocks(NeuronTick &t) {
  NeuronCore &core = *t.core;
  const uint32_t tick = t.tick;
  RingSlot *rbE = t.rbE, *rbI = t.rbI;
  static_assert(sizeof(RingSlot) == 4, "the host's wide ring (Kernel.h)");
  const __m256i slotMax = _mm256_set1_epi32(0xFFFF);
  uint32_t out = t.out, updated = t.updated, spikes = t.spikes;
  const NeuronCoreConfig &cfg = core.cfg;
  const NeuronFixedParams &p = cfg.params;
  const uint32_t n = cfg.numNeurons;
  const __m128i shiftE = _mm_cvtsi32_si128(int(cfg.leftShift[0]));
  const __m128i shiftI = _mm_cvtsi32_si128(int(cfg.leftShift[1]));
  const __m256i initE = _mm256_set1_epi32(int32_t(p.initE.bits));
  const __m256i initI = _mm256_set1_epi32(int32_t(p.initI.bits));
  const __m256i decayE = _mm256_set1_epi32(int32_t(p.decayE.bits));
  const __m256i decayI = _mm256_set1_epi32(int32_t(p.decayI.bits));
  const __m256i expTC = _mm256_set1_epi32(int32_t(p.expTC.bits));
  const __m256i iOffset = _mm256_set1_epi32(p.iOffset.bits);
  const __m256i rMembrane = _mm256_set1_epi32(p.rMembrane.bits);
  const __m256i vRest = _mm256_set1_epi32(p.vRest.bits);
  const __m256i vReset = _mm256_set1_epi32(p.vReset.bits);
  const __m256i vThresh = _mm256_set1_epi32(p.vThresh.bits);
  const __m256i refracTicks = _mm256_set1_epi32(p.refracTicks);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i zero = _mm256_setzero_si256();
  // The state's 4 x 4 transposes leave lane k with neuron perm[k].
  const __m256i perm = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256i unperm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  int32_t *state = reinterpret_cast<int32_t *>(core.state);
  static_assert(sizeof(NeuronFixedState) == 16, "four words per neuron");
  uint8_t *quiet = core.quiet;
  int32_t *voltage = core.voltage;
  uint32_t *bits = core.spikeBits;
  const uint32_t end = n & ~uint32_t(7);
  for (uint32_t i = 0; i < end; i += 8) {
    // The slots as the 16-bit ring holds them (ringSlotValue).
    __m256i sE = _mm256_min_epu32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(rbE + i)),
        slotMax);
    __m256i sI = _mm256_min_epu32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(rbI + i)),
        slotMax);
    uint64_t q;
    __builtin_memcpy(&q, quiet + i, 8);
    __m256i noInput = _mm256_cmpeq_epi32(_mm256_or_si256(sE, sI), zero);
    uint32_t noInputBits =
        uint32_t(_mm256_movemask_ps(_mm256_castsi256_ps(noInput)));
    // Quiet flags are 0 or 1: bit k of the gathered byte bits.
    uint32_t quietBits = uint32_t((q * 0x0102040810204080ull) >> 56);
    uint32_t skipped = quietBits & noInputBits;
    if (skipped == 0xFF) {
      if (voltage)
        for (uint32_t k = 0; k < 8; ++k)
          voltage[i + k] = state[4 * (i + k)];
      continue;
    }
    updated += 8 - uint32_t(__builtin_popcount(skipped));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(rbE + i), zero);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(rbI + i), zero);
    // Load and transpose: lanes [0 2 4 6 | 1 3 5 7] of v, iSynE, iSynI,
    // refracTimer.
    __m256i *s = reinterpret_cast<__m256i *>(state + 4 * i);
    __m256i r0 = _mm256_loadu_si256(s), r1 = _mm256_loadu_si256(s + 1);
    __m256i r2 = _mm256_loadu_si256(s + 2), r3 = _mm256_loadu_si256(s + 3);
    __m256i t0 = _mm256_unpacklo_epi32(r0, r1);
    __m256i t1 = _mm256_unpackhi_epi32(r0, r1);
    __m256i t2 = _mm256_unpacklo_epi32(r2, r3);
    __m256i t3 = _mm256_unpackhi_epi32(r2, r3);
    const __m256i v0 = _mm256_unpacklo_epi64(t0, t2);
    const __m256i e0 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i in0 = _mm256_unpacklo_epi64(t1, t3);
    const __m256i rf0 = _mm256_unpackhi_epi64(t1, t3);
    sE = _mm256_permutevar8x32_epi32(sE, perm);
    sI = _mm256_permutevar8x32_epi32(sI, perm);
    // lifStep, every step in full: first without saturating, then, only
    // when a lane overflowed somewhere (rare), again saturating each step.
    // Without an overflow both give the same bits.
    __m256i aE = mulFract(slotToAccum(sE, shiftE), initE);
    __m256i aI = mulFract(slotToAccum(sI, shiftI), initI);
    __m256i ov = zero;
    __m256i iE = addWrap(e0, aE, ov);
    __m256i iI = addWrap(in0, aI, ov);
    __m256i alpha =
        addWrap(mulAccum<false>(addWrap(subWrap(iE, iI, ov), iOffset, ov),
                                rMembrane, ov),
                vRest, ov);
    __m256i vNew = subWrap(alpha, mulFract(subWrap(alpha, v0, ov), expTC), ov);
    if (LLVM_UNLIKELY(_mm256_movemask_ps(_mm256_castsi256_ps(ov)))) {
      iE = addSat(e0, aE);
      iI = addSat(in0, aI);
      alpha =
          addSat(mulAccum<true>(addSat(subSat(iE, iI), iOffset), rMembrane, ov),
                 vRest);
      vNew = subSat(alpha, mulFract(subSat(alpha, v0), expTC));
    }
    __m256i refractory = _mm256_cmpgt_epi32(rf0, zero);
    __m256i v = _mm256_blendv_epi8(vNew, v0, refractory);
    __m256i rf = _mm256_sub_epi32(rf0, _mm256_and_si256(refractory, one));
    __m256i spiked =
        _mm256_xor_si256(_mm256_cmpgt_epi32(vThresh, v), _mm256_set1_epi32(-1));
    v = _mm256_blendv_epi8(v, vReset, spiked);
    rf = _mm256_blendv_epi8(rf, refracTicks, spiked);
    iE = mulFract(iE, decayE);
    iI = mulFract(iI, decayI);
    __m256i same = _mm256_and_si256(
        _mm256_and_si256(_mm256_cmpeq_epi32(v, v0), _mm256_cmpeq_epi32(iE, e0)),
        _mm256_and_si256(_mm256_cmpeq_epi32(iI, in0),
                         _mm256_cmpeq_epi32(rf, rf0)));
    __m256i nowQuiet = _mm256_andnot_si256(spiked, same);
    nowQuiet = _mm256_permutevar8x32_epi32(nowQuiet, unperm);
    uint32_t quietNow =
        uint32_t(_mm256_movemask_ps(_mm256_castsi256_ps(nowQuiet))) &
        noInputBits;
    uint64_t qb = kQuietBytes.v[quietNow];
    __builtin_memcpy(quiet + i, &qb, 8);
    // Transpose back and store.
    __m256i u0 = _mm256_unpacklo_epi32(v, iE);
    __m256i u1 = _mm256_unpacklo_epi32(iI, rf);
    __m256i u2 = _mm256_unpackhi_epi32(v, iE);
    __m256i u3 = _mm256_unpackhi_epi32(iI, rf);
    _mm256_storeu_si256(s, _mm256_unpacklo_epi64(u0, u1));
    _mm256_storeu_si256(s + 1, _mm256_unpackhi_epi64(u0, u1));
    _mm256_storeu_si256(s + 2, _mm256_unpacklo_epi64(u2, u3));
    _mm256_storeu_si256(s + 3, _mm256_unpackhi_epi64(u2, u3));
    if (voltage)
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(voltage + i),
                          _mm256_permutevar8x32_epi32(v, unperm));
    uint32_t spikeBits = uint32_t(_mm256_movemask_ps(
        _mm256_castsi256_ps(_mm256_permutevar8x32_epi32(spiked, unperm))));
    if (spikeBits) {
      bits[i >> 5] |= spikeBits << (i & 31);
      spikes += uint32_t(__builtin_popcount(spikeBits));
      for (uint32_t b = spikeBits; b; b &= b - 1) {
        uint32_t j = i + uint32_t(__builtin_ctz(b));
        if (cfg.hasKey)
          core.outKeys[out++] = cfg.key | j;
        if (core.history)
          core.history[j].record(tick, core.rule);
      }
    }
  }
  t.out = out;
  t.updated = updated;
  t.spikes = spikes;
  for (uint32_t i = end; i < n; ++i)
    neuronStep(t, i);
}
AVX2 void tickAvx2(NeuronTick &t) { tickBlocks(t); }
AVX512VL void tickAvx512vl(NeuronTick &t) { tickBlocks(t); }
#undef AVX2
#undef AVX512VL
#endif

/// The best of \p most the host has.
HostIsa hostIsa(HostIsa most) {
#ifdef SCNC_HOST_AVX2
  static const HostIsa best = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq"))
      return HostIsa::Avx512vl;
    if (__builtin_cpu_supports("avx2"))
      return HostIsa::Avx2;
    return HostIsa::Scalar;
  }();
  return std::min(most, best);
#else
  (void)most;
  return HostIsa::Scalar;
#endif
}

} // namespace

HostIsa emulator::hostNeuronTickIsa(HostIsa most) { return hostIsa(most); }

void emulator::hostNeuronCoreTick(NeuronCore &core, uint32_t tick,
                                  HostIsa most) {
  // The vector code is IF_curr_exp's; a NIR-model core runs the kernel's
  // scalar step.
  if (core.cfg.params.model != NeuronModelIfCurrExp) {
    neuronCoreTick(core, tick);
    return;
  }
  NeuronTick t = beginNeuronTick(core, tick);
  switch (hostIsa(most)) {
#ifdef SCNC_HOST_AVX2
  case HostIsa::Avx512vl:
    tickAvx512vl(t);
    break;
  case HostIsa::Avx2:
    tickAvx2(t);
    break;
#endif
  default:
    for (uint32_t i = 0; i < core.cfg.numNeurons; ++i)
      neuronStep(t, i);
  }
  endNeuronTick(t);
}
