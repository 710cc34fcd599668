//===- Npy.h - NumPy .npy and CSV arrays ------------------------*- C++ -*-===//
//
// Trained weights and explicit connection lists come from Python users as
// .npy files (or CSV). The reader validates everything (magic, version,
// header, dtype, shape, size, finite values) and says what is wrong; the
// writer produces files numpy.load reads.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_NPY_H
#define SCNC_SUPPORT_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

/// A dense array read from .npy or .csv, converted to double, C order.
struct NumArray {
  std::vector<uint64_t> shape;
  std::vector<double> data;
  /// CSV only: the file line (1-based) of each row, for messages.
  std::vector<uint64_t> lines;
  uint64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  uint64_t cols() const {
    uint64_t c = 1;
    for (size_t i = 1; i < shape.size(); ++i)
      c *= shape[i];
    return c;
  }
  /// Row `r` for messages: "line 7" (CSV) or "row 6" (.npy, 0-based).
  std::string rowName(uint64_t r) const;
  /// The entry at C-order flat index `i` for messages: "line 7, column 3"
  /// (CSV) or "index (1, 0, 2)" (.npy, 0-based, numpy's order of axes).
  std::string entryName(uint64_t i) const;
};

/// Reads a .npy file (little- or big-endian float32/float64/int8..int64/
/// uint8..uint64, C or Fortran order). Errors name the file and the problem.
llvm::Expected<NumArray> readNpy(llvm::StringRef path);
/// Parses .npy bytes (`name` for messages).
llvm::Expected<NumArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
/// Reads a CSV file of numbers: one row per line, ',' separated, '#' lines
/// and a first line without any number in it (a header) skipped. Errors give
/// the line.
llvm::Expected<NumArray> readCsv(llvm::StringRef path);
/// Parses CSV text as readCsv does (`name` for messages).
llvm::Expected<NumArray> parseCsv(llvm::StringRef text, llvm::StringRef name);
/// .npy by extension, anything else as CSV.
llvm::Expected<NumArray> readArrayFile(llvm::StringRef path);
/// Rejects NaN and infinities (naming the first offending entry: its line
/// and column in a CSV file, its flat index otherwise).
llvm::Error checkFinite(const NumArray &a, llvm::StringRef path);

/// Writes a 2-D little-endian float64 .npy array (rows x cols, C order).
void writeNpyHeader(llvm::raw_ostream &os, llvm::StringRef dtype,
                    llvm::ArrayRef<uint64_t> shape);

} // namespace scnc

#endif
