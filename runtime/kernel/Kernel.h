//===- Kernel.h - The per-core kernel of a neuron or input core -*- C++ -*-===//
//
// What one SpiNNaker application core runs, the same code for every core of
// a kind (docs/runtime.md, "The kernel"): a neuron core (IF_curr_exp with
// exponential synapses, sPyNNaker's structure, or one of NIR's IF, LIF and
// CubaLIF, one model per core) and a spike-source core.
//
// Written for a core without an FPU or an operating system: integer fixed
// point only (kernel/FixedPoint.h), no heap (a core's state lives
// in one block of memory its loader hands over at start-up), no exceptions,
// no calls into a host library. The emulator (runtime/Emulator.cpp) runs it
// on the host; unittests build its translation unit with
// -mgeneral-regs-only, so any floating point in it fails the build.
//
// Per timer tick t a neuron core
//   1. updates every neuron: the ring-buffer slot t mod R of each synapse
//      type becomes an input current (ringBufferToAccum with the core's left
//      shift), the slots are cleared, lifStep or the core's NIR model's
//      step (kernel/Lif.h); a neuron that
//      spikes is recorded and, when the core has a key, sends the multicast
//      packet `key | local index` (neuronCoreTick);
//   2. processes every packet delivered in tick t (neuronCoreReceive): the
//      key is looked up in the master population table (sorted by key;
//      binary search for the entry with (key & mask) == entry.key), the row
//      of source neuron `key & ~mask` is read from the synaptic matrix
//      (kernel/Layout.h has the table's and the rows' layout) and
//      each synaptic word's weight is added, saturating, into ring slot
//      (t + delay) mod R of its synapse type and target neuron.
// On a plastic core (images compiled with scncc --plastic) the kernel also
// learns, as docs/execution.md "Plastic projections" defines, with the
// integer functions of kernel/Stdp.h: step 1 records each spike of
// its neurons in the neuron's post-spike history (tick order); in step 2 a
// row with plastic synapses has each plastic weight updated
// (stdp::onPreSpike with the row's last pre-synaptic tick and trace),
// written back into the row and added to the ring buffer, then the row's
// pre trace is bumped and its last pre tick set to t. The row header's
// trace is 0 until the row's first pre-synaptic spike (a trace is at least
// 1.0 = 2048 after one): that is the "no pre spike yet" flag. The kernel
// works on its own copy of the synaptic matrix (the core's SDRAM), which
// the host reads back after a run (neuronCorePlasticWeight).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_KERNEL_H
#define SCNC_RUNTIME_KERNEL_KERNEL_H

#include "kernel/FixedPoint.h"
#include "kernel/Layout.h"
#include "kernel/Lif.h"
#include "kernel/Stdp.h"
#include <cstdint>

