//===- SvmTest.cpp - The liblinear read-out -------------------------------===//
#include "scnc/Learning/Svm.h"
#include "scnc/Support/Random.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"
#include <limits>
#include <unistd.h>

using namespace scnc;
using namespace llvm;

namespace {

/// Two classes split by the line x0 - x1 = 0 with a margin of 1 on each
/// side; other features are noise. Labels 3 (x0 > x1) and 7.
void separable(size_t n, uint64_t seed, FeatureMatrix &x, std::vector<int> &y) {
  x = FeatureMatrix();
  y.clear();
  NormalStream noise(seed, 0, 2);
  for (size_t i = 0; i < n; ++i) {
    double a = 5 * unitInterval(splitmix64(seed, 4 * i));
    double b = 5 * unitInterval(splitmix64(seed, 4 * i + 1));
    if (std::fabs(a - b) < 1)
      a += a > b ? 1 : -1;
    x.addRow({a, b, noise.at(i), std::fabs(noise.at(n + i))});
    y.push_back(a > b ? 3 : 7);
  }
}

/// Three clusters (labels 0, 1, 2) around (0, 0), (6, 0) and (0, 6) in the
/// first two of three features, spread 1.
void threeClusters(size_t perClass, uint64_t seed, FeatureMatrix &x,
                   std::vector<int> &y) {
  x = FeatureMatrix();
  y.clear();
  NormalStream n(seed, 0, 1);
  const double centres[3][2] = {{0, 0}, {6, 0}, {0, 6}};
  uint64_t k = 0;
  for (size_t i = 0; i < perClass; ++i)
    for (int c = 0; c < 3; ++c) {
      x.addRow(
          {centres[c][0] + n.at(k), centres[c][1] + n.at(k + 1), n.at(k + 2)});
      k += 3;
      y.push_back(c);
    }
}

TEST(LinearSvm, SeparatesALinearlySeparableSetPerfectly) {
  FeatureMatrix x, test;
  std::vector<int> y, testY;
  separable(200, 1, x, y);
  separable(500, 2, test, testY);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  Expected<LinearSvm> svm = LinearSvm::train(x, y);
  std::string out = testing::internal::GetCapturedStdout();
  std::string err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(bool(svm)) << toString(svm.takeError());
  EXPECT_EQ(out, "") << "liblinear must be silent";
  EXPECT_EQ(err, "");
  EXPECT_NE(svm->solverLog().find("optimization finished"), std::string::npos)
      << svm->solverLog();
  EXPECT_TRUE(svm->converged());
  EXPECT_EQ(svm->labels(), (std::vector<int>{7, 3})) << "first appearance";
  EXPECT_EQ(svm->numFeatures(), 4u);
  Evaluation train = evaluate(y, svm->predictAll(x));
  EXPECT_EQ(train.accuracy(), 1.0);
  Evaluation e = evaluate(testY, svm->predictAll(test));
  EXPECT_GE(e.accuracy(), 0.99) << e.format();
  // Decision value > 0 means labels()[0].
  std::vector<double> dec = svm->decisionValues({0, 5, 0, 0});
  ASSERT_EQ(dec.size(), 1u);
  EXPECT_GT(dec[0], 0);
  EXPECT_EQ(svm->predict({0, 5, 0, 0}), 7);
  EXPECT_EQ(svm->predict({5, 0, 0, 0}), 3);
}

TEST(LinearSvm, ThreeClasses) {
  FeatureMatrix x, test;
  std::vector<int> y, testY;
  threeClusters(60, 3, x, y);
  threeClusters(100, 4, test, testY);
  Expected<LinearSvm> svm = LinearSvm::train(x, y);
  ASSERT_TRUE(bool(svm)) << toString(svm.takeError());
  EXPECT_EQ(svm->labels(), (std::vector<int>{0, 1, 2}));
  Evaluation e = evaluate(testY, svm->predictAll(test));
  // The clusters are 6 sd apart: a linear read-out gets (nearly) all.
  EXPECT_GE(e.accuracy(), 0.98) << e.format();
  EXPECT_EQ(e.labels, (std::vector<int>{0, 1, 2}));
  for (int c = 0; c < 3; ++c)
    EXPECT_GE(e.confusion[c][c], 97u) << e.format();
  EXPECT_EQ(svm->decisionValues({6, 0, 0}).size(), 3u);
  EXPECT_EQ(svm->predict({6, 0, 0}), 1);
  EXPECT_EQ(svm->predict({0, 6, 0}), 2);
  EXPECT_EQ(svm->predict({0, 0, 0}), 0);
}

TEST(LinearSvm, ClassesInProcessesGiveTheSameModel) {
  // One-vs-rest: each class solved after srand(seed) on its own, in this
  // process or in child processes, any number at once: the same bits.
  FeatureMatrix x;
  std::vector<int> y;
  threeClusters(50, 8, x, y);
  for (int &l : y)
    l = 7 - 2 * l; // labels 7, 5, 3: first appearance, not sorted order
  SvmOptions one;
  Expected<LinearSvm> a = LinearSvm::train(x, y, one);
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->labels(), (std::vector<int>{7, 5, 3}));
  EXPECT_TRUE(a->converged());
  for (unsigned jobs : {2u, 3u, 8u}) {
    SvmOptions o;
    o.jobs = jobs;
    Expected<LinearSvm> b = LinearSvm::train(x, y, o);
    ASSERT_TRUE(bool(b)) << toString(b.takeError());
    EXPECT_EQ(b->toJson(), a->toJson()) << jobs << " processes";
    EXPECT_EQ(b->solverLog(), a->solverLog());
  }
  std::string log = a->solverLog();
  size_t c7 = log.find("class 7:"), c5 = log.find("class 5:"),
         c3 = log.find("class 3:");
  ASSERT_NE(c7, std::string::npos) << log;
  EXPECT_LT(c7, c5);
  EXPECT_LT(c5, c3);
  // Each class's weights: those of the same data as a two-class problem,
  // the class's samples first (so liblinear's first label is the class).
  for (unsigned k = 0; k < 3; ++k) {
    int cls = 7 - 2 * int(k);
    FeatureMatrix bx;
    std::vector<int> by;
    for (int pass = 0; pass < 2; ++pass)
      for (size_t r = 0; r < x.rows; ++r)
        if ((y[r] == cls) == (pass == 0)) {
          bx.addRow(x.row(r));
          by.push_back(pass == 0 ? 1 : -1);
        }
    Expected<LinearSvm> bin = LinearSvm::train(bx, by);
    ASSERT_TRUE(bool(bin));
    for (size_t r = 0; r < x.rows; r += 7)
      EXPECT_EQ(a->decisionValues(x.row(r))[k],
                bin->decisionValues(x.row(r))[0])
          << "class " << cls << " sample " << r;
  }
}

