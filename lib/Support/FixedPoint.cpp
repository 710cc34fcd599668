//===- FixedPoint.cpp - Host-side fixed-point conversions -----------------===//
//
// Rounding from double, IF_curr_exp parameter precomputation, ring-buffer
// weight scaling and the float64 twin of lifStep. docs/fixed-point.md.
//
//===----------------------------------------------------------------------===//
#include "scnc/Support/FixedPoint.h"
#include <cassert>
#include <cmath>
#include <sstream>

using namespace scnc;

/// \p x rounded to the nearest integer, ties to even, independent of the
/// floating-point environment. \p x must be finite.
static double roundHalfEven(double x) {
  double r = std::floor(x);
  double diff = x - r; // exact: x and r are within one unit of each other
  if (diff > 0.5 || (diff == 0.5 && std::fmod(r, 2.0) != 0.0))
    r += 1.0;
  return r;
}

/// Rounds v * 2^fractionalBits to an integer in [lo, hi]; the scaling by a
/// power of two is exact, so only the final rounding loses information.
static int64_t roundScaled(double v, int fractionalBits, int64_t lo, int64_t hi,
                           bool *overflow) {
  if (std::isnan(v)) {
    if (overflow)
      *overflow = true;
    return 0;
  }
  double scaled = std::ldexp(v, fractionalBits);
  // Compare as doubles first: lo and hi (|x| <= 2^32) are exact doubles.
  double r = std::isinf(scaled) ? scaled : roundHalfEven(scaled);
  if (r < double(lo) || r > double(hi)) {
    if (overflow)
      *overflow = true;
    return r < double(lo) ? lo : hi;
  }
  return int64_t(r);
}

Accum scnc::accumFromDouble(double v, bool *overflow) {
  return Accum::fromBits(int32_t(
      roundScaled(v, Accum::FractionalBits, INT32_MIN, INT32_MAX, overflow)));
}

UFract32 scnc::ufract32FromDouble(double v, bool *overflow) {
  return UFract32::fromBits(
      uint32_t(roundScaled(v, 32, 0, UINT32_MAX, overflow)));
}

double scnc::toDouble(Accum a) {
  return std::ldexp(double(a.bits), -Accum::FractionalBits);
}

double scnc::toDouble(UFract32 f) { return std::ldexp(double(f.bits), -32); }

int32_t scnc::refractoryTicks(double tauRefrac, double dt) {
  assert(dt > 0 && "timestep must be positive");
  if (!(tauRefrac > 0))
    return 0;
  double q = tauRefrac / dt;
  double nearest = std::round(q);
  double ticks = std::fabs(q - nearest) <= 1e-9 * std::fmax(1.0, q)
                     ? nearest
                     : std::ceil(q);
  return ticks >= double(INT32_MAX) ? INT32_MAX : int32_t(ticks);
}

/// exp(-dt/tau) and (tau/dt)(1 - exp(-dt/tau)) of an exponential synapse;
/// the second via expm1 so that it keeps its precision when dt << tau.
static void synapseConstants(double tau, double dt, double &decay,
                             double &init) {
  double x = dt / tau;
  decay = std::exp(-x);
  init = -std::expm1(-x) / x;
}

int32_t scnc::neuronModelId(const std::string &name) {
  if (name == "IF")
    return NeuronModelIf;
  if (name == "LIF")
    return NeuronModelLif;
  if (name == "CubaLIF")
    return NeuronModelCubaLif;
  return NeuronModelIfCurrExp;
}

double scnc::inputFactor(const LifParams &p) {
  switch (p.model) {
  case NeuronModelIf:
    return p.r;
  case NeuronModelLif:
    return p.r / (p.tau_m / 1000.0);
  case NeuronModelCubaLif:
    return p.w_in / (p.tau_syn_E / 1000.0);
  default:
    return 1.0;
  }
}

/// The NIR models' constants (NeuronFixedParams lists which each uses).
static NeuronDoubleParams nirDoubleParams(const LifParams &p, double dt) {
  NeuronDoubleParams d;
  d.model = p.model;
  d.resetSubtract = p.resetSubtract;
  d.inputFactor = inputFactor(p);
  d.vRest = p.model == NeuronModelIf ? 0 : p.v_rest; // IF has no leak
  d.vReset = p.v_reset;
  d.vThresh = p.v_thresh;
  d.vInit = p.v_init;
  switch (p.model) {
  case NeuronModelIf:
    d.bias = p.r * p.i_offset * (dt / 1000.0);
    break;
  case NeuronModelLif:
    d.expTC = std::exp(-dt / p.tau_m);
    d.bias = p.r * p.i_offset * -std::expm1(-dt / p.tau_m);
    break;
  default: // CubaLIF
    d.iOffset = p.i_offset;
    d.rMembrane = p.r;
    d.expTC = std::exp(-dt / p.tau_m);
    d.decayE = std::exp(-dt / p.tau_syn_E);
    break;
  }
  return d;
}

