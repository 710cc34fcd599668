//===- Emulator.cpp - Running load images on an emulated machine ----------===//
//
// Loading: every core section is checked against the machine (chip present,
// core alive and an application core), the routers get the image's tables,
// and each core's key space is walked through them once (Routers::
// walkBlock), giving per block of keys the cores its packets reach and the
// router and link counters they bump. A destination core keeps the list of
// (sending core, key block) pairs that reach it.
//
// Each tick, on `-j N` host threads with a barrier between the phases:
//   A. every core runs its tick (input cores replay spikes, neuron cores
//      update their neurons and emit keys); recordings are drained;
//   B. every neuron core receives, in a fixed order (sending core by
//      sending core, in image order), the packets of tick t that reach it,
//      and processes them.
// A core is handled by one thread in each phase and receives its packets
// in the same order whatever the thread count, so results (and counters)
// do not depend on it. Cores are handed out dynamically, biggest first, in
// chunks of a share of the estimated work left (guided self-scheduling).
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/Emulator.h"
#include "kernel/Kernel.h"
#include "scnc/Image/Image.h"
#include "scnc/Runtime/Router.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Parallel.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Compiler.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SwapByteOrder.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

using namespace scnc;
using namespace llvm;

namespace {

constexpr unsigned kCoresPerChip = spinnaker::kCoresPerChip;

Error loadError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

std::string coreName(unsigned x, unsigned y, unsigned p) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + "," +
         std::to_string(p) + ")";
}

/// A block of a core's keys and where its packets go.
struct Leaf {
  std::vector<uint32_t> dests;  ///< emulated core indices, with repeats
  std::vector<uint32_t> counts; ///< router counter indices (Router.h)
};

/// Packets of one sender's key block that reach a core, `times` copies
/// each.
struct Incoming {
  uint32_t sender = 0, leaf = 0, times = 0;
};

struct CoreInfo {
  const ImageCore *img = nullptr;
  ChipId chip = 0;
  int popSlot = -1;
  /// Sending: the blocks of the key space (one when the routers treat all
  /// keys alike) and, with several, each local neuron's block.
  std::vector<Leaf> leaves;
  std::vector<uint32_t> leafOf;
  /// Receiving: the senders that reach this core, in image order.
  std::vector<Incoming> incoming;
  /// The kernel's view of the neuron-core regions (the population table is
  /// the image's, ImageCore::popTable).
  std::vector<uint32_t> matrixCopy; ///< when the image's bytes cannot be used
  const uint32_t *matrix = nullptr;
  uint32_t matrixWords = 0;
  uint32_t searchSteps = 0; ///< ceil(log2(entries + 1))
};

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

/// Per-core run state the host keeps (recordings, statistics), one cache
/// line apart from the next core's.
struct alignas(64) CoreRun {
  std::unique_ptr<uint64_t[]> memory;
  int32_t neuron = -1, source = -1; ///< index into the kernel arrays
  /// Spikes as (tick << 32) | neuron index in the population.
  std::vector<uint64_t> spikes;
  std::vector<uint64_t> leafSpikes;
  double *voltages = nullptr; ///< the population's (ticks x neurons) array
  uint64_t popNeurons = 0;
  std::vector<uint32_t> sourceStart, sourceTicks;
  uint32_t maxTickEvents = 0, maxTickEventsAt = 0;
  uint64_t maxTickCycles = 0;
  uint32_t maxTickCyclesAt = 0;
  uint32_t ticksOverEventBudget = 0, overrunTicks = 0;
};

unsigned ceilLog2(uint64_t v) {
  unsigned b = 0;
  while ((uint64_t(1) << b) < v)
    ++b;
  return b;
}

} // namespace

struct Emulator::Impl {
  const ImageReader *image = nullptr;
  const Machine *machine = nullptr;
  std::string machineName;
  std::unique_ptr<Routers> routers;
  std::vector<CoreInfo> cores;
  /// Emulated core index at chip * 18 + core, or -1.
  std::vector<int32_t> coreAt;
  std::vector<EmulatedPopulation> pops;
  std::vector<int> popSlot; ///< population index -> pops index, or -1
  uint32_t timestepUs = 0, ticks = 0;

  Error checkPlacement();
  Error describePopulations();
  Error prepareNeuronCores();
  Error buildRoutes(unsigned threads);
  Expected<Recording> run(const std::vector<std::vector<Spike>> &inputs,
                          const EmulatorOptions &o, EmulatorStats *stats,
                          LearnedSynapseSet *learned);
  void readBackWeights(const std::vector<CoreRun> &run,
                       const std::vector<kernel::NeuronCore> &neuron,
                       LearnedSynapseSet &learned) const;
};

