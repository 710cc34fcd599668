//===- EmulatorRun.cpp - Running a loaded image tick by tick --------------===//
//
// Emulator::run in four pieces:
//   - starting the cores (CoreRuns::start): per core section the kernel's
//     configuration from its regions and a block of memory, input cores
//     with the run-time spikes of their neurons (or the image's);
//   - the tick (CoreRuns::tickCore, CoreRuns::receive): phase A, a core
//     runs its tick (input cores replay spikes, neuron cores update their
//     neurons and emit keys) and its recordings are drained; phase B, a
//     neuron core receives, in a fixed order (sending core by sending core,
//     in image order), the packets of tick t that reach it, and processes
//     them;
//   - the scheduler (runTicks): `-j N` host threads with one barrier a
//     tick: a core's step is its phase B of tick t then its phase A of tick
//     t + 1 (what cores send is kept by tick parity, so receivers read tick
//     t's keys while their senders compute tick t + 1). A core is handled
//     by one thread in each step and receives its packets in the same order
//     whatever the thread count, so results (and counters) do not depend on
//     it. Each core has an owning thread (PhaseQueue), so its memory stays
//     in that thread's caches; a thread out of work takes the smallest
//     steps left of another;
//   - after the run, and a distributed run's exchange of keys between
//     ranks: EmulatorResults.cpp (CoreRuns.h holds what both share).
//
//===----------------------------------------------------------------------===//
#include "CoreRuns.h"
#include "kernel/CoreDump.h"
#include "kernel/Kernel.h"
#include "kernel/Regions.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/Timing.h"
#include "llvm/Support/Compiler.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

using namespace scnc;
using namespace scnc::emulator;
using namespace llvm;

namespace {

/// kernel/CoreDump.h's text into a trace's dump.
kernel::DumpSink traceSink(CoreTrace &t) {
  kernel::DumpSink sink;
  sink.ctx = &t.dump;
  sink.put = [](void *ctx, const char *text, uint32_t n) {
    static_cast<std::string *>(ctx)->append(text, n);
  };
  return sink;
}

/// The qemu test input's header words (runtime/arm/QemuPlatform.cpp).
constexpr uint32_t kTraceMagic = 0x54514353; // "SCQT"
constexpr size_t kTraceHeaderWords = 4;

} // namespace

uint64_t *CoreArena::allocate(uint64_t bytes) {
  // Whole cache lines, at least one.
  const uint64_t words = std::max<uint64_t>(1, (bytes + 63) / 64) * 8;
  if (blocks.empty() || used + words > blocks.back().size()) {
    uint64_t size = blocks.empty()
                        ? kFirstWords
                        : std::min(kMaxWords, 2 * blocks.back().size());
    blocks.emplace_back();
    if (!blocks.back().allocate(std::max(words, size)))
      return nullptr;
    used = 0;
  }
  uint64_t *p = blocks.back().begin() + used;
  used += words;
  return p;
}

Error CoreRuns::start(const std::vector<std::vector<Spike>> &inputs,
                      Recording &rec) {
  const size_t numCores = cores.size();
  sentCount[0].assign(numCores, 0);
  sentCount[1].assign(numCores, 0);
  // Where each neuron of an input population with run-time spikes lives.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> where(em.pops.size());
  for (uint32_t i = 0; i < numCores; ++i) {
    const ImageCore &ic = *cores[i].img;
    unsigned q = ic.population;
    if (!cores[i].local || !ic.isInput() || q >= inputs.size() ||
        inputs[q].empty())
      continue;
    auto &w = where[cores[i].popSlot];
    w.resize(em.pops[cores[i].popSlot].neurons);
    for (uint32_t local = 0; local < ic.numNeurons; ++local)
      w[ic.neuronIds[local]] = {i, local};
  }
  run = std::vector<CoreRun>(numCores);
  for (uint32_t i = 0; i < numCores; ++i) {
    const CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    CoreRun &r = run[i];
    r.leafSpikes.assign(ci.numLeaves, 0);
    if (!ci.local)
      continue;
    r.popNeurons = em.pops[ci.popSlot].neurons;
    unsigned q = em.pops[ci.popSlot].index;
    r.recordSpikes =
        recordSpikes.empty() || (q < recordSpikes.size() && recordSpikes[q]);
    maxNeurons = std::max(maxNeurons, ic.numNeurons);
    if (ic.isInput())
      r.source = int32_t(source.size()), source.emplace_back();
    else
      r.neuron = int32_t(neuron.size()), neuron.emplace_back();
  }
  for (uint32_t i = 0; i < numCores; ++i) {
    if (!cores[i].local)
      continue;
    Error e = cores[i].img->isInput()
                  ? startSource(i, inputs, where[cores[i].popSlot])
                  : startNeuron(i, rec);
    if (e)
      return e;
  }
  return Error::success();
}

