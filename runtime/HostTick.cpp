//===- HostTick.cpp - The neuron update on the host, 8 or 16 at a time ---===//
//
// kernel::neuronCoreTick's result, computed eight or sixteen neurons at a
// time (the emulator's hottest loop). The vector code is written once
// (HostTickVec.inc) and compiled three times: AVX2 on 256-bit vectors;
// AVX-512VL on 256-bit vectors (32 registers and EVEX forms: no constants
// spilled; 9-11% less wall time on mnist -j 1 on a Zen 4 host); and
// AVX-512 on 512-bit vectors, sixteen neurons at a time with the last
// n mod 16 as one masked block (the default where the host has AVX-512:
// 10-12% less wall time than AVX-512VL on mnist -j 1 on a Xeon host). It
// gives the bits the kernel gives, state, ring buffers, quiet flags,
// spikes, keys, history and counters alike:
//   - every lane runs lifStep's full arithmetic (kernel/Lif.h) with no
//     shortcut: each shortcut of lifStep gives the bits the full step would
//     (Lif.h says so), so the full step is lifStep;
//   - a neuron the kernel skips (quiet, no input) is in a fixed point of
//     lifStep without input, so updating it changes nothing and leaves it
//     quiet; only the count of updated neurons tells skipped ones apart,
//     and it is counted as the kernel counts it. Blocks whose neurons are
//     all skipped are not computed at all;
//   - terms that are exactly 0 are left out: iSynI's in a block with no
//     inhibitory current or input, i_offset's on a core where it is 0;
//   - the S16.15 and u0.32 products are exact 64-bit products rounded and
//     saturated as kernel/FixedPoint.h does;
//   - the sums are first computed wrapping, recording any lane that
//     overflowed; only then (rarely) is the block computed again with
//     saturating sums. Without an overflow both give the same bits.
// Without AVX2 (or for the last n mod 8 neurons of the 256-bit loops) the
// kernel's own per neuron code runs. unittests/Runtime/HostTickTest.cpp
// compares each instruction set the host has with the kernel on random
// states and inputs; `scnc-run --host-isa` caps the choice
// (test/Runtime/host-isa.test).
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "kernel/Kernel.h"

#include "HostVector.h"

using namespace scnc;
using namespace scnc::kernel;
using scnc::emulator::HostIsa;

namespace {

#ifdef SCNC_HOST_AVX2
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

#define SCNC_VEC_TARGET SCNC_TARGET_AVX2
#define SCNC_VEC_512 0
namespace avx2 {
#include "HostTickVec.inc"
} // namespace avx2
#undef SCNC_VEC_TARGET
#define SCNC_VEC_TARGET SCNC_TARGET_AVX512
/// AVX-512 with 256-bit vectors: the same code, with 32 vector registers
/// (no spills of the broadcast constants) and the EVEX forms.
namespace avx512vl {
#include "HostTickVec.inc"
} // namespace avx512vl
#undef SCNC_VEC_512
#define SCNC_VEC_512 1
/// AVX-512 with 512-bit vectors, sixteen neurons at a time.
namespace avx512 {
#include "HostTickVec.inc"
} // namespace avx512
#undef SCNC_VEC_512
#undef SCNC_VEC_TARGET
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
      return HostIsa::Avx512;
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
  // So does a core whose neurons compete per tick (winnersPerTick).
  if (core.cfg.params.model != NeuronModelIfCurrExp ||
      core.cfg.winnersPerTick) {
    neuronCoreTick(core, tick);
    return;
  }
  NeuronTick t = beginNeuronTick(core, tick);
  uint32_t i = 0;
  switch (hostIsa(most)) {
#ifdef SCNC_HOST_AVX2
  case HostIsa::Avx512:
    i = avx512::tickBlocks(t, i); // every neuron
    break;
  case HostIsa::Avx512vl:
    i = avx512vl::tickBlocks(t, i);
    break;
  case HostIsa::Avx2:
    i = avx2::tickBlocks(t, i);
    break;
#endif
  default:
    break;
  }
  // The last n mod 8 neurons of the 256-bit loops (all of them without
  // AVX2): the kernel's step.
  for (; i < core.cfg.numNeurons; ++i)
    neuronStep(t, i);
  endNeuronTick(t);
}
