//===- FixedPointCoreTest.cpp - The core part without FP registers --------===//
//
// Compiled with -mgeneral-regs-only where the compiler has it: any floating
// point in the kernel's integer core (kernel/FixedPoint.h, kernel/Lif.h)
// fails this build. The arithmetic is checked at compile time;
// FixedPointTest.cpp runs countSpikesCoreOnly.
//
//===----------------------------------------------------------------------===//
#include "kernel/FixedPoint.h"
#include "kernel/Lif.h"

using namespace scnc;

namespace {
constexpr Accum bits(int32_t b) { return Accum::fromBits(b); }
constexpr UFract32 fbits(uint32_t b) { return UFract32::fromBits(b); }
} // namespace

static_assert(mul(bits(16384), bits(16384)).bits == 8192, "0.5 * 0.5");
static_assert(mul(bits(1), bits(16384)).bits == 1, "ties toward +inf");
static_assert(mul(bits(-1), bits(16384)).bits == 0, "ties toward +inf");
static_assert(mul(bits(5), bits(16384)).bits == 3, "ties toward +inf");
static_assert(mul(Accum::min(), Accum::min()) == Accum::max(), "saturates");
static_assert(mul(bits(1), fbits(0x80000000u)).bits == 1, "ties up");
static_assert(mul(bits(-1), fbits(0x80000000u)).bits == 0, "ties up");
static_assert(mulFloor(bits(-1), fbits(0x80000000u)).bits == -1, "floor");
static_assert(addSat(Accum::max(), bits(1)) == Accum::max(), "saturates");
static_assert(subSat(Accum::min(), bits(1)) == Accum::min(), "saturates");
static_assert(Accum::fromInt(-65).bits == -2129920, "-65 mV");
static_assert(ringBufferToAccum(0xFFFF, 16) == Accum::max(), "saturates");
static_assert(addSatU16(0xFFFF, 1) == 0xFFFF, "saturates");

int64_t countSpikesCoreOnly(const NeuronFixedParams &p, Accum excitatory,
                            int64_t ticks);

int64_t countSpikesCoreOnly(const NeuronFixedParams &p, Accum excitatory,
                            int64_t ticks) {
  NeuronFixedState s = initialState(p);
  int64_t spikes = 0;
  for (int64_t t = 0; t < ticks; ++t) {
    bool spiked = false;
    lifStep(s, p, excitatory, Accum(), spiked);
    spikes += spiked;
  }
  return spikes;
}
