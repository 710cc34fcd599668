//===- FixedPoint.h - A core's integer fixed point --------------*- C++ -*-===//
//
// The numbers a SpiNNaker neuron core computes with (sPyNNaker's S16.15
// `accum` and u0.32 `unsigned long fract`), their saturating and rounding
// arithmetic and the ring-buffer helpers. Integers only and header-only: the
// kernel (ARM968, no FPU) and the host both include it; the host's
// conversions from and to double are in scnc/Support/FixedPoint.h.
// docs/fixed-point.md gives every rounding and its source.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_FIXEDPOINT_H
#define SCNC_RUNTIME_KERNEL_FIXEDPOINT_H

#include <cstdint>

namespace scnc {

// The roundings below rely on `>>` of a negative integer being an arithmetic
// (flooring) shift, as on GCC/Clang for ARM and x86 (and required by C++20).
static_assert((int64_t(-3) >> 1) == -2, "arithmetic right shift required");

/// S16.15 signed fixed point (sPyNNaker `accum`/`REAL`): value = bits / 2^15,
/// range [-65536, 65536 - 2^-15], resolution 2^-15 (about 3.05e-5).
struct Accum {
  int32_t bits = 0;

  static constexpr int FractionalBits = 15;
  static constexpr int32_t OneBits = int32_t(1) << FractionalBits;

  static constexpr Accum fromBits(int32_t b) {
    Accum a;
    a.bits = b;
    return a;
  }
  /// The exact integer \p i; saturates outside [-65536, 65535].
  static constexpr Accum fromInt(int32_t i) {
    return fromBits(i >= 65536   ? INT32_MAX
                    : i < -65536 ? INT32_MIN
                                 : int32_t(uint32_t(i) << FractionalBits));
  }
  static constexpr Accum max() { return fromBits(INT32_MAX); }
  static constexpr Accum min() { return fromBits(INT32_MIN); }
};

constexpr bool operator==(Accum a, Accum b) { return a.bits == b.bits; }
constexpr bool operator!=(Accum a, Accum b) { return a.bits != b.bits; }
constexpr bool operator<(Accum a, Accum b) { return a.bits < b.bits; }
constexpr bool operator<=(Accum a, Accum b) { return a.bits <= b.bits; }
constexpr bool operator>(Accum a, Accum b) { return a.bits > b.bits; }
constexpr bool operator>=(Accum a, Accum b) { return a.bits >= b.bits; }

/// u0.32 unsigned fraction (sPyNNaker `unsigned long fract`, `decay_t`):
/// value = bits / 2^32 in [0, 1 - 2^-32]. Used for decays and init factors.
struct UFract32 {
  uint32_t bits = 0;

  static constexpr UFract32 fromBits(uint32_t b) {
    UFract32 f;
    f.bits = b;
    return f;
  }
};

constexpr bool operator==(UFract32 a, UFract32 b) { return a.bits == b.bits; }
constexpr bool operator!=(UFract32 a, UFract32 b) { return a.bits != b.bits; }

namespace fixed_detail {
/// Clamps a 64-bit intermediate to the int32 range.
constexpr int32_t saturate(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : int32_t(v);
}
/// v / 2^n rounded to nearest, ties toward +infinity: floor(v / 2^n) plus
/// bit n-1 of v (spinn_common's __stdfix_round_s64 followed by >> n).
constexpr int64_t roundShiftRight(int64_t v, unsigned n) {
  return (v >> n) + ((v >> (n - 1)) & 1);
}
} // namespace fixed_detail

/// a + b, saturating at the S16.15 range.
constexpr Accum addSat(Accum a, Accum b) {
  return Accum::fromBits(fixed_detail::saturate(int64_t(a.bits) + b.bits));
}
/// a - b, saturating.
constexpr Accum subSat(Accum a, Accum b) {
  return Accum::fromBits(fixed_detail::saturate(int64_t(a.bits) - b.bits));
}
/// -a, saturating (-(-65536) gives the maximum).
constexpr Accum negSat(Accum a) {
  return Accum::fromBits(fixed_detail::saturate(-int64_t(a.bits)));
}

/// a * b: exact 64-bit product, rounded to nearest S16.15 with ties toward
/// +infinity, then saturated (spinn_common __stdfix_smul_k_round_nearest,
/// i.e. sPyNNaker's MULT_ROUND_NEAREST_ACCUM on two accums).
constexpr Accum mul(Accum a, Accum b) {
  return Accum::fromBits(fixed_detail::saturate(
      fixed_detail::roundShiftRight(int64_t(a.bits) * b.bits, 15)));
}

/// a * f: (int64 bits(a) * uint32 bits(f)) / 2^32 rounded to nearest, ties
/// toward +infinity (spinn_common accum_times_u_long_fract_nearest). |a*f| <=
/// |a|, so the result always fits and needs no saturation.
constexpr Accum mul(Accum a, UFract32 f) {
  return Accum::fromBits(int32_t(fixed_detail::roundShiftRight(
                             int64_t(a.bits) * int64_t(f.bits), 32))
#ifdef SCNC_KERNEL_MUTATE
                         // The ARM equivalence test's deliberate one-bit
                         // change (runtime/arm, neuron-qemu-mutant only).
                         ^ 1
#endif
  );
}
constexpr Accum mul(UFract32 f, Accum a) { return mul(a, f); }

/// a * f truncated toward -infinity ((s * u) >> 32, sPyNNaker decay_s1615).
/// Not used by lifStep; kept for bit-comparisons with sPyNNaker's synapses.
constexpr Accum mulFloor(Accum a, UFract32 f) {
  return Accum::fromBits(int32_t((int64_t(a.bits) * int64_t(f.bits)) >> 32));
}

//===----------------------------------------------------------------------===//
// Ring buffers
//===----------------------------------------------------------------------===//

/// The largest ring-buffer left shift: 0xFFFF << 16 still fits 32 bits, and a
/// larger shift would only serve sums that S16.15 cannot hold.
constexpr unsigned MaxRingBufferLeftShift = 16;

/// A saturating add into a uint16 ring-buffer slot.
constexpr uint16_t addSatU16(uint16_t slot, uint16_t weight) {
  // One sum, then a compare and a conditional move (the emulator's hottest
  // line: summing twice cost two instructions per synaptic event).
  uint32_t sum = uint32_t(slot) + weight;
  return uint16_t(sum > 0xFFFFu ? 0xFFFFu : sum);
}

/// The input current (nA) a ring-buffer slot holds: bits(slot) << leftShift
/// read as S16.15 (sPyNNaker synapses_convert_weight_to_input). Saturates
/// when a full slot is shifted by 16.
constexpr Accum ringBufferToAccum(uint16_t slot, unsigned leftShift) {
  return Accum::fromBits(
      fixed_detail::saturate(int64_t(uint64_t(slot) << leftShift)));
}

} // namespace scnc

#endif
