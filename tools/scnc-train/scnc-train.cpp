//===- scnc-train.cpp - The layer-wise training flow ----------------------===//
//
//   scnc-train layer N net.scn --run-dir DIR   STDP-train conv layer N
//   scnc-train svm net.scn --run-dir DIR       the SVM on the last layer
//   scnc-train test net.scn --run-dir DIR      accuracy on the test split
//
// Common options: --data DIR (data/mnist), --digits 0,1,7,8 (all),
// --train-per-class K (10), --test-per-class K (10), --seed S (1), -j J (1),
// --backend reference|emulator (reference), --machine NAME|FILE.
// docs/training.md "The training flow".
//
//===----------------------------------------------------------------------===//
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Network.h"
#include "scnc/IR/Verifier.h"
#include "scnc/Learning/Backend.h"
#include "scnc/Learning/Dataset.h"
#include "scnc/Learning/Encoders.h"
#include "scnc/Learning/Svm.h"
#include "scnc/Learning/Training.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/Timing.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;

namespace {

const char *kUsage =
    "usage: scnc-train layer N NET.scn --run-dir DIR [options]\n"
    "       scnc-train svm NET.scn --run-dir DIR [options]\n"
    "       scnc-train test NET.scn --run-dir DIR [--model FILE] [options]\n"
    "options: --data DIR (data/mnist)  --digits LIST|all (all)\n"
    "         --train-per-class K|all (10)  --test-per-class K|all (10)\n"
    "         --seed S (1)  -j J (1)  --normalize (svm: unit-norm features)\n"
    "         --noise-spikes (rate code: the original's spike for every\n"
    "           sub-threshold pixel)\n"
    "         --window-rate[=DIVISOR] (layer 1: encode every window with the\n"
    "           original's f = min(20, int(6 * sum / DIVISOR)), 2500)\n"
    "         --depress-silent (layer: every window input without a spike\n"
    "           fires once at the end of the input window)\n"
    "         --backend reference|emulator (reference: the reference\n"
    "           evaluator; emulator: images compiled as scncc [--plastic]\n"
    "           does, run on the emulated machine; the same results)\n"
    "         --machine NAME|FILE (emulator: spinn3, spinn5, boards:N, WxH\n"
    "           or JSON; default: the smallest machine that fits)\n";

int fail(const Twine &msg) {
  WithColor::error(errs(), "scnc-train") << msg << "\n";
  return 1;
}

/// argv[0], to find scnc-plot beside this tool.
const char *argv0 = "scnc-train";

/// Draws a standard figure into the run folder with the scnc-plot beside
/// this tool; returns the figure's path, or "" (with a note on stderr) when
/// it could not be drawn: a missing figure never fails training.
std::string drawFigure(llvm::ArrayRef<std::string> args,
                       const std::string &out) {
  std::string self = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&drawFigure));
  llvm::SmallString<256> plot(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(plot, "scnc-plot");
  if (!llvm::sys::fs::can_execute(plot)) {
    llvm::WithColor::note(llvm::errs(), "scnc-train")
        << "no scnc-plot beside scnc-train: " << out << " not drawn\n";
    return "";
  }
  std::vector<llvm::StringRef> argv{plot};
  for (const std::string &a : args)
    argv.push_back(a);
  argv.push_back("-o");
  argv.push_back(out);
  std::string err;
  int rc = llvm::sys::ExecuteAndWait(plot, argv, llvm::None, {}, 0, 0, &err);
  if (rc != 0) {
    llvm::WithColor::note(llvm::errs(), "scnc-train")
        << out << " not drawn (scnc-plot exited with " << rc << ")\n";
    return "";
  }
  return out;
}

struct Args {
  std::string command, net, runDir, data = "data/mnist", digits = "all", model;
  unsigned layer = 0;
  uint32_t trainPerClass = 10, testPerClass = 10;
  uint64_t seed = 1;
  unsigned jobs = 1;
  bool normalize = false;
  bool noiseSpikes = false;
  bool windowRate = false;
  bool depressSilent = false;
  double windowDivisor = 2500;
  BackendOptions backend;
  std::string commandLine;
};

