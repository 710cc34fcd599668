//===- Kernel.cpp - The per-core kernel -----------------------------------===//
//
// Integer fixed point only: this translation unit is also built with
// -mgeneral-regs-only (unittests/Runtime), where any floating point fails
// the build. No allocation, no library calls, no exceptions.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"
#include "kernel/Regions.h"
#include "kernel/Resources.h"

using namespace scnc;
using namespace scnc::kernel;

namespace {

constexpr uint64_t align8(uint64_t bytes) { return (bytes + 7) & ~uint64_t(7); }

/// Carves consecutive 8-byte aligned arrays out of a block.
class Carver {
public:
  Carver(void *memory, uint64_t bytes)
      : at(static_cast<uint8_t *>(memory)), left(bytes) {}
  template <typename T> T *take(uint64_t count) {
    uint64_t bytes = align8(count * sizeof(T));
    if (bytes > left) {
      ok = false;
      return nullptr;
    }
    T *p = reinterpret_cast<T *>(at);
    at += bytes;
    left -= bytes;
    return p;
  }
  bool ok = true;

private:
  uint8_t *at;
  uint64_t left;
};

/// The field widths and counts that size the core's memory.
bool validShape(const NeuronCoreConfig &c) {
  return c.delayBits >= 1 && c.indexBits >= 1 &&
         c.delayBits + 1 + c.indexBits <= 16 &&
         uint64_t(c.numNeurons) <= (uint64_t(1) << c.indexBits) &&
         c.leftShift[0] <= MaxRingBufferLeftShift &&
         c.leftShift[1] <= MaxRingBufferLeftShift &&
         (c.popTableSize == 0 || c.popTable);
}

/// The shape and every table the core reads.
bool validConfig(const NeuronCoreConfig &c) {
  if (!validShape(c))
    return false;
  if (c.paramIndex &&
      (c.numParamSets == 0 || !c.paramSets || c.params.model == 0))
    return false;
  if (c.plastic &&
      ((c.lenPlus && !c.decayPlus) || (c.lenMinus && !c.decayMinus) ||
       (c.matrixWords && (!c.matrix || !c.plasticMatrix))))
    return false;
  return true;
}

uint64_t ringEntries(const NeuronCoreConfig &c) {
  return uint64_t(1) << (c.delayBits + 1 + c.indexBits);
}

uint32_t bitWords(uint32_t neurons) { return (neurons + 31) / 32; }

/// Adds one synaptic word's weight into its ring-buffer slot, saturating.
inline void addSynapse(RingSlot *ring, uint32_t ringIndexMask, uint32_t tOff,
                       uint32_t control, uint32_t weight) {
  RingSlot &slot = ring[(control + tOff) & ringIndexMask];
  slot = addSatU16(ringSlotValue(slot), uint16_t(weight));
}

/// The fixed synapses' add: on the host's wide ring without saturating
/// (Kernel.h, RingSlot), on the ARM968 addSynapse.
inline void addFixedSynapse(RingSlot *ring, uint32_t ringIndexMask,
                            uint32_t tOff, uint32_t word) {
#ifdef SCNC_KERNEL_WIDE_RING
  ring[(word + tOff) & ringIndexMask] += wordWeight(word);
#else
  addSynapse(ring, ringIndexMask, tOff, word, wordWeight(word));
#endif
}

} // namespace

uint64_t kernel::neuronCoreMemoryBytes(const NeuronCoreConfig &c) {
  if (!validConfig(c))
    return 0;
  // (The resources' count is the ARM968's, with 16-bit ring slots.)
  return resources::neuronCoreArrays(c.numNeurons, c.delayBits, c.indexBits,
                                     c.plastic, c.recordVoltage,
                                     c.paramIndex ? c.numParamSets : 0)
             .total() +
         align8(ringEntries(c) * sizeof(RingSlot)) -
         align8(ringEntries(c) * sizeof(uint16_t));
}

uint64_t kernel::neuronCoreArenaBytes(const NeuronCoreConfig &c) {
  if (!validShape(c))
    return 0;
  uint64_t maxRow = 0;
  for (uint32_t e = 0; e < c.popTableSize; ++e)
    if (c.popTable[e].rowStride > maxRow)
      maxRow = c.popTable[e].rowStride;
  return resources::neuronCoreArena(
             c.popTableSize, maxRow, c.plastic ? c.lenPlus : 0,
             c.plastic ? c.lenMinus : 0,
             resources::neuronCoreArrays(c.numNeurons, c.delayBits, c.indexBits,
                                         c.plastic, c.recordVoltage,
                                         c.paramIndex ? c.numParamSets : 0))
      .total();
}

