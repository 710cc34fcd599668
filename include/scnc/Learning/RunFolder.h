//===- RunFolder.h - A training run's folder and its files ----*- C++ -*-===//
//
// scnc-train keeps every step of the training flow in one run folder
// (docs/training.md "The run folder"): the network with its trained
// weights (net.scn, layerN.weights.npy), what each step did (layerN.json,
// svm-train.json, results.json, each with the protocol it ran with) and a
// log of the commands and their reports (log.txt).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_RUNFOLDER_H
#define SCNC_LEARNING_RUNFOLDER_H

#include "scnc/IR/Network.h"
#include "scnc/Learning/Dataset.h"
#include "scnc/Learning/Svm.h"
#include "scnc/Learning/Training.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace scnc {

/// What a step ran with: every results file's "protocol".
struct RunProtocol {
  std::string command; ///< "layer", "svm" or "test"
  std::string networkFile, data, commandLine;
  std::vector<unsigned> classes;
  /// Images per class (Selection::kAll: all).
  uint32_t trainPerClass = 10, testPerClass = 10;
  uint64_t seed = 1;
  unsigned jobs = 1;
  bool noiseSpikes = false;
  /// `layer` only (LayerTrainingOptions).
  bool windowRate = false, depressSilent = false;
  double windowDivisor = 2500;
  /// What ran the networks (PreparedNetwork::description).
  std::string evaluator = "reference (fixed point)";
};

/// What `svm` reports (svm-train.json).
struct SvmTrainingReport {
  double trainAccuracy = 0;
  size_t features = 0;
  double runSeconds = 0; ///< the frozen runs
  double svmSeconds = 0; ///< liblinear (classes trained in parallel)
  std::string model;
};

/// What `test` reports (results.json).
struct TestReport {
  Evaluation evaluation;
  std::vector<int> predictions, truth;
  std::vector<uint32_t> fileIndex;
  std::string model;
  double runSeconds = 0, totalSeconds = 0;
};

/// A run folder: paths in it and its files, each written atomically.
class RunFolder {
public:
  explicit RunFolder(std::string dir) : root(std::move(dir)) {}
  const std::string &dir() const { return root; }
  /// \p name inside the folder.
  std::string path(llvm::StringRef name) const;
  /// Creates the folder (and its parents) when missing.
  llvm::Error create() const;

  /// Appends "$ <commandLine>" and \p text to log.txt.
  llvm::Error appendLog(llvm::StringRef commandLine,
                        llvm::StringRef text) const;
  /// net.scn: the network \p source read from \p netFile, its relative
  /// paths re-based onto the folder (nothing when it is the folder's own
  /// net.scn).
  llvm::Error copyNetwork(llvm::StringRef netFile,
                          llvm::StringRef source) const;
  /// net.scn: \p source (read from \p netFile) with layer \p layer's
  /// weights read from \p weightsFile (a file in the folder).
  llvm::Error writeTrainedNetwork(llvm::StringRef netFile,
                                  llvm::StringRef source, llvm::StringRef layer,
                                  llvm::StringRef weightsFile) const;

  /// layerN.json of `scnc-train layer N` (\p images: the images it ran).
  llvm::Error writeLayerJson(const Network &n, const RunProtocol &p,
                             unsigned layer, const LayerTrainingResult &r,
                             size_t images, llvm::StringRef weightsFile) const;
  /// svm-train.json.
  llvm::Error writeSvmJson(const Network &n, const RunProtocol &p,
                           const SvmTrainingReport &r) const;
  /// results.json (what `scnc-plot confusion` draws).
  llvm::Error writeResultsJson(const Network &n, const RunProtocol &p,
                               const TestReport &r) const;

private:
  std::string root;
};

/// Writes a float64 C-order .npy array (atomically).
llvm::Error writeNpy(llvm::StringRef path, const std::vector<double> &data,
                     const std::vector<uint64_t> &shape);

/// The .scn text \p source with layer \p layer's `weights` set to
/// `file(path = "<weightsFile>")` (an existing `weights = ...;` replaced),
/// and relative `path = "..."` strings re-based from \p fromDir to \p toDir.
llvm::Expected<std::string> setLayerWeights(llvm::StringRef source,
                                            llvm::StringRef layer,
                                            llvm::StringRef weightsFile,
                                            llvm::StringRef fromDir,
                                            llvm::StringRef toDir);

} // namespace scnc

#endif