Error CoreRuns::startSource(
    uint32_t i, const std::vector<std::vector<Spike>> &inputs,
    const std::vector<std::pair<uint32_t, uint32_t>> &where) {
  const ImageCore &ic = *cores[i].img;
  CoreRun &r = run[i];
  // The spike array: run-time input when given, else the image's.
  unsigned q = ic.population;
  std::vector<std::vector<uint32_t>> perNeuron(ic.numNeurons);
  if (q < inputs.size() && !inputs[q].empty()) {
    for (const Spike &sp : inputs[q]) {
      auto [core, local] = where[sp.neuron];
      if (core == i)
        perNeuron[local].push_back(sp.tick);
    }
  } else {
    for (uint32_t local = 0; local < ic.numNeurons; ++local)
      perNeuron[local].assign(ic.sourceTicks.begin() + ic.sourceStart[local],
                              ic.sourceTicks.begin() +
                                  ic.sourceStart[local + 1]);
  }
  r.sourceStart.push_back(0);
  for (std::vector<uint32_t> &t : perNeuron) {
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    r.sourceTicks.insert(r.sourceTicks.end(), t.begin(), t.end());
    r.sourceStart.push_back(uint32_t(r.sourceTicks.size()));
  }
  kernel::SourceCoreConfig c;
  c.numNeurons = ic.numNeurons;
  c.hasKey = ic.hasKey;
  c.key = ic.key;
  c.start = r.sourceStart.data();
  c.ticks = r.sourceTicks.data();
  uint64_t bytes = kernel::sourceCoreMemoryBytes(c);
  r.memory = arena.allocate(bytes);
  if (!r.memory ||
      !kernel::sourceCoreInit(source[r.source], c, r.memory, bytes))
    return loadError("core " + coreName(ic.x, ic.y, ic.core) +
                     ": the kernel cannot start with its regions");
  return Error::success();
}

Error CoreRuns::startNeuron(uint32_t i, Recording &rec) {
  const CoreInfo &ci = cores[i];
  const ImageCore &ic = *ci.img;
  CoreRun &r = run[i];
  // The configuration as the core decodes it from its regions.
  kernel::NeuronCoreConfig c;
  kernel::CoreRegions regions;
  if (!kernel::findRegions(ci.section, ci.sectionWords, regions) ||
      !kernel::decodeNeuronCore(regions, c))
    return loadError("core " + coreName(ic.x, ic.y, ic.core) +
                     ": the kernel cannot decode its regions");
  if (c.plastic) {
    r.plasticMatrix.assign(c.matrix, c.matrix + c.matrixWords);
    c.plasticMatrix = r.plasticMatrix.data();
  }
  PopulationRecording &pr = rec.populations[ci.popSlot];
  c.recordVoltage = pr.hasVoltages();
  if (c.recordVoltage)
    r.voltages = pr.voltages.data();
  uint64_t bytes = kernel::neuronCoreMemoryBytes(c);
  bool ok = bytes != 0;
  if (ok) {
    r.memory = arena.allocate(bytes);
    ok = r.memory &&
         kernel::neuronCoreInit(neuron[r.neuron], c, r.memory, bytes);
  }
  neuronUpdatesPerTick += ic.numNeurons;
  if (ok) {
    // A static core's runs of consecutive targets (HostRows.cpp), planned
    // once per loaded emulator and instruction set.
    if (em.hostRows.size() != cores.size() || em.hostRowsIsa != isa) {
      em.hostRows.clear();
      em.hostRows.resize(cores.size());
      em.hostRowsPlanned.assign(cores.size(), 0);
      em.hostRowsIsa = isa;
    }
    if (!em.hostRowsPlanned[i]) {
      em.hostRows[i] = emulator::planHostRows(neuron[r.neuron], isa);
      em.hostRowsPlanned[i] = 1;
    }
    neuron[r.neuron].hostRows = em.hostRows[i].get();
  }
  if (!ok)
    return loadError("core " + coreName(ic.x, ic.y, ic.core) +
                     ": the kernel cannot start with its regions");
  return Error::success();
}

