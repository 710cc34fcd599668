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
//   - after the run: the recordings, the host's read-back of learned
//     weights and the statistics (the routers' and the cores' counters).
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "kernel/CoreDump.h"
#include "kernel/Kernel.h"
#include "kernel/Regions.h"
#include "scnc/Runtime/Distributed.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/Timing.h"
#include "llvm/Support/Compiler.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>
#include <type_traits>

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

/// Per-core run state the host keeps (recordings, statistics), one cache
/// line apart from the next core's.
struct alignas(64) CoreRun {
  std::unique_ptr<uint64_t[]> memory;
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

/// One run's cores: the kernels and what the host keeps of them.
class CoreRuns {
public:
  CoreRuns(const LoadedImage &em, const EmulatorOptions &o)
      : em(em), cores(em.cores), model(o.cycles),
        budget(model.budgetCycles(em.timestepUs)),
        eventBudget(model.eventBudget(em.timestepUs)) {}

  /// Starts every core's kernel; voltages go into \p rec's arrays.
  Error start(const std::vector<std::vector<Spike>> &inputs, Recording &rec);
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
  /// neuron), and the work counters.
  void collect(Recording &rec, uint32_t numTicks) const;
  void readBackWeights(const ImageReader &img, LearnedSynapseSet &learned);
  void plasticMatrices(
      std::vector<std::pair<const ImageCore *, std::vector<uint32_t>>> &out);
  void fillStats(EmulatorStats &s, uint32_t numTicks) const;
  /// Tracing (EmulatorOptions::traces): the inputs' start, and the end.
  Error startTraces(std::vector<CoreTrace> &traces);
  void finishTraces(uint32_t numTicks);

