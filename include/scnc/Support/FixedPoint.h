//===- FixedPoint.h - Neuron-core fixed point and IF_curr_exp ---*- C++ -*-===//
//
// The numbers a SpiNNaker neuron core computes with (sPyNNaker's S16.15
// `accum` and u0.32 `unsigned long fract`), the IF_curr_exp update in them,
// and the host-side conversions that build its parameters. Everything above
// the "host only" line uses integers only and is header-only, so the runtime
// kernel (ARM968, no FPU) can include it with SCNC_FIXED_POINT_CORE_ONLY
// defined. docs/fixed-point.md gives every rounding and its source.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_FIXEDPOINT_H
#define SCNC_SUPPORT_FIXEDPOINT_H

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
  return Accum::fromBits(int32_t(
      fixed_detail::roundShiftRight(int64_t(a.bits) * int64_t(f.bits), 32)));
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
  return uint32_t(slot) + weight > 0xFFFFu ? uint16_t(0xFFFF)
                                           : uint16_t(slot + weight);
}

/// The input current (nA) a ring-buffer slot holds: bits(slot) << leftShift
/// read as S16.15 (sPyNNaker synapses_convert_weight_to_input). Saturates
/// when a full slot is shifted by 16.
constexpr Accum ringBufferToAccum(uint16_t slot, unsigned leftShift) {
  return Accum::fromBits(
      fixed_detail::saturate(int64_t(uint64_t(slot) << leftShift)));
}

//===----------------------------------------------------------------------===//
// IF_curr_exp with exponential synapses
//===----------------------------------------------------------------------===//

/// The per-neuron constants of IF_curr_exp on a core (built by toFixed).
struct NeuronFixedParams {
  Accum vRest, vReset, vThresh, vInit; ///< mV
  Accum iOffset;                       ///< nA
  Accum rMembrane;                     ///< R = tau_m / cm, mV per nA (MOhm)
  UFract32 expTC;                      ///< exp(-dt / tau_m)
  UFract32 decayE, initE;              ///< excitatory synapse
  UFract32 decayI, initI;              ///< inhibitory synapse
  int32_t refracTicks = 0;             ///< ceil(tau_refrac / dt)
};

/// The state of one neuron on a core.
struct NeuronFixedState {
  Accum v;                 ///< membrane potential, mV
  Accum iSynE, iSynI;      ///< synaptic currents, nA (both >= 0 in use)
  int32_t refracTimer = 0; ///< ticks of refractory period left
};

/// The state a neuron starts in: V = v_init, no current, not refractory.
constexpr NeuronFixedState initialState(const NeuronFixedParams &p) {
  NeuronFixedState s;
  s.v = p.vInit;
  return s;
}

/// One timer tick of IF_curr_exp in S16.15 (order as sPyNNaker's
/// neuron_impl_standard; docs/fixed-point.md lists it step by step).
/// \p excitatoryInput and \p inhibitoryInput are this tick's ring-buffer
/// slots as currents (ringBufferToAccum), both non-negative.
inline void lifStep(NeuronFixedState &s, const NeuronFixedParams &p,
                    Accum excitatoryInput, Accum inhibitoryInput,
                    bool &spiked) {
  // 1. This tick's input enters the synaptic currents.
  s.iSynE = addSat(s.iSynE, mul(excitatoryInput, p.initE));
  s.iSynI = addSat(s.iSynI, mul(inhibitoryInput, p.initI));
  // 2. Membrane: the exact solution over one tick for a constant current.
  if (s.refracTimer <= 0) {
    Accum i = addSat(subSat(s.iSynE, s.iSynI), p.iOffset);
    Accum alpha = addSat(mul(i, p.rMembrane), p.vRest);
    s.v = subSat(alpha, mul(subSat(alpha, s.v), p.expTC));
  } else {
    --s.refracTimer;
  }
  // 3. Threshold, reset, refractory period.
  spiked = s.v >= p.vThresh;
  if (spiked) {
    s.v = p.vReset;
    s.refracTimer = p.refracTicks;
  }
  // 4. The synaptic currents decay for the next tick.
  s.iSynE = mul(s.iSynE, p.decayE);
  s.iSynI = mul(s.iSynI, p.decayI);
}

} // namespace scnc

//===----------------------------------------------------------------------===//
// Host only: conversions from and to double, parameter precomputation,
// weight scaling, the float64 reference model.
//===----------------------------------------------------------------------===//
#ifndef SCNC_FIXED_POINT_CORE_ONLY

#include <cstddef>
#include <string>
#include <vector>