Error CoreRuns::startTraces(std::vector<CoreTrace> &traces) {
  for (CoreTrace &t : traces) {
    int32_t i = -1;
    for (uint32_t k = 0; k < cores.size(); ++k)
      if (cores[k].img->x == t.x && cores[k].img->y == t.y &&
          cores[k].img->core == t.core)
        i = int32_t(k);
    if (i < 0)
      return loadError("no core " + coreName(t.x, t.y, t.core) +
                       " in the image to trace");
    const CoreInfo &ci = cores[i];
    CoreRun &r = run[i];
    r.trace = &t;
    t.isInput = false;
    t.dump.clear();
    t.input.assign(kTraceHeaderWords, 0);
    t.input[0] = kTraceMagic;
    if (r.neuron >= 0) {
      t.input.insert(t.input.end(), ci.section, ci.section + ci.sectionWords);
    } else {
      t.isInput = true;
      // The section as the loader writes it for this run: the system and
      // key regions, and the run-time spike array as the spike source.
      kernel::CoreRegions regions;
      if (!kernel::findRegions(ci.section, ci.sectionWords, regions))
        return loadError("core " + coreName(t.x, t.y, t.core) +
                         ": the kernel cannot decode its regions");
      std::vector<std::vector<uint32_t>> data;
      std::vector<uint32_t> ids;
      for (uint32_t id : {kernel::region::System, kernel::region::NeuronKeys})
        if (regions.base[id]) {
          ids.push_back(id);
          data.emplace_back(regions.base[id],
                            regions.base[id] + regions.words[id]);
        }
      std::vector<uint32_t> src = {0, 0, ci.img->numNeurons,
                                   uint32_t(r.sourceTicks.size())};
      src.insert(src.end(), r.sourceStart.begin(), r.sourceStart.end());
      src.insert(src.end(), r.sourceTicks.begin(), r.sourceTicks.end());
      ids.push_back(kernel::region::SpikeSource);
      data.push_back(std::move(src));
      t.input.push_back(uint32_t(ids.size()));
      uint32_t offset = uint32_t(4 * (1 + 3 * ids.size()));
      for (size_t k = 0; k < ids.size(); ++k) {
        uint32_t bytes = uint32_t(4 * data[k].size());
        t.input.insert(t.input.end(), {ids[k], offset, bytes});
        offset += bytes;
      }
      for (const std::vector<uint32_t> &d : data)
        t.input.insert(t.input.end(), d.begin(), d.end());
    }
    t.input[2] = uint32_t(t.input.size() - kTraceHeaderWords);
    t.arenaBytes = coreFootprint(*ci.img).arena;
  }
  return Error::success();
}

void CoreRuns::finishTraces(uint32_t numTicks) {
  for (uint32_t i = 0; i < run.size(); ++i) {
    CoreRun &r = run[i];
    if (!r.trace)
      continue;
    CoreTrace &t = *r.trace;
    t.input[1] = numTicks;
    t.input[3] = uint32_t(t.input.size() - kTraceHeaderWords - t.input[2]);
    if (r.neuron >= 0)
      kernel::dumpNeuronCore(traceSink(t), neuron[r.neuron]);
    else
      kernel::dumpSourceCore(traceSink(t), source[r.source]);
  }
}

std::vector<uint32_t> CoreRuns::allCores() const {
  std::vector<uint32_t> tasks;
  for (uint32_t i = 0; i < cores.size(); ++i)
    if (cores[i].local)
      tasks.push_back(i);
  return tasks;
}

