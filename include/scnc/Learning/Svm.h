//===- Svm.h - The linear SVM read-out (liblinear) --------------*- C++ -*-===//
//
// The original classified the spike counts of the last layer with sklearn's
// LinearSVC(), which is liblinear's L2-regularised L2-loss (squared hinge)
// SVC solved in the dual (L2R_L2LOSS_SVC_DUAL), C = 1, one-vs-rest, with a
// bias feature of 1 (fit_intercept, intercept_scaling = 1) and tol 1e-4.
// LinearSvm trains with Debian's liblinear under the same settings, predicts
// with liblinear's predict(), and saves its models as JSON.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_SVM_H
#define SCNC_LEARNING_SVM_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct model;

namespace scnc {

/// Samples x features, row-major.
struct FeatureMatrix {
  size_t rows = 0, cols = 0;
  std::vector<double> data;
  /// The columns of each classifier source, in order, when the features
  /// are several layers' counts side by side (classifierFeatures).
  std::vector<size_t> blocks;

  FeatureMatrix() = default;
  explicit FeatureMatrix(size_t rows, size_t cols)
      : rows(rows), cols(cols), data(rows * cols) {}
  llvm::ArrayRef<double> row(size_t r) const {
    return llvm::ArrayRef<double>(data).slice(r * cols, cols);
  }
  double &at(size_t r, size_t c) { return data[r * cols + c]; }
  void addRow(llvm::ArrayRef<double> values);
};

/// How features are scaled before training and prediction (the scaling is
/// part of the model).
enum class FeatureScaling {
  None,     ///< raw spike counts (the original)
  UnitNorm, ///< each sample divided by its L2 norm (all-zero samples stay 0)
  /// Each block of a sample (SvmOptions::blocks: one per classifier source)
  /// divided by its own L2 norm, so that every source weighs the same.
  UnitNormPerSource
};
llvm::StringRef scalingName(FeatureScaling s);

struct SvmOptions {
  double C = 1;
  double eps = 1e-4; ///< sklearn's tol (liblinear's own default is 0.1)
  double bias = 1;   ///< the intercept feature's value; < 0: no intercept
  FeatureScaling scaling = FeatureScaling::None;
  /// UnitNormPerSource: the features of each source, in order (they sum to
  /// the feature count).
  std::vector<size_t> blocks;
  /// liblinear's dual solver visits samples in an order drawn with rand();
  /// train() calls srand(seed) first so that a model depends on its inputs
  /// only.
  unsigned seed = 1;
  /// More than two classes: one-vs-rest, each class's two-class problem
  /// solved with srand(seed) in its own process, this many at once; the
  /// model is the same for any value (1: in this process, one by one).
  unsigned jobs = 1;
};

class LinearSvm {
public:
  LinearSvm();
  LinearSvm(LinearSvm &&);
  LinearSvm &operator=(LinearSvm &&);
  ~LinearSvm();

  /// Trains on `x` (one row per sample) with labels `y`. Errors: no samples,
  /// a label count that differs from the rows, fewer than two classes, a
  /// feature that is not finite, liblinear's parameter check.
  static llvm::Expected<LinearSvm> train(const FeatureMatrix &x,
                                         llvm::ArrayRef<int> y,
                                         const SvmOptions &options = {});

  /// The predicted label of one sample (cols() features).
  int predict(llvm::ArrayRef<double> features) const;
  std::vector<int> predictAll(const FeatureMatrix &x) const;
  /// liblinear's decision values (one per class; one for two classes:
  /// > 0 means labels()[0]).
  std::vector<double> decisionValues(llvm::ArrayRef<double> features) const;

  /// The class labels in liblinear's order (first appearance in training).
  std::vector<int> labels() const;
  unsigned numFeatures() const;
  const SvmOptions &options() const { return opts; }
  /// False when liblinear stopped at its iteration limit.
  bool converged() const { return didConverge; }
  /// What liblinear printed while training (silenced, kept here).
  const std::string &solverLog() const { return log; }

  /// JSON: {"format": "scnc-linear-svm", "version": 1, "solver":
  /// "L2R_L2LOSS_SVC_DUAL", "C", "eps", "bias", "feature_scaling",
  /// "feature_blocks" (unit_norm_per_source only), "features", "labels",
  /// "weights": [[w per feature (+ bias)] per decision function]}; written
  /// atomically, numbers round-trip exactly.
  llvm::Error save(llvm::StringRef path) const;
  std::string toJson() const;
  static llvm::Expected<LinearSvm> load(llvm::StringRef path);
  static llvm::Expected<LinearSvm> fromJson(llvm::StringRef text,
                                            llvm::StringRef name);

private:
  struct ModelDeleter {
    void operator()(model *m) const;
  };
  std::unique_ptr<model, ModelDeleter> m;
  SvmOptions opts;
  bool didConverge = true;
  std::string log;

  std::vector<double> scaled(llvm::ArrayRef<double> features) const;
};

/// Accuracy and confusion matrix of predictions against the truth.
struct Evaluation {
  std::vector<int> labels; ///< sorted union of true and predicted labels
  /// confusion[i][j]: samples of labels[i] predicted as labels[j].
  std::vector<std::vector<uint64_t>> confusion;
  uint64_t correct = 0, total = 0;

  double accuracy() const { return total ? double(correct) / total : 0; }
  /// Each row divided by its sum (the original's plot); empty rows stay 0.
  std::vector<std::vector<double>> rowNormalised() const;
  /// A text table: accuracy line, then the matrix with true labels as rows.
  std::string format() const;
};
Evaluation evaluate(llvm::ArrayRef<int> truth, llvm::ArrayRef<int> predicted);

/// Each block of `x` (consecutive sizes `blocks`, which cover x) divided by
/// its own L2 norm, then times `weights[b]` when weights are given (one per
/// block); an all-zero block stays 0. FeatureScaling's unit norms (one block
/// of every feature, or one per source) and scnc-bench-readout's weighted
/// sources.
void unitNormBlocks(llvm::MutableArrayRef<double> x,
                    llvm::ArrayRef<size_t> blocks,
                    llvm::ArrayRef<double> weights = {});

/// Samples in LIBSVM's text format, which liblinear-train, libsvm and most
/// classifier libraries read: one line per sample, "label index:value ..."
/// with 1-based feature indices, increasing, zero values left out (the
/// sparse form liblinear itself is given), values printed so that they read
/// back exactly. Errors: a label count that differs from the rows, a value
/// that is not finite.
llvm::Error writeLibsvm(llvm::raw_ostream &os, const FeatureMatrix &x,
                        llvm::ArrayRef<int> y);

} // namespace scnc

#endif
