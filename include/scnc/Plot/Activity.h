//===- Activity.h - Spike counts per position, one panel per map -*- C++
//-*-===//
//
// `scnc-plot activity`: a layer's spike counts as heat maps, one per
// feature map; `scnc-plot inputs`: encoded input samples the same way, one
// panel per sample and channel.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_ACTIVITY_H
#define SCNC_PLOT_ACTIVITY_H

#include "scnc/Support/Npy.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>

namespace scnc {
namespace plot {

/// A layer's (or an input's) shape, neurons channel-major (c*H*W + y*W + x).
struct GridShape {
  uint64_t h = 0, w = 0, c = 0;
  /// As the user gave it ("4x4x2"), for the errors.
  std::string text;
  uint64_t size() const { return h * w * c; }
};

/// A spike file: rows (time ms, neuron) of a (K, 2) array.
struct SpikeFile {
  std::string name; ///< the file (errors, titles and panel labels)
  NumArray spikes;
};

struct ActivityOptions {
  std::string title; ///< empty: "Spike counts per position: FILE"
};

/// Draws the spike counts of \p layer (every neuron inside \p shape) into
/// \p out (.png or .svg).
llvm::Error drawActivity(llvm::StringRef out, const SpikeFile &layer,
                         const GridShape &shape, const ActivityOptions &o);

struct InputsOptions {
  std::string title; ///< empty: "Encoded input samples"
  /// Split each file into samples of this many ms (0: one sample per file).
  double presentation = 0;
};

/// Draws the samples of \p files (every neuron inside \p shape) into \p out.
llvm::Error drawInputs(llvm::StringRef out, llvm::ArrayRef<SpikeFile> files,
                       const GridShape &shape, const InputsOptions &o);

} // namespace plot
} // namespace scnc

#endif