void CoreRuns::tickCore(uint32_t i, uint32_t t) {
  const CoreInfo &ci = cores[i];
  const ImageCore &ic = *ci.img;
  CoreRun &r = run[i];
  const uint32_t *bits;
  uint32_t words, count; // count: this tick's spikes
  if (r.neuron >= 0) {
    kernel::NeuronCore &k = neuron[r.neuron];
    hostNeuronCoreTick(k, t, isa);
    bits = k.spikeBits;
    words = k.spikeWords;
    count = k.counters.tickSpikes;
    if (r.voltages) {
      double *v = r.voltages + uint64_t(t) * r.popNeurons;
      for (uint32_t local = 0; local < ic.numNeurons; ++local)
        v[ic.neuronIds[local]] = toDouble(Accum::fromBits(k.voltage[local]));
    }
  } else {
    kernel::SourceCore &k = source[r.source];
    uint64_t before = k.spikes;
    kernel::sourceCoreTick(k, t);
    bits = k.spikeBits;
    words = k.spikeWords;
    count = uint32_t(k.spikes - before);
  }
  const uint32_t *keys;
  uint32_t n = outKeys(i, keys);
  if (!r.recordSpikes || !count) {
    // Nothing to keep.
  } else if (uint64_t(count) * 2 >= words) {
    r.bitmapTicks.push_back(t);
    r.bitmaps.insert(r.bitmaps.end(), bits, bits + words);
  } else {
    for (uint32_t w = 0; w < words; ++w)
      for (uint32_t b = bits[w]; b; b &= b - 1) {
        uint32_t local = w * 32 + uint32_t(__builtin_ctz(b));
        r.spikes.push_back(uint64_t(t) << 32 | ic.neuronIds[local]);
      }
  }
  if (LLVM_UNLIKELY(r.trace)) {
    kernel::dumpTick(traceSink(*r.trace), t, keys, n, bits, words);
    r.tickCountAt = r.trace->input.size();
    r.trace->input.push_back(0); // this tick's packets follow
  }
  CoreRun::Sent &sent = r.sent[t & 1];
  if (ci.leaves.size() > 1) {
    groupByLeaf(ci, r, sent, keys, n);
  } else {
    sent.keys.assign(keys, keys + n);
    if (!ci.leaves.empty())
      r.leafSpikes[0] += n;
  }
  sentCount[t & 1][i] = n;
}

void CoreRuns::groupByLeaf(const CoreInfo &ci, CoreRun &r, CoreRun::Sent &out,
                           const uint32_t *keys, uint32_t n) {
  out.groupLeaf.clear();
  out.groupStart.clear();
  out.keys.resize(n);
  if (!n)
    return;
  const uint32_t mask = ~ci.img->mask;
  // Stable either way: within a leaf, keys stay in sending order, as the
  // receivers' kernels must see them.
  if (n < 64) {
    // Few keys (most ticks): sort (leaf, position) pairs.
    r.sortScratch.resize(n);
    for (uint32_t k = 0; k < n; ++k)
      r.sortScratch[k] = uint64_t(ci.leafOf[keys[k] & mask]) << 32 | k;
    std::sort(r.sortScratch.begin(), r.sortScratch.end());
    for (uint32_t k = 0; k < n; ++k) {
      uint32_t leaf = uint32_t(r.sortScratch[k] >> 32);
      if (out.groupLeaf.empty() || out.groupLeaf.back() != leaf) {
        out.groupLeaf.push_back(leaf);
        out.groupStart.push_back(k);
      }
      out.keys[k] = keys[uint32_t(r.sortScratch[k])];
    }
  } else {
    // Many: a counting sort over the leaves.
    size_t leaves = ci.leaves.size();
    std::vector<uint32_t> &at = out.groupStart; // per leaf first, then groups
    at.assign(leaves + 1, 0);
    for (uint32_t k = 0; k < n; ++k)
      ++at[ci.leafOf[keys[k] & mask] + 1];
    for (size_t l = 0; l < leaves; ++l)
      at[l + 1] += at[l];
    for (uint32_t k = 0; k < n; ++k)
      out.keys[at[ci.leafOf[keys[k] & mask]]++] = keys[k];
    // at[l] is now the end of leaf l: keep the non-empty leaves' starts.
    uint32_t begin = 0;
    size_t groups = 0;
    for (size_t l = 0; l < leaves; ++l) {
      uint32_t end = at[l];
      if (end != begin) {
        out.groupLeaf.push_back(uint32_t(l));
        at[groups++] = begin;
      }
      begin = end;
    }
    at.resize(groups);
  }
  out.groupStart.push_back(n);
  for (size_t g = 0; g + 1 < out.groupStart.size(); ++g)
    r.leafSpikes[out.groupLeaf[g]] += out.groupStart[g + 1] - out.groupStart[g];
}

