//===- SpikeIO.h - Input spike files and run recordings ---------*- C++ -*-===//
//
// What every way of running a network shares (the reference evaluator and
// the machine emulator): input spike files read into ticks with precise
// errors, the recording of a run (spikes, membrane voltages) and the files
// it is written to (docs/runtime.md).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_SPIKEIO_H
#define SCNC_RUNTIME_SPIKEIO_H

#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace scnc {

struct NumArray;

/// One spike: a neuron (index in its population) fires at a tick.
struct Spike {
  uint32_t tick = 0;
  uint32_t neuron = 0;
};
inline bool operator<(Spike a, Spike b) {
  return a.tick != b.tick ? a.tick < b.tick : a.neuron < b.neuron;
}
inline bool operator==(Spike a, Spike b) {
  return a.tick == b.tick && a.neuron == b.neuron;
}
inline bool operator!=(Spike a, Spike b) { return !(a == b); }

/// The span of a run: `ticks` ticks of `dt` ms.
struct RunSpan {
  double dt = 1;
  uint32_t ticks = 0;
  double durationMs() const { return double(ticks) * dt; }
};

/// Sorts by (tick, neuron) and merges duplicates (docs/execution.md: at
/// most one spike per neuron and tick).
void normalizeSpikes(std::vector<Spike> &spikes);

/// The tick a spike time (ms) falls in: round(time / dt), ties away from
/// zero (as delays).
int64_t timeToTick(double timeMs, double dt);

/// Reads the input spikes of population \p layer (\p neurons neurons) from a
/// .npy file (float or integer dtype, shape (K, 2)) or a CSV file
/// (`time_ms,neuron` per line, optional header, '#' comments): columns
/// (time in ms, neuron index). Times become ticks (timeToTick), duplicates
/// are merged, the result is sorted. Errors name the file and the line
/// (CSV) or row (.npy).
llvm::Expected<std::vector<Spike>> readSpikeFile(llvm::StringRef path,
                                                 llvm::StringRef layer,
                                                 uint64_t neurons,
                                                 const RunSpan &run);
/// The checks and conversion of readSpikeFile on an array already read
/// (\p path names it in messages).
llvm::Expected<std::vector<Spike>>
spikesFromArray(const NumArray &a, llvm::StringRef path, llvm::StringRef layer,
                uint64_t neurons, const RunSpan &run);

/// A population as checkInputSpikes sees it.
struct SpikeTarget {
  llvm::StringRef name;
  bool isInput = false;
  uint64_t neurons = 0;
};

/// The check of a run's input spikes that every way of running shares (the
/// reference evaluator and the emulator give the same errors): \p inputs[q]
/// are the spikes of population q of \p populations (empty: none). Only
/// input populations may be given spikes; every spike must name a neuron
/// its population has and, after that, a tick of the run (below \p ticks).
/// The first problem found is the error.
llvm::Error checkInputSpikes(const std::vector<std::vector<Spike>> &inputs,
                             llvm::ArrayRef<SpikeTarget> populations,
                             uint32_t ticks);

/// What one population did in a run.
struct PopulationRecording {
  std::string name;
  bool isInput = false;
  uint64_t neurons = 0;
  /// Every spike, sorted by (tick, neuron).
  std::vector<Spike> spikes;
  /// Spikes a run gave to a sink instead (EmulatorOptions::spikeSink).
  uint64_t streamedSpikes = 0;
  uint64_t spikeCount() const { return spikes.size() + streamedSpikes; }
  /// Membrane voltage (mV) after each tick's update, ticks x neurons in row
  /// order; empty when not recorded (and always for inputs).
  std::vector<double> voltages;
  bool hasVoltages() const { return !voltages.empty(); }
  /// Mean rate (Hz) over a run of \p durationMs.
  double meanRateHz(double durationMs) const;
};

