//===- Lif.h - Neuron models on a core, in integer fixed point --*- C++ -*-===//
//
// The neuron models a neuron core runs: IF_curr_exp with exponential
// synapses (sPyNNaker's neuron_impl_standard order, lifStep) and NIR's IF,
// LIF and CubaLIF (ifStep, nirLifStep, cubaLifStep; docs/execution.md):
// their constants, a neuron's state and the update of one timer tick. The
// kernel (kernel/Kernel.cpp) and the reference evaluator
// (runtime/Reference.cpp) both call these, so their spikes and voltages
// agree bit for bit. The host builds the constants (toFixed,
// scnc/Support/FixedPoint.h).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_LIF_H
#define SCNC_RUNTIME_KERNEL_LIF_H

#include "kernel/FixedPoint.h"
#include <cstdint>

namespace scnc {

/// The neuron models, as the image's neuron-params region numbers them.
enum NeuronModelId : int32_t {
  NeuronModelIfCurrExp = 0,
  NeuronModelIf = 1,
  NeuronModelLif = 2,
  NeuronModelCubaLif = 3,
  NeuronModelCount = 4
};

/// The per-neuron constants of a core's neuron model (built by toFixed).
/// IF_curr_exp uses every field but `bias` and `resetSubtract`; the NIR
/// models (whose ring-buffer input is already a voltage jump, IF and LIF, or
/// a current jump, CubaLIF: the host folds the model's input factor into
/// the weights) use vRest, vReset, vThresh, vInit and:
///   IF:      bias = r i_offset dt (dt in s), mV per tick;
///   LIF:     expTC = exp(-dt/tau_m), bias = r i_offset (1 - expTC);
///   CubaLIF: rMembrane = r, expTC = exp(-dt/tau_m), decayE =
///            exp(-dt/tau_syn), iOffset.
struct NeuronFixedParams {
  Accum vRest, vReset, vThresh, vInit; ///< mV
  Accum iOffset;                       ///< nA
  Accum rMembrane;                     ///< R = tau_m / cm, mV per nA (MOhm)
  UFract32 expTC;                      ///< exp(-dt / tau_m)
  UFract32 decayE, initE;              ///< excitatory synapse
  UFract32 decayI, initI;              ///< inhibitory synapse
  int32_t refracTicks = 0;             ///< ceil(tau_refrac / dt)
  /// The model (NeuronModelId); NIR models: reset by subtraction (v -=
  /// v_thresh - v_reset) and the offset's voltage per tick (IF, LIF).
  int32_t model = NeuronModelIfCurrExp;
  int32_t resetSubtract = 0;
  Accum bias;
};

/// The state of one neuron on a core.
struct NeuronFixedState {
  Accum v; ///< membrane potential, mV
  /// Synaptic currents, nA (IF_curr_exp: both >= 0 in use; CubaLIF: its one
  /// current, of either sign, in iSynE; IF, LIF: unused, 0).
  Accum iSynE, iSynI;
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
///
/// Work that cannot change anything is left out: a zero input adds
/// mul(0, init) = 0 to a current (addSat(x, 0) == x), a zero inhibitory
/// current or offset changes no sum (subSat(x, 0) == addSat(x, 0) == x), a
/// zero current decays to 0. Each shortcut gives the bits the full step
/// would; they matter on a core, where most neurons get no input in most
/// ticks.
///
/// lifIntegrate is the step without its threshold (steps 1, 2 and 4: step
/// 4 does not read V) and lifFire the threshold's reset: a core whose
/// neurons compete per tick (winnersPerTick) integrates all, picks the
/// winners (pickWinners) and fires them, which gives the bits lifStep
/// gives for the neurons that fire and keeps the others' V above
/// threshold.
inline void lifIntegrate(NeuronFixedState &s, const NeuronFixedParams &p,
                         Accum excitatoryInput, Accum inhibitoryInput) {
  // 1. This tick's input enters the synaptic currents.
  if (excitatoryInput.bits)
    s.iSynE = addSat(s.iSynE, mul(excitatoryInput, p.initE));
  if (inhibitoryInput.bits)
    s.iSynI = addSat(s.iSynI, mul(inhibitoryInput, p.initI));
  // 2. Membrane: the exact solution over one tick for a constant current
  //    i = iSynE - iSynI + iOffset.
  if (s.refracTimer <= 0) {
    Accum i = s.iSynI.bits ? subSat(s.iSynE, s.iSynI) : s.iSynE;
    if (p.iOffset.bits)
      i = addSat(i, p.iOffset);
    Accum alpha = addSat(mul(i, p.rMembrane), p.vRest);
    s.v = subSat(alpha, mul(subSat(alpha, s.v), p.expTC));
  } else {
    --s.refracTimer;
  }
  // 4. The synaptic currents decay for the next tick.
  if (s.iSynE.bits)
    s.iSynE = mul(s.iSynE, p.decayE);
  if (s.iSynI.bits)
    s.iSynI = mul(s.iSynI, p.decayI);
}

/// Step 3 for a neuron that fires: reset and refractory period.
inline void lifFire(NeuronFixedState &s, const NeuronFixedParams &p) {
  s.v = p.vReset;
  s.refracTimer = p.refracTicks;
}

inline void lifStep(NeuronFixedState &s, const NeuronFixedParams &p,
                    Accum excitatoryInput, Accum inhibitoryInput,
                    bool &spiked) {
  lifIntegrate(s, p, excitatoryInput, inhibitoryInput);
  // 3. Threshold, reset, refractory period (after step 4 here: step 4 does
  //    not read V and step 3 touches nothing else).
  spiked = s.v >= p.vThresh;
  if (spiked)
    lifFire(s, p);
}

/// The winners of a tick among \p n neurons integrated without a threshold
/// (lifIntegrate): at most \p k of those with V >= vThresh, the highest V
/// first, the lowest index among equal V. \p chosen(i) says whether i was
/// already picked, \p choose(i) picks it (the caller fires the picked
/// neurons, in index order).
template <typename State, typename Threshold, typename Chosen, typename Choose>
inline void pickWinners(const State *s, uint32_t n, uint32_t k,
                        Threshold threshold, Chosen chosen, Choose choose) {
  for (uint32_t w = 0; w < k; ++w) {
    uint32_t best = n;
    for (uint32_t i = 0; i < n; ++i)
      if (s[i].v.bits >= threshold(i).bits && !chosen(i) &&
          (best == n || s[best].v.bits < s[i].v.bits))
        best = i;
    if (best == n)
      return;
    choose(best);
  }
}

/// Threshold and reset of the NIR models: a spike when V > vThresh
/// (strictly), then V = vReset, or V -= vThresh - vReset with
/// resetSubtract. No refractory period.
inline void nirThreshold(NeuronFixedState &s, const NeuronFixedParams &p,
                         bool &spiked) {
  spiked = s.v > p.vThresh;
  if (spiked)
    s.v = p.resetSubtract ? subSat(s.v, subSat(p.vThresh, p.vReset)) : p.vReset;
}

/// One tick of NIR's IF: V += x + bias, x = this tick's input (already
/// r x in mV: the weights carry r), bias = r i_offset dt.
inline void ifStep(NeuronFixedState &s, const NeuronFixedParams &p,
                   Accum excitatoryInput, Accum inhibitoryInput, bool &spiked) {
  if (excitatoryInput.bits | inhibitoryInput.bits)
    s.v = addSat(s.v, subSat(excitatoryInput, inhibitoryInput));
  if (p.bias.bits)
    s.v = addSat(s.v, p.bias);
  nirThreshold(s, p, spiked);
}

/// One tick of NIR's LIF: V = vRest + (V - vRest) expTC + bias + x, bias =
/// r i_offset (1 - expTC), x = this tick's input (already r x / tau_m in
/// mV: the weights carry r / tau_m).
inline void nirLifStep(NeuronFixedState &s, const NeuronFixedParams &p,
                       Accum excitatoryInput, Accum inhibitoryInput,
                       bool &spiked) {
  s.v = addSat(p.vRest, mul(subSat(s.v, p.vRest), p.expTC));
  if (p.bias.bits)
    s.v = addSat(s.v, p.bias);
  if (excitatoryInput.bits | inhibitoryInput.bits)
    s.v = addSat(s.v, subSat(excitatoryInput, inhibitoryInput));
  nirThreshold(s, p, spiked);
}

/// One tick of NIR's CubaLIF: the input (already w_in x / tau_syn in nA: the
/// weights carry w_in / tau_syn) enters the one synaptic current I
/// (iSynE); the membrane as lifStep's with i = I + iOffset held over the
/// tick; threshold; I decays.
inline void cubaLifStep(NeuronFixedState &s, const NeuronFixedParams &p,
                        Accum excitatoryInput, Accum inhibitoryInput,
                        bool &spiked) {
  if (excitatoryInput.bits | inhibitoryInput.bits)
    s.iSynE = addSat(s.iSynE, subSat(excitatoryInput, inhibitoryInput));
  Accum i = p.iOffset.bits ? addSat(s.iSynE, p.iOffset) : s.iSynE;
  Accum alpha = addSat(mul(i, p.rMembrane), p.vRest);
  s.v = subSat(alpha, mul(subSat(alpha, s.v), p.expTC));
  nirThreshold(s, p, spiked);
  if (s.iSynE.bits)
    s.iSynE = mul(s.iSynE, p.decayE);
}

/// One tick of whichever model \p p has (a switch per call: the kernel
/// dispatches once per core instead).
inline void neuronModelStep(NeuronFixedState &s, const NeuronFixedParams &p,
                            Accum excitatoryInput, Accum inhibitoryInput,
                            bool &spiked) {
  switch (p.model) {
  case NeuronModelIf:
    ifStep(s, p, excitatoryInput, inhibitoryInput, spiked);
    return;
  case NeuronModelLif:
    nirLifStep(s, p, excitatoryInput, inhibitoryInput, spiked);
    return;
  case NeuronModelCubaLif:
    cubaLifStep(s, p, excitatoryInput, inhibitoryInput, spiked);
    return;
  default:
    lifStep(s, p, excitatoryInput, inhibitoryInput, spiked);
  }
}

} // namespace scnc

#endif