void CoreRuns::receive(uint32_t d, uint32_t t) {
  const CoreInfo &ci = cores[d];
  CoreRun &r = run[d];
  kernel::NeuronCore &k = neuron[r.neuron];
  // Sender by sender in image order; for a sender with several leaves, the
  // groups of keys it sent (by ascending leaf, groupByLeaf) whose leaf
  // reaches this core, found by the sender's leaf bit set: the work follows
  // the packets, not the number of leaves. The packets are gathered in
  // arrival order and handed to the kernel in one call, which looks rows
  // up a few packets ahead (with split routes most groups hold one key: a
  // call per group left the kernel nothing to look ahead to).
  std::vector<uint32_t> &inbox = r.inbox;
  inbox.clear();
  auto deliver = [&](const Incoming &in, const uint32_t *keys, uint32_t n) {
    for (uint32_t c = 0; c < in.times; ++c)
      inbox.insert(inbox.end(), keys, keys + n);
  };
  for (const SenderEntries &se : ci.senders) {
    if (!sentCount[t & 1][se.sender])
      continue;
    const CoreRun::Sent &sent = run[se.sender].sent[t & 1];
    uint32_t n = uint32_t(sent.keys.size());
    if (cores[se.sender].numLeaves == 1) { // one entry, every key
      deliver(ci.incoming[se.first], sent.keys.data(), n);
      continue;
    }
    const uint64_t *bits = ci.leafBits.data() + se.bitsAt;
    const uint32_t *rank = ci.leafRank.data() + se.bitsAt;
    for (size_t g = 0, groups = sent.groupLeaf.size(); g < groups; ++g) {
      uint32_t leaf = sent.groupLeaf[g];
      uint64_t word = bits[leaf / 64], bit = uint64_t(1) << (leaf % 64);
      if (!(word & bit))
        continue;
      uint32_t e =
          se.first + rank[leaf / 64] + llvm::countPopulation(word & (bit - 1));
      deliver(ci.incoming[e], sent.keys.data() + sent.groupStart[g],
              sent.groupStart[g + 1] - sent.groupStart[g]);
    }
  }
  kernel::neuronCoreReceive(k, t, inbox.data(), uint32_t(inbox.size()));
  if (LLVM_UNLIKELY(r.trace)) {
    r.trace->input.insert(r.trace->input.end(), inbox.begin(), inbox.end());
    r.trace->input[r.tickCountAt] += uint32_t(inbox.size());
  }
  // The cycle model's cost of the tick.
  const kernel::NeuronCoreCounters &kc = k.counters;
  uint32_t events = kc.tickEvents;
  uint64_t cycles =
      model.perTick + uint64_t(model.perNeuron) * kc.tickUpdated +
      uint64_t(model.perQuietNeuron) * (k.cfg.numNeurons - kc.tickUpdated) +
      uint64_t(model.perSpike) * kc.tickSpikes +
      uint64_t(model.perPacket) * kc.tickPackets +
      uint64_t(kc.tickSearches) *
          (model.perSearch + uint64_t(model.perSearchStep) * ci.searchSteps) +
      uint64_t(model.perEvent) * events;
  if (events > r.maxTickEvents)
    r.maxTickEvents = events, r.maxTickEventsAt = t;
  if (cycles > r.maxTickCycles)
    r.maxTickCycles = cycles, r.maxTickCyclesAt = t;
  r.ticksOverEventBudget += events > eventBudget;
  r.overrunTicks += cycles > budget;
}

