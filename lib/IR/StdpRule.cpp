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

int32_t scnc::roundAccumToInt(Accum a) {
  return int32_t((int64_t(a.bits) + (1 << 14)) >> 15);
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
  f.wMin = roundAccumToInt(f.wMinAccum);
  f.wMax = roundAccumToInt(f.wMaxAccum);
  // A uint16 weight cannot exceed 0xFFFF.
  if (f.wMax > 0xFFFF)
    f.wMax = 0xFFFF;
  if (f.wMin > f.wMax)
    f.wMin = f.wMax;
  f.decayPlus = stdpDecayTable(r.tauPlus, dt);
  f.decayMinus = stdpDecayTable(r.tauMinus, dt);
  return f;
}

stdp::Rule FixedStdpRule::rule() const {
  stdp::Rule r;
  r.multiplicative = multiplicative;
  r.aPlus = aPlus;
  r.aMinus = aMinus;
  r.wMin = wMin;
  r.wMax = wMax;
  r.decayPlus = decayPlus.data();
  r.decayMinus = decayMinus.data();
  r.lenPlus = uint32_t(decayPlus.size());
  r.lenMinus = uint32_t(decayMinus.size());
  return r;
}
