//===- ReadoutCv.cpp - The readout's C and source weights by validation ---===//
//
// scnc-bench-readout TRAIN.svm [--test TEST.svm] [--validate N]
//     --blocks B1,B2,... [--weights W1,W2,...[/W1,W2,...]] [--C C1,C2,...]
//
// Reads `scnc-train svm/test --features-out` files (LIBSVM text: raw spike
// counts of the classifier's sources, in order) and trains the readout that
// `scnc-train svm` trains (LinearSvm: liblinear's dual L2-loss SVM, one
// class against the rest) for every C and every weight set: each source
// block (sizes --blocks) unit-norm on its own, then times its weight (0
// drops the source; all 1 is `--normalize-sources`; a single block of every
// feature is `--normalize`). --validate N: train on all but the last N
// training samples and score on those N (the training selection is shuffled,
// so they are a random hold-out); otherwise train on every sample and score
// on --test. One line per configuration.
//
//===----------------------------------------------------------------------===//
#include "scnc/Learning/Svm.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace scnc;

namespace {
cl::OptionCategory readoutCat("Readout");
cl::opt<std::string> trainPath(cl::Positional, cl::desc("<train.svm>"),
                               cl::Required, cl::cat(readoutCat));
cl::opt<std::string> testPath("test", cl::desc("Test samples (LIBSVM text)"),
                              cl::value_desc("file"), cl::cat(readoutCat));
cl::opt<unsigned> validateOpt("validate",
                              cl::desc("Hold out the last N training samples "
                                       "and score on them"),
                              cl::value_desc("N"), cl::init(0),
                              cl::cat(readoutCat));
cl::opt<std::string> blocksOpt("blocks",
                               cl::desc("Source block sizes, in order"),
                               cl::value_desc("B1,B2,..."), cl::Required,
                               cl::cat(readoutCat));
cl::opt<std::string> weightsOpt("weights",
                                cl::desc("Weight sets, '/'-separated "
                                         "(default: 1 for every block)"),
                                cl::value_desc("W1,W2,.../..."),
                                cl::cat(readoutCat));
cl::opt<std::string> cOpt("C", cl::desc("C values (default 10)"),
                          cl::value_desc("C1,C2,..."), cl::init("10"),
                          cl::cat(readoutCat));
cl::opt<unsigned> jobsOpt("j", cl::desc("Classes solved at once"), cl::init(2),
                          cl::cat(readoutCat));
cl::opt<bool> pairedOpt(
    "paired",
    cl::desc("Compare every configuration with the first on the same scored "
             "samples: the samples only one of the two gets right, and the "
             "exact two-sided McNemar p-value"),
    cl::cat(readoutCat));

/// The exact two-sided McNemar test: with b samples only one classifier
/// gets right and c only the other, P(as uneven or more | b + c discordant
/// samples, each side 1/2) = min(1, 2 P(X <= min(b, c))), X ~ Bin(b + c, 1/2).
double mcnemarExact(uint64_t b, uint64_t c) {
  uint64_t n = b + c, k = std::min(b, c);
  if (n == 0)
    return 1.0;
  double tail = 0;
  for (uint64_t i = 0; i <= k; ++i)
    tail +=
        std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) -
                 std::lgamma(double(n - i) + 1) - double(n) * std::log(2.0));
  return std::min(1.0, 2 * tail);
}

[[noreturn]] void fail(const Twine &msg) {
  WithColor::error(errs(), "scnc-bench-readout") << msg << "\n";
  exit(1);
}

std::vector<double> parseList(StringRef what, StringRef list) {
  SmallVector<StringRef, 8> parts;
  list.split(parts, ',');
  std::vector<double> out;
  for (StringRef p : parts) {
    double v;
    if (p.trim().getAsDouble(v) || !std::isfinite(v) || v < 0)
      fail(what + ": '" + p + "' is not a number >= 0");
    out.push_back(v);
  }
  return out;
}

