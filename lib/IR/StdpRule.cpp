//===- StdpRule.cpp - An STDP rule in a core's units ----------------------===//
#include "scnc/IR/StdpRule.h"
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
