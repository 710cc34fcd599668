//===- Units.h - Physical units of .scn quantities --------------*- C++ -*-===//
//
// Quantities are stored in PyNN's canonical units: ms, mV, nF, nA, Hz.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_UNITS_H
#define SCNC_SUPPORT_UNITS_H

#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringRef.h"

namespace scnc {

enum class Dimension { None, Time, Voltage, Capacitance, Current, Frequency };

struct Unit {
  llvm::StringRef name;
  Dimension dim;
  double scale; ///< value in the canonical unit of `dim` per one of this unit
};

/// Looks a unit name up (`ms`, `s`, `us`, `mV`, `V`, `nF`, `pF`, `uF`, `nA`,
/// `pA`, `uA`, `Hz`, `kHz`).
llvm::Optional<Unit> lookupUnit(llvm::StringRef name);
/// The canonical unit name of a dimension ("" for None).
llvm::StringRef canonicalUnit(Dimension d);
/// Human name of a dimension, for diagnostics ("time", "voltage", ...).
llvm::StringRef dimensionName(Dimension d);

} // namespace scnc

#endif
