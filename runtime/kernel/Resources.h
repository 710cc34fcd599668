//===- Resources.h - DTCM and SDRAM a core's kernel needs -------*- C++ -*-===//
//
// The one resource model of a core (docs/mapping.md, "Resources"), computed
// from the kernel's own types: the partitioner (lib/Mapping/Resources.cpp)
// sizes slices with it and the image writer checks every core with it.
//
// DTCM of a core (docs/arm.md, "Memory"): the static DTCM of its board
// program (kNeuronProgramDTCMBytes / kSourceProgramDTCMBytes: data, bss
// with the packet queue and the stacks, measured from the linked ARM
// programs, which the ARM build checks), then what the program lays out
// in the rest of DTCM (runtime/arm/App.cpp, neuronCoreArenaBytes): the
// population table, the STDP decay tables, two row buffers as long as the
// longest row and the arrays neuronCoreInit carves out (neuron state,
// quiet flags, ring buffers, spike keys, the spike bitmap, recorded
// voltages, STDP post-spike histories; kernel::neuronCoreMemoryBytes is
// built on neuronCoreArrays). The table, the tables and the rows' length
// only the writer knows; the partitioner sets kRegionReserveDTCMBytes
// aside for them and the writer checks the real figure.
// SDRAM: the synaptic matrix, whose rows are laid out as
// docs/image-format.md "Synaptic matrix" says.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_RESOURCES_H
#define SCNC_RUNTIME_KERNEL_RESOURCES_H

#include "kernel/Kernel.h"
#include <cstdint>