Error Emulator::Impl::checkPlacement() {
  const Machine &m = *machine;
  const ImageHeader &h = image->header();
  std::vector<std::string> problems;
  std::string mname = "the emulated machine '" + machineName + "' (" +
                      std::to_string(m.width()) + "x" +
                      std::to_string(m.height()) + ")";
  std::vector<std::vector<RoutingEntry>> tables(m.numChips());
  std::vector<bool> hasTable(m.numChips(), false);
  std::vector<std::string> tableProblems;
  for (const ImageRoutingTable &t : image->routingTables()) {
    Optional<ChipId> c = m.chipAt(t.x, t.y);
    std::string chip = formatChip({t.x, t.y});
    if (!c) {
      // An empty table needs no router.
      if (!t.entries.empty())
        tableProblems.push_back("the image has a routing table for chip " +
                                chip + " but " + mname + " has no chip " +
                                chip);
      continue;
    }
    if (hasTable[*c]) {
      tableProblems.push_back("the image has two routing tables for chip " +
                              chip);
      continue;
    }
    hasTable[*c] = true;
    if (t.entries.size() > m.routerEntries())
      tableProblems.push_back(
          "chip " + chip + "'s routing table has " +
          withCommas(t.entries.size()) + " entries, more than the " +
          withCommas(m.routerEntries()) + " of a router of " + mname);
    tables[*c] = t.entries;
  }
  coreAt.assign(uint64_t(m.numChips()) * kCoresPerChip, -1);
  uint64_t needed = 0;
  // Cores on chips the machine lacks, per chip (in image order).
  std::vector<std::pair<ChipCoord, std::vector<unsigned>>> missing;
  for (const ImageCore &ic : image->cores()) {
    ++needed;
    std::string where = "the image needs core " + coreName(ic.x, ic.y, ic.core);
    Optional<ChipId> c = m.chipAt(ic.x, ic.y);
    if (!c) {
      ChipCoord chip{ic.x, ic.y};
      if (missing.empty() || missing.back().first != chip)
        missing.push_back({chip, {}});
      missing.back().second.push_back(ic.core);
      continue;
    }
    if (ic.core >= kCoresPerChip) {
      problems.push_back(where + " but a chip has cores 0 to " +
                         std::to_string(kCoresPerChip - 1));
      continue;
    }
    if (ic.core == spinnaker::kMonitorCore) {
      problems.push_back(where +
                         " but core 0 of every chip runs the monitor (SC&MP)");
      continue;
    }
    if (!m.isCoreLive(*c, ic.core)) {
      problems.push_back(where + " but core " + std::to_string(ic.core) +
                         " of chip " + formatChip({ic.x, ic.y}) + " of " +
                         mname + " is dead");
      continue;
    }
    if (!is_contained(m.usableCoreIds(*c), ic.core)) {
      problems.push_back(where + " but " + mname + " reserves core " +
                         std::to_string(ic.core) + " of chip " +
                         formatChip({ic.x, ic.y}) + " for the system (" +
                         std::to_string(m.reservedCores()) +
                         " reserved besides the monitor)");
      continue;
    }
    int32_t &slot = coreAt[uint64_t(*c) * kCoresPerChip + ic.core];
    if (slot >= 0) {
      problems.push_back("the image has two sections for core " +
                         coreName(ic.x, ic.y, ic.core));
      continue;
    }
    slot = int32_t(cores.size());
    CoreInfo info;
    info.img = &ic;
    info.chip = *c;
    cores.push_back(std::move(info));
  }
  std::vector<std::string> chipProblems;
  for (auto &[chip, list] : missing) {
    std::string text;
    for (size_t i = 0; i < list.size(); ++i) {
      size_t j = i;
      while (j + 1 < list.size() && list[j + 1] == list[j] + 1)
        ++j;
      text += (text.empty() ? "" : ", ") + std::to_string(list[i]) +
              (j > i + 1 ? "-" + std::to_string(list[j])
               : j > i   ? ", " + std::to_string(list[j])
                         : "");
      i = j;
    }
    chipProblems.push_back(
        "the image needs " +
        (list.size() == 1 ? "core " + text : "cores " + text) + " of chip " +
        formatChip(chip) + " but " + mname + " has no chip " +
        formatChip(chip));
  }
  problems.insert(problems.begin(), chipProblems.begin(), chipProblems.end());
  problems.insert(problems.end(), tableProblems.begin(), tableProblems.end());
  if (!problems.empty()) {
    Error all = Error::success();
    size_t shown = std::min<size_t>(problems.size(), 8);
    for (size_t i = 0; i < shown; ++i)
      all = joinErrors(std::move(all), loadError(problems[i]));
    if (shown < problems.size())
      all = joinErrors(std::move(all),
                       loadError("... and " +
                                 withCommas(problems.size() - shown) +
                                 " more such problems"));
    if (needed > m.totalUsableCores())
      all = joinErrors(std::move(all),
                       loadError("the image uses " + withCommas(needed) +
                                 " cores; " + mname + " has " +
                                 withCommas(m.totalUsableCores()) +
                                 " application cores"));
    return all;
  }
  if (cores.empty())
    return loadError("the image has no cores");
  timestepUs = h.timestepUs;
  if (timestepUs == 0)
    return loadError("the image's timestep is 0");
  ticks = cores.front().img->numTicks;
  for (const CoreInfo &ci : cores) {
    const ImageCore &ic = *ci.img;
    if (ic.timestepUs != timestepUs)
      return loadError("core " + coreName(ic.x, ic.y, ic.core) +
                       " has a timestep of " + Twine(ic.timestepUs) +
                       " us, the image " + Twine(timestepUs) + " us");
    if (ic.numTicks != ticks)
      return loadError("core " + coreName(ic.x, ic.y, ic.core) + " runs " +
                       Twine(ic.numTicks) + " ticks, core " +
                       coreName(cores.front().img->x, cores.front().img->y,
                                cores.front().img->core) +
                       " " + Twine(ticks));
  }
  routers = std::make_unique<Routers>(m, std::move(tables));
  return Error::success();
}

