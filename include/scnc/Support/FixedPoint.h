//===- FixedPoint.h - Host-side fixed point and IF_curr_exp -----*- C++ -*-===//
//
// The host's side of the numbers a SpiNNaker neuron core computes with:
// conversions from and to double, the IF_curr_exp parameter precomputation
// (toFixed), ring-buffer weight scaling and the float64 reference model.
// The integer core they convert to and from (S16.15 Accum, u0.32 UFract32,
// their arithmetic, lifStep) is the kernel's (kernel/FixedPoint.h,
// kernel/Lif.h), included here. docs/fixed-point.md gives every rounding.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_FIXEDPOINT_H
#define SCNC_SUPPORT_FIXEDPOINT_H

#include "kernel/FixedPoint.h"
#include "kernel/Lif.h"
#include <cstddef>
#include <string>
#include <vector>

namespace scnc {

/// The NeuronModelId of a model name ("IF_curr_exp", "IF", "LIF",
/// "CubaLIF"); IF_curr_exp for any other.
int32_t neuronModelId(const std::string &name);

/// Neuron parameters in PyNN's names and units (ms, nF, mV, nA): the
/// IR's NeuronParams has the same fields; Support does not depend on IR.
struct LifParams {
  double tau_m = 20, cm = 1, v_rest = -65, v_reset = -65, v_thresh = -50,
         tau_refrac = 0.1, tau_syn_E = 5, tau_syn_I = 5, i_offset = 0,
         v_init = -65;
  /// The model (NeuronModelId) and the NIR models' extra parameters
  /// (docs/execution.md): resistance and CubaLIF's input weight (plain
  /// numbers) and reset by subtraction.
  int32_t model = NeuronModelIfCurrExp;
  double r = 1, w_in = 1;
  bool resetSubtract = false;
  /// From any struct with those fields (e.g. scnc::NeuronParams, whose
  /// model is a name).
  template <typename P> static LifParams of(const P &p) {
    LifParams l;
    l.model = neuronModelId(p.model);
    l.r = p.r;
    l.w_in = p.w_in;
    l.resetSubtract = p.resetSubtract;
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
  /// NIR models (NeuronFixedParams says which fields each uses): the model,
  /// reset by subtraction, the offset's voltage per tick, and the factor
  /// the fixed-point path folds into the weights (inputFactor).
  int32_t model = NeuronModelIfCurrExp;
  bool resetSubtract = false;
  double bias = 0;
  double inputFactor = 1;
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

/// What one unit (nA) of synaptic weight does to a neuron of this model,
/// per unit of weight: 1 for IF_curr_exp (its synapses scale the input
/// themselves), r for IF (mV), r / tau_m (tau in s) for LIF (mV), w_in /
/// tau_syn_E (s) for CubaLIF (nA). The image writer and the fixed-point
/// reference multiply every weight into a population by it before the
/// ring-buffer scaling; the float64 reference multiplies the summed input.
double inputFactor(const LifParams &p);
template <typename P> double inputFactor(const P &p) {
  return inputFactor(LifParams::of(p));
}

/// One tick of the parameters' model in float64 (lifStep, or the NIR
/// models' steps of kernel/Lif.h): the same steps in the same order, no
/// rounding. The inputs are the summed |w| in nA (the NIR models multiply
/// them by inputFactor here).
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

#endif