namespace {

//===----------------------------------------------------------------------===//
// The scheduler
//===----------------------------------------------------------------------===//

/// A reusable barrier for a fixed set of threads; the last thread to arrive
/// runs a completion function before anyone leaves.
class SpinBarrier {
public:
  explicit SpinBarrier(unsigned n) : n(n) {}
  template <typename Fn> void arrive(Fn completion) {
    unsigned gen = generation.load(std::memory_order_acquire);
    if (waiting.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
      waiting.store(0, std::memory_order_relaxed);
      completion();
      generation.fetch_add(1, std::memory_order_release);
      return;
    }
    for (unsigned spins = 0; generation.load(std::memory_order_acquire) == gen;
         ++spins)
      if (spins > 4096)
        std::this_thread::yield();
  }

private:
  const unsigned n;
  std::atomic<unsigned> waiting{0};
  std::atomic<unsigned> generation{0};
};

/// One phase's tasks with an owner each: the tasks are dealt out once,
/// biggest estimated cost first, each to the thread with the least
/// estimated work so far, so that every tick a core is handled by the same
/// thread (its memory stays in that thread's caches). Each thread takes its
/// own tasks from the front, biggest first; a thread with none left takes
/// the smallest left of the thread with the most tasks left, from the back,
/// so the threads finish together whatever the estimates missed.
class PhaseQueue {
public:
  /// \p tasks in order, task i costing 1 + cost(tasks[i]).
  template <typename Cost>
  PhaseQueue(const std::vector<uint32_t> &tasks, unsigned threads, Cost cost)
      : lists(threads), ranges(new Range[threads]) {
    std::vector<std::pair<uint64_t, uint32_t>> order;
    for (uint32_t t : tasks)
      order.push_back({1 + uint64_t(cost(t)), t});
    std::stable_sort(order.begin(), order.end(),
                     [](auto &a, auto &b) { return a.first > b.first; });
    std::vector<uint64_t> load(threads, 0);
    for (auto [c, t] : order) {
      unsigned th =
          unsigned(std::min_element(load.begin(), load.end()) - load.begin());
      load[th] += c;
      lists[th].push_back(t);
    }
    reset();
  }
  /// The next task for thread \p th; false when none is left.
  bool next(unsigned th, uint32_t &task) {
    if (take(th, true, task))
      return true;
    for (;;) {
      // The list with the most tasks left (none: the phase is done).
      unsigned from = 0;
      uint32_t most = 0;
      for (unsigned l = 0; l < lists.size(); ++l) {
        uint64_t v = ranges[l].v.load(std::memory_order_relaxed);
        uint32_t left = uint32_t(v) - uint32_t(v >> 32);
        if (left > most)
          most = left, from = l;
      }
      if (!most)
        return false;
      if (take(from, false, task))
        return true;
    }
  }
  /// For the next tick (while every thread waits at the barrier).
  void reset() {
    for (size_t l = 0; l < lists.size(); ++l)
      ranges[l].v.store(uint64_t(lists[l].size()), std::memory_order_relaxed);
  }

private:
  /// Takes from list \p l's front (its owner) or back; false when empty.
  bool take(unsigned l, bool front, uint32_t &task) {
    std::atomic<uint64_t> &r = ranges[l].v;
    uint64_t v = r.load(std::memory_order_relaxed);
    for (;;) {
      uint32_t begin = uint32_t(v >> 32), end = uint32_t(v);
      if (begin >= end)
        return false;
      uint64_t want = front ? (uint64_t(begin + 1) << 32 | end)
                            : (uint64_t(begin) << 32 | (end - 1));
      if (r.compare_exchange_weak(v, want, std::memory_order_relaxed)) {
        task = lists[l][front ? begin : end - 1];
        return true;
      }
    }
  }
  /// [begin, end) of a list's tasks not yet taken, as begin << 32 | end,
  /// one cache line each.
  struct alignas(64) Range {
    std::atomic<uint64_t> v{0};
  };
  std::vector<std::vector<uint32_t>> lists;
  std::unique_ptr<Range[]> ranges;
};

/// Runs \p numTicks ticks of \p r's cores on \p threads threads (the
/// calling one among them), reporting progress as \p o asks; with
/// \p distributed, exchanging the keys sent with the other ranks after
/// each tick's phase A.
void runTicks(CoreRuns &r, const std::vector<CoreInfo> &cores, unsigned threads,
              uint32_t numTicks, const EmulatorOptions &o, bool distributed) {
  SpinBarrier barrier(threads);
  // Estimated cost of a core's step: its neurons' updates and its synaptic
  // matrix (the receive's work grows with it), in the cycle model's units.
  const CycleModel &m = o.cycles;
  PhaseQueue queue(r.allCores(), threads, [&](uint32_t i) {
    return uint64_t(m.perNeuron) * cores[i].img->numNeurons +
           uint64_t(m.perEvent) * cores[i].matrixWords / 8;
  });
  // The tick after which to report progress next (0: never). Only the
  // barrier's completion, run while the other threads wait, touches it.
  const uint32_t every = std::max<uint32_t>(1, o.progressTicks);
  uint32_t reportAt = 0;
  if (o.progress) {
    o.progress(0, numTicks);
    reportAt = std::min(every, numTicks);
  }
  // One barrier a tick: after the first tick's phase A, a core's step t is
  // its phase B of tick t (it reads what the senders sent in tick t, kept
  // by tick parity) then its phase A of tick t + 1, which needs only its
  // own phase B of tick t. A step never touches what another core's step
  // writes in the same interval.
  auto worker = [&](unsigned th) {
    uint32_t task;
    if (numTicks) {
      while (queue.next(th, task))
        r.tickCore(task, 0);
      barrier.arrive([&] {
        queue.reset();
        if (distributed)
          r.exchangeSent(0);
      });
    }
    for (uint32_t t = 0; t < numTicks; ++t) {
      const bool more = t + 1 < numTicks;
      while (queue.next(th, task)) {
        if (r.isNeuronCore(task))
          r.receive(task, t);
        if (more)
          r.tickCore(task, t + 1);
      }
      barrier.arrive([&] {
        queue.reset();
        if (distributed && more)
          r.exchangeSent(t + 1);
        if (LLVM_UNLIKELY(t + 1 == reportAt)) {
          o.progress(reportAt, numTicks);
          reportAt += std::min(every, numTicks - reportAt);
        }
      });
    }
  };
  std::vector<std::thread> pool;
  for (unsigned th = 1; th < threads; ++th)
    pool.emplace_back(worker, th);
  worker(0);
  for (std::thread &th : pool)
    th.join();
}

} // namespace

