//===- CoreRuns.h - One run's cores (EmulatorRun, EmulatorResults) -*- C++
//-*-===//
//
// The kernels of one run and what the host keeps of each core: starting
// and ticking them is EmulatorRun.cpp; what follows the ticks (the keys
// exchanged between ranks, recordings, weights read back, statistics) is
// EmulatorResults.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_CORERUNS_H
#define SCNC_RUNTIME_CORERUNS_H

#include "EmulatorInternal.h"
#include "kernel/Kernel.h"
#include "scnc/IR/Connections.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace scnc {
namespace emulator {

/// Per-core run state the host keeps (recordings, statistics), one cache
/// line apart from the next core's.
struct alignas(64) CoreRun {
  uint64_t *memory = nullptr;       ///< the kernel's arrays (in CoreArena)
  int32_t neuron = -1, source = -1; ///< index into the kernel arrays
  /// Spikes as (tick << 32) | neuron index in the population.
  std::vector<uint64_t> spikes;
  /// Ticks with many spikes are kept as the core's spike bitmap (its
  /// recording region, spikeWords words per tick; ticks in bitmapTicks) and
  /// decoded after the run: a push per spike dominated dense runs.
  std::vector<uint32_t> bitmapTicks, bitmaps;
  std::vector<uint64_t> leafSpikes;
  /// The keys the core sent, as the receivers read them: by tick parity,
  /// so that receivers read tick t's while the core already computes tick
  /// t + 1 (runTicks). With several leaves (split routes) the keys are
  /// grouped by leaf, each group in sending order, the groups by ascending
  /// leaf: group g holds leaf groupLeaf[g]'s keys, keys[groupStart[g] ..
  /// groupStart[g+1]). Only leaves that sent something have a group, so a
  /// receiver's work follows the packets, not the routing tables' size.
  /// Each on cache lines of its own: other threads read one parity while
  /// the owner writes the other and the rest of this struct.
  struct alignas(64) Sent {
    std::vector<uint32_t> keys, groupLeaf, groupStart;
  } sent[2];
  /// Scratch of the grouping: (leaf << 32 | position) per key.
  std::vector<uint64_t> sortScratch;
  /// A neuron core's packets of the tick, in arrival order.
  std::vector<uint32_t> inbox;
  double *voltages = nullptr; ///< the population's (ticks x neurons) array
  uint64_t popNeurons = 0;
  bool recordSpikes = true; ///< EmulatorOptions::recordSpikes
  std::vector<uint32_t> sourceStart, sourceTicks;
  /// A plastic core's SDRAM copy of its synaptic matrix.
  std::vector<uint32_t> plasticMatrix;
  /// A traced core's record, and where this tick's packet count is in its
  /// input.
  CoreTrace *trace = nullptr;
  size_t tickCountAt = 0;
  uint32_t maxTickEvents = 0, maxTickEventsAt = 0;
  uint64_t maxTickCycles = 0;
  uint32_t maxTickCyclesAt = 0;
  uint32_t ticksOverEventBudget = 0, overrunTicks = 0;
};

/// The cores' kernel memory, carved in core order from blocks that double
/// from 256 KiB to 32 MiB (allocateLarge: the large ones on huge pages
/// where the host offers them): the tick loop visits every core's state
/// and ring buffers each tick, and with a heap block per core on 4 KB
/// pages those visits missed the TLB. A small network's run (the SVM's
/// frozen runs, one per image) stays in one small heap block.
class CoreArena {
public:
  /// \p bytes of memory (whole cache lines from the block's start, which is
  /// at least 16-byte aligned), not zero-filled; null when it
  /// cannot be had.
  uint64_t *allocate(uint64_t bytes);

private:
  static constexpr uint64_t kFirstWords = uint64_t(256) << 7; // 256 KiB
  static constexpr uint64_t kMaxWords = uint64_t(32) << 17;   // 32 MiB
  std::vector<RawArray<uint64_t>> blocks;
  uint64_t used = 0; ///< words of blocks.back() handed out
};

/// One run's cores: the kernels and what the host keeps of them.
class CoreRuns {
public:
  CoreRuns(const LoadedImage &em, const EmulatorOptions &o)
      : em(em), cores(em.cores), model(o.cycles), isa(o.hostIsa),
        recordSpikes(o.recordSpikes), sortSpikes(o.sortSpikes),
        budget(model.budgetCycles(em.timestepUs)),
        eventBudget(model.eventBudget(em.timestepUs)) {}