/// LIBSVM text as writeLibsvm writes it: "label index:value ...", indices
/// 1-based and increasing, at most `cols`.
void readLibsvm(StringRef path, size_t cols, FeatureMatrix &x,
                std::vector<int> &y) {
  auto buf = readInputFile(path);
  if (!buf)
    fail(path + ": " + buf.getError().message());
  StringRef text = (*buf)->getBuffer();
  x = FeatureMatrix(0, cols);
  std::vector<double> row(cols);
  unsigned lineNo = 0;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    ++lineNo;
    StringRef lineStart = line;
    auto err = [&](StringRef at, const Twine &msg) {
      fail(path + ":" + Twine(lineNo) + ":" +
           Twine(at.data() - lineStart.data() + 1) + ": " + msg);
    };
    std::fill(row.begin(), row.end(), 0.0);
    StringRef tok;
    std::tie(tok, line) = line.split(' ');
    int label;
    if (tok.getAsInteger(10, label))
      err(tok, "expected an integer label");
    size_t last = 0;
    while (!line.empty()) {
      std::tie(tok, line) = line.split(' ');
      auto [idx, val] = tok.split(':');
      size_t i;
      double v;
      if (idx.getAsInteger(10, i) || i <= last || i > cols)
        err(idx, "expected a feature index from " + Twine(last + 1) + " to " +
                     Twine(cols));
      if (val.getAsDouble(v) || !std::isfinite(v))
        err(val, "expected a finite value");
      row[i - 1] = v;
      last = i;
    }
    x.addRow(row);
    y.push_back(label);
  }
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  parseToolCommandLine(argc, argv, "The readout by validation\n",
                       {&readoutCat});
  std::vector<double> blocksD = parseList("--blocks", blocksOpt);
  std::vector<size_t> blocks;
  size_t cols = 0;
  for (double b : blocksD) {
    if (b < 1 || b != std::floor(b))
      fail("--blocks: sizes are whole numbers >= 1");
    blocks.push_back(size_t(b));
    cols += size_t(b);
  }
  std::vector<std::vector<double>> weightSets;
  SmallVector<StringRef, 4> sets;
  StringRef(weightsOpt).split(sets, '/', -1, false);
  for (StringRef s : sets) {
    weightSets.push_back(parseList("--weights", s));
    if (weightSets.back().size() != blocks.size())
      fail("--weights: '" + s + "' has " + Twine(weightSets.back().size()) +
           " weights for " + Twine(blocks.size()) + " blocks");
  }
  if (weightSets.empty())
    weightSets.push_back(std::vector<double>(blocks.size(), 1.0));
  std::vector<double> cs = parseList("-C", cOpt);
  if (validateOpt == 0 && testPath.empty())
    fail("give --test FILE or --validate N");

  FeatureMatrix all, test;
  std::vector<int> yAll, yTest;
  readLibsvm(trainPath, cols, all, yAll);
  if (validateOpt) {
    if (validateOpt >= all.rows)
      fail("--validate " + Twine(unsigned(validateOpt)) +
           " leaves no samples of " + Twine(uint64_t(all.rows)) +
           " to train on");
    size_t n = all.rows - validateOpt;
    test = FeatureMatrix(validateOpt, cols);
    std::copy(all.data.begin() + n * cols, all.data.end(), test.data.begin());
    yTest.assign(yAll.begin() + n, yAll.end());
    all.data.resize(n * cols);
    all.rows = n;
    yAll.resize(n);
  } else {
    readLibsvm(testPath, cols, test, yTest);
  }

  // Each block unit-norm on its own, times its weight.
  auto scale = [&](const FeatureMatrix &in, const std::vector<double> &w) {
    FeatureMatrix out = in;
    for (size_t r = 0; r < out.rows; ++r)
      unitNormBlocks(MutableArrayRef<double>(out.data).slice(r * cols, cols),
                     blocks, w);
    return out;
  };
  outs() << "training " << all.rows << " samples, scoring "
         << (validateOpt ? "the last " + Twine(unsigned(validateOpt)) +
                               " training samples (validation)"
                         : Twine(uint64_t(test.rows)) + " test samples")
         << "; blocks " << blocksOpt << "\n";
  std::vector<int> firstPred;
  for (const std::vector<double> &w : weightSets) {
    FeatureMatrix xs = scale(all, w), ts = scale(test, w);
    for (double c : cs) {
      SvmOptions so;
      so.C = c;
      so.jobs = jobsOpt;
      Expected<LinearSvm> m = LinearSvm::train(xs, yAll, so);
      if (!m)
        fail(toString(m.takeError()));
      Evaluation train = evaluate(yAll, m->predictAll(xs));
      std::vector<int> pred = m->predictAll(ts);
      Evaluation ev = evaluate(yTest, pred);
      std::string ws;
      raw_string_ostream wos(ws);
      for (size_t b = 0; b < w.size(); ++b)
        wos << (b ? "," : "") << format("%g", w[b]);
      wos.flush();
      outs() << "weights " << ws << " C " << format("%g", c)
             << ": training accuracy " << format("%.4f", train.accuracy())
             << ", " << (validateOpt ? "validation " : "test ") << ev.correct
             << " of " << ev.total << " = "
             << format("%.2f%%", 100 * ev.accuracy()) << "\n";
      if (pairedOpt && firstPred.empty()) {
        firstPred = pred;
      } else if (pairedOpt) {
        uint64_t onlyThis = 0, onlyFirst = 0;
        for (size_t i = 0; i < pred.size(); ++i) {
          bool a = firstPred[i] == yTest[i], t = pred[i] == yTest[i];
          onlyThis += t && !a;
          onlyFirst += a && !t;
        }
        outs() << "  against the first: " << onlyThis << " right only here, "
               << onlyFirst << " only there; exact McNemar p = "
               << format("%.3g", mcnemarExact(onlyThis, onlyFirst)) << "\n";
      }
      outs().flush();
    }
  }
  return 0;
}
