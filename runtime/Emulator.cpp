//===- Emulator.cpp - Loading images onto an emulated machine -------------===//
//
// Loading: every core section is checked against the machine (chip present,
// core alive and an application core), the routers get the image's tables,
// and each core's key space is walked through them once (Routers::
// walkBlock), giving per block of keys the cores its packets reach and the
// router and link counters they bump. A destination core keeps the list of
// (sending core, key block) pairs that reach it. Running a loaded image is
// EmulatorRun.cpp.
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Parallel.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SwapByteOrder.h"
#include <algorithm>
#include <map>

using namespace scnc;
using namespace scnc::emulator;
using namespace llvm;

namespace {
unsigned ceilLog2(uint64_t v) {
  unsigned b = 0;
  while ((uint64_t(1) << b) < v)
    ++b;
  return b;
}
} // namespace

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
    if (!ic.isInput()) {
      ci.searchSteps = ceilLog2(uint64_t(ic.popTable.size()) + 1);
      ci.matrixWords = uint32_t(ic.matrix.size() / 4);
    }
    // The kernel reads native aligned words; the image stores them
    // little-endian.
    ci.sectionWords = uint32_t(ic.section.size() / 4);
    if (sys::IsLittleEndianHost &&
        reinterpret_cast<uintptr_t>(ic.section.data()) % alignof(uint32_t) ==
            0) {
      ci.section = reinterpret_cast<const uint32_t *>(ic.section.data());
    } else {
      ci.sectionCopy.resize(ci.sectionWords);
      for (uint32_t w = 0; w < ci.sectionWords; ++w)
        ci.sectionCopy[w] =
            support::endian::read32le(ic.section.data() + 4 * w);
      ci.section = ci.sectionCopy.data();
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
  for (CoreInfo &c : cores)
    for (uint32_t i = 0, size = uint32_t(c.incoming.size()); i < size;) {
      SenderEntries se;
      se.sender = c.incoming[i].sender;
      se.first = i;
      while (i < size && c.incoming[i].sender == se.sender)
        ++i;
      se.bitsAt = uint32_t(c.leafBits.size());
      size_t words = (cores[se.sender].leaves.size() + 63) / 64;
      c.leafBits.resize(c.leafBits.size() + words, 0);
      for (uint32_t e = se.first; e < i; ++e) {
        uint32_t leaf = c.incoming[e].leaf;
        c.leafBits[se.bitsAt + leaf / 64] |= uint64_t(1) << (leaf % 64);
      }
      uint32_t before = 0;
      for (size_t w = 0; w < words; ++w) {
        c.leafRank.push_back(before);
        before += llvm::countPopulation(c.leafBits[se.bitsAt + w]);
      }
      c.senders.push_back(se);
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
