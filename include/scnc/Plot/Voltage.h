//===- Voltage.h - The membrane voltage figure ----------------*- C++ -*-===//
//
// Membrane voltage traces of chosen neurons against time, with optional
// threshold and reset lines. `scnc-plot voltage`.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_VOLTAGE_H
#define SCNC_PLOT_VOLTAGE_H

#include "scnc/Support/Npy.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include <cmath>
#include <string>

namespace scnc {
namespace plot {

struct VoltageOptions {
  std::string title; ///< empty: "Membrane voltage"
  double dt = 1.0;   ///< timestep (ms)
  /// v_thresh and v_reset lines (mV); NaN: none.
  double threshold = NAN, reset = NAN;
};

/// Draws the traces of \p neurons (columns of the (ticks, neurons) array
/// \p v, in mV; each must exist) into \p out (.png or .svg).
llvm::Error drawVoltage(llvm::StringRef out, const NumArray &v,
                        llvm::ArrayRef<uint64_t> neurons,
                        const VoltageOptions &o);

} // namespace plot
} // namespace scnc

#endif