bool kernel::neuronCoreInit(NeuronCore &core, const NeuronCoreConfig &cfg,
                            void *memory, uint64_t bytes) {
  if (!validConfig(cfg))
    return false;
  core = NeuronCore();
  core.cfg = cfg;
  Carver carve(memory, bytes);
  uint32_t n = cfg.numNeurons;
  core.state = carve.take<NeuronFixedState>(n);
  core.quiet = carve.take<uint8_t>(n);
  core.ring = carve.take<RingSlot>(ringEntries(cfg));
  core.outKeys = carve.take<uint32_t>(n);
  core.spikeWords = bitWords(n);
  core.spikeBits = carve.take<uint32_t>(core.spikeWords);
  if (cfg.recordVoltage)
    core.voltage = carve.take<int32_t>(n);
  if (cfg.plastic)
    core.history = carve.take<stdp::PostHistory>(n);
  NeuronFixedParams *sets = nullptr;
  uint16_t *index = nullptr;
  if (cfg.paramIndex) {
    sets = carve.take<NeuronFixedParams>(cfg.numParamSets);
    index = carve.take<uint16_t>(n);
  }
  if (!carve.ok)
    return false;
  if (cfg.paramIndex) {
    // Every set of the core's one model (the tick chooses the step once),
    // every index in range; then the core's configuration points at its
    // own copies.
    const uint32_t *words = static_cast<const uint32_t *>(cfg.paramSets);
    for (uint32_t k = 0; k < cfg.numParamSets; ++k)
      if (!decodeNeuronParams(words + k * kNeuronParamWordsNir, true,
                              sets[k]) ||
          sets[k].model != cfg.params.model)
        return false;
    for (uint32_t i = 0; i < n; ++i) {
      if (cfg.paramIndex[i] >= cfg.numParamSets)
        return false;
      index[i] = cfg.paramIndex[i];
    }
    core.cfg.paramSets = sets;
    core.cfg.paramIndex = index;
  }
  core.matrix = cfg.matrix;
  if (cfg.plastic) {
    // The core's SDRAM copy of its rows: the kernel writes the learned
    // weights and the rows' pre-synaptic state into it.
    core.plasticMatrix = cfg.plasticMatrix;
    core.matrix = core.plasticMatrix;
    core.rule = stdp::makeRule(cfg.multiplicative, cfg.aPlus, cfg.aMinus,
                               cfg.wMin, cfg.wMax, cfg.decayPlus, cfg.lenPlus,
                               cfg.decayMinus, cfg.lenMinus);
    for (uint32_t i = 0; i < n; ++i)
      core.history[i].count = 0;
  }
  core.ringIndexMask = uint32_t(ringEntries(cfg) - 1);
  for (uint32_t i = 0; i < n; ++i) {
    core.state[i] = cfg.initialState ? cfg.initialState[i]
                    : core.cfg.paramIndex
                        ? initialState(neuronParamsOf(core, i))
                        : initialState(cfg.params);
    core.quiet[i] = 0;
    core.outKeys[i] = 0;
    if (core.voltage)
      core.voltage[i] = core.state[i].v.bits;
  }
  for (uint64_t i = 0, e = ringEntries(cfg); i < e; ++i)
    core.ring[i] = 0;
  for (uint32_t w = 0; w < core.spikeWords; ++w)
    core.spikeBits[w] = 0;
  return true;
}

kernel::NeuronTick kernel::beginNeuronTick(NeuronCore &core, uint32_t tick) {
  const NeuronCoreConfig &cfg = core.cfg;
  uint32_t slot = tick & ((uint32_t(1) << cfg.delayBits) - 1);
  NeuronTick t;
  t.core = &core;
  t.tick = tick;
  t.rbE = core.ring + (slot << (cfg.indexBits + 1));
  t.rbI = t.rbE + (uint32_t(1) << cfg.indexBits);
  for (uint32_t w = 0; w < core.spikeWords; ++w)
    core.spikeBits[w] = 0;
  return t;
}