  /// Starts every core's kernel; voltages go into \p rec's arrays.
  llvm::Error start(const std::vector<std::vector<Spike>> &inputs,
                    Recording &rec);
  /// Phase A of tick \p t for core \p i.
  void tickCore(uint32_t i, uint32_t t);
  /// A sender's keys of this tick grouped by leaf (split routes).
  void groupByLeaf(const CoreInfo &ci, CoreRun &r, CoreRun::Sent &out,
                   const uint32_t *keys, uint32_t n);
  /// Phase B of tick \p t for neuron core \p d.
  void receive(uint32_t d, uint32_t t);

  /// Every core's index (this rank's, in a distributed run).
  std::vector<uint32_t> allCores() const;
  /// A distributed run, after phase A of tick \p t: the keys this rank's
  /// cores sent that reach another rank's go there; the other ranks' that
  /// reach this one's arrive as their senders' Sent.
  void exchangeSent(uint32_t t);
  bool isNeuronCore(uint32_t i) const { return run[i].neuron >= 0; }

  /// After the run: spikes per population into \p rec, sorted by (tick,
  /// neuron), or to \p sink, and the work counters
  /// (EmulatorOptions::recordWindow, spikeSink).
  void collect(Recording &rec, uint32_t numTicks, uint64_t recordWindow,
               SpikeSink *sink) const;
  void readBackWeights(const ImageReader &img, LearnedSynapseSet &learned);
  template <typename Fn> void forEachFlushedPlasticCore(Fn fn);
  void plasticMatrices(
      std::vector<std::pair<const ImageCore *, std::vector<uint32_t>>> &out);
  void fillStats(EmulatorStats &s, uint32_t numTicks) const;
  /// Tracing (EmulatorOptions::traces): the inputs' start, and the end.
  llvm::Error startTraces(std::vector<CoreTrace> &traces);
  void finishTraces(uint32_t numTicks);

  uint32_t maxNeurons = 0;

private:
  llvm::Error
  startSource(uint32_t i, const std::vector<std::vector<Spike>> &inputs,
              const std::vector<std::pair<uint32_t, uint32_t>> &where);
  llvm::Error startNeuron(uint32_t i, Recording &rec);
  /// The keys core \p s sent this tick.
  uint32_t outKeys(uint32_t s, const uint32_t *&keys) const {
    const CoreRun &r = run[s];
    if (r.neuron >= 0) {
      keys = neuron[r.neuron].outKeys;
      return neuron[r.neuron].numOut;
    }
    keys = source[r.source].outKeys;
    return source[r.source].numOut;
  }

  const LoadedImage &em;
  const std::vector<CoreInfo> &cores;
  const CycleModel &model;
  const HostIsa isa;
  const std::vector<bool> recordSpikes;
  const bool sortSpikes;
  const uint64_t budget, eventBudget;
  std::vector<CoreRun> run;
  CoreArena arena;
  /// Per core, by tick parity: how many keys it sent (run[i].sent's size),
  /// packed, so that a receiver passes a silent sender without reaching
  /// into its CoreRun (a cache miss per sender and tick).
  std::vector<uint32_t> sentCount[2];
  std::vector<kernel::NeuronCore> neuron;
  std::vector<kernel::SourceCore> source;
  uint64_t neuronUpdatesPerTick = 0;
  std::vector<std::vector<uint32_t>> exchangeOut;
};

} // namespace emulator
} // namespace scnc

#endif
