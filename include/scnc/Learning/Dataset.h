//===- Dataset.h - MNIST-style image data sets ------------------*- C++ -*-===//
//
// The idx files of MNIST and Fashion-MNIST (LeCun's format: big-endian
// magic 0x0000TTDD, type TT = 0x08 unsigned byte, DD dimensions, DD big-endian
// uint32 sizes, then the elements), plain or gzip-compressed. Every damage is
// an error naming the file and what is wrong. Selections draw a seeded subset
// of classes without replacement, from one file (train and test come from
// their own files: the original drew both from the training file with
// replacement, so they overlapped).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_DATASET_H
#define SCNC_LEARNING_DATASET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace scnc {

/// Labelled uint8 images of rows x cols pixels (row-major).
struct Dataset {
  std::string imagesFile, labelsFile; ///< where they came from (messages)
  uint32_t rows = 0, cols = 0;
  std::vector<uint8_t> pixels; ///< size() * rows * cols
  std::vector<uint8_t> labels; ///< 0..9
  /// The position of each image in its file (a selection keeps them).
  std::vector<uint32_t> fileIndex;

  size_t size() const { return labels.size(); }
  size_t imageSize() const { return size_t(rows) * cols; }
  llvm::ArrayRef<uint8_t> image(size_t i) const {
    return llvm::ArrayRef<uint8_t>(pixels).slice(i * imageSize(), imageSize());
  }
  /// Images per label 0..9.
  std::array<uint64_t, 10> classCounts() const;
};

/// An idx array of unsigned bytes.
struct IdxArray {
  std::vector<uint32_t> shape;
  std::vector<uint8_t> data;
};

/// The contents of `path`, gunzipped when it starts with the gzip magic.
llvm::Expected<std::string> readMaybeGzip(llvm::StringRef path);
/// Gunzips `bytes` (one or more gzip members; `name` for messages).
llvm::Expected<std::string> gunzip(llvm::StringRef bytes, llvm::StringRef name);

/// Parses an idx file of unsigned bytes with `dims` dimensions (3: images,
/// 1: labels). Checks magic, sizes and the exact file size.
llvm::Expected<IdxArray> parseIdx(llvm::StringRef bytes, unsigned dims,
                                  llvm::StringRef name);
llvm::Expected<IdxArray> readIdx(llvm::StringRef path, unsigned dims);

/// Reads an images file and its labels file; checks that the counts agree
/// and every label is 0..9.
llvm::Expected<Dataset> readIdxPair(llvm::StringRef imagesPath,
                                    llvm::StringRef labelsPath);

enum class Split { Train, Test };
llvm::StringRef splitName(Split s);

/// The idx files of a split in a directory: `train-images-idx3-ubyte` /
/// `train-labels-idx1-ubyte` (train) or `t10k-...` (test), each plain or with
/// `.gz` (plain preferred).
struct SplitFiles {
  std::string images, labels;
};
llvm::Expected<SplitFiles> findSplitFiles(llvm::StringRef dir, Split split);
/// findSplitFiles + readIdxPair.
llvm::Expected<Dataset> loadSplit(llvm::StringRef dir, Split split);

/// Which images to draw: `perClass` images of each class in `classes`
/// (distinct, 0..9), without replacement.
struct Selection {
  /// perClass = kAll: every image of each class.
  static constexpr uint32_t kAll = UINT32_MAX;
  std::vector<unsigned> classes;
  uint32_t perClass = 1;
  uint64_t seed = 1;
  /// Shuffle the drawn images together (else: class by class, in the order
  /// of `classes`).
  bool shuffle = true;
};

/// Draws a selection. Class c's images (in file order) are permuted by a
/// partial Fisher-Yates shuffle whose k-th swap uses splitmix64(seed,
/// (c << 32) + k); the first perClass are kept. The union is then shuffled
/// with splitmix64(seed, (10 << 32) + k). Errors: a class outside 0..9 or
/// named twice, perClass 0, a class with fewer images than requested.
llvm::Expected<Dataset> selectSubset(const Dataset &all, const Selection &sel);

/// Parses "0,1,7,8" (or "all") into class numbers.
llvm::Expected<std::vector<unsigned>> parseClassList(llvm::StringRef text);

/// A uniform integer in [0, n) from 64 random bits (multiply-shift; the bias
/// is below n / 2^64).
inline uint64_t uniformBelow(uint64_t bits, uint64_t n) {
  return uint64_t((unsigned __int128)bits * n >> 64);
}

/// Data sets with pinned md5 sums (of the uncompressed idx files).
struct KnownDataset {
  const char *name;
  /// train images, train labels, test images, test labels.
  const char *md5[4];
  const char *fileName[4];
};
llvm::ArrayRef<KnownDataset> knownDatasets();
/// The md5 (hex) of the uncompressed contents of an idx file.
llvm::Expected<std::string> md5OfContents(llvm::StringRef path);

} // namespace scnc

#endif