Error Emulator::Impl::describePopulations() {
  // Every population of the network, in its order; cores name theirs by
  // index (the reader checked the index, the kind and the neuron ids'
  // range).
  const std::vector<ImagePopulation> &ip = image->populations();
  popSlot.assign(ip.size(), -1);
  std::vector<std::vector<uint32_t>> coresOf(ip.size());
  for (uint32_t i = 0; i < cores.size(); ++i)
    coresOf[cores[i].img->population].push_back(i);
  for (unsigned q = 0; q < ip.size(); ++q) {
    EmulatedPopulation p;
    p.index = q;
    p.name = ip[q].name;
    p.isInput = ip[q].input;
    p.neurons = ip[q].size();
    p.cores = unsigned(coresOf[q].size());
    // The cores' neuron ids must number the population's neurons once each.
    std::vector<bool> seen(p.neurons, false);
    uint64_t count = 0;
    for (uint32_t i : coresOf[q]) {
      const ImageCore &ic = *cores[i].img;
      for (uint32_t local = 0; local < ic.numNeurons; ++local) {
        uint32_t id = ic.neuronIds[local];
        if (id >= p.neurons || seen[id])
          return loadError("core " + coreName(ic.x, ic.y, ic.core) +
                           " neuron " + Twine(local) + " is neuron " +
                           Twine(id) + " of population '" + p.name +
                           "', which another neuron of its cores already is");
        seen[id] = true;
        ++count;
      }
    }
    if (count != p.neurons)
      return loadError("population '" + p.name + "' has " + Twine(p.neurons) +
                       " neurons but its cores hold " + Twine(count));
    for (uint32_t i : coresOf[q])
      cores[i].popSlot = int(pops.size());
    popSlot[q] = int(pops.size());
    pops.push_back(std::move(p));
  }
  return Error::success();
}

Error Emulator::Impl::prepareNeuronCores() {
  for (CoreInfo &ci : cores) {
    const ImageCore &ic = *ci.img;
    if (ic.isInput())
      continue;
    ci.searchSteps = ceilLog2(uint64_t(ic.popTable.size()) + 1);
    ci.matrixWords = uint32_t(ic.matrix.size() / 4);
    // The kernel reads native aligned words; the image stores them
    // little-endian.
    if (sys::IsLittleEndianHost &&
        reinterpret_cast<uintptr_t>(ic.matrix.data()) % alignof(uint32_t) ==
            0) {
      ci.matrix = reinterpret_cast<const uint32_t *>(ic.matrix.data());
    } else {
      ci.matrixCopy.resize(ci.matrixWords);
      for (uint32_t w = 0; w < ci.matrixWords; ++w)
        ci.matrixCopy[w] = ic.matrixWord(w);
      ci.matrix = ci.matrixCopy.data();
    }
  }
  return Error::success();
}

