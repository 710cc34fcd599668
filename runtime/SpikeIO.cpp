//===- SpikeIO.cpp - Input spike files and run recordings -----------------===//
//
// docs/runtime.md describes the files. Shared by the reference evaluator and
// the emulator, so both read inputs and write results the same way.
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/SpikeIO.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;

static Error fileError(StringRef path, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), "'" + path + "': " + msg);
}

void scnc::normalizeSpikes(std::vector<Spike> &spikes) {
  std::sort(spikes.begin(), spikes.end());
  spikes.erase(std::unique(spikes.begin(), spikes.end()), spikes.end());
}

Error scnc::checkInputSpikes(const std::vector<std::vector<Spike>> &inputs,
                             ArrayRef<SpikeTarget> populations,
                             uint32_t ticks) {
  auto error = [](const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), msg);
  };
  for (size_t q = 0; q < inputs.size(); ++q) {
    const std::vector<Spike> &spikes = inputs[q];
    if (spikes.empty())
      continue;
    if (q >= populations.size())
      return error("input spikes for population " + Twine(q) +
                   ", but the network has " + Twine(populations.size()) +
                   " populations");
    const SpikeTarget &p = populations[q];
    if (!p.isInput)
      return error("layer '" + p.name +
                   "' is not an input layer: it cannot be given spikes");
    for (const Spike &s : spikes)
      if (s.neuron >= p.neurons)
        return error("input spike of neuron " + Twine(s.neuron) +
                     " in layer '" + p.name + "', which has " +
                     Twine(p.neurons) + " neurons");
    for (const Spike &s : spikes)
      if (s.tick >= ticks)
        return error("input spike at tick " + Twine(s.tick) + " in layer '" +
                     p.name + "', after the run's " + Twine(ticks) + " ticks");
  }
  return Error::success();
}

int64_t scnc::timeToTick(double timeMs, double dt) {
  return int64_t(std::round(timeMs / dt));
}

Expected<std::vector<Spike>>
scnc::spikesFromArray(const NumArray &a, StringRef path, StringRef layer,
                      uint64_t neurons, const RunSpan &run) {
  // An empty CSV file (or one with only a header) has shape (0, 0).
  bool empty = a.shape.size() == 2 && a.shape[0] == 0 && a.shape[1] == 0;
  if (!empty && (a.shape.size() != 2 || a.shape[1] != 2)) {
    if (!a.lines.empty())
      return fileError(path, a.rowName(0) + ": " + Twine(a.cols()) +
                                 " columns, expected 2 (time in ms, neuron)");
    std::string shape;
    for (size_t i = 0; i < a.shape.size(); ++i)
      shape += (i ? ", " : "") + std::to_string(a.shape[i]);
    if (a.shape.size() == 1)
      shape += ",";
    return fileError(path, "shape (" + shape +
                               ") is not (K, 2): expected rows of (time in "
                               "ms, neuron)");
  }
  std::vector<Spike> spikes;
  uint64_t rows = empty ? 0 : a.shape[0];
  spikes.reserve(rows);
  double duration = run.durationMs();
  for (uint64_t r = 0; r < rows; ++r) {
    double time = a.data[2 * r], neuron = a.data[2 * r + 1];
    std::string where = a.rowName(r) + ": ";
    if (std::isnan(time))
      return fileError(path, where + "time is NaN");
    if (std::isnan(neuron))
      return fileError(path, where + "neuron is NaN");
    if (time < 0)
      return fileError(path,
                       where + "negative time " + formatDouble(time) + " ms");
    if (time >= duration)
      return fileError(path, where + "time " + formatDouble(time) +
                                 " ms is outside the run (0 to " +
                                 formatDouble(duration) + " ms)");
    int64_t tick = timeToTick(time, run.dt);
    if (tick >= int64_t(run.ticks))
      return fileError(path, where + "time " + formatDouble(time) +
                                 " ms rounds to tick " + Twine(tick) +
                                 ", outside the run (ticks 0 to " +
                                 Twine(run.ticks - 1) + " of " +
                                 formatDouble(run.dt) + " ms)");
    if (neuron != std::floor(neuron))
      return fileError(path, where + "neuron " + formatDouble(neuron, 17) +
                                 " is not a whole number");
    if (neuron < 0 || neuron >= double(neurons))
      return fileError(path, where + "neuron " + formatDouble(neuron, 17) +
                                 " does not exist: layer '" + layer + "' has " +
                                 withCommas(neurons) +
                                 (neurons == 1 ? " neuron" : " neurons"));
    spikes.push_back({uint32_t(tick), uint32_t(neuron)});
  }
  normalizeSpikes(spikes);
  return spikes;
}

