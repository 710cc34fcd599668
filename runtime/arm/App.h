//===- App.h - The core program: the kernel on SpiNNaker's events -*- C++ -*-===//
//
// One program per core kind (neuron, spike source; SCNC_APP_SOURCE selects
// the latter), driven by the events a SpiNNaker core gets (docs/arm.md):
//   timer tick   -> neuron update (kernel::neuronCoreTick), the spikes'
//                   packets sent and recorded;
//   multicast    -> the key is queued; when no transfer is in flight the
//                   next key's row (kernel::neuronCoreFindRow) is fetched
//                   from SDRAM into one of two DTCM buffers by DMA;
//   DMA done     -> the next row's fetch is started into the other buffer,
//                   then this row is processed (kernel::neuronCoreProcessRow)
//                   and, when it learned, written back to SDRAM.
// Its DTCM: the kernel's arrays, the population table, the STDP decay
// tables and the two row buffers are carved from the arena between the
// static data and the top of DTCM (kernel/Resources.h counts them).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_ARM_APP_H
#define SCNC_RUNTIME_ARM_APP_H

#include "kernel/Kernel.h"
#include <cstdint>

namespace scnc {
namespace arm {
namespace app {

/// Decodes the core section at \p section (\p words words, in SDRAM) and
/// lays the core out in DTCM's arena. False when the section is not one
/// this program runs or its data does not fit.
bool start(const uint32_t *section, uint32_t words);
/// Ticks the image asks for (the system region's n_ticks).
uint32_t numTicks();
/// The timestep in microseconds (the system region's).
uint32_t timestepUs();
/// Timer event \p tick (0, 1, ...).
void timerTick(uint32_t tick);
/// Multicast packet event.
void packetReceived(uint32_t key);
/// DMA-done event of the last dmaRead.
void dmaDone();
/// After the last tick: a plastic core flushes its deferred potentiation
/// into its rows in SDRAM (kernel::neuronCoreFlushPlastic), so that the
/// host reads the learned weights from SDRAM alone (docs/board.md).
void finish();
/// The neuron core (null on a source core) and the source core.
const kernel::NeuronCore *neuronCore();
const kernel::SourceCore *sourceCore();
/// DTCM the core laid out in its arena, in bytes.
uint32_t arenaUsed();

} // namespace app
} // namespace arm
} // namespace scnc

#endif
