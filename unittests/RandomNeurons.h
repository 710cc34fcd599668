//===- RandomNeurons.h - Random LIF parameters for kernel tests -*- C++ -*-===//
#ifndef SCNC_UNITTESTS_RANDOMNEURONS_H
#define SCNC_UNITTESTS_RANDOMNEURONS_H

#include "kernel/Lif.h"
#include <cstdint>
#include <functional>
#include <random>

namespace scnc {
namespace test {

/// A uniform integer in [lo, hi].
inline int32_t uniformIn(std::mt19937 &rng, int32_t lo, int32_t hi) {
  return int32_t(lo + int64_t(rng() % (uint64_t(int64_t(hi) - lo) + 1)));
}

/// Random IF_curr_exp parameters in the kernel's format, drawn in field
/// order; \p extreme allows membrane resistances up to 60000 MOhm (currents
/// that saturate the membrane). The offset current's bits come from
/// \p iOffsetBits (drawn after the threshold); vInit is left as it was.
inline void randomNeuronParams(std::mt19937 &rng, bool extreme,
                               const std::function<int32_t()> &iOffsetBits,
                               NeuronFixedParams &p) {
  p.vRest = Accum::fromBits(uniformIn(rng, -70 * 32768, -60 * 32768));
  p.vReset = Accum::fromBits(uniformIn(rng, -75 * 32768, -60 * 32768));
  p.vThresh = Accum::fromBits(uniformIn(rng, -58 * 32768, -40 * 32768));
  p.iOffset = Accum::fromBits(iOffsetBits());
  p.rMembrane = Accum::fromBits(
      uniformIn(rng, 32768, extreme ? 60000 * 32768 : 80 * 32768));
  p.expTC = UFract32::fromBits(uint32_t(rng()));
  p.decayE = UFract32::fromBits(uint32_t(rng()));
  p.decayI = UFract32::fromBits(uint32_t(rng()));
  p.initE = UFract32::fromBits(uint32_t(rng()));
  p.initI = UFract32::fromBits(uint32_t(rng()));
  p.refracTicks = uniformIn(rng, 0, 5);
}

} // namespace test
} // namespace scnc

#endif