TEST(LinearSvm, SaveLoadRoundTrip) {
  FeatureMatrix x, test;
  std::vector<int> y, testY;
  threeClusters(40, 5, x, y);
  threeClusters(50, 6, test, testY);
  for (FeatureScaling scaling :
       {FeatureScaling::None, FeatureScaling::UnitNorm}) {
    SvmOptions opts;
    opts.scaling = scaling;
    Expected<LinearSvm> svm = LinearSvm::train(x, y, opts);
    ASSERT_TRUE(bool(svm)) << toString(svm.takeError());
    SmallString<128> path;
    int fd;
    ASSERT_FALSE(sys::fs::createTemporaryFile("svm", "json", fd, path));
    ::close(fd);
    ASSERT_FALSE(bool(svm->save(path)));
    Expected<LinearSvm> back = LinearSvm::load(path);
    sys::fs::remove(path);
    ASSERT_TRUE(bool(back)) << toString(back.takeError());
    EXPECT_EQ(back->toJson(), svm->toJson());
    EXPECT_EQ(back->options().scaling, scaling);
    EXPECT_EQ(back->predictAll(test), svm->predictAll(test));
    for (size_t r = 0; r < test.rows; ++r)
      EXPECT_EQ(back->decisionValues(test.row(r)),
                svm->decisionValues(test.row(r)))
          << "bit-identical decision values";
  }
}

TEST(LinearSvm, DeterministicAndScaling) {
  FeatureMatrix x;
  std::vector<int> y;
  threeClusters(30, 7, x, y);
  Expected<LinearSvm> a = LinearSvm::train(x, y), b = LinearSvm::train(x, y);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->toJson(), b->toJson());
  SvmOptions unit;
  unit.scaling = FeatureScaling::UnitNorm;
  Expected<LinearSvm> u = LinearSvm::train(x, y, unit);
  ASSERT_TRUE(bool(u));
  EXPECT_NE(u->toJson().find("\"feature_scaling\": \"unit_norm\""),
            std::string::npos);
  // Per-sample normalisation: a sample and its multiples are one point.
  for (size_t r = 0; r < x.rows; ++r) {
    std::vector<double> v(x.row(r).begin(), x.row(r).end());
    for (double &f : v)
      f *= 7;
    EXPECT_EQ(u->predict(x.row(r)), u->predict(v));
  }
}

