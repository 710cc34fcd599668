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

/// The projection whose synapse type's ring-buffer units population
/// \p post's plastic weights and rule use: the last projection with an STDP
/// rule into it (one rule per population); null when none learns. The
/// image writer, the reference evaluator and checkStdpResolution all derive
/// the rule at its type (synapseType).
const Projection *lastPlasticProjection(const Network &n, unsigned post);

class DiagnosticEngine;

/// Checks every learning population of \p n (an expanded network): its
/// rule, derived at its ring-buffer scale (\p scales, computeWeightScales;
/// the type of lastPlasticProjection), against the kernel's rounding: a
/// diagnostic at that projection when A+ w_max or A- w_max rounds to no
/// change even at a full trace (stdp::weightStep), so the rule cannot
/// potentiate or cannot depress any weight; an error with \p asError, else
/// a warning. Returns false after an error.
bool checkStdpResolution(const Network &n,
                         llvm::ArrayRef<PopulationWeightScale> scales,
                         DiagnosticEngine &diag, bool asError);

/// The decay table exp(-k dt / tau) (u0.32) until it falls below 2^-11.
std::vector<UFract32> stdpDecayTable(double tauMs, double dt);

} // namespace scnc

#endif