/// Parses argv; prints the error and returns false on a bad command line.
bool parseArgs(int argc, char **argv, Args &a) {
  for (int i = 0; i < argc; ++i)
    a.commandLine += (i ? " " : "") + std::string(argv[i]);
  if (argc < 2) {
    fail("no command (layer, svm or test)");
    errs() << kUsage;
    return false;
  }
  a.command = argv[1];
  if (a.command == "-h" || a.command == "--help") {
    outs() << kUsage;
    exit(0);
  }
  if (a.command != "layer" && a.command != "svm" && a.command != "test") {
    fail("unknown command '" + a.command + "' (layer, svm or test)");
    return false;
  }
  std::vector<std::string> positional;
  for (int i = 2; i < argc; ++i) {
    StringRef arg = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc) {
        fail("option '" + arg + "' needs a value");
        return false;
      }
      out = argv[++i];
      return true;
    };
    auto number = [&](uint64_t &out, uint64_t min) {
      std::string v;
      if (!value(v))
        return false;
      if (StringRef(v).getAsInteger(10, out) || out < min) {
        fail("option '" + arg + "': '" + v + "' is not a whole number" +
             (min ? " >= " + Twine(min) : Twine()));
        return false;
      }
      return true;
    };
    // "--name VALUE" or "--name=VALUE".
    auto valueOf = [&](StringRef name, std::string &out) {
      if (arg == name)
        return value(out);
      out = arg.substr(name.size() + 1).str();
      return true;
    };
    uint64_t n;
    if (arg == "--run-dir") {
      if (!value(a.runDir))
        return false;
    } else if (arg == "--data") {
      if (!value(a.data))
        return false;
    } else if (arg == "--digits") {
      if (!value(a.digits))
        return false;
    } else if (arg == "--model") {
      if (!value(a.model))
        return false;
    } else if (arg == "--train-per-class" || arg == "--test-per-class") {
      uint32_t &k =
          arg == "--train-per-class" ? a.trainPerClass : a.testPerClass;
      if (i + 1 < argc && StringRef(argv[i + 1]) == "all") {
        ++i;
        k = Selection::kAll;
      } else {
        if (!number(n, 1))
          return false;
        if (n >= Selection::kAll) {
          fail("option '" + arg + "': " + Twine(n) +
               " images per class is too many");
          return false;
        }
        k = uint32_t(n);
      }
    } else if (arg == "--seed") {
      if (!number(a.seed, 0))
        return false;
    } else if (arg == "-j" || arg == "--jobs") {
      if (!number(n, 1))
        return false;
      a.jobs = unsigned(n);
    } else if (arg == "--normalize") {
      a.normalize = true;
    } else if (arg == "--noise-spikes") {
      a.noiseSpikes = true;
    } else if (arg == "--depress-silent") {
      a.depressSilent = true;
    } else if (arg == "--backend" || arg.startswith("--backend=")) {
      std::string v;
      if (!valueOf("--backend", v))
        return false;
      Optional<BackendKind> k = parseBackendKind(v);
      if (!k) {
        fail("option '--backend': unknown backend '" + v +
             "' (reference or emulator)");
        return false;
      }
      a.backend.kind = *k;
    } else if (arg == "--machine" || arg.startswith("--machine=")) {
      if (!valueOf("--machine", a.backend.machine))
        return false;
      if (a.backend.machine.empty()) {
        fail("option '--machine' needs a value");
        return false;
      }
    } else if (arg == "--window-rate") {
      a.windowRate = true;
    } else if (arg.startswith("--window-rate=")) {
      a.windowRate = true;
      StringRef v = arg.drop_front(strlen("--window-rate="));
      if (v.getAsDouble(a.windowDivisor) || !(a.windowDivisor > 0)) {
        fail("option '--window-rate': '" + v + "' is not a number > 0");
        return false;
      }
    } else if (arg.startswith("-") && arg != "-") {
      fail("unknown option '" + arg + "'");
      return false;
    } else {
      positional.push_back(arg.str());
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
    uint64_t n;
    if (StringRef(positional[0]).getAsInteger(10, n) || n < 1) {
      fail("layer number '" + positional[0] + "' is not a whole number >= 1");
      return false;
    }
    a.layer = unsigned(n);
  }
  a.net = positional.back();
  if (a.windowRate && a.command != "layer") {
    fail("--window-rate applies to 'layer' only (svm and test present "
         "whole images)");
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
    double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
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

class Trainer {
public:
  explicit Trainer(Args a) : a(std::move(a)), diag(srcMgr) {}
  int run();

private:
  Optional<Network> load();
  Expected<Dataset> select(Split split, uint32_t perClass);
  nlohmann::json protocol(const Network &n) const;
  Error writeNetCopy();
  Error appendLog(StringRef text);
  /// Writes \p j (indented) to \p name in the run folder, atomically.
  Error writeJson(const std::string &name, const nlohmann::json &j);
  int layer(const Network &n);
  int svm(const Network &n);
  int test(const Network &n);
  std::string path(StringRef name) const {
    SmallString<256> p(a.runDir);
    sys::path::append(p, name);
    return p.str().str();
  }

  Args a;
  SourceMgr srcMgr;
  DiagnosticEngine diag;
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

nlohmann::json Trainer::protocol(const Network &n) const {
  nlohmann::json p;
  p["network"] = n.name;
  p["network_file"] = a.net;
  p["data"] = a.data;
  p["digits"] = classes;
  auto perClass = [](uint32_t k) -> nlohmann::json {
    if (k == Selection::kAll)
      return "all";
    return k;
  };
  p["train_per_class"] = perClass(a.trainPerClass);
  p["test_per_class"] = perClass(a.testPerClass);
  p["seed"] = a.seed;
  p["train_encoder_seed"] = a.seed;
  p["test_encoder_seed"] = a.seed + 1;
  p["jobs"] = a.jobs;
  p["timestep_ms"] = n.sim.timestep;
  p["presentation_ms"] = n.sim.presentation;
  p["input_window_ms"] = n.sim.inputWindow;
  nlohmann::json enc = nlohmann::json::array();
  for (const Population &q : n.populations)
    if (q.kind == Population::Kind::Input) {
      nlohmann::json e;
      e["layer"] = q.name;
      e["kind"] = q.encoding.kind;
      for (const auto &kv : q.encoding.params)
        e["params"][kv.first] = kv.second;
      enc.push_back(e);
    }
  p["encoders"] = enc;
  p["noise_spikes"] = a.noiseSpikes;
  if (a.command == "layer") {
    p["window_rate"] = a.windowRate;
    if (a.windowRate)
      p["window_rate_divisor"] = a.windowDivisor;
    p["depress_silent"] = a.depressSilent;
  }
  p["evaluator"] = evaluator;
  p["command"] = a.commandLine;
  return p;
}

Error Trainer::appendLog(StringRef text) {
  std::error_code ec;
  raw_fd_ostream os(path("log.txt"), ec, sys::fs::OF_Append);
  if (ec)
    return createStringError(ec, "cannot write '" + path("log.txt") +
                                     "': " + ec.message());
  os << "$ " << a.commandLine << "\n" << text;
  return Error::success();
}

/// The network in the run folder (net.scn), relative paths re-based.
Error Trainer::writeJson(const std::string &name, const nlohmann::json &j) {
  return writeOutputAtomically(path(name), [&](raw_ostream &os) {
    os << j.dump(2) << "\n";
    return Error::success();
  });
}

Error Trainer::writeNetCopy() {
  SmallString<256> from(sys::path::parent_path(a.net)), to(a.runDir);
  if (from.empty())
    from = ".";
  sys::fs::make_absolute(from);
  sys::fs::make_absolute(to);
  if (from == to && sys::path::filename(a.net) == "net.scn")
    return Error::success();
  // Re-base paths by setting nothing: setLayerWeights needs a layer, so do
  // the path rewrite through a layer that is not there only when needed.
  std::string text = source;
  if (from != to) {
    Expected<std::string> t = setLayerWeights(
        text + "\nconv __none__() {}", "__none__", "", from.str(), to.str());
    if (!t)
      return t.takeError();
    text = t->substr(0, t->rfind("\nconv __none__"));
  }
  return writeOutputAtomically(path("net.scn"), [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
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
  std::string weightsName = "layer" + std::to_string(a.layer) + ".weights.npy";
  if (Error e = writeNpy(path(weightsName), r->kernels, r->shape))
    return fail(toString(std::move(e)));
  // The network for the next step: the layer's weights from the file.
  SmallString<256> from(sys::path::parent_path(a.net));
  if (from.empty())
    from = ".";
  Expected<std::string> next =
      setLayerWeights(source, r->layerName, weightsName, from, a.runDir);
  if (!next)
    return fail(toString(next.takeError()));
  if (Error e = writeOutputAtomically(path("net.scn"), [&](raw_ostream &os) {
        os << *next;
        return Error::success();
      }))
    return fail(toString(std::move(e)));

  // The run folder's standard figures: the learned kernels and what STDP
  // changed (the weights before training are kept beside them).
  std::string stem = "layer" + std::to_string(a.layer);
  if (Error e = writeNpy(path(stem + ".initial.npy"), r->initial, r->shape))
    return fail(toString(std::move(e)));
  std::string kernelsPng =
      drawFigure({"kernels", path(weightsName), "--title",
                  "Layer " + std::to_string(a.layer) + " kernels after STDP"},
                 path(stem + ".kernels.png"));
  std::string changePng = drawFigure(
      {"kernels", path(weightsName), "--before", path(stem + ".initial.npy"),
       "--title", "Layer " + std::to_string(a.layer) + " weight change"},
      path(stem + ".change.png"));

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
  os << "wins per filter:";
  for (uint64_t w : r->wins)
    os << " " << w;
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

  nlohmann::json j;
  j["protocol"] = protocol(n);
  j["layer"] = a.layer;
  j["layer_name"] = r->layerName;
  j["rule"] = r->rule;
  j["images"] = data->size();
  j["slots"] = r->slots;
  j["ticks"] = r->ticks;
  j["input_spikes"] = r->inputSpikes;
  j["post_spikes"] = r->postSpikes;
  j["wins"] = r->wins;
  j["weights"] = weightsName;
  j["shape"] = r->shape;
  j["seconds"] = r->seconds;
  if (Error e = writeJson("layer" + std::to_string(a.layer) + ".json", j))
    return fail(toString(std::move(e)));
  if (Error e = appendLog(text))
    return fail(toString(std::move(e)));
  return 0;
}

/// Features of every image: spike counts of the classifier's source layer,
/// from runs on \p backend (described in \p evaluator).
Expected<FeatureMatrix>
features(const Network &n, const Dataset &data, uint64_t seed, unsigned jobs,
         DiagnosticEngine &diag, const char *what, bool noiseSpikes,
         const BackendOptions &backend, std::string &evaluator) {
  if (!n.classifier)
    return createStringError(inconvertibleErrorCode(),
                             "network '" + n.name +
                                 "' has no classifier: nothing names the "
                                 "layer whose spike counts are the features");
  Expected<std::unique_ptr<PreparedNetwork>> net =
      PreparedNetwork::prepare(n, backend, /*plastic=*/false, jobs, diag);
  if (!net)
    return net.takeError();
  evaluator = (*net)->description();
  const Network &full = (*net)->network();
  unsigned src = full.classifier->source;
  Progress progress(what);
  Expected<std::vector<std::vector<Spike>>> spikes =
      runSamples(**net, data, seed, jobs, src, progress.fn(), noiseSpikes);
  if (!spikes)
    return spikes.takeError();
  uint64_t neurons = full.populations[src].shape.size();
  FeatureMatrix x(0, neurons);
  for (const std::vector<Spike> &s : *spikes)
    x.addRow(spikeCounts(s, neurons));
  return x;
}

int Trainer::svm(const Network &n) {
  Expected<Dataset> data = select(Split::Train, a.trainPerClass);
  if (!data)
    return fail(toString(data.takeError()));
  auto t0 = std::chrono::steady_clock::now();
  Expected<FeatureMatrix> x =
      features(n, *data, a.seed, a.jobs, diag, "training samples",
               a.noiseSpikes, a.backend, evaluator);
  if (!x)
    return diag.hadError() ? 1 : fail(toString(x.takeError()));
  double runSeconds = secondsSince(t0);
  std::vector<int> y(data->labels.begin(), data->labels.end());
  SvmOptions so;
  so.C = n.classifier->c;
  so.scaling = a.normalize ? FeatureScaling::UnitNorm : FeatureScaling::None;
  Expected<LinearSvm> m = LinearSvm::train(*x, y, so);
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
  os << "svm on '" << n.populations[n.classifier->source].name << "' ("
     << x->cols << " features): " << data->size() << " training images, "
     << format("%.1f", 100 * zero / std::max<size_t>(1, x->data.size()))
     << "% zero counts, training accuracy " << format("%.4f", ev.accuracy())
     << (m->converged() ? ""
                        : " (liblinear "
                          "did not "
                          "converge)")
     << "; runs " << format("%.2f", runSeconds) << " s; model " << modelPath
     << "\n";
  os.flush();
  outs() << text;
  nlohmann::json j;
  j["protocol"] = protocol(n);
  j["train_accuracy"] = ev.accuracy();
  j["features"] = x->cols;
  j["run_seconds"] = runSeconds;
  j["model"] = modelPath;
  if (Error e = writeJson("svm-train.json", j))
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
  Expected<FeatureMatrix> x =
      features(n, *data, a.seed + 1, a.jobs, diag, "test samples",
               a.noiseSpikes, a.backend, evaluator);
  if (!x)
    return diag.hadError() ? 1 : fail(toString(x.takeError()));
  if (x->cols != m->numFeatures())
    return fail("model '" + modelPath + "' takes " + Twine(m->numFeatures()) +
                " features but layer '" +
                n.populations[n.classifier->source].name + "' has " +
                Twine(uint64_t(x->cols)) + " neurons");
  double runSeconds = secondsSince(t0);
  std::vector<int> y(data->labels.begin(), data->labels.end());
  std::vector<int> pred = m->predictAll(*x);
  Evaluation ev = evaluate(y, pred);
  std::string text = "test: " + std::to_string(data->size()) +
                     " images of the test split\n" + ev.format();
  outs() << text;
  nlohmann::json j;
  j["labels"] = ev.labels;
  j["confusion"] = ev.confusion;
  j["accuracy"] = ev.accuracy();
  j["correct"] = ev.correct;
  j["total"] = ev.total;
  j["protocol"] = protocol(n);
  j["model"] = modelPath;
  j["times"] = {{"run_seconds", runSeconds},
                {"total_seconds", secondsSince(start)}};
  j["predictions"] = pred;
  j["truth"] = y;
  j["file_index"] = data->fileIndex;
  if (Error e = writeJson("results.json", j))
    return fail(toString(std::move(e)));
  std::string confusionPng =
      drawFigure({"confusion", path("results.json")}, path("confusion.png"));
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
  if (std::error_code ec = sys::fs::create_directories(a.runDir))
    return fail("cannot create run folder '" + a.runDir + "': " + ec.message());
  if (a.command == "layer")
    return layer(*n);
  if (Error e = writeNetCopy())
    return fail(toString(std::move(e)));
  return a.command == "svm" ? svm(*n) : test(*n);
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  argv0 = argv[0];
  Args a;
  if (!parseArgs(argc, argv, a))
    return 1;
  return Trainer(std::move(a)).run();
}