Error Emulator::Impl::buildRoutes(unsigned threads) {
  std::vector<std::string> errors(cores.size());
  forEachTask(cores.size(), threads, [&](size_t i) {
    CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    if (!ic.hasKey || ic.numNeurons == 0)
      return;
    std::vector<KeyBlockPath> blocks;
    uint32_t coreMask = ic.mask;
    uint32_t n = ic.numNeurons;
    auto wanted = [&](uint32_t key, uint32_t) {
      // The block's smallest neuron index: its free bits all 0.
      return (key & ~coreMask) < n;
    };
    if (Error e =
            routers->walkBlock(ci.chip, ic.key, ic.mask, wanted, blocks)) {
      errors[i] = "core " + coreName(ic.x, ic.y, ic.core) + ": " +
                  toString(std::move(e));
      return;
    }
    for (KeyBlockPath &b : blocks) {
      Leaf leaf;
      leaf.counts = std::move(b.path.counts);
      for (auto [chip, p] : b.path.deliveries) {
        int32_t d = coreAt[uint64_t(chip) * kCoresPerChip + p];
        leaf.counts.push_back(chip * kNumRouterCounters +
                              (d >= 0 ? CounterDelivered : CounterToIdleCore));
        if (d >= 0)
          leaf.dests.push_back(uint32_t(d));
      }
      ci.leaves.push_back(std::move(leaf));
    }
    if (blocks.size() > 1) {
      ci.leafOf.assign(n, 0);
      for (uint32_t local = 0; local < n; ++local)
        for (uint32_t b = 0; b < blocks.size(); ++b)
          if (((ic.key | local) & blocks[b].mask) == blocks[b].key) {
            ci.leafOf[local] = b;
            break;
          }
    }
  });
  for (const std::string &e : errors)
    if (!e.empty())
      return loadError(e);
  // Receivers: per destination, its (sender, block) pairs in image order.
  for (uint32_t s = 0; s < cores.size(); ++s)
    for (uint32_t l = 0; l < cores[s].leaves.size(); ++l) {
      std::map<uint32_t, uint32_t> times;
      for (uint32_t d : cores[s].leaves[l].dests)
        ++times[d];
      for (auto [d, k] : times)
        cores[d].incoming.push_back({s, l, k});
    }
  return Error::success();
}

Expected<std::unique_ptr<Emulator>> Emulator::load(const ImageReader &image,
                                                   const Machine &machine,
                                                   StringRef machineName,
                                                   unsigned threads) {
  std::unique_ptr<Emulator> em(new Emulator());
  Impl &s = *em->impl;
  s.image = &image;
  s.machine = &machine;
  s.machineName = machineName.str();
  if (Error e = s.checkPlacement())
    return e;
  if (Error e = s.describePopulations())
    return e;
  if (Error e = s.prepareNeuronCores())
    return e;
  if (Error e = s.buildRoutes(std::max(1u, threads)))
    return e;
  return em;
}

Emulator::Emulator() : impl(new Impl) {}
Emulator::~Emulator() = default;

const std::vector<EmulatedPopulation> &Emulator::populations() const {
  return impl->pops;
}
double Emulator::timestepMs() const { return impl->timestepUs / 1000.0; }
uint32_t Emulator::imageTicks() const { return impl->ticks; }

Expected<Recording> Emulator::run(const std::vector<std::vector<Spike>> &inputs,
                                  const EmulatorOptions &o,
                                  EmulatorStats *stats,
                                  LearnedSynapseSet *learned) {
  return impl->run(inputs, o, stats, learned);
}

