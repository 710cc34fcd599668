//===- EmulatorResults.cpp - What a run's cores leave behind --------------===//
//
// The parts of Emulator::run around the ticks' computation: the keys a
// distributed run's ranks exchange after each tick's sending, and after the
// run the recordings, the host's read-back of learned weights and the
// statistics (the routers' and the cores' counters), gathered on rank 0 in
// a distributed run (docs/distributed.md).
//
//===----------------------------------------------------------------------===//
#include "CoreRuns.h"
#include "scnc/Runtime/Distributed.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <cstring>
#include <map>
#include <type_traits>

using namespace scnc;
using namespace scnc::emulator;
using namespace llvm;

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
  for (uint32_t s : em.remoteSenders) {
    CoreRun::Sent &sent = run[s].sent[parity];
    if (cores[s].numLeaves > 1)
      sent.groupStart.push_back(uint32_t(sent.keys.size()));
    sentCount[parity][s] = uint32_t(sent.keys.size());
  }
}

namespace {
/// Sorts \p window, spikes (tick << 32 | neuron) of ticks [t0, t0 +
/// perTick.size()) with perTick[k] of tick t0 + k and neurons below
/// \p neurons, as std::sort would: by tick (a counting pass), then a tick
/// with many spikes through a bitmap of the population (one bit per neuron,
/// read back in order) and one with few by std::sort. xl's recording (75 M
/// spikes, a fifth of its neurons every tick) sorted in 23% of the run's
/// time with std::sort alone.
void sortWindow(std::vector<uint64_t> &window, const uint64_t *perTick,
                uint32_t ticks, uint32_t t0, uint64_t neurons,
                std::vector<uint64_t> &scratch, std::vector<uint64_t> &bits) {
  const uint64_t words = (neurons + 63) / 64;
  if (ticks == 1 && window.size() * 16 < words) {
    std::sort(window.begin(), window.end());
    return;
  }
  std::vector<size_t> start(ticks + 1, 0);
  for (uint32_t k = 0; k < ticks; ++k)
    start[k + 1] = start[k] + perTick[k];
  scratch.resize(window.size());
  {
    std::vector<size_t> at(start.begin(), start.end() - 1);
    for (uint64_t v : window)
      scratch[at[uint32_t(v >> 32) - t0]++] = v;
  }
  for (uint32_t k = 0; k < ticks; ++k) {
    uint64_t *b = scratch.data() + start[k], *e = scratch.data() + start[k + 1];
    if (uint64_t(e - b) * 16 < words) {
      std::sort(b, e);
      continue;
    }
    bits.assign(words, 0);
    for (uint64_t *p = b; p < e; ++p)
      bits[uint32_t(*p) / 64] |= uint64_t(1) << (uint32_t(*p) % 64);
    const uint64_t tick = uint64_t(t0 + k) << 32;
    for (uint64_t w = 0; w < words; ++w)
      for (uint64_t x = bits[w]; x; x &= x - 1)
        *b++ = tick | (w * 64 + uint64_t(__builtin_ctzll(x)));
  }
  window.swap(scratch);
}
} // namespace