void kernel::endNeuronTick(const NeuronTick &t) {
  NeuronCore &core = *t.core;
  core.numOut = t.out;
  core.counters.spikes += t.spikes;
  core.counters.tickUpdated = t.updated;
  core.counters.tickSpikes = t.spikes;
  core.counters.tickPackets = 0;
  core.counters.tickEvents = 0;
  core.counters.tickSearches = 0;
}

namespace {
/// A NIR model's loop: each neuron with its own set on a core with
/// per-neuron parameters.
template <NeuronStepFn Step> void neuronLoop(NeuronTick &t, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    neuronStepWith<Step, true>(t, i);
}

/// lifIntegrate as a NeuronStepFn: no neuron fires in the loop.
inline void lifIntegrateStep(NeuronFixedState &s, const NeuronFixedParams &p,
                             Accum excitatoryInput, Accum inhibitoryInput,
                             bool &spiked) {
  lifIntegrate(s, p, excitatoryInput, inhibitoryInput);
  spiked = false;
}

/// A tick of a core whose neurons compete (cfg.winnersPerTick, IF_curr_exp):
/// every neuron integrates, then the winners (pickWinners, marked in this
/// tick's spike bits) fire in index order, recorded as neuronStepWith
/// records a spike.
void winnersTick(NeuronTick &t, uint32_t n) {
  NeuronCore &core = *t.core;
  const NeuronCoreConfig &cfg = core.cfg;
  for (uint32_t i = 0; i < n; ++i)
    neuronStepWith<lifIntegrateStep>(t, i);
  pickWinners(
      core.state, n, cfg.winnersPerTick,
      [&](uint32_t) { return cfg.params.vThresh; },
      [&](uint32_t i) { return core.spikeBits[i >> 5] >> (i & 31) & 1; },
      [&](uint32_t i) { core.spikeBits[i >> 5] |= uint32_t(1) << (i & 31); });
  for (uint32_t i = 0; i < n; ++i) {
    if (!(core.spikeBits[i >> 5] >> (i & 31) & 1))
      continue;
    lifFire(core.state[i], cfg.params);
    core.quiet[i] = 0;
    if (core.voltage)
      core.voltage[i] = core.state[i].v.bits;
    if (cfg.hasKey)
      core.outKeys[t.out++] = cfg.key | i;
    ++t.spikes;
    if (core.history)
      core.history[i].record(t.tick, core.rule);
  }
}
} // namespace

void kernel::neuronCoreTick(NeuronCore &core, uint32_t tick) {
  NeuronTick t = beginNeuronTick(core, tick);
  const uint32_t n = core.cfg.numNeurons;
  if (core.cfg.winnersPerTick) {
    winnersTick(t, n);
    endNeuronTick(t);
    return;
  }
  // One model per core: chosen here, once per tick.
  switch (core.cfg.params.model) {
  case NeuronModelIf:
    neuronLoop<ifStep>(t, n);
    break;
  case NeuronModelLif:
    neuronLoop<nirLifStep>(t, n);
    break;
  case NeuronModelCubaLif:
    neuronLoop<cubaLifStep>(t, n);
    break;
  default:
    for (uint32_t i = 0; i < n; ++i)
      neuronStep(t, i);
  }
  endNeuronTick(t);
}

int32_t kernel::popTableFind(const PopEntry *table, uint32_t size,
                             uint32_t key) {
  if (size == 0)
    return -1;
  // The last entry whose key is <= key (branch-free halving): entries are
  // sorted and each key space lies in [key, key | ~mask], these intervals
  // disjoint, so no other entry can hold the key.
  uint32_t lo = 0, len = size;
  while (len > 1) {
    uint32_t half = len / 2;
    lo = table[lo + half].key <= key ? lo + half : lo;
    len -= half;
  }
  const PopEntry &e = table[lo];
  return (key & e.mask) == e.key ? int32_t(lo) : -1;
}