TEST(LinearSvm, PerSourceScaling) {
  // Two sources: features 0-1 and feature 2. Each is unit-norm on its own,
  // so scaling one source's counts leaves every decision unchanged, and a
  // sample whose second source is 0.5 is the same as one where it is 50.
  FeatureMatrix x, test;
  std::vector<int> y, testY;
  threeClusters(40, 5, x, y);
  threeClusters(20, 6, test, testY);
  SvmOptions o;
  o.scaling = FeatureScaling::UnitNormPerSource;
  o.blocks = {2, 1};
  Expected<LinearSvm> svm = LinearSvm::train(x, y, o);
  ASSERT_TRUE(bool(svm)) << toString(svm.takeError());
  EXPECT_NE(svm->toJson().find("\"feature_scaling\": "
                               "\"unit_norm_per_source\",\n  "
                               "\"feature_blocks\": [2,1]"),
            std::string::npos);
  for (size_t r = 0; r < test.rows; ++r) {
    std::vector<double> v(test.row(r).begin(), test.row(r).end());
    v[0] *= 4;
    v[1] *= 4;
    v[2] = v[2] > 0 ? 50 : v[2] < 0 ? -50 : 0;
    std::vector<double> u(test.row(r).begin(), test.row(r).end());
    u[2] = u[2] > 0 ? 0.5 : u[2] < 0 ? -0.5 : 0;
    std::vector<double> a = svm->decisionValues(u), b = svm->decisionValues(v);
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k)
      EXPECT_NEAR(a[k], b[k], 1e-12);
  }
  // The blocks go with the model.
  Expected<LinearSvm> back = LinearSvm::fromJson(svm->toJson(), "m.json");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_EQ(back->options().blocks, (std::vector<size_t>{2, 1}));
  EXPECT_EQ(back->toJson(), svm->toJson());
  // Blocks that do not cover the features.
  o.blocks = {2};
  Expected<LinearSvm> bad = LinearSvm::train(x, y, o);
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(toString(bad.takeError()),
            "per-source feature blocks of 2 features for samples of 3 "
            "(blocks must be non-empty and cover every feature)");
  // A model file whose blocks do not sum to its features.
  std::string text = svm->toJson();
  size_t at = text.find("[2,1]");
  ASSERT_NE(at, std::string::npos);
  Expected<LinearSvm> broken =
      LinearSvm::fromJson(text.replace(at, 5, "[2,2]"), "m.json");
  ASSERT_FALSE(bool(broken));
  EXPECT_EQ(toString(broken.takeError()),
            "'m.json': 'feature_blocks' must be a list of whole numbers >= 1 "
            "that sum to 'features'");
}

TEST(LinearSvm, TrainingErrors) {
  FeatureMatrix x;
  x.addRow({1, 2});
  x.addRow({2, 1});
  auto err = [](Expected<LinearSvm> s) {
    EXPECT_FALSE(bool(s));
    return s ? std::string() : toString(s.takeError());
  };
  EXPECT_EQ(err(LinearSvm::train(x, {1, 1})),
            "training needs at least two classes; every sample has label 1");
  EXPECT_EQ(err(LinearSvm::train(x, {1})), "1 labels for 2 samples");
  EXPECT_EQ(err(LinearSvm::train(FeatureMatrix(), {})), "no training samples");
  x.at(1, 0) = std::nan("");
  EXPECT_EQ(err(LinearSvm::train(x, {1, 2})),
            "feature 0 of sample 1 is not finite");
}