Expected<Recording>
Emulator::Impl::run(const std::vector<std::vector<Spike>> &inputs,
                    const EmulatorOptions &o, EmulatorStats *stats,
                    LearnedSynapseSet *learned) {
  const uint32_t numTicks = o.ticks;
  Recording rec;
  rec.network = image->header().networkName;
  rec.mode = "emulator";
  rec.span.dt = timestepUs / 1000.0;
  rec.span.ticks = numTicks;
  rec.populations.resize(pops.size());
  for (size_t k = 0; k < pops.size(); ++k) {
    PopulationRecording &pr = rec.populations[k];
    pr.name = pops[k].name;
    pr.isInput = pops[k].isInput;
    pr.neurons = pops[k].neurons;
    unsigned q = pops[k].index;
    if (!pr.isInput && q < o.recordVoltages.size() && o.recordVoltages[q] &&
        numTicks && pr.neurons)
      pr.voltages.assign(uint64_t(numTicks) * pr.neurons, 0.0);
  }

  // Input spikes: only for input populations, within the run.
  std::vector<SpikeTarget> targets(popSlot.size());
  for (size_t q = 0; q < popSlot.size(); ++q)
    if (popSlot[q] >= 0) {
      const EmulatedPopulation &p = pops[popSlot[q]];
      targets[q] = {p.name, p.isInput, p.neurons};
    }
  if (Error e = checkInputSpikes(inputs, targets, numTicks))
    return e;

  if (dist && (o.traces || learned || o.plasticMatrices))
    return loadError("tracing cores and reading learned weights back need "
                     "a run in one process");
  CoreRuns runs(*this, o);
  if (Error e = agree(runs.start(inputs, rec)))
    return e;
  if (o.traces)
    if (Error e = runs.startTraces(*o.traces))
      return e;
  size_t local = 0;
  for (const CoreInfo &ci : cores)
    local += ci.local;
  unsigned threads = unsigned(std::max<uint64_t>(
      1, std::min<uint64_t>(std::max(1u, o.threads), local)));
  auto start = std::chrono::steady_clock::now();
  runTicks(runs, cores, threads, numTicks, o, dist != nullptr);
  rec.wallSeconds = secondsSince(start);

  runs.collect(rec, numTicks, std::max<uint64_t>(1, o.recordWindow),
               o.spikeSink);
  if (o.traces)
    runs.finishTraces(numTicks);
  if (learned)
    runs.readBackWeights(*image, *learned);
  if (o.plasticMatrices)
    runs.plasticMatrices(*o.plasticMatrices);
  if (stats)
    runs.fillStats(*stats, numTicks);
  return rec;
}
