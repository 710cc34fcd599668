//===- StdpRule.cpp - An STDP rule in a core's units ----------------------===//
#include "scnc/IR/StdpRule.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/Format.h"
#include <cmath>

using namespace scnc;

std::vector<UFract32> scnc::stdpDecayTable(double tauMs, double dt) {
  std::vector<UFract32> lut;
  for (unsigned k = 0; k < 4096; ++k) {
    double v = std::exp(-double(k) * dt / tauMs);
    if (v < 1.0 / 2048)
      break;
    lut.push_back(ufract32FromDouble(v));
  }
  return lut;
}

FixedStdpRule scnc::deriveStdpRule(const StdpRule &r, double dt,
                                   unsigned shift) {
  FixedStdpRule f;
  double scale = weightScale(shift);
  f.multiplicative = r.dependence == StdpRule::WeightDependence::Multiplicative;
  f.aPlus = accumFromDouble(r.aPlus * r.wMax * scale);
  f.aMinus = accumFromDouble(r.aMinus * r.wMax * scale);
  f.wMinAccum = accumFromDouble(r.wMin * scale);
  f.wMaxAccum = accumFromDouble(r.wMax * scale);
  f.decayPlus = stdpDecayTable(r.tauPlus, dt);
  f.decayMinus = stdpDecayTable(r.tauMinus, dt);
  // The bounds as the kernel rounds and clamps them (stdp::makeRule).
  stdp::Rule v = f.rule();
  f.wMin = v.wMin;
  f.wMax = v.wMax;
  return f;
}

stdp::Rule FixedStdpRule::rule() const {
  // One conversion of the region's values for the kernel, the reference
  // and the image writer.
  return stdp::makeRule(multiplicative, aPlus, aMinus, wMinAccum, wMaxAccum,
                        decayPlus.data(), uint32_t(decayPlus.size()),
                        decayMinus.data(), uint32_t(decayMinus.size()));
}

const Projection *scnc::lastPlasticProjection(const Network &n, unsigned post) {
  const Projection *last = nullptr;
  for (const Projection &p : n.projections)
    if (p.post == post && !p.stdp.empty())
      last = &p;
  return last;
}

bool scnc::checkStdpResolution(const Network &n,
                               llvm::ArrayRef<PopulationWeightScale> scales,
                               DiagnosticEngine &diag, bool asError) {
  bool ok = true;
  for (unsigned q = 0; q < n.populations.size() && q < scales.size(); ++q) {
    const Projection *p = lastPlasticProjection(n, q);
    const StdpRule *r = p ? n.findStdpRule(p->stdp) : nullptr;
    if (!r || !(r->wMax > r->wMin))
      continue;
    unsigned type = synapseType(*p);
    const PopulationWeightScale &s = scales[q];
    stdp::Rule k = deriveStdpRule(*r, n.sim.timestep, s.leftShift[type]).rule();
    for (bool plus : {true, false}) {
      double a = plus ? r->aPlus : r->aMinus;
      // One pairing at a full trace, rounded as the kernel rounds it (for
      // the multiplicative dependence with the whole span as room).
      if (!(a > 0) ||
          stdp::weightStep(plus ? k.aPlus : k.aMinus, stdp::kTraceOne,
                           k.wMax - k.wMin, k) != 0)
        continue;
      // Resolution in nA: one ring-buffer unit over the post population's
      // model factor (inputFactor; 1 for IF_curr_exp).
      double unit = 1.0 / (weightScale(s.leftShift[type]) * s.factor);
      std::string msg = "layer '" + n.populations[q].name + "': STDP rule '" +
                        r->name + "' cannot " +
                        (plus ? "potentiate" : "depress") +
                        " any weight: " + (plus ? "A_plus" : "A_minus") +
                        " x w_max (" + formatDouble(a * r->wMax) +
                        " nA) is less than half the weight resolution, " +
                        formatDouble(unit) + " nA (ring-buffer left shift " +
                        std::to_string(s.leftShift[type]) + ", set by up to " +
                        formatDouble(s.maxSummedInput[type] / s.factor) +
                        " nA of " + (type ? "inhibitory" : "excitatory") +
                        " input per tick); use smaller initial weights, fewer "
                        "inputs or a larger " +
                        (plus ? "A_plus" : "A_minus");
      if (asError)
        diag.error(p->loc, msg);
      else
        diag.warning(p->loc, msg);
      ok = ok && !asError;
    }
  }
  return ok;
}