Expected<std::vector<Spike>> scnc::readSpikeFile(StringRef path,
                                                 StringRef layer,
                                                 uint64_t neurons,
                                                 const RunSpan &run) {
  Expected<NumArray> a = readArrayFile(path);
  if (!a)
    return a.takeError();
  return spikesFromArray(*a, path, layer, neurons, run);
}

double PopulationRecording::meanRateHz(double durationMs) const {
  if (!neurons || durationMs <= 0)
    return 0;
  return double(spikeCount()) / double(neurons) / (durationMs / 1000.0);
}

void scnc::writeSpikesNpy(raw_ostream &os, ArrayRef<Spike> spikes, double dt) {
  writeSpikesNpyHeader(os, spikes.size());
  writeSpikesNpyRows(os, spikes, dt);
}

void scnc::writeSpikesNpyHeader(raw_ostream &os, uint64_t count) {
  writeNpyHeader(os, "<f8", {count, 2});
}

void scnc::writeSpikesNpyRows(raw_ostream &os, ArrayRef<Spike> spikes,
                              double dt) {
  for (Spike s : spikes) {
    support::endian::write<double>(os, double(s.tick) * dt, support::little);
    support::endian::write<double>(os, double(s.neuron), support::little);
  }
}

SpikeSink::~SpikeSink() = default;

SpikeFileSink::SpikeFileSink(std::string dir, std::vector<std::string> names,
                             std::vector<bool> layers, double dt)
    : dir(std::move(dir)), names(std::move(names)), layers(std::move(layers)),
      dt(dt) {}

SpikeFileSink::~SpikeFileSink() = default;

void SpikeFileSink::begin(unsigned population, uint64_t count) {
  current = nullptr;
  if (!error.empty() || (!layers.empty() && !layers[population]))
    return;
  if (files.empty())
    if (std::error_code ec = sys::fs::create_directories(dir)) {
      error = "cannot create directory '" + dir + "': " + ec.message();
      return;
    }
  SmallString<256> path(dir);
  sys::path::append(path, names[population] + ".spikes.npy");
  Expected<std::unique_ptr<PendingOutput>> f = PendingOutput::create(path);
  if (!f) {
    error = toString(f.takeError());
    return;
  }
  files.push_back(std::move(*f));
  current = files.back().get();
  writeSpikesNpyHeader(current->os(), count);
}

void SpikeFileSink::write(ArrayRef<Spike> spikes) {
  if (current)
    writeSpikesNpyRows(current->os(), spikes, dt);
}

Error SpikeFileSink::commit() {
  if (!error.empty())
    return createStringError(inconvertibleErrorCode(), error);
  for (std::unique_ptr<PendingOutput> &f : files)
    if (Error e = f->commit())
      return e;
  return Error::success();
}

void scnc::writeVoltagesNpy(raw_ostream &os, ArrayRef<double> voltages,
                            uint32_t ticks, uint64_t neurons) {
  assert(voltages.size() == uint64_t(ticks) * neurons && "voltage array size");
  writeNpyHeader(os, "<f8", {uint64_t(ticks), neurons});
  for (double v : voltages)
    support::endian::write<double>(os, v, support::little);
}

