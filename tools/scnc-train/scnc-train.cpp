//===- scnc-train.cpp - The layer-wise training flow ----------------------===//
//
//   scnc-train layer N net.scn --run-dir DIR   STDP-train conv layer N
//   scnc-train svm net.scn --run-dir DIR       the SVM on the last layer
//   scnc-train test net.scn --run-dir DIR      accuracy on the test split
//
// Common options: --data DIR (data/mnist), --digits 0,1,7,8 (all),
// --train-per-class K (10), --test-per-class K (10), --seed S (1), -j J (1),
// --backend reference|emulator (reference), --machine NAME|FILE.
// The tool parses options and reports; lib/Learning trains, computes the
// features and writes the run folder (RunFolder.h), lib/Plot draws the
// run folder's figures. docs/training.md "The training flow".
//
//===----------------------------------------------------------------------===//
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Network.h"
#include "scnc/IR/Verifier.h"
#include "scnc/Learning/Backend.h"
#include "scnc/Learning/Dataset.h"
#include "scnc/Learning/Features.h"
#include "scnc/Learning/RunFolder.h"
#include "scnc/Learning/Svm.h"
#include "scnc/Learning/Training.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Plot/Confusion.h"
#include "scnc/Plot/Kernels.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/Timing.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <cmath>

using namespace scnc;
using namespace llvm;