namespace {
/// The row a packet's key selects: its word offset and the entry's row
/// stride; false (counted) when the key matches no population-table entry
/// or lies past the entry's rows.
inline bool findRow(NeuronCore &core, uint32_t key, uint32_t &offset,
                    uint32_t &stride, uint32_t &unmatched, uint32_t &invalid) {
  const NeuronCoreConfig &cfg = core.cfg;
  const PopEntry *table = cfg.popTable;
  uint32_t last = core.lastEntry;
  if (last >= cfg.popTableSize || (key & table[last].mask) != table[last].key) {
    ++core.counters.tickSearches;
    int32_t found = popTableFind(table, cfg.popTableSize, key);
    if (found < 0) {
      ++unmatched;
      return false;
    }
    last = uint32_t(found);
    core.lastEntry = last;
  }
  const PopEntry &e = table[last];
  uint32_t local = key & ~e.mask;
  if (local >= e.numRows) {
    ++invalid;
    return false;
  }
  stride = e.rowStride;
  offset = e.rowOffset + local * e.rowStride;
  return true;
}

/// Rows are looked up this many packets ahead of the one being processed,
/// and their words (up to the entry's row stride) fetched early: on the
/// machine the DMA of the next row runs while the current one is
/// processed; here the host's caches are warmed the same way.
constexpr uint32_t kLookahead = 4;
constexpr uint32_t kPrefetchWords = 512;

inline void prefetchRow(const uint32_t *row, uint32_t stride) {
  if (stride > kPrefetchWords)
    stride = kPrefetchWords;
  for (uint32_t w = 0; w < stride; w += 16) // 64-byte lines
    __builtin_prefetch(row + w);
}

/// The plastic part of a row on a plastic core (docs/execution.md): each
/// synapse's weight updated by the rule, written into \p out (the row, or
/// its copy) and added to the ring buffer; then the row's pre trace and
/// last pre tick.
inline void processPlastic(NeuronCore &core, const uint32_t *row, uint32_t *out,
                           uint32_t nPlastic, uint32_t tick, uint32_t tOff) {
  const stdp::Rule &rule = core.rule;
  const uint32_t indexMask = (uint32_t(1) << core.cfg.indexBits) - 1;
  uint32_t lastPre = row[kRowLastPreWord];
  int32_t preTrace = int32_t(row[kRowPreTraceWord] & 0xFFFF);
  bool hasPre = preTrace != 0; // 0 until the first pre-synaptic spike
  const uint32_t *weights = row + kRowPlasticWeightsWord;
  const uint32_t *controls = weights + halfWordWords(nPlastic);
  uint32_t *outWeights = out + kRowPlasticWeightsWord;
  for (uint32_t s = 0; s < nPlastic; ++s) {
    uint32_t control = halfWord(controls, s);
    uint16_t old = uint16_t(halfWord(weights, s));
    uint16_t w = stdp::onPreSpike(old, tick, hasPre, lastPre, preTrace,
                                  core.history[control & indexMask], rule);
    setHalfWord(outWeights, s, w);
    addSynapse(core.ring, core.ringIndexMask, tOff, control, w);
  }
  out[kRowPreTraceWord] =
      uint32_t(hasPre ? stdp::bumpTrace(preTrace, tick - lastPre,
                                        rule.decayPlus, rule.lenPlus)
                      : stdp::kTraceOne);
  out[kRowLastPreWord] = tick;
}

/// One row's synapses into the ring buffers; its event count.
/// \p hostRow: the row's number for core.hostRows (~0u: none).
inline uint32_t processRow(NeuronCore &core, uint32_t tick, const uint32_t *row,
                           uint32_t *plasticOut, bool &wrote,
                           uint32_t hostRow = ~uint32_t(0)) {
  RingSlot *ring = core.ring;
  const uint32_t ringIndexMask = core.ringIndexMask;
  // Adding t << (indexBits + 1) to a synaptic word's low 16 bits adds t to
  // its delay field; masking keeps the slot mod R, the type and the target.
  const uint32_t tOff = tick << (core.cfg.indexBits + 1);
  uint32_t nFixed = row[kRowFixedCountWord],
           nPlastic = row[kRowPlasticCountWord];
  const uint32_t *w = row + kRowHeaderWords;
  wrote = false;
  if (nPlastic) {
    // Plastic part: header, then 16-bit weights and 16-bit controls.
    const uint32_t *weights = row + kRowPlasticWeightsWord;
    const uint32_t *controls = weights + halfWordWords(nPlastic);
    if (core.plasticMatrix && plasticOut) {
      processPlastic(core, row, plasticOut, nPlastic, tick, tOff);
      wrote = true;
    } else {
      // A core without the plastic flag: static synapses.
      for (uint32_t s = 0; s < nPlastic; ++s)
        addSynapse(ring, ringIndexMask, tOff, halfWord(controls, s),
                   halfWord(weights, s));
    }
    w = controls + halfWordWords(nPlastic);
  }
  // Four words at a time (in order: two words may address one slot), by
  // pointer (an index recomputed each address cost an instruction a word).
  const uint32_t *end = w + nFixed;
  while (w < end) {
    const uint32_t *chunk = end;
#ifdef SCNC_KERNEL_WIDE_RING
    // At most kWideRingAdds unsaturated adds between clamps (Kernel.h).
    if (uint64_t(end - w) > kWideRingAdds)
      chunk = w + kWideRingAdds;
    uint32_t adds = uint32_t(chunk - w);
    if (core.unclampedAdds + uint64_t(adds) > kWideRingAdds) {
      for (uint32_t i = 0; i <= ringIndexMask; ++i)
        ring[i] = ringSlotValue(ring[i]);
      core.unclampedAdds = 0;
    }
    core.unclampedAdds += adds;
    // The host's plan for the whole row, where it has one (HostRows.cpp).
    if (hostRow != ~uint32_t(0) && adds == nFixed &&
        core.hostRows->add(*core.hostRows, ring, ringIndexMask, tOff, hostRow,
                           w, adds))
      break;
#else
    (void)hostRow;
#endif
    for (; chunk - w >= 4; w += 4) {
      uint32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
      addFixedSynapse(ring, ringIndexMask, tOff, w0);
      addFixedSynapse(ring, ringIndexMask, tOff, w1);
      addFixedSynapse(ring, ringIndexMask, tOff, w2);
      addFixedSynapse(ring, ringIndexMask, tOff, w3);
    }
    for (; w < chunk; ++w)
      addFixedSynapse(ring, ringIndexMask, tOff, *w);
  }
  return nFixed + nPlastic;
}
} // namespace

