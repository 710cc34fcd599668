//===- Confusion.h - The row-normalised confusion matrix figure -*- C++ -*-===//
//
// `scnc-plot confusion` and scnc-train's confusion.png: the test split's
// confusion matrix, each row normalised by its true class, with the counts
// in the cells and the accuracy in the title.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_PLOT_CONFUSION_H
#define SCNC_PLOT_CONFUSION_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace scnc {
namespace plot {

/// A k x k matrix of counts (rows: true class, columns: predicted class).
struct Confusion {
  size_t k = 0;
  std::vector<double> counts; ///< row-major
  std::vector<std::string> labels;
};

/// The "confusion" matrix (and "labels" when there are k of them; else
/// 0..k-1) of a results.json text; \p name (the file) prefixes the errors.
llvm::Expected<Confusion> parseConfusionJson(llvm::StringRef text,
                                             llvm::StringRef name);

struct ConfusionOptions {
  std::string title; ///< empty: "Confusion matrix"
};

/// Draws \p m (k >= 1) into \p out (.png or .svg).
llvm::Error drawConfusion(llvm::StringRef out, const Confusion &m,
                          const ConfusionOptions &o);

} // namespace plot
} // namespace scnc

#endif