NeuronDoubleParams scnc::toDoubleParams(const LifParams &p, double dt) {
  assert(dt > 0 && "timestep must be positive");
  if (p.model != NeuronModelIfCurrExp)
    return nirDoubleParams(p, dt);
  NeuronDoubleParams d;
  d.vRest = p.v_rest;
  d.vReset = p.v_reset;
  d.vThresh = p.v_thresh;
  d.vInit = p.v_init;
  d.iOffset = p.i_offset;
  d.rMembrane = p.tau_m / p.cm;
  d.expTC = std::exp(-dt / p.tau_m);
  synapseConstants(p.tau_syn_E, dt, d.decayE, d.initE);
  synapseConstants(p.tau_syn_I, dt, d.decayI, d.initI);
  d.refracTicks = refractoryTicks(p.tau_refrac, dt);
  return d;
}

namespace {
/// Converts one named value and records a message if it saturated.
class Converter {
public:
  explicit Converter(std::vector<std::string> *overflows)
      : overflows(overflows) {}

  Accum accum(const char *what, const char *unit, double v) {
    bool overflow = false;
    Accum a = accumFromDouble(v, &overflow);
    if (overflow)
      report(what, unit, v, "S16.15 [-65536, 65536)");
    return a;
  }
  UFract32 fract(const char *what, double v) {
    bool overflow = false;
    UFract32 f = ufract32FromDouble(v, &overflow);
    if (overflow)
      report(what, "", v, "u0.32 [0, 1)");
    return f;
  }

private:
  void report(const char *what, const char *unit, double v, const char *range) {
    if (!overflows)
      return;
    std::ostringstream os;
    os.precision(17);
    os << what << " = " << v << (*unit ? " " : "") << unit << " does not fit "
       << range << "; saturated";
    overflows->push_back(os.str());
  }

  std::vector<std::string> *overflows;
};
} // namespace

NeuronFixedParams scnc::toFixed(const LifParams &p, double dt,
                                std::vector<std::string> *overflows) {
  NeuronDoubleParams d = toDoubleParams(p, dt);
  Converter c(overflows);
  NeuronFixedParams f;
  if (p.model != NeuronModelIfCurrExp) {
    f.model = p.model;
    f.resetSubtract = p.resetSubtract;
    f.vRest = c.accum("v_rest", "mV", d.vRest);
    f.vReset = c.accum("v_reset", "mV", d.vReset);
    f.vThresh = c.accum("v_thresh", "mV", d.vThresh);
    f.vInit = c.accum("v_init", "mV", d.vInit);
    if (p.model == NeuronModelIf)
      f.bias = c.accum("r i_offset dt", "mV", d.bias);
    if (p.model == NeuronModelLif) {
      f.expTC = c.fract("exp(-dt/tau_m)", d.expTC);
      f.bias = c.accum("r i_offset (1 - exp(-dt/tau_m))", "mV", d.bias);
    }
    if (p.model == NeuronModelCubaLif) {
      f.iOffset = c.accum("i_offset", "nA", d.iOffset);
      f.rMembrane = c.accum("r", "", d.rMembrane);
      f.expTC = c.fract("exp(-dt/tau_m)", d.expTC);
      f.decayE = c.fract("exp(-dt/tau_syn)", d.decayE);
    }
    return f;
  }
  f.vRest = c.accum("v_rest", "mV", d.vRest);
  f.vReset = c.accum("v_reset", "mV", d.vReset);
  f.vThresh = c.accum("v_thresh", "mV", d.vThresh);
  f.vInit = c.accum("v_init", "mV", d.vInit);
  f.iOffset = c.accum("i_offset", "nA", d.iOffset);
  f.rMembrane = c.accum("R = tau_m/cm", "mV/nA", d.rMembrane);
  f.expTC = c.fract("exp(-dt/tau_m)", d.expTC);
  f.decayE = c.fract("exp(-dt/tau_syn_E)", d.decayE);
  f.initE = c.fract("(tau_syn_E/dt)(1 - exp(-dt/tau_syn_E))", d.initE);
  f.decayI = c.fract("exp(-dt/tau_syn_I)", d.decayI);
  f.initI = c.fract("(tau_syn_I/dt)(1 - exp(-dt/tau_syn_I))", d.initI);
  f.refracTicks = d.refracTicks;
  if (d.refracTicks == INT32_MAX && overflows)
    overflows->push_back("tau_refrac/dt does not fit 32 bits; saturated");
  return f;
}

