//===- StdpRule.h - An STDP rule in a core's units --------------*- C++ -*-===//
//
// The host-side derivation of the numbers the pair rule runs on
// (docs/image-format.md "STDP parameters", docs/execution.md "Plastic
// projections"): A+ w_max, A- w_max, w_min and w_max in ring-buffer units of
// the plastic synapses' type (S16.15), and the decay tables exp(-k dt / tau)
// as u0.32 until they fall below 2^-11. The image writer and the reference
// evaluator both derive a rule here, so that their learned weights agree.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IR_STDPRULE_H
#define SCNC_IR_STDPRULE_H

#include "kernel/Stdp.h"
#include "scnc/IR/Network.h"
#include "scnc/IR/WeightScale.h"
#include "scnc/Support/FixedPoint.h"
#include "llvm/ADT/ArrayRef.h"
#include <vector>

namespace scnc {

/// A rule in a population's ring-buffer units, owning its decay tables.
struct FixedStdpRule {
  bool multiplicative = false;
  /// As the image stores them (S16.15): A+ w_max, A- w_max, w_min, w_max,
  /// each `value * weightScale(shift)` by accumFromDouble.
  Accum aPlus, aMinus, wMinAccum, wMaxAccum;
  /// The bounds as whole units: the S16.15 values rounded to nearest, ties
  /// up (what the kernel computes from the image's words).
  int32_t wMin = 0, wMax = 0;
  /// exp(-k dt / tau+) and exp(-k dt / tau-) for k = 0, 1, ... while >= 2^-11
  /// (at most 4096 entries), ufract32FromDouble.
  std::vector<UFract32> decayPlus, decayMinus;

  /// The view stdp:: functions take (points into this object).
  stdp::Rule rule() const;
};

/// Derives \p r for synapses whose ring buffers use left shift \p shift, with
/// a timestep of \p dt ms.
FixedStdpRule deriveStdpRule(const StdpRule &r, double dt, unsigned shift);

/// The weight changes of one pairing at a full trace (1.0), in ring-buffer
/// units, as the kernel rounds them (stdp::weightStep; for the
/// multiplicative dependence with the whole span as room): 0 means the
/// amplitude is below half the weight resolution and never changes a weight.
int32_t fullTraceStep(const FixedStdpRule &f, bool potentiation);

class DiagnosticEngine;

/// Checks every plastic projection of \p n (an expanded network) against
/// its post population's ring-buffer scale (\p scales, computeWeightScales):
/// a diagnostic at the projection when A+ w_max or A- w_max rounds to no
/// change even at a full trace, so the rule cannot potentiate or cannot
/// depress any weight; an error with \p asError, else a warning. Returns
/// false after an error.
bool checkStdpResolution(const Network &n,
                         llvm::ArrayRef<PopulationWeightScale> scales,
                         DiagnosticEngine &diag, bool asError);

/// The decay table exp(-k dt / tau) (u0.32) until it falls below 2^-11.
std::vector<UFract32> stdpDecayTable(double tauMs, double dt);

} // namespace scnc

#endif