void CoreRuns::collect(Recording &rec, uint32_t numTicks, uint64_t recordWindow,
                       SpikeSink *sink) const {
  // Spikes go into the recording a window of ticks at a time, a window
  // holding at most recordWindow spikes (or one tick): every core's spikes of
  // the window, sorted, appended. A distributed run first sums the spikes
  // per tick over the ranks (so every rank cuts the same windows) and
  // gathers each window's on rank 0, which alone keeps the recording or,
  // with a sink, passes each window on: then no process ever holds more
  // than a window of spikes besides its cores' own records.
  const bool root = !em.dist || em.dist->rank() == 0;
  std::vector<uint32_t> popCores, packed;
  std::vector<uint64_t> perTick(numTicks), window, scratch, bits;
  std::vector<Spike> part;
  std::vector<size_t> at, rowAt;
  for (size_t k = 0; k < em.pops.size(); ++k) {
    popCores.clear();
    for (uint32_t i = 0; i < cores.size(); ++i)
      if (cores[i].popSlot == int(k))
        popCores.push_back(i);
    std::fill(perTick.begin(), perTick.end(), 0);
    for (uint32_t i : popCores) {
      const CoreRun &r = run[i];
      for (uint64_t v : r.spikes)
        ++perTick[v >> 32];
      const size_t words = (cores[i].img->numNeurons + 31) / 32;
      for (size_t j = 0; j < r.bitmapTicks.size(); ++j)
        for (size_t w = 0; w < words; ++w)
          perTick[r.bitmapTicks[j]] +=
              uint32_t(__builtin_popcount(r.bitmaps[j * words + w]));
    }
    if (em.dist)
      em.dist->comm->sum(perTick);
    PopulationRecording &pr = rec.populations[k];
    std::vector<Spike> &out = sink ? part : pr.spikes;
    if (root) {
      uint64_t total = 0;
      for (uint64_t n : perTick)
        total += n;
      if (sink) {
        sink->begin(unsigned(k), total);
        pr.streamedSpikes = total;
      } else {
        out.reserve(total);
      }
    }
    at.assign(popCores.size(), 0);
    rowAt.assign(popCores.size(), 0);
    for (uint32_t t0 = 0; t0 < numTicks;) {
      uint32_t t1 = t0;
      uint64_t n = 0;
      do
        n += perTick[t1++];
      while (t1 < numTicks && n + perTick[t1] <= recordWindow);
      // Every rank knows n: an empty window needs no gathering.
      if (!n) {
        t0 = t1;
        continue;
      }
      window.clear();
      for (size_t c = 0; c < popCores.size(); ++c) {
        const uint32_t i = popCores[c];
        const CoreRun &r = run[i];
        for (; at[c] < r.spikes.size() && (r.spikes[at[c]] >> 32) < t1; ++at[c])
          window.push_back(r.spikes[at[c]]);
        const uint32_t *ids = cores[i].img->neuronIds.data();
        const size_t words = (cores[i].img->numNeurons + 31) / 32;
        for (size_t &j = rowAt[c];
             j < r.bitmapTicks.size() && r.bitmapTicks[j] < t1; ++j) {
          const uint32_t *bits = r.bitmaps.data() + j * words;
          for (size_t w = 0; w < words; ++w)
            for (uint32_t b = bits[w]; b; b &= b - 1)
              window.push_back(uint64_t(r.bitmapTicks[j]) << 32 |
                               ids[w * 32 + uint32_t(__builtin_ctz(b))]);
        }
      }
      if (em.dist) {
        packed.clear();
        for (uint64_t v : window)
          packed.insert(packed.end(), {uint32_t(v >> 32), uint32_t(v)});
        std::vector<uint32_t> all = em.dist->comm->gatherToRoot(packed);
        window.clear();
        for (size_t w = 0; w + 1 < all.size(); w += 2)
          window.push_back(uint64_t(all[w]) << 32 | all[w + 1]);
      }
      if (root) {
        if (sortSpikes)
          sortWindow(window, perTick.data() + t0, t1 - t0, t0, pr.neurons,
                     scratch, bits);
        if (sink)
          part.clear();
        for (uint64_t v : window)
          out.push_back({uint32_t(v >> 32), uint32_t(v)});
        if (sink)
          sink->write(part);
      }
      t0 = t1;
    }
  }
  uint64_t counts[2] = {neuronUpdatesPerTick * numTicks, 0};
  for (const kernel::NeuronCore &k : neuron)
    counts[1] += k.counters.synapticEvents;
  if (em.dist) {
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

/// Calls \p fn(image core, kernel) for every plastic core that learned,
/// after flushing its deferred potentiation into its rows
/// (kernel::neuronCoreFlushPlastic, as the board program does at the end;
/// flushing twice changes nothing).
template <typename Fn> void CoreRuns::forEachFlushedPlasticCore(Fn fn) {
  for (uint32_t i = 0; i < cores.size(); ++i) {
    const ImageCore &ic = *cores[i].img;
    if (run[i].neuron < 0 || !(ic.flags & image::SystemPlastic))
      continue;
    kernel::NeuronCore &k = neuron[run[i].neuron];
    if (k.history && kernel::neuronCoreFlushPlastic(k))
      fn(ic, k);
  }
}

/// The host's read-back of every plastic core's rows, as a board's host
/// reads them: each core's rows flushed, then the shared decoder reads the
/// weights (learnedFromMatrices).
void CoreRuns::readBackWeights(const ImageReader &img,
                               LearnedSynapseSet &learned) {
  std::map<const ImageCore *, const uint32_t *> matrices;
  forEachFlushedPlasticCore(
      [&](const ImageCore &ic, const kernel::NeuronCore &k) {
        matrices[&ic] = k.matrix;
      });
  learned = learnedFromMatrices(img, [&](const ImageCore &c) {
    auto it = matrices.find(&c);
    return it == matrices.end() ? nullptr : it->second;
  });
}

/// The plastic matrix of each plastic core, by image core, flushed as the
/// board program leaves it.
void CoreRuns::plasticMatrices(
    std::vector<std::pair<const ImageCore *, std::vector<uint32_t>>> &out) {
  forEachFlushedPlasticCore([&](const ImageCore &ic,
                                const kernel::NeuronCore &k) {
    out.push_back(
        {&ic, std::vector<uint32_t>(k.plasticMatrix,
                                    k.plasticMatrix + ic.matrix.size() / 4)});
  });
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
      c.emptyRows = k.emptyRows;
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
