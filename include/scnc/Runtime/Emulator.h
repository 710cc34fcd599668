//===- Emulator.h - Running load images on an emulated machine --*- C++ -*-===//
//
// Loads a validated image onto a model of a SpiNNaker machine (its chips,
// routers with the image's tables, and one kernel per core section) and
// runs it tick by tick as docs/execution.md defines: inputs, neuron
// updates, packets routed and processed within the tick they are sent in.
// Results are bit-identical to the reference evaluator's and do not depend
// on the number of host threads. docs/runtime.md describes the counters and
// the cycle model.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_EMULATOR_H
#define SCNC_RUNTIME_EMULATOR_H

#include "kernel/CycleModel.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Runtime/LearnedSynapses.h"
#include "scnc/Runtime/SpikeIO.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace scnc {

class ImageReader;
struct ImageCore;
struct Distribution;

/// A population of a loaded image (its populations section) and its cores.
struct EmulatedPopulation {
  unsigned index = 0;
  std::string name;
  bool isInput = false;
  uint64_t neurons = 0;
  unsigned cores = 0;
};

/// The one cycle model (kernel/CycleModel.h), which the partitioner budgets
/// with too.
using CycleModel = kernel::CycleModel;

/// A core whose run is recorded for the ARM build's equivalence test
/// (docs/arm.md): `input` is the qemu test's input (runtime/arm/
/// QemuPlatform.cpp: the core's section, with an input core's run-time
/// spike array, and per tick the packets delivered to it in order), `dump`
/// what the host kernel computed (kernel/CoreDump.h's format).
struct CoreTrace {
  unsigned x = 0, y = 0, core = 0;
  bool isInput = false; ///< a spike-source core (set by the run)
  /// The DTCM the board program lays the core out in after its static data
  /// (kernel::neuronCoreArenaBytes / sourceCoreMemoryBytes: the resource
  /// model's figure, which the qemu run must use exactly).
  uint64_t arenaBytes = 0;
  std::vector<uint32_t> input;
  std::string dump;
};

/// The instruction sets the emulator's neuron update can use, in order.
/// Avx512vl: AVX-512 on 256-bit vectors; Avx512: on 512-bit vectors.
enum class HostIsa { Scalar, Avx2, Avx512vl, Avx512 };

struct EmulatorOptions {
  /// Ticks to run.
  uint32_t ticks = 0;
  /// Host threads; results are identical for any.
  unsigned threads = 1;
  /// The neuron update uses the best instruction set up to this one the
  /// host has; results are identical for any.
  HostIsa hostIsa = HostIsa::Avx512;
  /// Per population index: record its membrane voltages.
  std::vector<bool> recordVoltages;
  /// Per population index: keep its spikes (empty: every population's). A
  /// population left out has no spikes in the recording (nor in what is
  /// made of it); the run itself is the same.
  std::vector<bool> recordSpikes;
  /// False: each recorded population's spikes in the order the cores give
  /// them (core by core, each core's by tick; the same every run) instead
  /// of sorted by tick and neuron, for callers that only count them.
  bool sortSpikes = true;
  CycleModel cycles;
  /// As ReferenceOptions::progress: (0, ticks) before the first tick, then
  /// after every `progressTicks` ticks and after the last; called by one
  /// of the run's threads while the others wait. Empty: never; results are
  /// the same either way.
  std::function<void(uint64_t doneTicks, uint64_t totalTicks)> progress;
  uint32_t progressTicks = uint32_t(1) << 16;
  /// After the run, spikes go into the recording (and, in a distributed
  /// run, to rank 0) a window of ticks at a time holding at most this many
  /// (or one tick); results are the same for any value.
  uint64_t recordWindow = uint64_t(1) << 20;
  /// Spikes go here, a window at a time, instead of into the recording's
  /// `spikes` (which then count them in `streamedSpikes`): neither one
  /// process nor rank 0 of a distributed run ever holds them all.
  SpikeSink *spikeSink = nullptr;
  /// Cores to trace (their x, y, core set); an unknown core is an error.
  std::vector<CoreTrace> *traces = nullptr;
  /// After the run: each plastic core's synaptic matrix as the board
  /// program leaves it in SDRAM (learned, deferred potentiation flushed:
  /// kernel::neuronCoreFlushPlastic), for the board endpoint.
  std::vector<std::pair<const ImageCore *, std::vector<uint32_t>>>
      *plasticMatrices = nullptr;
};