bool kernel::neuronCoreFindRow(NeuronCore &core, uint32_t key, uint32_t &offset,
                               uint32_t &words) {
  uint32_t unmatched = 0, invalid = 0;
  bool found = findRow(core, key, offset, words, unmatched, invalid);
  ++core.counters.packets;
  ++core.counters.tickPackets;
  core.counters.unmatchedPackets += unmatched;
  core.counters.invalidRows += invalid;
  return found;
}

bool kernel::neuronCoreProcessRow(NeuronCore &core, uint32_t tick,
                                  const uint32_t *row, uint32_t *plasticOut) {
  bool wrote;
  uint32_t events = processRow(core, tick, row, plasticOut, wrote);
  core.counters.emptyRows += events == 0;
  core.counters.synapticEvents += events;
  core.counters.tickEvents += events;
  return wrote;
}

void kernel::neuronCoreReceive(NeuronCore &core, uint32_t tick,
                               const uint32_t *keys, uint32_t n) {
  uint32_t events = 0, unmatched = 0, invalid = 0, empty = 0;
  // Row offsets looked up kLookahead packets ahead (~0u: no row), and the
  // rows' numbers for the host's plans (~0u: none).
  uint32_t ahead[kLookahead], aheadRow[kLookahead];
  uint32_t fetched = 0, stride = 0, offset = 0;
  auto lookup = [&](uint32_t key, uint32_t &hostRow) {
    hostRow = ~uint32_t(0);
    if (!findRow(core, key, offset, stride, unmatched, invalid))
      return ~uint32_t(0);
    prefetchRow(core.matrix + offset, stride);
#ifdef SCNC_KERNEL_WIDE_RING
    if (core.hostRows) {
      const PopEntry &e = core.cfg.popTable[core.lastEntry];
      hostRow = core.hostRows->firstRow[core.lastEntry] + (key & ~e.mask);
    }
#endif
    return offset;
  };
  for (; fetched < kLookahead && fetched < n; ++fetched)
    ahead[fetched] = lookup(keys[fetched], aheadRow[fetched]);
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t at = ahead[k % kLookahead], hostRow = aheadRow[k % kLookahead];
    if (fetched < n) {
      ahead[fetched % kLookahead] =
          lookup(keys[fetched], aheadRow[fetched % kLookahead]);
      ++fetched;
    }
    if (at == ~uint32_t(0))
      continue;
    bool wrote;
    uint32_t e = processRow(
        core, tick, core.matrix + at,
        core.plasticMatrix ? core.plasticMatrix + at : nullptr, wrote, hostRow);
    events += e;
    empty += e == 0;
  }
  core.counters.packets += n;
  core.counters.tickPackets += n;
  core.counters.synapticEvents += events;
  core.counters.tickEvents += events;
  core.counters.unmatchedPackets += unmatched;
  core.counters.invalidRows += invalid;
  core.counters.emptyRows += empty;
}

