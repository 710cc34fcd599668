//===- Raster.h - The spike raster figure ---------------------*- C++ -*-===//
//
// Spikes of one or more layers against time, layers stacked, binned per
// pixel so that dense layers show a density. `scnc-plot raster`.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_RASTER_H
#define SCNC_PLOT_RASTER_H

#include "scnc/Support/Npy.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace scnc {
namespace plot {

/// One layer's spikes: rows (time ms, neuron) of a (K, 2) array.
struct RasterLayer {
  std::string name;
  NumArray spikes;
  /// Its neurons when known (0: from the highest neuron that spiked); at
  /// least that many are drawn.
  uint64_t neurons = 0;
};

struct RasterOptions {
  std::string title; ///< empty: "Spike raster"
  /// Mark sample boundaries every this many ms (0: none).
  double presentation = 0;
};

/// Draws \p layers (at least one) into \p out (.png or .svg).
llvm::Error drawRaster(llvm::StringRef out, std::vector<RasterLayer> layers,
                       const RasterOptions &o);

} // namespace plot
} // namespace scnc

#endif
