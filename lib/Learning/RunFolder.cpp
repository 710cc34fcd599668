//===- RunFolder.cpp - A training run's folder and its files --------------===//
#include "scnc/Learning/RunFolder.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <nlohmann/json.hpp>
#include <regex>

using namespace llvm;
using namespace scnc;
using nlohmann::json;

namespace {

Error runError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

json protocolJson(const Network &n, const RunProtocol &a) {
  json p;
  p["network"] = n.name;
  p["network_file"] = a.networkFile;
  p["data"] = a.data;
  p["digits"] = a.classes;
  auto perClass = [](uint32_t k) -> json {
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
  json enc = json::array();
  for (const Population &q : n.populations)
    if (q.kind == Population::Kind::Input) {
      json e;
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
  p["evaluator"] = a.evaluator;
  p["command"] = a.commandLine;
  return p;
}

/// Writes \p j (indented) to \p path atomically.
Error writeJson(const std::string &path, const json &j) {
  return writeOutputAtomically(path, [&](raw_ostream &os) {
    // Names come from files: invalid UTF-8 is replaced, never thrown.
    os << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return Error::success();
  });
}

Error writeText(const std::string &path, StringRef text) {
  return writeOutputAtomically(path, [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
}

} // namespace

std::string RunFolder::path(StringRef name) const {
  SmallString<256> p(root);
  sys::path::append(p, name);
  return p.str().str();
}

Error RunFolder::create() const {
  if (std::error_code ec = sys::fs::create_directories(root))
    return runError("cannot create run folder '" + root + "': " + ec.message());
  return Error::success();
}

Error RunFolder::appendLog(StringRef commandLine, StringRef text) const {
  std::error_code ec;
  raw_fd_ostream os(path("log.txt"), ec, sys::fs::OF_Append);
  if (ec)
    return createStringError(ec, "cannot write '" + path("log.txt") +
                                     "': " + ec.message());
  os << "$ " << commandLine << "\n" << text;
  return Error::success();
}

Error RunFolder::copyNetwork(StringRef netFile, StringRef source) const {
  SmallString<256> from(sys::path::parent_path(netFile)), to(root);
  if (from.empty())
    from = ".";
  sys::fs::make_absolute(from);
  sys::fs::make_absolute(to);
  if (from == to && sys::path::filename(netFile) == "net.scn")
    return Error::success();
  // Re-base paths by setting nothing: setLayerWeights needs a layer, so do
  // the path rewrite through a layer that is not there only when needed.
  std::string text = source.str();
  if (from != to) {
    Expected<std::string> t = setLayerWeights(
        text + "\nconv __none__() {}", "__none__", "", from.str(), to.str());
    if (!t)
      return t.takeError();
    text = t->substr(0, t->rfind("\nconv __none__"));
  }
  return writeText(path("net.scn"), text);
}

Error RunFolder::writeTrainedNetwork(StringRef netFile, StringRef source,
                                     StringRef layer,
                                     StringRef weightsFile) const {
  SmallString<256> from(sys::path::parent_path(netFile));
  if (from.empty())
    from = ".";
  Expected<std::string> next =
      setLayerWeights(source, layer, weightsFile, from, root);
  if (!next)
    return next.takeError();
  return writeText(path("net.scn"), *next);
}

Error RunFolder::writeLayerJson(const Network &n, const RunProtocol &p,
                                unsigned layer, const LayerTrainingResult &r,
                                size_t images, StringRef weightsFile) const {
  json j;
  j["protocol"] = protocolJson(n, p);
  j["layer"] = layer;
  j["layer_name"] = r.layerName;
  j["rule"] = r.rule;
  j["images"] = images;
  j["slots"] = r.slots;
  j["ticks"] = r.ticks;
  j["input_spikes"] = r.inputSpikes;
  if (r.lateTick)
    j["silent_inputs_fire_at_tick"] = r.lateTick;
  j["post_spikes"] = r.postSpikes;
  j["wins"] = r.wins;
  if (!r.shape.empty()) {
    KernelRedundancy k = kernelRedundancy(r.kernels, unsigned(r.shape[0]));
    j["kernel_redundancy"] = {{"kernels", k.kernels},
                              {"distinct_within_0.001", k.distinct},
                              {"identical_groups", k.groups},
                              {"flat", k.flat},
                              {"pairs", k.pairs},
                              {"mean_correlation", k.meanCorrelation},
                              {"max_correlation", k.maxCorrelation},
                              {"pairs_above_0.9", k.pairsAbove}};
  }
  j["weights"] = weightsFile.str();
  j["shape"] = r.shape;
  j["seconds"] = r.seconds;
  return writeJson(path("layer" + std::to_string(layer) + ".json"), j);
}

Error RunFolder::writeSvmJson(const Network &n, const RunProtocol &p,
                              const SvmTrainingReport &r) const {
  json j;
  j["protocol"] = protocolJson(n, p);
  j["train_accuracy"] = r.trainAccuracy;
  j["features"] = r.features;
  j["run_seconds"] = r.runSeconds;
  j["svm_seconds"] = r.svmSeconds;
  j["model"] = r.model;
  return writeJson(path("svm-train.json"), j);
}

Error RunFolder::writeResultsJson(const Network &n, const RunProtocol &p,
                                  const TestReport &r) const {
  const Evaluation &ev = r.evaluation;
  json j;
  j["labels"] = ev.labels;
  j["confusion"] = ev.confusion;
  j["accuracy"] = ev.accuracy();
  j["correct"] = ev.correct;
  j["total"] = ev.total;
  j["protocol"] = protocolJson(n, p);
  j["model"] = r.model;
  j["times"] = {{"run_seconds", r.runSeconds},
                {"total_seconds", r.totalSeconds}};
  j["predictions"] = r.predictions;
  j["truth"] = r.truth;
  j["file_index"] = r.fileIndex;
  return writeJson(path("results.json"), j);
}

Error scnc::writeNpy(StringRef path, const std::vector<double> &data,
                     const std::vector<uint64_t> &shape) {
  return writeOutputAtomically(path, [&](raw_ostream &os) {
    writeNpyHeader(os, "<f8", shape);
    os.write(reinterpret_cast<const char *>(data.data()),
             data.size() * sizeof(double));
    return Error::success();
  });
}

Expected<std::string> scnc::setLayerWeights(StringRef source, StringRef layer,
                                            StringRef weightsFile,
                                            StringRef fromDir,
                                            StringRef toDir) {
  std::string s = source.str();
  // Re-base relative paths when the file moves to another directory.
  SmallString<256> from(fromDir.empty() ? "." : fromDir), to(toDir);
  sys::fs::make_absolute(from);
  sys::fs::make_absolute(to);
  sys::path::remove_dots(from, true);
  sys::path::remove_dots(to, true);
  if (from != to) {
    std::regex pathRe("path\\s*=\\s*\"([^\"]*)\"");
    std::string outText;
    auto begin = std::sregex_iterator(s.begin(), s.end(), pathRe);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const std::smatch &m = *it;
      std::string p = m[1].str();
      outText += s.substr(last, m.position(0) - last);
      if (!sys::path::is_absolute(p)) {
        SmallString<256> abs(from);
        sys::path::append(abs, p);
        p = abs.str().str();
      }
      outText += "path = \"" + p + "\"";
      last = m.position(0) + m.length(0);
    }
    outText += s.substr(last);
    s = std::move(outText);
  }
  std::regex head("\\bconv\\s+" + layer.str() + "\\s*\\(");
  std::smatch m;
  if (!std::regex_search(s, m, head))
    return runError("no 'conv " + layer +
                    "(...)' layer in the network's "
                    "text to set its weights");
  size_t open = s.find('{', m.position(0));
  if (open == std::string::npos)
    return runError("layer '" + layer + "' has no '{' block");
  int depth = 0;
  size_t close = std::string::npos;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '{')
      ++depth;
    else if (s[i] == '}' && --depth == 0) {
      close = i;
      break;
    }
  }
  if (close == std::string::npos)
    return runError("layer '" + layer + "': unbalanced braces");
  std::string body = s.substr(open + 1, close - open - 1);
  body = std::regex_replace(body, std::regex("\\bweights\\s*=[^;]*;\\s*"), "");
  std::string stmt = "\n    weights = file(path = \"" + weightsFile.str() +
                     "\");  // scnc-train layer";
  return s.substr(0, open + 1) + stmt + body + s.substr(close);
}