/// The host's read-back of every plastic core's rows: each plastic
/// synapse's source neuron from the key of its row (the sending core whose
/// key space holds it), its target from the control half-word, its weight
/// with the deferred potentiation applied (kernel::neuronCorePlasticWeight).
void Emulator::Impl::readBackWeights(
    const std::vector<CoreRun> &run,
    const std::vector<kernel::NeuronCore> &neuron,
    LearnedSynapseSet &learned) const {
  // Senders by key: (key, mask, core), sorted by key; key spaces disjoint.
  struct Sender {
    uint32_t key, mask, core;
  };
  std::vector<Sender> senders;
  for (uint32_t i = 0; i < cores.size(); ++i)
    if (cores[i].img->hasKey)
      senders.push_back({cores[i].img->key, cores[i].img->mask, i});
  std::sort(senders.begin(), senders.end(),
            [](const Sender &a, const Sender &b) { return a.key < b.key; });
  auto senderOf = [&](uint32_t key) -> const Sender * {
    auto it =
        std::upper_bound(senders.begin(), senders.end(), key,
                         [](uint32_t k, const Sender &s) { return k < s.key; });
    if (it == senders.begin())
      return nullptr;
    --it;
    return (key & it->mask) == it->key ? &*it : nullptr;
  };
  std::map<std::pair<unsigned, unsigned>, size_t> pairAt;
  learned.clear();
  for (uint32_t i = 0; i < cores.size(); ++i) {
    const CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    if (run[i].neuron < 0 || !(ic.flags & image::SystemPlastic))
      continue;
    const kernel::NeuronCore &k = neuron[run[i].neuron];
    if (!k.history)
      continue;
    for (const kernel::PopEntry &e : ic.popTable)
      for (uint32_t local = 0; local < e.numRows; ++local) {
        uint32_t offset = e.rowOffset + local * e.rowStride;
        uint32_t nPlastic = k.matrix[offset + kernel::kRowPlasticCountWord];
        if (!nPlastic)
          continue;
        const Sender *s = senderOf(e.key | local);
        if (!s)
          continue;
        const ImageCore &from = *cores[s->core].img;
        uint32_t pre = from.neuronIds[(e.key | local) & ~s->mask];
        for (uint32_t syn = 0; syn < nPlastic; ++syn) {
          uint32_t control;
          uint16_t w = kernel::neuronCorePlasticWeight(k, offset, syn, control);
          unsigned type = kernel::controlType(control, ic.indexBits);
          auto [at, added] =
              pairAt.insert({{from.population, ic.population}, learned.size()});
          if (added)
            learned.push_back({from.population, ic.population, {}});
          learned[at->second].synapses.push_back(
              {pre, ic.neuronIds[kernel::controlTarget(control, ic.indexBits)],
               double(w) / weightScale(ic.leftShift[type])});
        }
      }
  }
  sortLearnedSynapses(learned);
}

