//===- CycleModel.h - The cycles a core spends in a tick --------*- C++ -*-===//
//
// The one cycle model of a neuron core: the emulator reports every core's
// ticks with it (docs/runtime.md, "Cycle model") and the partitioner sizes
// slices so that their predicted peak tick fits it (Mapping/Load.h).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_KERNEL_CYCLEMODEL_H
#define SCNC_RUNTIME_KERNEL_CYCLEMODEL_H

#include <cstdint>

namespace scnc {
namespace kernel {

/// The cycles a neuron core spends in one tick, against the real-time
/// budget of `clockMHz * timestep` cycles (docs/runtime.md, "Cycle model"):
///   perTick + perNeuron * updated neurons + perQuietNeuron * skipped ones
///   + perSpike * spikes + perPacket * packets + searches * (perSearch +
///   perSearchStep * ceil(log2(table entries + 1))) + perEvent * events,
/// where a search is a packet that missed the last population-table entry.
/// The defaults are the ARM968E-S cycles of the core program (runtime/arm)
/// measured by bench/arm-cycles.sh (docs/arm-cycles.md): instruction
/// counts from qemu, cycles per instruction from the ARM9E-S timings, TCM
/// only, interrupt entry and exit included.
struct CycleModel {
  uint32_t clockMHz = 200;
  uint32_t perTick = 217;       ///< 162 + 55 for the timer IRQ's entry/exit
  uint32_t perNeuron = 240;     ///< a neuron updated (input, or not at rest)
  uint32_t perQuietNeuron = 28; ///< a neuron the kernel skips
  uint32_t perSpike = 69;
  uint32_t perPacket = 448; ///< 367 + 26 (packet FIQ) + 55 (DMA-done IRQ)
  uint32_t perSearch = 11;
  uint32_t perSearchStep = 11;
  uint32_t perEvent = 14;
  /// SpiNNaker's design target: synaptic events per ms per core.
  uint32_t eventsPerMs = 10000;
  uint64_t budgetCycles(uint32_t timestepUs) const {
    return uint64_t(clockMHz) * timestepUs;
  }
  uint64_t eventBudget(uint32_t timestepUs) const {
    return (uint64_t(eventsPerMs) * timestepUs + 999) / 1000;
  }
};

} // namespace kernel
} // namespace scnc

#endif