namespace {

cl::OptionCategory trainCat("scnc-train options");
cl::SubCommand layerCmd("layer", "STDP-train conv layer N: scnc-train layer "
                                 "N NET.scn --run-dir DIR");
cl::SubCommand svmCmd("svm", "Train the SVM on the classifier's source layer: "
                             "scnc-train svm NET.scn --run-dir DIR");
cl::SubCommand testCmd("test", "Accuracy on the test split: scnc-train test "
                               "NET.scn --run-dir DIR [--model FILE]");

/// Without a command: what was given instead (an unknown command).
cl::list<std::string> topLevelArgs(cl::Positional, cl::ZeroOrMore,
                                   cl::desc("<command>"));

#define SCNC_TRAIN_SUBS cl::sub(layerCmd), cl::sub(svmCmd), cl::sub(testCmd)

cl::list<std::string> positional(cl::Positional, cl::ZeroOrMore,
                                 cl::desc("[N] <net.scn>"), SCNC_TRAIN_SUBS);
cl::opt<std::string>
    runDirOpt("run-dir",
              cl::desc("The run folder: the network, weights, log and "
                       "results (required)"),
              cl::value_desc("dir"), SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<std::string>
    dataOpt("data", cl::desc("Data set directory (default data/mnist)"),
            cl::value_desc("dir"), cl::init("data/mnist"), SCNC_TRAIN_SUBS,
            cl::cat(trainCat));
cl::opt<std::string> digitsOpt("digits",
                               cl::desc("Classes to use: LIST (0,1,7,8) or "
                                        "all (default all)"),
                               cl::value_desc("list"), cl::init("all"),
                               SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<std::string> modelOpt("model",
                              cl::desc("The SVM model (default: svm.json in "
                                       "the run folder)"),
                              cl::value_desc("file"), SCNC_TRAIN_SUBS,
                              cl::cat(trainCat));
cl::opt<std::string> featuresOutOpt(
    "features-out",
    cl::desc("svm, test: also write the samples' spike counts (the "
             "classifier sources' neurons in order, before any scaling) and "
             "labels in LIBSVM text format, for liblinear-train or another "
             "classifier ('-': stdout)"),
    cl::value_desc("file"), SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<std::string> trainPerClassOpt("train-per-class",
                                      cl::desc("Training images per class: "
                                               "K or all (default 10)"),
                                      cl::value_desc("K"), SCNC_TRAIN_SUBS,
                                      cl::cat(trainCat));
cl::opt<std::string> testPerClassOpt("test-per-class",
                                     cl::desc("Test images per class: K or "
                                              "all (default 10)"),
                                     cl::value_desc("K"), SCNC_TRAIN_SUBS,
                                     cl::cat(trainCat));
cl::opt<std::string> seedOpt("seed",
                             cl::desc("Selection and encoder seed "
                                      "(default 1)"),
                             cl::value_desc("S"), SCNC_TRAIN_SUBS,
                             cl::cat(trainCat));
cl::opt<std::string> jobsOpt("j",
                             cl::desc("Host threads (default 1; also --jobs)"),
                             cl::value_desc("J"), SCNC_TRAIN_SUBS,
                             cl::cat(trainCat));
cl::alias jobsAlias("jobs", cl::desc("Alias for -j"), cl::aliasopt(jobsOpt));
cl::opt<bool> normalizeOpt("normalize", cl::desc("svm: unit-norm features"),
                           SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<bool> normalizeSourcesOpt(
    "normalize-sources",
    cl::desc("svm: unit-norm features per classifier source (each source's "
             "counts on their own)"),
    SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<bool> noiseSpikesOpt("noise-spikes",
                             cl::desc("Rate code: the original's spike for "
                                      "every sub-threshold pixel"),
                             SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<std::string> windowRateOpt(
    "window-rate", cl::ValueOptional,
    cl::desc("layer 1: encode every window with the original's f = min(20, "
             "int(6 * sum / DIVISOR)) (DIVISOR 2500)"),
    cl::value_desc("divisor"), SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<bool> depressSilentOpt(
    "depress-silent",
    cl::desc("layer: every window input without a spike fires once at the "
             "end of the input window"),
    SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<std::string> backendOpt(
    "backend",
    cl::desc("reference (the reference evaluator, default) or emulator "
             "(images compiled as scncc [--plastic] does, run on the "
             "emulated machine; the same results)"),
    cl::value_desc("kind"), SCNC_TRAIN_SUBS, cl::cat(trainCat));
cl::opt<std::string> machineOpt(
    "machine",
    cl::desc("emulator: spinn3, spinn5, boards:N, WxH or JSON (default: the "
             "smallest machine that fits)"),
    cl::value_desc("name|file"), SCNC_TRAIN_SUBS, cl::cat(trainCat));

#undef SCNC_TRAIN_SUBS

const char *kUsage =
    "usage: scnc-train layer N NET.scn --run-dir DIR [options]\n"
    "       scnc-train svm NET.scn --run-dir DIR [options]\n"
    "       scnc-train test NET.scn --run-dir DIR [--model FILE] [options]\n"
    "       (options: scnc-train COMMAND --help)\n";

int fail(const Twine &msg) {
  WithColor::error(errs(), "scnc-train") << msg << "\n";
  return 1;
}

struct Args {
  std::string command, net, runDir, data, digits, model, featuresOut;
  unsigned layer = 0;
  uint32_t trainPerClass = 10, testPerClass = 10;
  uint64_t seed = 1;
  unsigned jobs = 1;
  bool normalize = false, normalizeSources = false;
  bool noiseSpikes = false;
  bool windowRate = false;
  bool depressSilent = false;
  double windowDivisor = 2500;
  BackendOptions backend;
  std::string commandLine;
};

/// A whole number >= \p min given to option \p name.
bool parseNumber(StringRef name, StringRef v, uint64_t min, uint64_t &out) {
  if (v.getAsInteger(10, out) || out < min) {
    fail("option '" + name + "': '" + v + "' is not a whole number" +
         (min ? " >= " + Twine(min) : Twine()));
    return false;
  }
  return true;
}

/// --train-per-class / --test-per-class: K >= 1 or "all".
bool parsePerClass(const cl::opt<std::string> &o, uint32_t &k) {
  if (!o.getNumOccurrences())
    return true;
  StringRef name =
      o.ArgStr == "train-per-class" ? "--train-per-class" : "--test-per-class";
  if (o == "all") {
    k = Selection::kAll;
    return true;
  }
  uint64_t n;
  if (!parseNumber(name, o, 1, n))
    return false;
  if (n >= Selection::kAll) {
    fail("option '" + name + "': " + Twine(n) +
         " images per class is too many");
    return false;
  }
  k = uint32_t(n);
  return true;
}

/// The parsed command line's values, checked; prints the error and returns
/// false on a bad one.
bool checkArgs(int argc, char **argv, Args &a) {
  for (int i = 0; i < argc; ++i)
    a.commandLine += (i ? " " : "") + std::string(argv[i]);
  if (layerCmd)
    a.command = "layer";
  else if (svmCmd)
    a.command = "svm";
  else if (testCmd)
    a.command = "test";
  else if (!topLevelArgs.empty()) {
    fail("unknown command '" + topLevelArgs.front() + "' (layer, svm or test)");
    return false;
  } else {
    fail("no command (layer, svm or test)");
    errs() << kUsage;
    return false;
  }
  a.runDir = runDirOpt;
  a.data = dataOpt;
  a.digits = digitsOpt;
  a.model = modelOpt;
  a.featuresOut = featuresOutOpt;
  a.normalize = normalizeOpt;
  a.normalizeSources = normalizeSourcesOpt;
  a.noiseSpikes = noiseSpikesOpt;
  a.depressSilent = depressSilentOpt;
  if (!parsePerClass(trainPerClassOpt, a.trainPerClass) ||
      !parsePerClass(testPerClassOpt, a.testPerClass))
    return false;
  uint64_t n;
  if (seedOpt.getNumOccurrences() && !parseNumber("--seed", seedOpt, 0, a.seed))
    return false;
  if (jobsOpt.getNumOccurrences()) {
    if (!parseNumber("-j", jobsOpt, 1, n))
      return false;
    a.jobs = unsigned(n);
  }
  if (backendOpt.getNumOccurrences()) {
    Optional<BackendKind> k = parseBackendKind(backendOpt);
    if (!k) {
      fail("option '--backend': unknown backend '" + backendOpt +
           "' (reference or emulator)");
      return false;
    }
    a.backend.kind = *k;
  }
  if (machineOpt.getNumOccurrences()) {
    a.backend.machine = machineOpt;
    if (a.backend.machine.empty()) {
      fail("option '--machine' needs a value");
      return false;
    }
  }
  if (windowRateOpt.getNumOccurrences()) {
    a.windowRate = true;
    StringRef v = windowRateOpt;
    if (!v.empty() &&
        (v.getAsDouble(a.windowDivisor) || !(a.windowDivisor > 0))) {
      fail("option '--window-rate': '" + v + "' is not a number > 0");
      return false;
    }
  }
  size_t want = a.command == "layer" ? 2 : 1;
  if (positional.size() != want) {
    fail(a.command == "layer"
             ? "'layer' takes a layer number and a network file"
             : "'" + a.command + "' takes one network file");
    errs() << kUsage;
    return false;
  }
  if (a.command == "layer") {
    if (StringRef(positional[0]).getAsInteger(10, n) || n < 1) {
      fail("layer number '" + positional[0] + "' is not a whole number >= 1");
      return false;
    }
    a.layer = unsigned(n);
  }
  a.net = positional[positional.size() - 1];
  if (a.windowRate && a.command != "layer") {
    fail("--window-rate applies to 'layer' only (svm and test present "
         "whole images)");
    return false;
  }
  if (a.normalize && a.normalizeSources) {
    fail("--normalize and --normalize-sources are two scalings: choose one");
    return false;
  }
  if (featuresOutOpt.getNumOccurrences() && a.command == "layer") {
    fail("--features-out applies to 'svm' and 'test' (the classifier's "
         "features)");
    return false;
  }
  if (featuresOutOpt.getNumOccurrences() && a.featuresOut.empty()) {
    fail("option '--features-out' needs a file name");
    return false;
  }
  if (a.depressSilent && a.command != "layer") {
    fail("--depress-silent applies to 'layer' only (svm and test present "
         "whole images)");
    return false;
  }
  if (!a.backend.machine.empty() && a.backend.kind != BackendKind::Emulator) {
    fail("--machine is for --backend emulator: the reference evaluator runs "
         "no machine");
    return false;
  }
  if (a.runDir.empty()) {
    fail("--run-dir is required (the folder that keeps the network, "
         "weights, log and results)");
    return false;
  }
  return true;
}

/// "3 of 40 samples, 12.5 samples/s, 2 s left" on a terminal only.
class Progress {
public:
  explicit Progress(std::string what)
      : what(std::move(what)), tty(sys::Process::StandardErrIsDisplayed()),
        start(std::chrono::steady_clock::now()) {}
  ~Progress() { finish(); }
  /// Ends the line (before the command's own output).
  void finish() {
    if (printed)
      errs() << "\n";
    printed = false;
  }
  void operator()(uint64_t done, uint64_t total) {
    if (!tty)
      return;
    double s = secondsSince(start);
    double rate = s > 0 ? done / s : 0;
    double left = rate > 0 ? (total - done) / rate : 0;
    errs() << "\r" << what << ": " << done << " of " << total;
    if (done) // (0, total) only starts a step: no rate yet
      errs() << ", " << format("%.1f", rate) << "/s, " << format("%.0f", left)
             << " s left";
    errs() << "   ";
    printed = true;
  }
  ProgressFn fn() {
    return [this](uint64_t d, uint64_t t) { (*this)(d, t); };
  }
  /// For a later step of the same command: its first call ends the line of
  /// the step before and restarts the clock under \p label.
  ProgressFn fn(std::string label) {
    return [this, label = std::move(label)](uint64_t d, uint64_t t) {
      if (what != label) {
        finish();
        what = label;
        start = std::chrono::steady_clock::now();
      }
      (*this)(d, t);
    };
  }

private:
  std::string what;
  bool tty, printed = false;
  std::chrono::steady_clock::time_point start;
};

/// Draws a standard figure of the run folder; returns its path, or "" (with
/// a note on stderr) when it could not be drawn: a missing figure never
/// fails training.
std::string figureDrawn(Error e, const std::string &out) {
  if (!e)
    return out;
  WithColor::note(errs(), "scnc-train")
      << out << " not drawn: " << toString(std::move(e)) << "\n";
  return "";
}

/// Draws layer \p layer's learned kernels (layerN.kernels.png) or, with
/// \p change, what STDP changed (layerN.change.png) into \p folder; returns
/// the figure's path or "" as figureDrawn.
std::string drawKernelFigure(const RunFolder &folder, unsigned layer,
                             const LayerTrainingResult &r, bool change) {
  std::string stem = "layer" + std::to_string(layer);
  std::string out =
      folder.path(stem + (change ? ".change.png" : ".kernels.png"));
  plot::KernelsOptions ko;
  ko.name = folder.path(stem + ".weights.npy");
  ko.beforeName = folder.path(stem + ".initial.npy");
  ko.title = "Layer " + std::to_string(layer) +
             (change ? " weight change" : " kernels after STDP");
  Expected<plot::Kernels> k =
      plot::kernelsFromArray(r.shape, r.kernels, ko.name, "");
  if (!k)
    return figureDrawn(k.takeError(), out);
  if (!change)
    return figureDrawn(plot::drawKernels(out, std::move(*k), nullptr, ko), out);
  Expected<plot::Kernels> k0 =
      plot::kernelsFromArray(r.shape, r.initial, ko.beforeName, "");
  if (!k0)
    return figureDrawn(k0.takeError(), out);
  return figureDrawn(plot::drawKernels(out, std::move(*k), &*k0, ko), out);
}

class Trainer {
public:
  explicit Trainer(Args a)
      : a(std::move(a)), diag(srcMgr), folder(this->a.runDir) {}
  int run();

private:
  Optional<Network> load();
  Expected<Dataset> select(Split split, uint32_t perClass);
  RunProtocol protocol() const;
  int layer(const Network &n);
  /// --features-out: the samples as LIBSVM text; false (error printed) on
  /// failure.
  bool saveFeatures(const FeatureMatrix &x, ArrayRef<int> y);
  int svm(const Network &n);
  int test(const Network &n);
  /// Features of \p data's images (encoder seed \p seed) for svm and test.
  Expected<FeatureMatrix> features(const Network &n, const Dataset &data,
                                   uint64_t seed, const char *what);
  std::string path(StringRef name) const { return folder.path(name); }
  Error appendLog(StringRef text) {
    return folder.appendLog(a.commandLine, text);
  }

  Args a;
  SourceMgr srcMgr;
  DiagnosticEngine diag;
  RunFolder folder;
  std::string source;
  std::vector<unsigned> classes;
  /// What ran the networks (PreparedNetwork::description).
  std::string evaluator = "reference (fixed point)";
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
};

Optional<Network> Trainer::load() {
  unsigned buf = loadSourceFile(a.net, diag);
  if (!buf)
    return None;
  source = srcMgr.getMemoryBuffer(buf)->getBuffer().str();
  Optional<Network> n = parseNetwork(buf, diag);
  if (!n || !verifyNetwork(*n, diag) || diag.hadError())
    return None;
  n->sourceDir = sys::path::parent_path(a.net).str();
  return n;
}

Expected<Dataset> Trainer::select(Split split, uint32_t perClass) {
  Expected<Dataset> all = loadSplit(a.data, split);
  if (!all)
    return all.takeError();
  Selection sel;
  sel.classes = classes;
  sel.perClass = perClass;
  sel.seed = a.seed;
  return selectSubset(*all, sel);
}

RunProtocol Trainer::protocol() const {
  RunProtocol p;
  p.command = a.command;
  p.networkFile = a.net;
  p.data = a.data;
  p.commandLine = a.commandLine;
  p.classes = classes;
  p.trainPerClass = a.trainPerClass;
  p.testPerClass = a.testPerClass;
  p.seed = a.seed;
  p.jobs = a.jobs;
  p.noiseSpikes = a.noiseSpikes;
  p.windowRate = a.windowRate;
  p.depressSilent = a.depressSilent;
  p.windowDivisor = a.windowDivisor;
  p.evaluator = evaluator;
  return p;
}

int Trainer::layer(const Network &n) {
  Expected<Dataset> data = select(Split::Train, a.trainPerClass);
  if (!data)
    return fail(toString(data.takeError()));
  LayerTrainingOptions o;
  o.layer = a.layer;
  o.seed = a.seed;
  o.jobs = a.jobs;
  o.irOut = path("layer" + std::to_string(a.layer) + ".train.scnir");
  o.noiseSpikes = a.noiseSpikes;
  o.windowRate = a.windowRate;
  o.windowDivisor = a.windowDivisor;
  o.depressSilent = a.depressSilent;
  o.backend = a.backend;
  Progress progress("frozen layers, samples");
  o.progress = progress.fn();
  o.plasticProgress = progress.fn("plastic run, slots");
  Expected<LayerTrainingResult> r = trainLayer(n, *data, o, diag);
  progress.finish();
  if (!r) {
    if (diag.hadError())
      return 1;
    return fail(toString(r.takeError()));
  }
  evaluator = r->evaluator;
  std::string stem = "layer" + std::to_string(a.layer);
  std::string weightsName = stem + ".weights.npy";
  if (Error e = writeNpy(path(weightsName), r->kernels, r->shape))
    return fail(toString(std::move(e)));
  // The network for the next step: the layer's weights from the file.
  if (Error e =
          folder.writeTrainedNetwork(a.net, source, r->layerName, weightsName))
    return fail(toString(std::move(e)));

  // The run folder's standard figures: the learned kernels and what STDP
  // changed (the weights before training are kept beside them).
  if (Error e = writeNpy(path(stem + ".initial.npy"), r->initial, r->shape))
    return fail(toString(std::move(e)));
  std::string kernelsPng = drawKernelFigure(folder, a.layer, *r, false),
              changePng = drawKernelFigure(folder, a.layer, *r, true);

  double change = 0;
  for (size_t i = 0; i < r->kernels.size(); ++i)
    change += std::fabs(r->kernels[i] - r->initial[i]);
  std::string text;
  raw_string_ostream os(text);
  os << "layer " << a.layer << " ('" << r->layerName << "', rule '" << r->rule
     << "'): " << data->size() << " images, " << withCommas(r->slots)
     << " window slots, " << withCommas(r->ticks) << " ticks, "
     << withCommas(r->inputSpikes) << " input spikes, "
     << withCommas(r->postSpikes) << " post spikes in "
     << format("%.2f", r->seconds) << " s\n";
  if (r->lateTick)
    os << "silent inputs fire at tick " << r->lateTick << " of each slot\n";
  os << "wins per filter:";
  for (uint64_t w : r->wins)
    os << " " << w;
  if (!r->shape.empty())
    os << "\nkernels alike: "
       << describeRedundancy(
              kernelRedundancy(r->kernels, unsigned(r->shape[0])));
  os << "\nmean |change| " << format("%.4f", change / r->kernels.size())
     << " nA; kernels " << path(weightsName) << " (";
  for (size_t i = 0; i < r->shape.size(); ++i)
    os << (i ? ", " : "") << r->shape[i];
  os << "); network " << path("net.scn") << "\n";
  if (!kernelsPng.empty() || !changePng.empty())
    os << "figures: " << kernelsPng
       << (kernelsPng.empty() || changePng.empty() ? "" : ", ") << changePng
       << "\n";
  os.flush();
  outs() << text;

  if (Error e = folder.writeLayerJson(n, protocol(), a.layer, *r, data->size(),
                                      weightsName))
    return fail(toString(std::move(e)));
  if (Error e = appendLog(text))
    return fail(toString(std::move(e)));
  return 0;
}

Expected<FeatureMatrix> Trainer::features(const Network &n, const Dataset &data,
                                          uint64_t seed, const char *what) {
  FeatureOptions fo;
  fo.seed = seed;
  fo.jobs = a.jobs;
  fo.noiseSpikes = a.noiseSpikes;
  fo.backend = a.backend;
  // The clock starts with the first sample (after the network is prepared).
  Progress progress("");
  fo.progress = progress.fn(what);
  return classifierFeatures(n, data, fo, diag, &evaluator);
}

bool Trainer::saveFeatures(const FeatureMatrix &x, ArrayRef<int> y) {
  if (a.featuresOut.empty())
    return true;
  if (Error e = writeOutputAtomically(a.featuresOut, [&](raw_ostream &os) {
        return writeLibsvm(os, x, y);
      })) {
    fail("--features-out " + a.featuresOut + ": " + toString(std::move(e)));
    return false;
  }
  return true;
}

int Trainer::svm(const Network &n) {
  Expected<Dataset> data = select(Split::Train, a.trainPerClass);
  if (!data)
    return fail(toString(data.takeError()));
  auto t0 = std::chrono::steady_clock::now();
  Expected<FeatureMatrix> x = features(n, *data, a.seed, "training samples");
  if (!x)
    return diag.hadError() ? 1 : fail(toString(x.takeError()));
  double runSeconds = secondsSince(t0);
  std::vector<int> y(data->labels.begin(), data->labels.end());
  if (!saveFeatures(*x, y))
    return 1;
  SvmOptions so;
  so.C = n.classifier->c;
  so.scaling = a.normalize ? FeatureScaling::UnitNorm : FeatureScaling::None;
  if (a.normalizeSources) {
    so.scaling = FeatureScaling::UnitNormPerSource;
    so.blocks = x->blocks;
  }
  so.jobs = a.jobs;
  auto tSvm = std::chrono::steady_clock::now();
  Expected<LinearSvm> m = LinearSvm::train(*x, y, so);
  double svmSeconds = secondsSince(tSvm);
  if (!m)
    return fail(toString(m.takeError()));
  std::string modelPath = a.model.empty() ? path("svm.json") : a.model;
  if (Error e = m->save(modelPath))
    return fail(toString(std::move(e)));
  Evaluation ev = evaluate(y, m->predictAll(*x));
  double zero = 0;
  for (double v : x->data)
    zero += v == 0;
  std::string text;
  raw_string_ostream os(text);
  os << "svm on " << classifierSourceNames(n) << " (" << x->cols
     << " features): " << data->size() << " training images, "
     << format("%.1f", 100 * zero / std::max<size_t>(1, x->data.size()))
     << "% zero counts, training accuracy " << format("%.4f", ev.accuracy())
     << (m->converged() ? "" : " (liblinear did not converge)") << "; runs "
     << format("%.2f", runSeconds) << " s, liblinear "
     << format("%.2f", svmSeconds) << " s; model " << modelPath << "\n";
  os.flush();
  outs() << text;
  SvmTrainingReport report;
  report.trainAccuracy = ev.accuracy();
  report.features = x->cols;
  report.runSeconds = runSeconds;
  report.svmSeconds = svmSeconds;
  report.model = modelPath;
  if (Error e = folder.writeSvmJson(n, protocol(), report))
    return fail(toString(std::move(e)));
  if (Error e = appendLog(text))
    return fail(toString(std::move(e)));
  return 0;
}

int Trainer::test(const Network &n) {
  std::string modelPath = a.model.empty() ? path("svm.json") : a.model;
  if (!sys::fs::exists(modelPath))
    return fail("no SVM model '" + modelPath + "': run 'scnc-train svm' first");
  Expected<LinearSvm> m = LinearSvm::load(modelPath);
  if (!m)
    return fail(toString(m.takeError()));
  Expected<Dataset> data = select(Split::Test, a.testPerClass);
  if (!data)
    return fail(toString(data.takeError()));
  auto t0 = std::chrono::steady_clock::now();
  Expected<FeatureMatrix> x = features(n, *data, a.seed + 1, "test samples");
  if (!x)
    return diag.hadError() ? 1 : fail(toString(x.takeError()));
  if (x->cols != m->numFeatures())
    return fail("model '" + modelPath + "' takes " + Twine(m->numFeatures()) +
                " features but " +
                (n.classifier->sources.size() == 1 ? "layer " : "layers ") +
                classifierSourceNames(n) + " ha" +
                (n.classifier->sources.size() == 1 ? "s " : "ve ") +
                Twine(uint64_t(x->cols)) + " neurons");
  TestReport report;
  report.runSeconds = secondsSince(t0);
  report.truth.assign(data->labels.begin(), data->labels.end());
  if (!saveFeatures(*x, report.truth))
    return 1;
  report.predictions = m->predictAll(*x);
  report.evaluation = evaluate(report.truth, report.predictions);
  const Evaluation &ev = report.evaluation;
  std::string text = "test: " + std::to_string(data->size()) +
                     " images of the test split\n" + ev.format();
  outs() << text;
  report.model = modelPath;
  report.fileIndex = data->fileIndex;
  report.totalSeconds = secondsSince(start);
  if (Error e = folder.writeResultsJson(n, protocol(), report))
    return fail(toString(std::move(e)));
  // The confusion matrix as results.json gives it to scnc-plot confusion.
  plot::Confusion cm;
  cm.k = ev.labels.size();
  for (int l : ev.labels)
    cm.labels.push_back(std::to_string(l));
  for (const std::vector<uint64_t> &row : ev.confusion)
    for (uint64_t c : row)
      cm.counts.push_back(double(c));
  std::string confusionPng = figureDrawn(
      plot::drawConfusion(path("confusion.png"), cm, plot::ConfusionOptions()),
      path("confusion.png"));
  if (!confusionPng.empty()) {
    outs() << "figure: " << confusionPng << "\n";
    text += "figure: " + confusionPng + "\n";
  }
  if (Error e = appendLog(text))
    return fail(toString(std::move(e)));
  return 0;
}

int Trainer::run() {
  Expected<std::vector<unsigned>> c = parseClassList(a.digits);
  if (!c)
    return fail("--digits: " + toString(c.takeError()));
  classes = *c;
  // A bad --machine fails before any work (as in scncc and scnc-run).
  if (!a.backend.machine.empty())
    if (Expected<Machine> m = loadMachine(a.backend.machine); !m)
      return fail("--machine " + a.backend.machine + ": " +
                  toString(m.takeError()));
  Optional<Network> n = load();
  if (!n)
    return 1;
  if (Error e = folder.create())
    return fail(toString(std::move(e)));
  if (a.command == "layer")
    return layer(*n);
  if (Error e = folder.copyNetwork(a.net, source))
    return fail(toString(std::move(e)));
  return a.command == "svm" ? svm(*n) : test(*n);
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  parseToolCommandLine(argc, argv,
                       "scnc-train: the layer-wise training flow (STDP layer "
                       "by layer, the SVM, the test split)\n",
                       {&trainCat});
  Args a;
  if (!checkArgs(argc, argv, a))
    return 1;
  return Trainer(std::move(a)).run();
}