void scnc::writeSummaryJson(raw_ostream &os, const Recording &r,
                            bool wallTime) {
  using json = nlohmann::ordered_json;
  json j;
  j["network"] = r.network;
  j["mode"] = r.mode;
  j["dt_ms"] = r.span.dt;
  j["ticks"] = r.span.ticks;
  j["duration_ms"] = r.span.durationMs();
  j["synaptic_events"] = r.synapticEvents;
  j["neuron_updates"] = r.neuronUpdates;
  if (wallTime)
    j["wall_seconds"] = r.wallSeconds;
  json layers = json::array();
  for (const PopulationRecording &p : r.populations) {
    json l;
    l["name"] = p.name;
    l["kind"] = p.isInput ? "input" : "neurons";
    l["neurons"] = p.neurons;
    l["spikes"] = p.spikeCount();
    l["rate_hz"] = p.meanRateHz(r.span.durationMs());
    l["voltages_recorded"] = p.hasVoltages();
    layers.push_back(std::move(l));
  }
  j["layers"] = std::move(layers);
  for (const auto &[name, text] : r.extraJson)
    j[name] = json::parse(text);
  // Names come from files: invalid UTF-8 is replaced, never thrown.
  os << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

Error scnc::writeRecording(const Recording &r, StringRef dir,
                           const OutputSelection &sel) {
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, "cannot create directory '%s': %s",
                             dir.str().c_str(), ec.message().c_str());
  auto pathOf = [&](StringRef file) {
    SmallString<256> p(dir);
    sys::path::append(p, file);
    return std::string(p.str());
  };
  for (size_t i = 0; i < r.populations.size(); ++i) {
    const PopulationRecording &p = r.populations[i];
    if (!sel.layers.empty() && !sel.layers[i])
      continue;
    if (sel.spikes)
      if (Error e = writeOutputAtomically(
              pathOf(p.name + ".spikes.npy"), [&](raw_ostream &os) {
                writeSpikesNpy(os, p.spikes, r.span.dt);
                return Error::success();
              }))
        return e;
    if (sel.voltages && p.hasVoltages())
      if (Error e = writeOutputAtomically(
              pathOf(p.name + ".v.npy"), [&](raw_ostream &os) {
                writeVoltagesNpy(os, p.voltages, r.span.ticks, p.neurons);
                return Error::success();
              }))
        return e;
  }
  return writeOutputAtomically(pathOf("summary.json"), [&](raw_ostream &os) {
    writeSummaryJson(os, r, sel.wallTime);
    return Error::success();
  });
}

void scnc::printSummaryTable(const Recording &r, raw_ostream &os) {
  size_t nameWidth = 5; // "layer"
  for (const PopulationRecording &p : r.populations)
    nameWidth = std::max(nameWidth, p.name.size());
  std::vector<std::string> neurons, spikes;
  size_t nWidth = 7, sWidth = 6; // "neurons", "spikes"
  for (const PopulationRecording &p : r.populations) {
    neurons.push_back(withCommas(p.neurons));
    spikes.push_back(withCommas(p.spikeCount()));
    nWidth = std::max(nWidth, neurons.back().size());
    sWidth = std::max(sWidth, spikes.back().size());
  }
  os << left_justify("layer", nameWidth) << "  "
     << right_justify("neurons", nWidth) << "  "
     << right_justify("spikes", sWidth) << "  rate (Hz)\n";
  for (size_t i = 0; i < r.populations.size(); ++i) {
    const PopulationRecording &p = r.populations[i];
    os << left_justify(p.name, nameWidth) << "  "
       << right_justify(neurons[i], nWidth) << "  "
       << right_justify(spikes[i], sWidth) << "  "
       << format("%9.2f", p.meanRateHz(r.span.durationMs())) << "\n";
  }
  os << r.span.ticks << (r.span.ticks == 1 ? " tick" : " ticks") << " of "
     << formatDouble(r.span.dt) << " ms (" << formatDouble(r.span.durationMs())
     << " ms), " << r.mode << "\n";
}

void scnc::printRunStats(const Recording &r, raw_ostream &os) {
  os << "synaptic events " << withCommas(r.synapticEvents)
     << ", neuron updates " << withCommas(r.neuronUpdates) << " in "
     << format("%.3f", r.wallSeconds) << " s";
  if (r.wallSeconds > 0)
    os << format(" (%.1f M events/s, %.1f M updates/s)",
                 double(r.synapticEvents) / r.wallSeconds / 1e6,
                 double(r.neuronUpdates) / r.wallSeconds / 1e6);
  os << "\n";
}
