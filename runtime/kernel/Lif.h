//===- Lif.h - IF_curr_exp on a core, in integer fixed point ----*- C++ -*-===//
//
// The neuron model every neuron core runs (IF_curr_exp with exponential
// synapses, sPyNNaker's neuron_impl_standard order): its constants, a
// neuron's state and the update of one timer tick. The kernel
// (kernel/Kernel.cpp) and the reference evaluator (runtime/Reference.cpp)
// both call lifStep, so their spikes and voltages agree bit for bit. The
// host builds the constants (toFixed, scnc/Support/FixedPoint.h).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_LIF_H
#define SCNC_RUNTIME_KERNEL_LIF_H

#include "kernel/FixedPoint.h"
#include <cstdint>

namespace scnc {

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
///
/// Work that cannot change anything is left out: a zero input adds
/// mul(0, init) = 0 to a current (addSat(x, 0) == x), a zero inhibitory
/// current or offset changes no sum (subSat(x, 0) == addSat(x, 0) == x), a
/// zero current decays to 0. Each shortcut gives the bits the full step
/// would; they matter on a core, where most neurons get no input in most
/// ticks.
inline void lifStep(NeuronFixedState &s, const NeuronFixedParams &p,
                    Accum excitatoryInput, Accum inhibitoryInput,
                    bool &spiked) {
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
  // 3. Threshold, reset, refractory period.
  spiked = s.v >= p.vThresh;
  if (spiked) {
    s.v = p.vReset;
    s.refracTimer = p.refracTicks;
  }
  // 4. The synaptic currents decay for the next tick.
  if (s.iSynE.bits)
    s.iSynE = mul(s.iSynE, p.decayE);
  if (s.iSynI.bits)
    s.iSynI = mul(s.iSynI, p.decayI);
}

} // namespace scnc

#endif