namespace scnc {
namespace kernel {
namespace resources {

/// DTCM per core (spinnaker.md: 64 KiB), at kDTCMBase.
constexpr uint64_t kDTCMBytes = 64 * 1024;
constexpr uint32_t kDTCMBase = 0x00400000;
/// ITCM a program's code may use: 32 KiB at address 0 less the top 256
/// bytes, where SC&MP's APLX loader runs (SARK's link script limit).
constexpr uint32_t kITCMProgramBytes = 0x7F00;
/// The core program's stacks (runtime/arm: FIQ, IRQ and System mode); the
/// qemu test measures how deep they go (docs/arm.md).
constexpr uint64_t kKernelStackBytes = 2048;
/// Keys a neuron core can hold waiting for their rows (sPyNNaker's
/// incoming spike buffer).
constexpr uint64_t kPacketQueueEntries = 256;
/// The static DTCM of the board's core programs (runtime/arm: data, bss,
/// the packet queue and the stacks), measured from the linked programs:
/// the ARM build fails when these differ from the binaries' (docs/arm.md).
constexpr uint64_t kNeuronProgramDTCMBytes = 3488;
constexpr uint64_t kSourceProgramDTCMBytes = 2160;
/// What the partitioner sets aside on every neuron core for what the
/// program copies into DTCM whose size only the writer knows (population
/// table, STDP decay tables, the two row buffers); the writer checks the
/// real sizes.
constexpr uint64_t kRegionReserveDTCMBytes = 2 * 1024;

/// Arrays in the core's block start 8-byte aligned.
constexpr uint64_t align8(uint64_t bytes) { return (bytes + 7) & ~uint64_t(7); }

/// The static DTCM of a core's board program (neuron or source core).
constexpr uint64_t programDTCMBytes(bool input) {
  return input ? kSourceProgramDTCMBytes : kNeuronProgramDTCMBytes;
}

/// Bits that index \p values values (0 for one value).
constexpr uint32_t bitsFor(uint64_t values) {
  uint32_t b = 0;
  while ((uint64_t(1) << b) < values)
    ++b;
  return b;
}
/// NeuronCoreConfig::indexBits for a core of \p neurons neurons.
constexpr uint32_t indexBitsFor(uint64_t neurons) {
  return bitsFor(neurons) > 1 ? bitsFor(neurons) : 1;
}
/// NeuronCoreConfig::delayBits for delays up to \p maxDelayTicks ticks
/// (ring slots 0 .. maxDelayTicks).
constexpr uint32_t delayBitsFor(uint64_t maxDelayTicks) {
  return bitsFor(maxDelayTicks + 1) > 1 ? bitsFor(maxDelayTicks + 1) : 1;
}

/// The per-neuron arrays a neuron core carves out of its block
/// (neuronCoreInit), in bytes.
struct NeuronCoreArrays {
  uint64_t state = 0;   ///< NeuronFixedState per neuron
  uint64_t rings = 0;   ///< 2^(delayBits + 1 + indexBits) uint16 slots
  uint64_t history = 0; ///< plastic: stdp::PostHistory per neuron
  uint64_t other = 0;   ///< quiet flags, spike keys and bitmap, voltages
  /// Per-neuron parameters: the decoded sets (NeuronFixedParams each) and
  /// the per-neuron u16 index; 0 on other cores.
  uint64_t params = 0;
  constexpr uint64_t total() const {
    return state + rings + history + other + params;
  }
};

/// \p paramSets: the parameter sets of a core with per-neuron parameters
/// (0: one set, in the configuration).
constexpr NeuronCoreArrays
neuronCoreArrays(uint64_t neurons, uint32_t delayBits, uint32_t indexBits,
                 bool plastic, bool recordVoltage, uint64_t paramSets = 0) {
  NeuronCoreArrays a;
  a.params = paramSets ? align8(paramSets * sizeof(NeuronFixedParams)) +
                             align8(neurons * sizeof(uint16_t))
                       : 0;
  a.state = align8(neurons * sizeof(NeuronFixedState));
  a.rings =
      align8((uint64_t(1) << (delayBits + 1 + indexBits)) * sizeof(uint16_t));
  a.history = plastic ? align8(neurons * sizeof(stdp::PostHistory)) : 0;
  a.other = align8(neurons * sizeof(uint8_t)) +              // quiet
            align8(neurons * sizeof(uint32_t)) +             // outKeys
            align8((neurons + 31) / 32 * sizeof(uint32_t)) + // spikeBits
            (recordVoltage ? align8(neurons * sizeof(int32_t)) : 0);
  return a;
}

/// The same for a core sized by its neuron count (indexBitsFor).
constexpr NeuronCoreArrays neuronCoreArrays(uint64_t neurons,
                                            uint32_t delayBits, bool plastic,
                                            bool recordVoltage) {
  return neuronCoreArrays(neurons, delayBits, indexBitsFor(neurons), plastic,
                          recordVoltage);
}

/// What a neuron core's program lays out in DTCM after its static data
/// (runtime/arm/App.cpp, in this order, each piece 8-byte aligned): the
/// population table (\p popEntries entries), the STDP decay tables (\p
/// lenPlus and \p lenMinus entries), two row buffers of \p maxRowWords
/// words (the longest row stride) and the kernel's arrays.
struct NeuronCoreArena {
  uint64_t popTable = 0, stdpTables = 0, rowBuffers = 0, arrays = 0;
  constexpr uint64_t total() const {
    return popTable + stdpTables + rowBuffers + arrays;
  }
};
constexpr NeuronCoreArena neuronCoreArena(uint64_t popEntries,
                                          uint64_t maxRowWords,
                                          uint64_t lenPlus, uint64_t lenMinus,
                                          const NeuronCoreArrays &arrays) {
  NeuronCoreArena a;
  a.popTable = align8(popEntries * kPopEntryBytes);
  a.stdpTables = align8(lenPlus * 4) + align8(lenMinus * 4);
  a.rowBuffers = 2 * align8(maxRowWords * 4);
  a.arrays = arrays.total();
  return a;
}

/// The arrays of a spike-source core (sourceCoreInit): per neuron its next
/// spike and its key, and the spike bitmap.
constexpr uint64_t sourceCoreArrayBytes(uint64_t neurons) {
  return align8(neurons * sizeof(uint32_t)) +
         align8(neurons * sizeof(uint32_t)) +
         align8((neurons + 31) / 32 * sizeof(uint32_t));
}

/// The largest n <= \p cap for which \p fits(n) holds (0 when none does);
/// \p fits must hold for every n below one it holds for.
template <typename Fits>
constexpr uint64_t largestFitting(uint64_t cap, Fits fits) {
  uint64_t lo = 0, hi = cap; // lo fits (trivially for 0)
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    if (fits(mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/// The most neurons (at most \p cap) whose arrays fit \p budget bytes.
constexpr uint64_t maxNeuronsFitting(uint64_t budget, uint32_t delayBits,
                                     bool plastic, bool recordVoltage,
                                     uint64_t cap) {
  return largestFitting(cap, [&](uint64_t n) {
    return neuronCoreArrays(n, delayBits, plastic, recordVoltage).total() <=
           budget;
  });
}
/// The most spike sources (at most \p cap) whose arrays fit \p budget.
constexpr uint64_t maxSourcesFitting(uint64_t budget, uint64_t cap) {
  return largestFitting(
      cap, [&](uint64_t n) { return sourceCoreArrayBytes(n) <= budget; });
}

/// SDRAM: a synaptic row's header (kRowHeaderWords), its plastic part's
/// header (kPlasticHeaderWords), and a synapse: a fixed synaptic word, or a
/// plastic 16-bit weight and 16-bit control half-word.
constexpr uint64_t kRowHeaderBytes = kRowHeaderWords * sizeof(uint32_t);
constexpr uint64_t kPlasticRowHeaderBytes =
    kPlasticHeaderWords * sizeof(uint32_t);
constexpr uint64_t kSynapseBytes = sizeof(uint32_t);

/// Bytes of a row with \p fixed static and \p plastic plastic synapses
/// (plastic weights and control words each padded to whole words).
constexpr uint64_t synapticRowBytes(uint64_t fixed, uint64_t plastic) {
  return kRowHeaderBytes + fixed * kSynapseBytes +
         (plastic ? kPlasticRowHeaderBytes +
                        2 * ((plastic + 1) / 2) * sizeof(uint32_t)
                  : 0);
}

// The layout the numbers above rest on.
static_assert(sizeof(NeuronFixedState) == 4 * sizeof(int32_t),
              "neuron state: v, iSynE, iSynI, refracTimer");
static_assert(sizeof(stdp::PostHistory) ==
                  sizeof(uint32_t) * (1 + 2 * stdp::kHistory),
              "post-spike history: a count, kHistory ticks and traces");
static_assert(kRowHeaderWords == 2 && kPlasticHeaderWords == 2,
              "docs/image-format.md: row header (fixed count, plastic "
              "count), plastic header (last pre tick, pre trace)");
static_assert(synapticRowBytes(1, 0) == 12 && synapticRowBytes(0, 3) == 32,
              "rows as docs/image-format.md lays them out");
static_assert(maxNeuronsFitting(neuronCoreArrays(100, 1, false, false).total(),
                                1, false, false, 1000) == 100,
              "the search finds the largest count that fits");

} // namespace resources
} // namespace kernel
} // namespace scnc

#endif
