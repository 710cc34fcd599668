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
#include "scnc/Runtime/Distributed.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Parallel.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SwapByteOrder.h"
#include <algorithm>
#include <cstring>
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
  // The cores in image order. In a distributed run the image holds this
  // rank's only: the others are stubs made from the section table (where
  // they are, which is all the checks here need).
  std::vector<const ImageCore *> order;
  if (!dist) {
    for (const ImageCore &ic : image->cores())
      order.push_back(&ic);
  } else {
    auto next = image->cores().begin(), end = image->cores().end();
    for (const ImageSection &sec : image->sections()) {
      if (sec.type != image::CoreSection)
        continue;
      if (dist->owns(m, sec.x, sec.y)) {
        if (next == end || next->x != sec.x || next->y != sec.y ||
            next->core != sec.core)
          return loadError("the image was not read for this rank's chips");
        order.push_back(&*next++);
        continue;
      }
      ImageCore &stub = stubs.emplace_back();
      stub.x = sec.x;
      stub.y = sec.y;
      stub.core = sec.core;
      order.push_back(&stub);
    }
    if (next != end)
      return loadError("the image was not read for this rank's chips");
  }
  for (const ImageCore *icp : order) {
    const ImageCore &ic = *icp;
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
    info.local = !dist || dist->rankOfChip[*c] == dist->rank();
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
  // Every core runs the image's timestep and as many ticks as the first
  // (in a distributed run: the first of the lowest rank with cores).
  const CoreInfo *first = nullptr;
  for (const CoreInfo &ci : cores)
    if (ci.local && !first)
      first = &ci;
  ticks = first ? first->img->numTicks : 0;
  std::string firstName =
      first ? coreName(first->img->x, first->img->y, first->img->core) : "";
  if (dist) {
    std::vector<uint32_t> mine;
    if (first)
      mine = {ticks, first->img->x, first->img->y, first->img->core};
    for (const std::vector<uint32_t> &r : dist->comm->allGather(mine))
      if (r.size() == 4) {
        ticks = r[0];
        firstName = coreName(r[1], r[2], r[3]);
        break;
      }
  }
  Error bad = Error::success();
  for (const CoreInfo &ci : cores) {
    const ImageCore &ic = *ci.img;
    if (!ci.local)
      continue;
    if (ic.timestepUs != timestepUs) {
      bad = loadError("core " + coreName(ic.x, ic.y, ic.core) +
                      " has a timestep of " + Twine(ic.timestepUs) +
                      " us, the image " + Twine(timestepUs) + " us");
      break;
    }
    if (ic.numTicks != ticks) {
      bad = loadError("core " + coreName(ic.x, ic.y, ic.core) + " runs " +
                      Twine(ic.numTicks) + " ticks, core " + firstName + " " +
                      Twine(ticks));
      break;
    }
  }
  if (Error e = agree(std::move(bad)))
    return e;
  routers = std::make_unique<Routers>(m, std::move(tables));
  return Error::success();
}

Error Emulator::Impl::agree(Error mine) {
  if (!dist)
    return mine;
  if (!dist->comm->any(bool(mine)))
    return Error::success();
  if (mine)
    return mine;
  return loadError("another rank of the run failed (its error is above)");
}

Error Emulator::Impl::describePopulations() {
  // Every population of the network, in its order; cores name theirs by
  // index (the reader checked the index, the kind and the neuron ids'
  // range).
  const std::vector<ImagePopulation> &ip = image->populations();
  popSlot.assign(ip.size(), -1);
  std::vector<std::vector<uint32_t>> coresOf(ip.size());
  for (uint32_t i = 0; i < cores.size(); ++i)
    if (cores[i].local)
      coresOf[cores[i].img->population].push_back(i);
  // A distributed run checks its cores here and every rank's together
  // below: the cores and neurons of each population summed over the
  // ranks, and the union of the neurons they hold.
  std::vector<uint64_t> counts, held;
  Error bad = Error::success();
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
        if (id >= p.neurons || seen[id]) {
          if (!bad)
            bad = loadError("core " + coreName(ic.x, ic.y, ic.core) +
                            " neuron " + Twine(local) + " is neuron " +
                            Twine(id) + " of population '" + p.name +
                            "', which another neuron of its cores already is");
          break;
        }
        seen[id] = true;
        ++count;
      }
    }
    if (dist) {
      counts.push_back(count);
      counts.push_back(p.cores);
      size_t at = held.size();
      held.resize(at + (p.neurons + 63) / 64, 0);
      for (uint64_t id = 0; id < p.neurons; ++id)
        if (seen[id])
          held[at + id / 64] |= uint64_t(1) << (id % 64);
    } else if (count != p.neurons && !bad) {
      bad = loadError("population '" + p.name + "' has " + Twine(p.neurons) +
                      " neurons but its cores hold " + Twine(count));
    }
    for (uint32_t i : coresOf[q])
      cores[i].popSlot = int(pops.size());
    popSlot[q] = int(pops.size());
    pops.push_back(std::move(p));
  }
  if (!dist || bad)
    return agree(std::move(bad));
  if (Error e = agree(Error::success()))
    return e;
  dist->comm->sum(counts);
  dist->comm->bitOr(held);
  size_t at = 0;
  for (unsigned q = 0; q < ip.size(); ++q) {
    EmulatedPopulation &p = pops[popSlot[q]];
    uint64_t count = counts[2 * q], inUnion = 0;
    p.cores = unsigned(counts[2 * q + 1]);
    for (size_t w = 0; w < (p.neurons + 63) / 64; ++w)
      inUnion += llvm::countPopulation(held[at + w]);
    at += (p.neurons + 63) / 64;
    if (count != p.neurons)
      return loadError("population '" + p.name + "' has " + Twine(p.neurons) +
                       " neurons but its cores hold " + Twine(count));
    if (inUnion != p.neurons)
      return loadError("population '" + p.name +
                       "': cores of two ranks "
                       "hold the same neuron");
  }
  return Error::success();
}