namespace scnc {
namespace kernel {

/// The regions of a neuron core, decoded (the loader's view of its SDRAM).
struct NeuronCoreConfig {
  uint32_t numNeurons = 0;
  /// Neuron i sends key | i when it spikes; cores without a key send none.
  bool hasKey = false;
  /// Per-neuron parameters (a NIR model's neuron set with per-neuron
  /// values; docs/image-format.md, neuron-param-index): numParamSets sets
  /// (at most 65,535; DTCM holds far fewer) and per neuron the index of its
  /// set. Given to neuronCoreInit: paramSets points at the sets'
  /// kNeuronParamWordsNir words each (the neuron-params region) and
  /// paramIndex at the neuron-param-index region; in the core's copy of the
  /// configuration, after neuronCoreInit, both point into the core's block
  /// (DTCM on a board): the decoded sets (NeuronFixedParams) and the copied
  /// index. paramIndex null: every neuron runs `params`. (The fields reuse
  /// padding and the core's own words: the board program's static DTCM
  /// did not grow.)
  uint16_t numParamSets = 0;
  uint32_t key = 0;
  NeuronFixedParams params;
  const void *paramSets = nullptr;
  const uint16_t *paramIndex = nullptr;
  /// Each neuron's state at the start (the neuron-state region); null:
  /// initialState(params) for every neuron.
  const NeuronFixedState *initialState = nullptr;
  /// Ring-buffer left shift per synapse type (excitatory, inhibitory).
  uint32_t leftShift[2] = {0, 0};
  /// The synaptic words' field widths (synapticControl, kernel/Layout.h);
  /// ring buffers have 2^delayBits slots.
  uint32_t delayBits = 1, indexBits = 1;
  /// Master population table, sorted by key.
  const PopEntry *popTable = nullptr;
  uint32_t popTableSize = 0;
  /// Synaptic matrix, native 32-bit words (little-endian on the machine).
  const uint32_t *matrix = nullptr;
  uint32_t matrixWords = 0;
  /// Plastic cores: the core's writable copy of the matrix (its SDRAM on a
  /// board; the loader copies `matrix` into it), which the kernel learns
  /// into and the host reads back after a run. May be `matrix` itself.
  uint32_t *plasticMatrix = nullptr;
  /// Record each neuron's membrane voltage every tick.
  bool recordVoltage = false;
  /// Plastic cores: the stdp-params region's values as stored (S16.15
  /// amplitudes and bounds, u0.32 decay tables that must outlive the core);
  /// the kernel rounds the bounds itself (stdp::makeRule).
  bool plastic = false;
  bool multiplicative = false;
  /// At most this many neurons fire in a tick, those with the highest
  /// membrane potential (neuronCoreTick); 0: every neuron that crosses.
  uint32_t winnersPerTick = 0;
  Accum aPlus, aMinus, wMin, wMax;
  const UFract32 *decayPlus = nullptr, *decayMinus = nullptr;
  uint32_t lenPlus = 0, lenMinus = 0;
};

/// One parameter set from its neuron-params words (docs/image-format.md):
/// 12 words (IF_curr_exp) or, with \p nir, 16 (model, flags, bias, 0).
/// False for an unknown NIR model.
inline bool decodeNeuronParams(const uint32_t *p, bool nir,
                               NeuronFixedParams &q) {
  q = NeuronFixedParams();
  q.vRest = Accum::fromBits(int32_t(p[0]));
  q.vReset = Accum::fromBits(int32_t(p[1]));
  q.vThresh = Accum::fromBits(int32_t(p[2]));
  q.vInit = Accum::fromBits(int32_t(p[3]));
  q.iOffset = Accum::fromBits(int32_t(p[4]));
  q.rMembrane = Accum::fromBits(int32_t(p[5]));
  q.expTC = UFract32::fromBits(p[6]);
  q.decayE = UFract32::fromBits(p[7]);
  q.initE = UFract32::fromBits(p[8]);
  q.decayI = UFract32::fromBits(p[9]);
  q.initI = UFract32::fromBits(p[10]);
  q.refracTicks = int32_t(p[11]);
  if (nir) {
    q.model = int32_t(p[12]);
    if (q.model <= NeuronModelIfCurrExp || q.model >= NeuronModelCount)
      return false;
    q.resetSubtract = int32_t(p[13] & 1);
    q.bias = Accum::fromBits(int32_t(p[14]));
  }
  return true;
}

/// What a neuron core counts (sPyNNaker's provenance counters, roughly).
struct NeuronCoreCounters {
  uint64_t packets = 0;          ///< packets received
  uint64_t synapticEvents = 0;   ///< synaptic words processed
  uint64_t unmatchedPackets = 0; ///< keys no population-table entry matches
  uint64_t invalidRows = 0;      ///< keys past the rows of their entry
  /// Packets whose row holds no synapse: their neuron has none on this
  /// core (a block's entry reaches cores some of its neurons do not use).
  uint64_t emptyRows = 0;
  uint64_t spikes = 0; ///< spikes of this core's neurons
  /// This tick's packets, events and population-table searches (packets
  /// that missed the last entry; reset by neuronCoreTick).
  uint32_t tickPackets = 0, tickEvents = 0, tickSearches = 0;
  /// The last neuronCoreTick's updated (not quiet) neurons and spikes.
  uint32_t tickUpdated = 0, tickSpikes = 0;
};

/// A ring-buffer slot. On the ARM968 a slot is 16 bits and every add
/// saturates at 0xFFFF. On the host (the emulator) a slot is 32 bits and
/// synaptic rows add without saturating; a slot is read as min(slot,
/// 0xFFFF). That is the same value: the weights are unsigned, so a chain of
/// saturating adds gives min(sum, 0xFFFF) in any order. The sum cannot wrap:
/// the ring is clamped to 0xFFFF before a slot could have had 65,537 adds
/// (kWideRingAdds) since the last clamp.
#if defined(__arm__)
using RingSlot = uint16_t;
#else
#define SCNC_KERNEL_WIDE_RING 1
using RingSlot = uint32_t;
constexpr uint32_t kWideRingAdds = 65537; // 65,537 x 0xFFFF = 2^32 - 1
#endif
#ifdef SCNC_KERNEL_WIDE_RING
/// The emulator's faster path for static rows (runtime/HostRows.cpp): a
/// row is numbered firstRow[entry] + its index in its population-table
/// entry; add() adds the fixed words of row \p row (\p n of them at
/// \p words, with what the kernel's loop would add) to the ring and
/// returns true, or returns false when it has no plan for the row.
struct HostRows {
  /// The emulator owns its plans through this type.
  virtual ~HostRows() = default;
  const uint32_t *firstRow = nullptr;
  bool (*add)(const HostRows &, RingSlot *ring, uint32_t ringIndexMask,
              uint32_t tOff, uint32_t row, const uint32_t *words,
              uint32_t n) = nullptr;
};
#endif
/// A slot's value as the ARM968's 16-bit slot holds it.
inline uint16_t ringSlotValue(RingSlot v) {
#ifdef SCNC_KERNEL_WIDE_RING
  return uint16_t(v > 0xFFFFu ? 0xFFFFu : v);
#else
  return v;
#endif
}

/// A neuron core: its configuration and state. Every array points into the
/// block given to neuronCoreInit.
struct alignas(64) NeuronCore {
  NeuronCoreConfig cfg;
  NeuronFixedState *state = nullptr;
  /// Per neuron: its last update had no input and changed nothing.
  uint8_t *quiet = nullptr;
  /// Ring buffers: slot s, type y, neuron i at index
  /// (s << (indexBits + 1)) | (y << indexBits) | i, as sPyNNaker lays them
  /// out; a synaptic word's low 16 bits plus (t << (indexBits + 1)), masked
  /// with ringIndexMask, is the index of its slot for tick t + delay.
  RingSlot *ring = nullptr;
  uint32_t ringIndexMask = 0;
#ifdef SCNC_KERNEL_WIDE_RING
  /// Wide ring: unsaturated adds since the ring was last clamped.
  uint32_t unclampedAdds = 0;
  /// Host only (the emulator, runtime/HostRows.cpp): adds a static row's
  /// runs of consecutive targets a vector at a time; null: word by word.
  const struct HostRows *hostRows = nullptr;
#endif
  /// Keys of this tick's spikes (numOut of them; none without a key).
  uint32_t *outKeys = nullptr;
  uint32_t numOut = 0;
  /// This tick's spikes: bit i of word i / 32 (the recording region).
  uint32_t *spikeBits = nullptr;
  uint32_t spikeWords = 0;
  /// This tick's membrane voltages as S16.15 bits (when recorded).
  int32_t *voltage = nullptr;
  /// The population-table entry of the last packet (consecutive packets
  /// mostly come from the same source block).
  uint32_t lastEntry = 0;
  /// The synaptic matrix the rows are read from: cfg.matrix, or on a
  /// plastic core its writable copy cfg.plasticMatrix.
  const uint32_t *matrix = nullptr;
  uint32_t *plasticMatrix = nullptr;
  /// Plastic cores: the rule and per neuron its post-spike history.
  stdp::Rule rule;
  stdp::PostHistory *history = nullptr;
  NeuronCoreCounters counters;
};

/// Bytes of the block a neuron core with \p cfg needs; 0 when the
/// configuration is invalid (field widths, counts).
uint64_t neuronCoreMemoryBytes(const NeuronCoreConfig &cfg);
/// All the DTCM the core program (runtime/arm/App.cpp) lays out for \p cfg
/// after its static data: the population table, the STDP decay tables, two
/// row buffers of the longest row stride and neuronCoreMemoryBytes
/// (resources::neuronCoreArena, what the image writer checks).
uint64_t neuronCoreArenaBytes(const NeuronCoreConfig &cfg);
/// Lays the core's arrays out in \p memory (\p bytes long, 8-byte aligned)
/// and sets every neuron to its initial state with empty ring buffers.
/// False when the configuration is invalid or the block is too small.
bool neuronCoreInit(NeuronCore &core, const NeuronCoreConfig &cfg, void *memory,
                    uint64_t bytes);
/// Step 1 of tick \p tick: every neuron updated, spikes recorded and their
/// keys put in outKeys.
void neuronCoreTick(NeuronCore &core, uint32_t tick);

/// Step 1's pieces, for a host loop that updates some neurons its own way
/// (the emulator's vector loop) and the rest with the kernel's step:
/// beginNeuronTick (this tick's ring slots, spike bits cleared), then
/// neuronStep for each neuron in order, then endNeuronTick (the counters).
struct NeuronTick {
  NeuronCore *core;
  uint32_t tick;
  RingSlot *rbE, *rbI;
  uint32_t out = 0, updated = 0, spikes = 0;
};
NeuronTick beginNeuronTick(NeuronCore &core, uint32_t tick);
void endNeuronTick(const NeuronTick &t);

/// The parameters of neuron \p i of a core with per-neuron parameters
/// (core.cfg.paramIndex, after neuronCoreInit).
inline const NeuronFixedParams &neuronParamsOf(const NeuronCore &core,
                                               uint32_t i) {
  return static_cast<const NeuronFixedParams *>(
      core.cfg.paramSets)[core.cfg.paramIndex[i]];
}

/// A neuron model's one-tick update (kernel/Lif.h).
using NeuronStepFn = void (*)(NeuronFixedState &, const NeuronFixedParams &,
                              Accum, Accum, bool &);

/// Neuron \p i's update in tick \p t with model step \p Step: a neuron in a
/// fixed point of the step (quiet, no input) is skipped; otherwise its
/// ring-buffer slots are consumed, it is updated, and a spike is recorded
/// and keyed. The core's model is chosen once per tick (neuronCoreTick),
/// not per neuron.
/// \p PerNeuron (the NIR models' loops): neuron i runs neuronParamsOf(core,
/// i) when the core has per-neuron parameters (one test per neuron;
/// IF_curr_exp's step has none).
template <NeuronStepFn Step, bool PerNeuron = false>
inline void neuronStepWith(NeuronTick &t, uint32_t i) {
  NeuronCore &core = *t.core;
  const NeuronCoreConfig &cfg = core.cfg;
  NeuronFixedState *state = core.state;
  uint16_t slotE = ringSlotValue(t.rbE[i]), slotI = ringSlotValue(t.rbI[i]);
  // A neuron whose last update without input left its state unchanged
  // (and did not spike) is in a fixed point of lifStep: another update
  // without input would change nothing, so it is skipped.
  if (core.quiet[i] && (slotE | slotI) == 0) {
    if (core.voltage)
      core.voltage[i] = state[i].v.bits;
    return;
  }
  t.rbE[i] = 0;
  t.rbI[i] = 0;
  ++t.updated;
  NeuronFixedState before = state[i];
  bool spiked;
  Step(state[i],
       PerNeuron && cfg.paramIndex ? neuronParamsOf(core, i) : cfg.params,
       ringBufferToAccum(slotE, cfg.leftShift[0]),
       ringBufferToAccum(slotI, cfg.leftShift[1]), spiked);
  const NeuronFixedState &after = state[i];
  core.quiet[i] = (slotE | slotI) == 0 && !spiked && after.v == before.v &&
                  after.iSynE == before.iSynE && after.iSynI == before.iSynI &&
                  after.refracTimer == before.refracTimer;
  if (core.voltage)
    core.voltage[i] = after.v.bits;
  if (spiked) {
    core.spikeBits[i >> 5] |= uint32_t(1) << (i & 31);
    if (cfg.hasKey)
      core.outKeys[t.out++] = cfg.key | i;
    ++t.spikes;
    if (core.history)
      core.history[i].record(t.tick, core.rule);
  }
}
/// Neuron \p i's IF_curr_exp update (lifStep), as neuronStepWith.
inline void neuronStep(NeuronTick &t, uint32_t i) {
  neuronStepWith<lifStep>(t, i);
}
/// Step 2 of tick \p tick: processes \p n packets with keys \p keys
/// (neuronCoreFindRow and neuronCoreProcessRow for each, rows read in place;
/// what the host emulator runs).
void neuronCoreReceive(NeuronCore &core, uint32_t tick, const uint32_t *keys,
                       uint32_t n);
/// Step 2 as a core's events run it, one packet at a time: the row of \p
/// key is \p words words at word \p offset of the synaptic matrix (the
/// entry's row stride; the core fetches them by DMA). False, counted as
/// unmatched or invalid, when the key has no row. Counts the packet.
bool neuronCoreFindRow(NeuronCore &core, uint32_t key, uint32_t &offset,
                       uint32_t &words);
/// Processes the row whose words \p row holds (the matrix itself, or the
/// DMA buffer it was fetched into) for a packet of tick \p tick: each
/// synapse's weight into its ring-buffer slot. On a plastic core the
/// learned weights and the row's pre-synaptic state are written into \p
/// plasticOut (which may be \p row); true when they were (the row must be
/// written back).
bool neuronCoreProcessRow(NeuronCore &core, uint32_t tick, const uint32_t *row,
                          uint32_t *plasticOut);
/// At the end of a run, on the core: every plastic weight of the core's
/// matrix (cfg.plasticMatrix) with its deferred potentiation applied
/// (neuronCorePlasticWeight) and each row's pre trace cleared, so that the
/// rows alone give the learned weights (a board's host reads them from
/// SDRAM; docs/board.md). False when the core has no writable matrix.
bool neuronCoreFlushPlastic(NeuronCore &core);
/// After a run, as the host reads SDRAM: plastic synapse \p s of the row
/// at word \p rowOffset of the core's (copied) matrix, with the deferred
/// potentiation applied (stdp::flush). Sets \p control to its control
/// half-word. The row must have more than \p s plastic synapses.
uint16_t neuronCorePlasticWeight(const NeuronCore &core, uint32_t rowOffset,
                                 uint32_t s, uint32_t &control);

/// The index of the entry of \p table (\p size entries sorted by key, key
/// spaces disjoint) whose key space holds \p key; -1 when none does.
int32_t popTableFind(const PopEntry *table, uint32_t size, uint32_t key);

/// The regions of a spike-source (input) core: per local neuron i its spike
/// ticks ticks[start[i] .. start[i + 1]), strictly increasing.
struct SourceCoreConfig {
  uint32_t numNeurons = 0;
  bool hasKey = false;
  uint32_t key = 0;
  const uint32_t *start = nullptr; ///< numNeurons + 1 offsets
  const uint32_t *ticks = nullptr;
};

struct alignas(64) SourceCore {
  SourceCoreConfig cfg;
  uint32_t *cursor = nullptr; ///< per neuron: its next spike
  uint32_t *outKeys = nullptr;
  uint32_t numOut = 0;
  uint32_t *spikeBits = nullptr;
  uint32_t spikeWords = 0;
  uint64_t spikes = 0;
};

uint64_t sourceCoreMemoryBytes(const SourceCoreConfig &cfg);
bool sourceCoreInit(SourceCore &core, const SourceCoreConfig &cfg, void *memory,
                    uint64_t bytes);
/// Tick \p tick: the neurons whose next spike is at \p tick spike (recorded,
/// keys in outKeys).
void sourceCoreTick(SourceCore &core, uint32_t tick);

} // namespace kernel
} // namespace scnc

#endif