  uint32_t maxNeurons = 0;

private:
  Error startSource(uint32_t i, const std::vector<std::vector<Spike>> &inputs,
                    const std::vector<std::pair<uint32_t, uint32_t>> &where);
  Error startNeuron(uint32_t i, Recording &rec);
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
  const uint64_t budget, eventBudget;
  std::vector<CoreRun> run;
  std::vector<kernel::NeuronCore> neuron;
  std::vector<kernel::SourceCore> source;
  uint64_t neuronUpdatesPerTick = 0;
  std::vector<std::vector<uint32_t>> exchangeOut;
};

Error CoreRuns::start(const std::vector<std::vector<Spike>> &inputs,
                      Recording &rec) {
  const size_t numCores = cores.size();
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
  r.memory.reset(new uint64_t[bytes / 8 + 1]);
  if (!kernel::sourceCoreInit(source[r.source], c, r.memory.get(), bytes))
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
    r.memory.reset(new uint64_t[bytes / 8 + 1]);
    ok = kernel::neuronCoreInit(neuron[r.neuron], c, r.memory.get(), bytes);
  }
  neuronUpdatesPerTick += ic.numNeurons;
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

void CoreRuns::exchangeSent(uint32_t t) {
  const Distribution &d = *em.dist;
  const unsigned ranks = d.ranks(), me = d.rank();
  const uint32_t parity = t & 1;
  // Per rank: per local sender with keys for it, [sender, groups, then
  // per group (leaf, keys, the keys)], the groups by ascending leaf.
  exchangeOut.resize(ranks);
  for (unsigned q = 0; q < ranks; ++q) {
    std::vector<uint32_t> &out = exchangeOut[q];
    out.clear();
    if (q == me)
      continue;
    const uint64_t bit = uint64_t(1) << (q % 64);
    for (uint32_t s : em.sendTo[q]) {
      const CoreRun::Sent &sent = run[s].sent[parity];
      if (sent.keys.empty())
        continue;
      const CoreInfo &ci = cores[s];
      auto reaches = [&](uint32_t leaf) {
        return (ci.leafReach[uint64_t(leaf) * em.rankWords + q / 64] & bit) !=
               0;
      };
      if (ci.numLeaves == 1) {
        out.insert(out.end(), {s, 1, 0, uint32_t(sent.keys.size())});
        out.insert(out.end(), sent.keys.begin(), sent.keys.end());
        continue;
      }
      size_t at = out.size();
      out.insert(out.end(), {s, 0});
      uint32_t groups = 0;
      for (size_t g = 0; g < sent.groupLeaf.size(); ++g) {
        uint32_t leaf = sent.groupLeaf[g];
        if (!reaches(leaf))
          continue;
        uint32_t begin = sent.groupStart[g], end = sent.groupStart[g + 1];
        out.insert(out.end(), {leaf, end - begin});
        out.insert(out.end(), sent.keys.begin() + begin,
                   sent.keys.begin() + end);
        ++groups;
      }
      if (groups)
        out[at + 1] = groups;
      else
        out.resize(at);
    }
  }
  for (unsigned q = 0; q < ranks; ++q)
    d.comm->tickWordsSent += exchangeOut[q].size();
  ++d.comm->tickExchanges;
  std::vector<std::vector<uint32_t>> got = d.comm->exchange(exchangeOut);
  for (uint32_t s : em.remoteSenders) {
    CoreRun::Sent &sent = run[s].sent[parity];
    sent.keys.clear();
    sent.groupLeaf.clear();
    sent.groupStart.clear();
  }
  for (const std::vector<uint32_t> &in : got)
    for (size_t i = 0; i < in.size();) {
      uint32_t s = in[i], groups = in[i + 1];
      i += 2;
      CoreRun &r = run[s];
      CoreRun::Sent &sent = r.sent[parity];
      for (uint32_t g = 0; g < groups; ++g) {
        uint32_t leaf = in[i], n = in[i + 1];
        sent.groupLeaf.push_back(leaf);
        sent.groupStart.push_back(uint32_t(sent.keys.size()));
        sent.keys.insert(sent.keys.end(), in.begin() + i + 2,
                         in.begin() + i + 2 + n);
        r.leafSpikes[leaf] += n;
        i += 2 + n;
      }
    }
  for (uint32_t s : em.remoteSenders)
    if (cores[s].numLeaves > 1)
      run[s].sent[parity].groupStart.push_back(
          uint32_t(run[s].sent[parity].keys.size()));
}

void CoreRuns::tickCore(uint32_t i, uint32_t t) {
  const CoreInfo &ci = cores[i];
  const ImageCore &ic = *ci.img;
  CoreRun &r = run[i];
  const uint32_t *bits;
  uint32_t words, count; // count: this tick's spikes
  if (r.neuron >= 0) {
    kernel::NeuronCore &k = neuron[r.neuron];
    hostNeuronCoreTick(k, t);
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
  if (uint64_t(count) * 2 >= words && count) {
    r.bitmapTicks.push_back(t);
    r.bitmaps.insert(r.bitmaps.end(), bits, bits + words);
  } else if (count) {
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
    const CoreRun::Sent &sent = run[se.sender].sent[t & 1];
    uint32_t n = uint32_t(sent.keys.size());
    if (!n)
      continue;
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

void CoreRuns::collect(Recording &rec, uint32_t numTicks) const {
  // A distributed run gathers every rank's spikes on rank 0, per
  // population [spikes, then (tick, neuron) each], and sums the counters.
  std::vector<uint32_t> mine;
  for (size_t k = 0; k < em.pops.size(); ++k) {
    std::vector<uint64_t> all;
    for (uint32_t i = 0; i < cores.size(); ++i) {
      if (cores[i].popSlot != int(k))
        continue;
      const CoreRun &r = run[i];
      all.insert(all.end(), r.spikes.begin(), r.spikes.end());
      const uint32_t *ids = cores[i].img->neuronIds.data();
      size_t words = (cores[i].img->numNeurons + 31) / 32;
      for (size_t j = 0; j < r.bitmapTicks.size(); ++j) {
        const uint32_t *bits = r.bitmaps.data() + j * words;
        for (uint32_t w = 0; w < words; ++w)
          for (uint32_t b = bits[w]; b; b &= b - 1)
            all.push_back(uint64_t(r.bitmapTicks[j]) << 32 |
                          ids[w * 32 + uint32_t(__builtin_ctz(b))]);
      }
    }
    std::vector<Spike> &out = rec.populations[k].spikes;
    if (em.dist) {
      mine.push_back(uint32_t(all.size()));
      for (uint64_t v : all)
        mine.insert(mine.end(), {uint32_t(v >> 32), uint32_t(v)});
      continue;
    }
    std::sort(all.begin(), all.end());
    out.reserve(all.size());
    for (uint64_t v : all)
      out.push_back({uint32_t(v >> 32), uint32_t(v)});
  }
  uint64_t counts[2] = {neuronUpdatesPerTick * numTicks, 0};
  for (const kernel::NeuronCore &k : neuron)
    counts[1] += k.counters.synapticEvents;
  if (em.dist) {
    // Rank 0 parses the ranks' parts one after another.
    std::vector<uint32_t> all = em.dist->comm->gatherToRoot(mine);
    std::vector<std::vector<uint64_t>> merged(em.pops.size());
    for (size_t at = 0; at < all.size();)
      for (size_t k = 0; k < em.pops.size(); ++k) {
        uint32_t n = all[at++];
        for (uint32_t i = 0; i < n; ++i, at += 2)
          merged[k].push_back(uint64_t(all[at]) << 32 | all[at + 1]);
      }
    for (size_t k = 0; k < em.pops.size(); ++k) {
      std::sort(merged[k].begin(), merged[k].end());
      std::vector<Spike> &out = rec.populations[k].spikes;
      out.reserve(merged[k].size());
      for (uint64_t v : merged[k])
        out.push_back({uint32_t(v >> 32), uint32_t(v)});
    }
    em.dist->comm->sum(counts);
    // Voltages: each neuron's were written by one rank, the others' are
    // 0.0 (all bits clear), so an OR of the bits is the whole array.
    std::vector<uint64_t> bits;
    for (size_t k = 0; k < em.pops.size(); ++k) {
      std::vector<double> &v = rec.populations[k].voltages;
      for (size_t at = 0; at < v.size(); at += bits.size()) {
        bits.resize(std::min<size_t>(v.size() - at, size_t(1) << 20));
        std::memcpy(bits.data(), v.data() + at, bits.size() * 8);
        em.dist->comm->bitOr(bits);
        std::memcpy(v.data() + at, bits.data(), bits.size() * 8);
      }
    }
  }
  rec.neuronUpdates = counts[0];
  rec.synapticEvents = counts[1];
}

/// The host's read-back of every plastic core's rows, as a board's host
/// reads them: each core flushes its deferred potentiation into its rows
/// (kernel::neuronCoreFlushPlastic, as the board program does at the end),
/// then the shared decoder reads the weights (learnedFromMatrices).
void CoreRuns::readBackWeights(const ImageReader &img,
                               LearnedSynapseSet &learned) {
  std::map<const ImageCore *, const uint32_t *> matrices;
  for (uint32_t i = 0; i < cores.size(); ++i) {
    const ImageCore &ic = *cores[i].img;
    if (run[i].neuron < 0 || !(ic.flags & image::SystemPlastic))
      continue;
    kernel::NeuronCore &k = neuron[run[i].neuron];
    if (!k.history || !kernel::neuronCoreFlushPlastic(k))
      continue;
    matrices[&ic] = k.matrix;
  }
  learned = learnedFromMatrices(img, [&](const ImageCore &c) {
    auto it = matrices.find(&c);
    return it == matrices.end() ? nullptr : it->second;
  });
}

/// The plastic matrix of each plastic core, by image core, flushed as the
/// board program leaves it (flushing twice changes nothing).
void CoreRuns::plasticMatrices(
    std::vector<std::pair<const ImageCore *, std::vector<uint32_t>>> &out) {
  for (uint32_t i = 0; i < cores.size(); ++i) {
    const ImageCore &ic = *cores[i].img;
    if (run[i].neuron < 0 || !(ic.flags & image::SystemPlastic))
      continue;
    kernel::NeuronCore &k = neuron[run[i].neuron];
    if (!k.history || !kernel::neuronCoreFlushPlastic(k))
      continue;
    out.push_back(
        {&ic, std::vector<uint32_t>(k.plasticMatrix,
                                    k.plasticMatrix + ic.matrix.size() / 4)});
  }
}

void CoreRuns::fillStats(EmulatorStats &s, uint32_t numTicks) const {
  const Machine &m = *em.machine;
  const size_t numCores = cores.size();
  s = EmulatorStats();
  s.machineName = em.machineName;
  s.model = model;
  s.timestepUs = em.timestepUs;
  s.ticks = numTicks;
  s.machineChips = m.numChips();
  // The routers' counters: each key block's packets times its path's.
  std::vector<uint64_t> counters(uint64_t(m.numChips()) * kNumRouterCounters,
                                 0);
  // (In a distributed run each rank counts its senders' packets, on every
  // chip they pass, and the ranks' counts are summed.)
  for (uint32_t i = 0; i < numCores; ++i)
    for (size_t l = 0; l < cores[i].leaves.size(); ++l)
      if (uint64_t n = run[i].leafSpikes[l])
        for (uint32_t c : cores[i].leaves[l].counts)
          counters[c] += n;
  if (em.dist)
    em.dist->comm->sum(counters);
  std::vector<bool> used(m.numChips(), false);
  for (const CoreInfo &ci : cores)
    used[ci.chip] = true;
  // (An empty table may name a chip the machine lacks: load allows it.)
  for (const ImageRoutingTable &t : em.image->routingTables())
    if (Optional<ChipId> c = m.chipAt(t.x, t.y))
      used[*c] = true;
  for (ChipId c = 0; c < m.numChips(); ++c) {
    const uint64_t *v = &counters[uint64_t(c) * kNumRouterCounters];
    if (!used[c] && !v[CounterRouted])
      continue;
    ChipStats cs;
    cs.chip = m.coord(c);
    cs.sent = v[CounterSent];
    cs.routed = v[CounterRouted];
    cs.delivered = v[CounterDelivered];
    cs.toIdleCore = v[CounterToIdleCore];
    cs.droppedNoRoute = v[CounterDroppedNoRoute];
    cs.droppedLink = v[CounterDroppedLink];
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
      cs.linkOut[l] = v[CounterLinkOut + l];
    s.chips.push_back(cs);
  }
  // The cores' counters.
  std::vector<uint64_t> received(numCores, 0);
  for (uint32_t d = 0; d < numCores; ++d)
    for (const Incoming &in : cores[d].incoming)
      received[d] += run[in.sender].leafSpikes[in.leaf] * in.times;
  // A distributed run's ranks send theirs to rank 0 as [core index, the
  // CoreStats' bytes], which puts them in image order.
  static_assert(std::is_trivially_copyable<CoreStats>::value &&
                    sizeof(CoreStats) % 4 == 0,
                "CoreStats is sent as words");
  constexpr size_t statWords = sizeof(CoreStats) / 4;
  std::vector<uint32_t> mine;
  for (uint32_t i = 0; i < numCores; ++i) {
    if (!cores[i].local)
      continue;
    const ImageCore &ic = *cores[i].img;
    const CoreRun &r = run[i];
    CoreStats c;
    c.chip = {ic.x, ic.y};
    c.core = ic.core;
    c.population = ic.population;
    c.isInput = ic.isInput();
    c.neurons = ic.numNeurons;
    c.packets = received[i];
    c.hasPrediction = ic.hasPrediction;
    c.predictedCycles = ic.predictedCycles;
    c.predictedTick = ic.predictedTick;
    if (r.neuron >= 0) {
      const kernel::NeuronCoreCounters &k = neuron[r.neuron].counters;
      c.spikes = k.spikes;
      c.synapticEvents = k.synapticEvents;
      c.unmatchedPackets = k.unmatchedPackets;
      c.invalidRows = k.invalidRows;
      c.maxTickEvents = r.maxTickEvents;
      c.maxTickEventsAt = r.maxTickEventsAt;
      c.maxTickCycles = r.maxTickCycles;
      c.maxTickCyclesAt = r.maxTickCyclesAt;
      c.ticksOverEventBudget = r.ticksOverEventBudget;
      c.overrunTicks = r.overrunTicks;
    } else {
      c.spikes = source[r.source].spikes;
    }
    if (!em.dist) {
      s.cores.push_back(c);
      continue;
    }
    mine.push_back(i);
    mine.resize(mine.size() + statWords);
    std::memcpy(&mine[mine.size() - statWords], &c, sizeof c);
  }
  if (em.dist) {
    std::vector<uint32_t> all = em.dist->comm->gatherToRoot(mine);
    if (!all.empty())
      s.cores.resize(numCores);
    for (size_t at = 0; at + 1 + statWords <= all.size(); at += 1 + statWords)
      std::memcpy(static_cast<void *>(&s.cores[all[at]]), &all[at + 1],
                  sizeof(CoreStats));
  }
}

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

  runs.collect(rec, numTicks);
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

ChipStats EmulatorStats::total() const {
  ChipStats t;
  for (const ChipStats &c : chips) {
    t.sent += c.sent;
    t.routed += c.routed;
    t.delivered += c.delivered;
    t.toIdleCore += c.toIdleCore;
    t.droppedNoRoute += c.droppedNoRoute;
    t.droppedLink += c.droppedLink;
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
      t.linkOut[l] += c.linkOut[l];
  }
  return t;
}