TEST(LinearSvm, LoadErrors) {
  auto err = [](StringRef text) {
    Expected<LinearSvm> s = LinearSvm::fromJson(text, "m.json");
    EXPECT_FALSE(bool(s));
    return s ? std::string() : toString(s.takeError());
  };
  EXPECT_EQ(err("{"), "'m.json': not valid JSON");
  EXPECT_EQ(err("{\"format\": \"other\"}"),
            "'m.json': not an scnc SVM model (expected \"format\": "
            "\"scnc-linear-svm\")");
  std::string head = "{\"format\": \"scnc-linear-svm\", \"version\": 1, "
                     "\"solver\": \"L2R_L2LOSS_SVC_DUAL\", \"C\": 1, \"eps\": "
                     "0.0001, \"bias\": 1, \"feature_scaling\": \"none\", "
                     "\"features\": 2, ";
  EXPECT_EQ(err(head + "\"labels\": [0, 1, 2], \"weights\": [[1, 2, 3]]}"),
            "'m.json': 'weights' has 1 vector, expected 3 (one per class)");
  EXPECT_EQ(err(head + "\"labels\": [4, 5], \"weights\": [[1, 2]]}"),
            "'m.json': weight vector 0 has 2 numbers, expected 3 (2 features "
            "+ bias)");
  EXPECT_EQ(err(head + "\"labels\": [4, 4], \"weights\": [[1, 2, 3]]}"),
            "'m.json': label 4 appears twice in 'labels'");
  EXPECT_EQ(err(head + "\"labels\": [4, 5], \"weights\": [[1, \"x\", 3]]}"),
            "'m.json': weight 1 of vector 0 is not a finite number");
  Expected<LinearSvm> ok =
      LinearSvm::fromJson(head + "\"labels\": [4, 5], \"weights\": [[1, -1, "
                                 "0]]}",
                          "m.json");
  ASSERT_TRUE(bool(ok)) << toString(ok.takeError());
  EXPECT_EQ(ok->predict({2, 1}), 4); // 2 - 1 > 0: labels[0]
  EXPECT_EQ(ok->predict({1, 2}), 5);
  std::string maxHead = head;
  maxHead.replace(maxHead.find("\"none\""), 6, "\"max\"");
  EXPECT_EQ(err(maxHead + "\"labels\": [4, 5], \"weights\": [[1, 2, 3]]}"),
            "'m.json': 'feature_scaling' must be \"none\", \"unit_norm\" or "
            "\"unit_norm_per_source\", got \"max\"");
  // feature_blocks belongs to per-source models.
  std::string blocksHead = head;
  blocksHead.replace(blocksHead.find("\"features\""), 0,
                     "\"feature_blocks\": [2], ");
  EXPECT_EQ(err(blocksHead + "\"labels\": [4, 5], \"weights\": [[1, 2, 3]]}"),
            "'m.json': 'feature_blocks' belongs to \"unit_norm_per_source\" "
            "models only");
}

TEST(Libsvm, SparseOneBasedExactValues) {
  FeatureMatrix x;
  x.addRow({0, 3, 0, 1});
  x.addRow({0, 0, 0, 0});
  x.addRow({0.1, -2.5, 1e-300, 0});
  std::string text;
  raw_string_ostream os(text);
  ASSERT_FALSE(errorToBool(writeLibsvm(os, x, {7, -1, 0})));
  EXPECT_EQ(os.str(), "7 2:3 4:1\n"
                      "-1\n"
                      "0 1:0.10000000000000001 2:-2.5 3:1e-300\n");

  std::string bad;
  raw_string_ostream bos(bad);
  EXPECT_EQ(toString(writeLibsvm(bos, x, {1, 2})), "2 labels for 3 samples");
  FeatureMatrix inf;
  inf.addRow({1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(toString(writeLibsvm(bos, inf, {1})),
            "feature 1 of sample 0 is not finite");
}

TEST(Evaluation, AccuracyAndConfusion) {
  Evaluation e = evaluate({0, 0, 1, 1, 8, 8, 8}, {0, 1, 1, 1, 8, 0, 8});
  EXPECT_EQ(e.labels, (std::vector<int>{0, 1, 8}));
  EXPECT_EQ(e.correct, 5u);
  EXPECT_EQ(e.total, 7u);
  EXPECT_DOUBLE_EQ(e.accuracy(), 5.0 / 7);
  std::vector<std::vector<uint64_t>> expected = {
      {1, 1, 0}, {0, 2, 0}, {1, 0, 2}};
  EXPECT_EQ(e.confusion, expected);
  std::vector<std::vector<double>> norm = e.rowNormalised();
  EXPECT_DOUBLE_EQ(norm[0][1], 0.5);
  EXPECT_DOUBLE_EQ(norm[2][2], 2.0 / 3);
  EXPECT_EQ(e.format(), "accuracy 0.7143 (5 of 7)\n"
                        "true\\pred      0      1      8\n"
                        "        0      1      1      0\n"
                        "        1      0      2      0\n"
                        "        8      1      0      2\n");
}

} // namespace