/// A whole run: one entry per population, in the network's order.
struct Recording {
  std::string network;
  /// How it was computed: "reference", "reference-float64", ...
  std::string mode;
  RunSpan span;
  std::vector<PopulationRecording> populations;
  /// Work done: synaptic events delivered (per spike, input spikes
  /// included, the spiking neuron's out-degree), neuron-state updates
  /// (neurons x ticks, inputs excluded), wall time of the tick loop alone.
  uint64_t synapticEvents = 0;
  uint64_t neuronUpdates = 0;
  double wallSeconds = 0;
  /// More summary.json members after "layers": (name, JSON text), e.g. the
  /// emulated machine's counters.
  std::vector<std::pair<std::string, std::string>> extraJson;
};

/// Takes a run's spikes instead of the recording (EmulatorOptions::spikeSink):
/// population by population in the network's order, each one's in parts, sorted
/// by (tick, neuron) over the parts.
class SpikeSink {
public:
  virtual ~SpikeSink();
  /// Population \p population's \p count spikes follow.
  virtual void begin(unsigned population, uint64_t count) = 0;
  virtual void write(llvm::ArrayRef<Spike> spikes) = 0;
};

/// A SpikeSink that writes each selected population's <layer>.spikes.npy
/// into a directory as the parts arrive (temporary files, renamed by
/// commit(); dropped uncommitted, they are removed) and only counts the
/// others' spikes.
class SpikeFileSink final : public SpikeSink {
public:
  /// \p names: the populations'; \p layers: which to write (empty: all).
  SpikeFileSink(std::string dir, std::vector<std::string> names,
                std::vector<bool> layers, double dt);
  ~SpikeFileSink() override;
  void begin(unsigned population, uint64_t count) override;
  void write(llvm::ArrayRef<Spike> spikes) override;
  /// The first error creating a file, or else renames the files.
  llvm::Error commit();

private:
  std::string dir;
  std::vector<std::string> names;
  std::vector<bool> layers;
  double dt;
  std::vector<std::unique_ptr<PendingOutput>> files;
  PendingOutput *current = nullptr;
  std::string error;
};

/// Which files writeRecording produces.
struct OutputSelection {
  bool spikes = true;    ///< <layer>.spikes.npy
  bool voltages = false; ///< <layer>.v.npy (neuron populations that have them)
  /// Per population: write its files (empty: all).
  std::vector<bool> layers;
  /// summary.json gets wall_seconds (which makes it differ between runs).
  bool wallTime = false;
};

/// Spikes as a float64 (K, 2) .npy: rows (time ms = tick * dt, neuron).
void writeSpikesNpy(llvm::raw_ostream &os, llvm::ArrayRef<Spike> spikes,
                    double dt);
/// The same a part at a time: the header for \p count rows, then rows.
void writeSpikesNpyHeader(llvm::raw_ostream &os, uint64_t count);
void writeSpikesNpyRows(llvm::raw_ostream &os, llvm::ArrayRef<Spike> spikes,
                        double dt);
/// Voltages as a float64 (ticks, neurons) .npy in mV.
void writeVoltagesNpy(llvm::raw_ostream &os, llvm::ArrayRef<double> voltages,
                      uint32_t ticks, uint64_t neurons);
/// summary.json: the mode, dt, ticks, duration, the work counters (and
/// with \p wallTime the loop's wall time) and per layer its neurons, spike
/// count and mean rate.
void writeSummaryJson(llvm::raw_ostream &os, const Recording &r,
                      bool wallTime = false);
/// Writes the selected files and summary.json into \p dir (created when
/// missing), each atomically.
llvm::Error writeRecording(const Recording &r, llvm::StringRef dir,
                           const OutputSelection &sel);
/// A table of layer, neurons, spikes and mean rate for the terminal.
void printSummaryTable(const Recording &r, llvm::raw_ostream &os);
/// The work counters and the loop's wall time, one line.
void printRunStats(const Recording &r, llvm::raw_ostream &os);

} // namespace scnc

#endif