Expected<Recording>
Emulator::Impl::run(const std::vector<std::vector<Spike>> &inputs,
                    const EmulatorOptions &o, EmulatorStats *stats,
                    LearnedSynapseSet *learned) {
  const uint32_t numTicks = o.ticks;
  const size_t numCores = cores.size();
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

  // Input spikes: per input population, per core and local neuron.
  for (size_t q = 0; q < inputs.size(); ++q) {
    if (inputs[q].empty())
      continue;
    if (q >= popSlot.size() || popSlot[q] < 0)
      return loadError("input spikes for population " + Twine(q) +
                       ", which the image does not have");
    const EmulatedPopulation &p = pops[popSlot[q]];
    if (!p.isInput)
      return loadError("population " + Twine(q) +
                       " is not an input population: it cannot be given "
                       "spikes");
    for (const Spike &sp : inputs[q]) {
      if (sp.neuron >= p.neurons)
        return loadError("input spike of neuron " + Twine(sp.neuron) +
                         " in population " + Twine(q) + ", which has " +
                         Twine(p.neurons) + " neurons");
      if (sp.tick >= numTicks)
        return loadError("input spike at tick " + Twine(sp.tick) +
                         " in population " + Twine(q) + ", after the run's " +
                         Twine(numTicks) + " ticks");
    }
  }
  // Where each neuron of an input population with run-time spikes lives.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> where(pops.size());
  for (uint32_t i = 0; i < numCores; ++i) {
    const ImageCore &ic = *cores[i].img;
    unsigned q = ic.population;
    if (!ic.isInput() || q >= inputs.size() || inputs[q].empty())
      continue;
    auto &w = where[cores[i].popSlot];
    w.resize(pops[cores[i].popSlot].neurons);
    for (uint32_t local = 0; local < ic.numNeurons; ++local)
      w[ic.neuronIds[local]] = {i, local};
  }

  // Kernel cores.
  std::vector<CoreRun> run(numCores);
  std::vector<kernel::NeuronCore> neuron;
  std::vector<kernel::SourceCore> source;
  uint64_t neuronUpdatesPerTick = 0;
  uint32_t maxNeurons = 0;
  for (uint32_t i = 0; i < numCores; ++i) {
    const CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    CoreRun &r = run[i];
    r.leafSpikes.assign(ci.leaves.size(), 0);
    r.popNeurons = pops[ci.popSlot].neurons;
    maxNeurons = std::max(maxNeurons, ic.numNeurons);
    if (ic.isInput())
      r.source = int32_t(source.size()), source.emplace_back();
    else
      r.neuron = int32_t(neuron.size()), neuron.emplace_back();
  }
  for (uint32_t i = 0; i < numCores; ++i) {
    const CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    CoreRun &r = run[i];
    uint64_t bytes;
    bool ok;
    if (ic.isInput()) {
      // The spike array: run-time input when given, else the image's.
      unsigned q = ic.population;
      std::vector<std::vector<uint32_t>> perNeuron(ic.numNeurons);
      if (q < inputs.size() && !inputs[q].empty()) {
        for (const Spike &sp : inputs[q]) {
          auto [core, local] = where[ci.popSlot][sp.neuron];
          if (core == i)
            perNeuron[local].push_back(sp.tick);
        }
      } else {
        for (uint32_t local = 0; local < ic.numNeurons; ++local)
          perNeuron[local].assign(
              ic.sourceTicks.begin() + ic.sourceStart[local],
              ic.sourceTicks.begin() + ic.sourceStart[local + 1]);
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
      bytes = kernel::sourceCoreMemoryBytes(c);
      r.memory.reset(new uint64_t[bytes / 8 + 1]);
      ok = kernel::sourceCoreInit(source[r.source], c, r.memory.get(), bytes);
    } else {
      kernel::NeuronCoreConfig c;
      c.numNeurons = ic.numNeurons;
      c.hasKey = ic.hasKey;
      c.key = ic.key;
      c.params = ic.params;
      c.initialState = ic.initialState.data();
      c.leftShift[0] = ic.leftShift[0];
      c.leftShift[1] = ic.leftShift[1];
      c.delayBits = ic.delayBits;
      c.indexBits = ic.indexBits;
      c.popTable = ic.popTable.data();
      c.popTableSize = uint32_t(ic.popTable.size());
      c.matrix = ci.matrix;
      c.matrixWords = ci.matrixWords;
      if ((ic.flags & image::SystemPlastic) && ic.hasStdp) {
        // The stdp-params region as the core's loader hands it over.
        c.plastic = true;
        c.multiplicative = ic.stdp.dependence == 1;
        c.aPlus = ic.stdp.aPlus;
        c.aMinus = ic.stdp.aMinus;
        c.wMin = ic.stdp.wMin;
        c.wMax = ic.stdp.wMax;
        c.decayPlus = ic.stdp.decayPlus.data();
        c.lenPlus = uint32_t(ic.stdp.decayPlus.size());
        c.decayMinus = ic.stdp.decayMinus.data();
        c.lenMinus = uint32_t(ic.stdp.decayMinus.size());
      }
      PopulationRecording &pr = rec.populations[ci.popSlot];
      c.recordVoltage = pr.hasVoltages();
      if (c.recordVoltage)
        r.voltages = pr.voltages.data();
      bytes = kernel::neuronCoreMemoryBytes(c);
      ok = bytes != 0;
      if (ok) {
        r.memory.reset(new uint64_t[bytes / 8 + 1]);
        ok = kernel::neuronCoreInit(neuron[r.neuron], c, r.memory.get(), bytes);
      }
      neuronUpdatesPerTick += ic.numNeurons;
    }
    if (!ok)
      return loadError("core " + coreName(ic.x, ic.y, ic.core) +
                       ": the kernel cannot start with its regions");
  }

  // Work lists, biggest first.
  std::vector<uint32_t> tasksA(numCores), tasksB;
  for (uint32_t i = 0; i < numCores; ++i)
    tasksA[i] = i;
  std::stable_sort(tasksA.begin(), tasksA.end(), [&](uint32_t a, uint32_t b) {
    return cores[a].img->numNeurons > cores[b].img->numNeurons;
  });
  for (uint32_t i = 0; i < numCores; ++i)
    if (run[i].neuron >= 0)
      tasksB.push_back(i);
  std::stable_sort(tasksB.begin(), tasksB.end(), [&](uint32_t a, uint32_t b) {
    return cores[a].matrixWords > cores[b].matrixWords;
  });

  const CycleModel &model = o.cycles;
  const uint64_t budget = model.budgetCycles(timestepUs);
  const uint64_t eventBudget = model.eventBudget(timestepUs);

  auto outKeys = [&](uint32_t s, const uint32_t *&keys) -> uint32_t {
    const CoreRun &r = run[s];
    if (r.neuron >= 0) {
      keys = neuron[r.neuron].outKeys;
      return neuron[r.neuron].numOut;
    }
    keys = source[r.source].outKeys;
    return source[r.source].numOut;
  };

  // Phase A: a core's tick and its recordings.
  auto phaseA = [&](uint32_t i, uint32_t t) {
    const CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    CoreRun &r = run[i];
    const uint32_t *bits;
    uint32_t words;
    if (r.neuron >= 0) {
      kernel::NeuronCore &k = neuron[r.neuron];
      kernel::neuronCoreTick(k, t);
      bits = k.spikeBits;
      words = k.spikeWords;
      if (r.voltages) {
        double *v = r.voltages + uint64_t(t) * r.popNeurons;
        for (uint32_t local = 0; local < ic.numNeurons; ++local)
          v[ic.neuronIds[local]] = toDouble(Accum::fromBits(k.voltage[local]));
      }
    } else {
      kernel::SourceCore &k = source[r.source];
      kernel::sourceCoreTick(k, t);
      bits = k.spikeBits;
      words = k.spikeWords;
    }
    for (uint32_t w = 0; w < words; ++w)
      for (uint32_t b = bits[w]; b; b &= b - 1) {
        uint32_t local = w * 32 + uint32_t(__builtin_ctz(b));
        r.spikes.push_back(uint64_t(t) << 32 | ic.neuronIds[local]);
      }
    const uint32_t *keys;
    uint32_t n = outKeys(i, keys);
    if (ci.leaves.size() == 1) {
      r.leafSpikes[0] += n;
    } else if (ci.leaves.size() > 1) {
      for (uint32_t k = 0; k < n; ++k)
        ++r.leafSpikes[ci.leafOf[keys[k] & ~ic.mask]];
    }
  };

  // Phase B: a neuron core processes the packets of tick t that reach it.
  auto phaseB = [&](uint32_t d, uint32_t t, std::vector<uint32_t> &scratch) {
    const CoreInfo &ci = cores[d];
    CoreRun &r = run[d];
    kernel::NeuronCore &k = neuron[r.neuron];
    for (const Incoming &in : ci.incoming) {
      const uint32_t *keys;
      uint32_t n = outKeys(in.sender, keys);
      if (!n)
        continue;
      const CoreInfo &sender = cores[in.sender];
      if (sender.leaves.size() > 1) {
        uint32_t m = 0;
        uint32_t mask = sender.img->mask;
        for (uint32_t j = 0; j < n; ++j)
          if (sender.leafOf[keys[j] & ~mask] == in.leaf)
            scratch[m++] = keys[j];
        keys = scratch.data();
        n = m;
      }
      for (uint32_t c = 0; c < in.times; ++c)
        kernel::neuronCoreReceive(k, t, keys, n);
    }
    uint32_t events = k.counters.tickEvents, packets = k.counters.tickPackets;
    uint64_t cycles =
        model.perTick + uint64_t(model.perNeuron) * k.cfg.numNeurons +
        uint64_t(packets) *
            (model.perPacket + uint64_t(model.perSearchStep) * ci.searchSteps) +
        uint64_t(model.perEvent) * events;
    if (events > r.maxTickEvents)
      r.maxTickEvents = events, r.maxTickEventsAt = t;
    if (cycles > r.maxTickCycles)
      r.maxTickCycles = cycles, r.maxTickCyclesAt = t;
    r.ticksOverEventBudget += events > eventBudget;
    r.overrunTicks += cycles > budget;
  };

  unsigned threads = unsigned(std::max<uint64_t>(
      1, std::min<uint64_t>(std::max(1u, o.threads), numCores)));
  SpinBarrier barrier(threads);
  // Guided self-scheduling by estimated cost (phase A: neurons; phase B:
  // synaptic-matrix words): a thread takes the next tasks worth 1 / (2 x
  // threads) of the estimated work left, at least one. A phase then costs a
  // few atomic operations per thread, the biggest tasks go first, one at a
  // time, and the small ones at the end even out the threads' loads.
  auto prefix = [&](const std::vector<uint32_t> &tasks, bool byMatrix) {
    std::vector<uint64_t> p(tasks.size() + 1, 0);
    for (size_t i = 0; i < tasks.size(); ++i) {
      const CoreInfo &ci = cores[tasks[i]];
      p[i + 1] =
          p[i] + 1 + (byMatrix ? ci.matrixWords : uint64_t(ci.img->numNeurons));
    }
    return p;
  };
  const std::vector<uint64_t> costA = prefix(tasksA, false),
                              costB = prefix(tasksB, true);
  std::atomic<size_t> nextA{0}, nextB{0};
  auto grab = [threads](std::atomic<size_t> &next,
                        const std::vector<uint64_t> &cost, size_t &begin,
                        size_t &end) {
    size_t total = cost.size() - 1;
    size_t at = next.load(std::memory_order_relaxed), to;
    do {
      if (at >= total)
        return false;
      uint64_t want = cost[at] + (cost[total] - cost[at]) / (2 * threads);
      to = size_t(std::upper_bound(cost.begin() + at + 1, cost.end(), want) -
                  cost.begin()) -
           1;
      to = std::max(to, at + 1);
    } while (!next.compare_exchange_weak(at, to, std::memory_order_relaxed));
    begin = at;
    end = to;
    return true;
  };
  // The tick after which to report progress next (0: never). Only the
  // barrier's completion, run while the other threads wait, touches it.
  const uint32_t every = std::max<uint32_t>(1, o.progressTicks);
  uint32_t reportAt = 0;
  if (o.progress) {
    o.progress(0, numTicks);
    reportAt = std::min(every, numTicks);
  }
  auto worker = [&](unsigned) {
    std::vector<uint32_t> scratch(std::max(1u, maxNeurons));
    size_t b, e;
    for (uint32_t t = 0; t < numTicks; ++t) {
      while (grab(nextA, costA, b, e))
        for (size_t i = b; i < e; ++i)
          phaseA(tasksA[i], t);
      barrier.arrive([&] { nextA.store(0, std::memory_order_relaxed); });
      while (grab(nextB, costB, b, e))
        for (size_t i = b; i < e; ++i)
          phaseB(tasksB[i], t, scratch);
      barrier.arrive([&] {
        nextB.store(0, std::memory_order_relaxed);
        if (LLVM_UNLIKELY(t + 1 == reportAt)) {
          o.progress(reportAt, numTicks);
          reportAt += std::min(every, numTicks - reportAt);
        }
      });
    }
  };
  auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> pool;
    for (unsigned th = 1; th < threads; ++th)
      pool.emplace_back(worker, th);
    worker(0);
    for (std::thread &th : pool)
      th.join();
  }
  rec.wallSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  // Recordings per population, sorted by (tick, neuron).
  for (size_t k = 0; k < pops.size(); ++k) {
    std::vector<uint64_t> all;
    for (uint32_t i = 0; i < numCores; ++i)
      if (cores[i].popSlot == int(k))
        all.insert(all.end(), run[i].spikes.begin(), run[i].spikes.end());
    std::sort(all.begin(), all.end());
    std::vector<Spike> &out = rec.populations[k].spikes;
    out.reserve(all.size());
    for (uint64_t v : all)
      out.push_back({uint32_t(v >> 32), uint32_t(v)});
  }
  if (learned)
    readBackWeights(run, neuron, *learned);
  rec.neuronUpdates = neuronUpdatesPerTick * numTicks;
  for (const kernel::NeuronCore &k : neuron)
    rec.synapticEvents += k.counters.synapticEvents;

  if (stats) {
    EmulatorStats &s = *stats;
    const Machine &m = *machine;
    s = EmulatorStats();
    s.machineName = machineName;
    s.model = model;
    s.timestepUs = timestepUs;
    s.ticks = numTicks;
    s.machineChips = m.numChips();
    std::vector<uint64_t> counters(uint64_t(m.numChips()) * kNumRouterCounters,
                                   0);
    for (uint32_t i = 0; i < numCores; ++i)
      for (size_t l = 0; l < cores[i].leaves.size(); ++l)
        if (uint64_t n = run[i].leafSpikes[l])
          for (uint32_t c : cores[i].leaves[l].counts)
            counters[c] += n;
    std::vector<bool> used(m.numChips(), false);
    for (const CoreInfo &ci : cores)
      used[ci.chip] = true;
    for (const ImageRoutingTable &t : image->routingTables())
      used[*m.chipAt(t.x, t.y)] = true;
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
    std::vector<uint64_t> received(numCores, 0);
    for (uint32_t d = 0; d < numCores; ++d)
      for (const Incoming &in : cores[d].incoming)
        received[d] += run[in.sender].leafSpikes[in.leaf] * in.times;
    for (uint32_t i = 0; i < numCores; ++i) {
      const ImageCore &ic = *cores[i].img;
      const CoreRun &r = run[i];
      CoreStats c;
      c.chip = {ic.x, ic.y};
      c.core = ic.core;
      c.population = ic.population;
      c.isInput = ic.isInput();
      c.neurons = ic.numNeurons;
      c.packets = received[i];
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
      s.cores.push_back(c);
    }
  }
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