void scnc::lifStepDouble(NeuronDoubleState &s, const NeuronDoubleParams &p,
                         double excitatoryInput, double inhibitoryInput,
                         bool &spiked) {
  if (p.model != NeuronModelIfCurrExp) {
    double x = (excitatoryInput - inhibitoryInput) * p.inputFactor;
    switch (p.model) {
    case NeuronModelIf:
      s.v = s.v + x + p.bias;
      break;
    case NeuronModelLif:
      s.v = p.vRest + (s.v - p.vRest) * p.expTC + p.bias + x;
      break;
    default: { // CubaLIF
      s.iSynE += x;
      double alpha = (s.iSynE + p.iOffset) * p.rMembrane + p.vRest;
      s.v = alpha - p.expTC * (alpha - s.v);
      break;
    }
    }
    spiked = s.v > p.vThresh;
    if (spiked)
      s.v = p.resetSubtract ? s.v - (p.vThresh - p.vReset) : p.vReset;
    s.iSynE *= p.decayE; // 0 but for CubaLIF
    return;
  }
  s.iSynE += excitatoryInput * p.initE;
  s.iSynI += inhibitoryInput * p.initI;
  if (s.refracTimer <= 0) {
    double i = s.iSynE - s.iSynI + p.iOffset;
    double alpha = i * p.rMembrane + p.vRest;
    s.v = alpha - p.expTC * (alpha - s.v);
  } else {
    --s.refracTimer;
  }
  spiked = s.v >= p.vThresh;
  if (spiked) {
    s.v = p.vReset;
    s.refracTimer = p.refracTicks;
  }
  s.iSynE *= p.decayE;
  s.iSynI *= p.decayI;
}

unsigned scnc::ringBufferLeftShift(double maxSummedInput, bool *overflow) {
  if (!(maxSummedInput > 0))
    return 0;
  // The smallest shift with maxSummedInput < 2^shift: ceil(log2(max)),
  // plus one when max is itself a power of two (the range is half-open).
  // frexp gives it exactly where log2 might round: max = m * 2^e with m in
  // [0.5, 1), so 2^(e-1) <= max < 2^e and the shift is e.
  if (std::isinf(maxSummedInput)) {
    if (overflow)
      *overflow = true;
    return MaxRingBufferLeftShift;
  }
  int shift = 0;
  std::frexp(maxSummedInput, &shift);
  if (shift < 0)
    shift = 0;
  if (shift > int(MaxRingBufferLeftShift)) {
    if (overflow)
      *overflow = true;
    return MaxRingBufferLeftShift;
  }
  return unsigned(shift);
}

double scnc::weightScale(unsigned leftShift) {
  return std::ldexp(1.0, 15 - int(leftShift));
}

uint16_t scnc::weightToRingBuffer(double w, unsigned leftShift,
                                  bool *overflow) {
  return uint16_t(
      roundScaled(std::fabs(w), 15 - int(leftShift), 0, 0xFFFF, overflow));
}

WeightQuantization scnc::quantizeWeights(const double *weights, size_t n,
                                         double maxSummedInput) {
  WeightQuantization q;
  q.leftShift = ringBufferLeftShift(maxSummedInput, &q.shiftOverflow);
  q.scale = weightScale(q.leftShift);
  q.weights.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    bool overflow = false;
    uint16_t v = weightToRingBuffer(weights[i], q.leftShift, &overflow);
    q.weights.push_back(v);
    if (overflow)
      ++q.saturated;
    double w = std::fabs(weights[i]);
    if (!(w > 0))
      continue;
    if (v == 0)
      ++q.flushedToZero;
    double err = std::fabs(double(v) / q.scale - w) / w;
    if (err > q.worstRelativeError) {
      q.worstRelativeError = err;
      q.worstIndex = i;
    }
  }
  return q;
}