Error Emulator::Impl::prepareNeuronCores() {
  // The kernel reads native aligned words; the image stores them
  // little-endian. Every local core's section is copied into one array in
  // core order (huge pages where the host offers them): the tick loop
  // visits every core's population table and matrix each tick, and on
  // the image file's 4 KB pages those visits missed the TLB.
  uint64_t words = 0;
  for (CoreInfo &ci : cores)
    if (ci.local)
      words += ci.img->section.size() / 4;
  if (!sections.allocate(words))
    return loadError("out of memory for the core sections (" +
                     Twine(words * 4) + " bytes)");
  uint64_t at = 0;
  for (CoreInfo &ci : cores) {
    const ImageCore &ic = *ci.img;
    if (!ci.local)
      continue;
    if (!ic.isInput()) {
      ci.searchSteps = ceilLog2(uint64_t(ic.popTable.size()) + 1);
      ci.matrixWords = uint32_t(ic.matrix.size() / 4);
    }
    ci.sectionWords = uint32_t(ic.section.size() / 4);
    uint32_t *to = sections.begin() + at;
    if (sys::IsLittleEndianHost)
      std::memcpy(to, ic.section.data(), size_t(ci.sectionWords) * 4);
    else
      for (uint32_t w = 0; w < ci.sectionWords; ++w)
        to[w] = support::endian::read32le(ic.section.data() + 4 * w);
    ci.section = to;
    at += ci.sectionWords;
  }
  return Error::success();
}

Error Emulator::Impl::buildRoutes(unsigned threads) {
  std::vector<std::string> errors(cores.size());
  forEachTask(cores.size(), threads, [&](size_t i) {
    CoreInfo &ci = cores[i];
    const ImageCore &ic = *ci.img;
    if (!ci.local || !ic.hasKey || ic.numNeurons == 0)
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
  for (CoreInfo &c : cores)
    c.numLeaves = uint32_t(c.leaves.size());
  // Receivers: per destination, its (sender, block) pairs in image order.
  // In a distributed run, those of another rank's destination go to that
  // rank as (destination, sender, block, times, the sender's blocks), and
  // each sender block keeps the set of other ranks it reaches.
  const unsigned ranks = dist ? dist->ranks() : 1;
  std::vector<std::vector<uint32_t>> remote(ranks);
  if (dist) {
    rankWords = (ranks + 63) / 64;
    sendTo.assign(ranks, {});
  }
  for (uint32_t s = 0; s < cores.size(); ++s) {
    CoreInfo &sc = cores[s];
    if (dist)
      sc.leafReach.assign(uint64_t(sc.numLeaves) * rankWords, 0);
    for (uint32_t l = 0; l < sc.numLeaves; ++l) {
      std::map<uint32_t, uint32_t> times;
      for (uint32_t d : sc.leaves[l].dests)
        ++times[d];
      for (auto [d, k] : times) {
        if (cores[d].local) {
          cores[d].incoming.push_back({s, l, k});
          continue;
        }
        unsigned q = dist->rankOfChip[cores[d].chip];
        remote[q].insert(remote[q].end(), {d, s, l, k, sc.numLeaves});
        sc.leafReach[uint64_t(l) * rankWords + q / 64] |= uint64_t(1)
                                                          << (q % 64);
        if (sendTo[q].empty() || sendTo[q].back() != s)
          sendTo[q].push_back(s);
      }
    }
  }
  if (dist) {
    std::vector<std::vector<uint32_t>> got = dist->comm->exchange(remote);
    for (const std::vector<uint32_t> &g : got)
      for (size_t i = 0; i + 5 <= g.size(); i += 5) {
        cores[g[i]].incoming.push_back({g[i + 1], g[i + 2], g[i + 3]});
        cores[g[i + 1]].numLeaves = g[i + 4];
        remoteSenders.push_back(g[i + 1]);
      }
    llvm::sort(remoteSenders);
    remoteSenders.erase(std::unique(remoteSenders.begin(), remoteSenders.end()),
                        remoteSenders.end());
    // In image order, as a single process has them.
    for (CoreInfo &c : cores)
      llvm::sort(c.incoming, [](const Incoming &a, const Incoming &b) {
        return std::tie(a.sender, a.leaf) < std::tie(b.sender, b.leaf);
      });
  }
  for (CoreInfo &c : cores)
    for (uint32_t i = 0, size = uint32_t(c.incoming.size()); i < size;) {
      SenderEntries se;
      se.sender = c.incoming[i].sender;
      se.first = i;
      while (i < size && c.incoming[i].sender == se.sender)
        ++i;
      se.bitsAt = uint32_t(c.leafBits.size());
      size_t words = (cores[se.sender].numLeaves + 63) / 64;
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
                                                   unsigned threads,
                                                   const Distribution *dist) {
  std::unique_ptr<Emulator> em(new Emulator());
  Impl &s = *em->impl;
  s.image = &image;
  s.machine = &machine;
  s.machineName = machineName.str();
  s.dist = dist && dist->ranks() > 1 ? dist : nullptr;
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