uint16_t kernel::neuronCorePlasticWeight(const NeuronCore &core,
                                         uint32_t rowOffset, uint32_t s,
                                         uint32_t &control) {
  const uint32_t *row = core.matrix + rowOffset;
  uint32_t nPlastic = row[kRowPlasticCountWord];
  const uint32_t *weights = row + kRowPlasticWeightsWord;
  const uint32_t *controls = weights + halfWordWords(nPlastic);
  control = halfWord(controls, s);
  uint16_t w = uint16_t(halfWord(weights, s));
  int32_t preTrace = int32_t(row[kRowPreTraceWord] & 0xFFFF);
  if (!core.history || preTrace == 0)
    return w; // not learning, or no pre-synaptic spike yet: nothing deferred
  uint32_t target = controlTarget(control, core.cfg.indexBits);
  return stdp::flush(w, row[kRowLastPreWord], preTrace, core.history[target],
                     core.rule);
}

bool kernel::neuronCoreFlushPlastic(NeuronCore &core) {
  if (!core.plasticMatrix)
    return false;
  for (uint32_t e = 0; e < core.cfg.popTableSize; ++e) {
    const PopEntry &pe = core.cfg.popTable[e];
    for (uint32_t r = 0; r < pe.numRows; ++r) {
      uint32_t offset = pe.rowOffset + r * pe.rowStride;
      uint32_t *row = core.plasticMatrix + offset;
      uint32_t nPlastic = row[kRowPlasticCountWord];
      if (!nPlastic)
        continue;
      uint32_t *weights = row + kRowPlasticWeightsWord;
      for (uint32_t s = 0; s < nPlastic; ++s) {
        uint32_t control;
        setHalfWord(weights, s,
                    neuronCorePlasticWeight(core, offset, s, control));
      }
      row[kRowPreTraceWord] &= ~uint32_t(0xFFFF);
    }
  }
  return true;
}

uint64_t kernel::sourceCoreMemoryBytes(const SourceCoreConfig &cfg) {
  return resources::sourceCoreArrayBytes(cfg.numNeurons);
}

bool kernel::sourceCoreInit(SourceCore &core, const SourceCoreConfig &cfg,
                            void *memory, uint64_t bytes) {
  if (!cfg.start || (cfg.numNeurons && cfg.start[cfg.numNeurons] && !cfg.ticks))
    return false;
  core = SourceCore();
  core.cfg = cfg;
  Carver carve(memory, bytes);
  uint32_t n = cfg.numNeurons;
  core.cursor = carve.take<uint32_t>(n);
  core.outKeys = carve.take<uint32_t>(n);
  core.spikeWords = bitWords(n);
  core.spikeBits = carve.take<uint32_t>(core.spikeWords);
  if (!carve.ok)
    return false;
  for (uint32_t i = 0; i < n; ++i) {
    core.cursor[i] = cfg.start[i];
    core.outKeys[i] = 0;
  }
  for (uint32_t w = 0; w < core.spikeWords; ++w)
    core.spikeBits[w] = 0;
  return true;
}

void kernel::sourceCoreTick(SourceCore &core, uint32_t tick) {
  const SourceCoreConfig &cfg = core.cfg;
  uint32_t *bits = core.spikeBits;
  for (uint32_t w = 0; w < core.spikeWords; ++w)
    bits[w] = 0;
  uint32_t out = 0;
  for (uint32_t i = 0; i < cfg.numNeurons; ++i) {
    uint32_t c = core.cursor[i], end = cfg.start[i + 1];
    while (c < end && cfg.ticks[c] < tick)
      ++c;
    if (c < end && cfg.ticks[c] == tick) {
      ++c;
      bits[i >> 5] |= uint32_t(1) << (i & 31);
      if (cfg.hasKey)
        core.outKeys[out++] = cfg.key | i;
      ++core.spikes;
    }
    core.cursor[i] = c;
  }
  core.numOut = out;
}