/// A chip's router and link counters over a run.
struct ChipStats {
  ChipCoord chip;
  uint64_t sent = 0;           ///< packets its cores sent
  uint64_t routed = 0;         ///< packets its router handled
  uint64_t delivered = 0;      ///< copies delivered to its running cores
  uint64_t toIdleCore = 0;     ///< copies for cores that run nothing
  uint64_t droppedNoRoute = 0; ///< from its cores, no entry matched
  uint64_t droppedLink = 0;    ///< sent on a dead or missing link
  std::array<uint64_t, spinnaker::kNumLinks> linkOut{};
  uint64_t dropped() const { return toIdleCore + droppedNoRoute + droppedLink; }
};

/// A core's counters over a run.
struct CoreStats {
  ChipCoord chip;
  unsigned core = 0;
  unsigned population = 0;
  bool isInput = false;
  uint32_t neurons = 0;
  uint64_t spikes = 0;
  uint64_t packets = 0;          ///< received
  uint64_t synapticEvents = 0;   ///< synaptic words processed
  uint64_t unmatchedPackets = 0; ///< no population-table entry
  uint64_t invalidRows = 0;      ///< key past its entry's rows
  uint64_t emptyRows = 0;        ///< a row without synapses: no use here
  /// The most synaptic events and cycles in one tick, and the first tick
  /// with that many.
  uint32_t maxTickEvents = 0, maxTickEventsAt = 0;
  uint64_t maxTickCycles = 0;
  uint32_t maxTickCyclesAt = 0;
  /// Ticks over the synaptic-event budget and over the cycle budget.
  uint32_t ticksOverEventBudget = 0, overrunTicks = 0;
  /// The compiler's predicted worst tick (the image's load-prediction
  /// region, scncc --profile): cycles and tick.
  bool hasPrediction = false;
  uint64_t predictedCycles = 0;
  uint32_t predictedTick = 0;
};

/// What a board would expose after a run.
struct EmulatorStats {
  std::string machineName;
  CycleModel model;
  uint32_t timestepUs = 0, ticks = 0;
  unsigned machineChips = 0;
  /// Every chip with a table or a core of the image, or traffic.
  std::vector<ChipStats> chips;
  /// Every core of the image, in image order.
  std::vector<CoreStats> cores;
  ChipStats total() const;
};

/// An image loaded onto an emulated machine.
class Emulator {
public:
  /// Checks that \p machine has every chip and application core \p image
  /// uses (and room in its routers for the tables), builds the routers and
  /// walks every core's keys through them (with \p threads host threads).
  /// \p image must outlive the emulator (synaptic rows stay in its bytes).
  ///
  /// With \p dist (a rank of a distributed run, Distributed.h), \p image
  /// holds the rank's chips' cores (readImage with a chip filter): the
  /// rank runs those, every check that needs all cores is made across the
  /// ranks, and run's results (recordings, statistics) are complete on
  /// rank 0 only. Every rank must call load and run alike.
  static llvm::Expected<std::unique_ptr<Emulator>>
  load(const ImageReader &image, const Machine &machine,
       llvm::StringRef machineName, unsigned threads = 1,
       const Distribution *dist = nullptr);
  ~Emulator();

  const std::vector<EmulatedPopulation> &populations() const;
  /// The timestep (ms) and the run length the image's system regions give.
  double timestepMs() const;
  uint32_t imageTicks() const;

  /// Runs `o.ticks` ticks. \p inputs holds per population index the spikes
  /// of an input population (sorted by (tick, neuron) without duplicates,
  /// as readSpikeFile returns them); an input population without an entry
  /// replays the spike array of its cores' spike-source regions. Fills
  /// \p stats when given. Every call starts from the initial state (the
  /// image's rows: plastic cores learn in their own copies). With
  /// \p learned, the plastic synapses' weights are read back after the run
  /// as a host reads SDRAM (deferred potentiation applied, stdp::flush).
  llvm::Expected<Recording> run(const std::vector<std::vector<Spike>> &inputs,
                                const EmulatorOptions &o,
                                EmulatorStats *stats = nullptr,
                                LearnedSynapseSet *learned = nullptr);

private:
  Emulator();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// The counters for the terminal (`scnc-run --stats`): packets, drops, the
/// busiest chips and links, synaptic events per core and tick against the
/// budget, cores over the cycle budget, per layer.
void printEmulatorStats(const EmulatorStats &s,
                        const std::vector<EmulatedPopulation> &pops,
                        llvm::raw_ostream &os);
/// The counters as a JSON object (summary.json's "machine"; read back by
/// readRunSummary, RunSummary.h).
std::string emulatorStatsJson(const EmulatorStats &s);

} // namespace scnc

#endif
