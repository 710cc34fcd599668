//===- Kernels.h - The kernels figure: a grid of a layer's kernels -*- C++ -*-//
//
// A conv layer's kernels (every input channel of every filter) as heat
// maps, or what training changed (after minus before) on a diverging map.
// Drawn by `scnc-plot kernels` and by scnc-train into its run folder.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_KERNELS_H
#define SCNC_PLOT_KERNELS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {
namespace plot {

/// A layer's kernels, (filters, channels, kh, kw) in C order.
struct Kernels {
  uint64_t filters = 0, channels = 0, kh = 0, kw = 0;
  std::vector<double> w;
};

/// Kernels from an array of shape (F, C, H, W), (F, H, W) or (F, taps);
/// the last needs \p kernelShape ("HxW", the --kernel option's text).
/// \p name (the file) prefixes the errors.
llvm::Expected<Kernels> kernelsFromArray(llvm::ArrayRef<uint64_t> shape,
                                         std::vector<double> data,
                                         llvm::StringRef name,
                                         llvm::StringRef kernelShape);

struct KernelsOptions {
  /// Figure title; empty: "Kernels: FILE" (or "Weight change ...").
  std::string title;
  /// The weights' file and, with `before`, the earlier weights' file: the
  /// default title and the errors name them.
  std::string name, beforeName;
};

/// Draws \p k (minus \p before when given: the change, on a diverging map)
/// into \p out (.png or .svg).
llvm::Error drawKernels(llvm::StringRef out, Kernels k, const Kernels *before,
                        const KernelsOptions &o);

} // namespace plot
} // namespace scnc

#endif