namespace scnc {

/// IF_curr_exp parameters in PyNN's names and units (ms, nF, mV, nA): the
/// IR's NeuronParams has the same fields; Support does not depend on IR.
struct LifParams {
  double tau_m = 20, cm = 1, v_rest = -65, v_reset = -65, v_thresh = -50,
         tau_refrac = 0.1, tau_syn_E = 5, tau_syn_I = 5, i_offset = 0,
         v_init = -65;
  /// From any struct with those fields (e.g. scnc::NeuronParams).
  template <typename P> static LifParams of(const P &p) {
    LifParams l;
    l.tau_m = p.tau_m;
    l.cm = p.cm;
    l.v_rest = p.v_rest;
    l.v_reset = p.v_reset;
    l.v_thresh = p.v_thresh;
    l.tau_refrac = p.tau_refrac;
    l.tau_syn_E = p.tau_syn_E;
    l.tau_syn_I = p.tau_syn_I;
    l.i_offset = p.i_offset;
    l.v_init = p.v_init;
    return l;
  }
};

/// \p v rounded to the nearest S16.15 (ties to even, as sPyNNaker's
/// DataType encoding); saturates outside the range and then sets *overflow
/// (left untouched otherwise). NaN converts to 0 with *overflow set.
Accum accumFromDouble(double v, bool *overflow = nullptr);
/// \p v rounded to the nearest u0.32 (ties to even); saturates to [0,
/// 1 - 2^-32] and then sets *overflow. NaN converts to 0 with *overflow set.
UFract32 ufract32FromDouble(double v, bool *overflow = nullptr);
/// The exact value (every S16.15 and u0.32 number is a double).
double toDouble(Accum a);
double toDouble(UFract32 f);

/// ceil(tauRefrac / dt) as an integer tick count; a quotient within 1e-9
/// (relative) of an integer counts as that integer, so floating-point error
/// in 2.0 / 0.1 or 2060 / 0.1 never adds a tick. Saturates at INT32_MAX.
int32_t refractoryTicks(double tauRefrac, double dt);

/// The IF_curr_exp constants in float64, from the reference equations
/// (docs/fixed-point.md); toFixed rounds exactly these numbers.
struct NeuronDoubleParams {
  double vRest = 0, vReset = 0, vThresh = 0, vInit = 0; ///< mV
  double iOffset = 0;                                   ///< nA
  double rMembrane = 0;                                 ///< mV per nA
  double expTC = 0;                                     ///< exp(-dt/tau_m)
  double decayE = 0, initE = 0, decayI = 0, initI = 0;
  int32_t refracTicks = 0;
};

struct NeuronDoubleState {
  double v = 0, iSynE = 0, iSynI = 0;
  int32_t refracTimer = 0;
};

/// The reference constants for timestep \p dt (ms, > 0).
NeuronDoubleParams toDoubleParams(const LifParams &p, double dt);
template <typename P> NeuronDoubleParams toDoubleParams(const P &p, double dt) {
  return toDoubleParams(LifParams::of(p), dt);
}

/// The core's constants for timestep \p dt (ms, > 0). Every value that does
/// not fit its format saturates; if \p overflows is given, one message per
/// such value (naming the parameter) is appended to it.
NeuronFixedParams toFixed(const LifParams &p, double dt,
                          std::vector<std::string> *overflows = nullptr);
template <typename P>
NeuronFixedParams toFixed(const P &p, double dt,
                          std::vector<std::string> *overflows = nullptr) {
  return toFixed(LifParams::of(p), dt, overflows);
}

inline NeuronDoubleState initialState(const NeuronDoubleParams &p) {
  NeuronDoubleState s;
  s.v = p.vInit;
  return s;
}

/// lifStep in float64: the same steps in the same order, no rounding.
void lifStepDouble(NeuronDoubleState &s, const NeuronDoubleParams &p,
                   double excitatoryInput, double inhibitoryInput,
                   bool &spiked);

/// The ring-buffer left shift for a synapse type whose summed input in one
/// tick is at most \p maxSummedInput nA (sPyNNaker's rule): the smallest
/// shift >= 0 with maxSummedInput < 2^shift. Sums of 2^16 nA or more do not
/// fit S16.15: the shift is then MaxRingBufferLeftShift and *overflow is set.
unsigned ringBufferLeftShift(double maxSummedInput, bool *overflow = nullptr);

/// uint16 units per nA for a left shift: 2^(15 - leftShift).
double weightScale(unsigned leftShift);

/// |w| * weightScale(leftShift) rounded to nearest (ties to even, as numpy's
/// rint in sPyNNaker); saturates at 0xFFFF and then sets *overflow.
uint16_t weightToRingBuffer(double w, unsigned leftShift,
                            bool *overflow = nullptr);

/// Weights of one synapse type converted for the ring buffers.
struct WeightQuantization {
  unsigned leftShift = 0;
  double scale = 0;              ///< uint16 units per nA
  std::vector<uint16_t> weights; ///< one per input weight
  /// max |q/scale - |w|| / |w| over the non-zero weights (1 for a weight that
  /// rounds to 0) and the index where it occurs (0 if all weights are 0).
  double worstRelativeError = 0;
  size_t worstIndex = 0;
  size_t flushedToZero = 0;   ///< non-zero weights that became 0
  size_t saturated = 0;       ///< weights clipped at 0xFFFF
  bool shiftOverflow = false; ///< maxSummedInput does not fit S16.15
};

/// Chooses the shift for \p maxSummedInput and converts \p n weights (nA;
/// the sign is the synapse type's, so |w| is stored).
WeightQuantization quantizeWeights(const double *weights, size_t n,
                                   double maxSummedInput);

} // namespace scnc

#endif // SCNC_FIXED_POINT_CORE_ONLY

#endif
