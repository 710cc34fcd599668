//===- Units.cpp ----------------------------------------------------------===//
#include "scnc/Support/Units.h"

using namespace scnc;
using namespace llvm;

static const Unit units[] = {
    {"ms", Dimension::Time, 1.0},         {"s", Dimension::Time, 1e3},
    {"us", Dimension::Time, 1e-3},        {"mV", Dimension::Voltage, 1.0},
    {"V", Dimension::Voltage, 1e3},       {"nF", Dimension::Capacitance, 1.0},
    {"pF", Dimension::Capacitance, 1e-3}, {"uF", Dimension::Capacitance, 1e3},
    {"nA", Dimension::Current, 1.0},      {"pA", Dimension::Current, 1e-3},
    {"uA", Dimension::Current, 1e3},      {"Hz", Dimension::Frequency, 1.0},
    {"kHz", Dimension::Frequency, 1e3},
};

Optional<Unit> scnc::lookupUnit(StringRef name) {
  for (const Unit &u : units)
    if (u.name == name)
      return u;
  return None;
}

StringRef scnc::canonicalUnit(Dimension d) {
  switch (d) {
  case Dimension::None:
    return "";
  case Dimension::Time:
    return "ms";
  case Dimension::Voltage:
    return "mV";
  case Dimension::Capacitance:
    return "nF";
  case Dimension::Current:
    return "nA";
  case Dimension::Frequency:
    return "Hz";
  }
  return "";
}

StringRef scnc::dimensionName(Dimension d) {
  switch (d) {
  case Dimension::None:
    return "dimensionless";
  case Dimension::Time:
    return "time";
  case Dimension::Voltage:
    return "voltage";
  case Dimension::Capacitance:
    return "capacitance";
  case Dimension::Current:
    return "current";
  case Dimension::Frequency:
    return "frequency";
  }
  return "";
}
