//===- Platform.h - What the core program asks of its platform --*- C++ -*-===//
//
// The core program (App.cpp) is the kernel driven by SpiNNaker's event
// model; everything machine-specific is behind these functions, with two
// implementations (docs/arm.md): BoardPlatform.cpp (the timer,
// communications controller, DMA controller and VIC of a SpiNNaker chip)
// and QemuPlatform.cpp (the equivalence test: packets from memory,
// synchronous copies for DMA, output by semihosting).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_ARM_PLATFORM_H
#define SCNC_RUNTIME_ARM_PLATFORM_H

#include <cstdint>

namespace scnc {
namespace arm {
namespace platform {

/// Sends a multicast packet without payload.
void sendPacket(uint32_t key);
/// Starts copying \p words words from SDRAM \p sdram into DTCM \p tcm;
/// the platform calls app::dmaDone() when they have arrived. One transfer
/// at a time: the application starts the next only after dmaDone.
void dmaRead(uint32_t *tcm, const uint32_t *sdram, uint32_t words);
/// Copies \p words words from DTCM \p tcm back to SDRAM \p sdram (queued
/// behind any transfer in flight; nothing waits for it).
void dmaWrite(uint32_t *sdram, const uint32_t *tcm, uint32_t words);
/// Tick \p tick's recording: the spike bitmap, the keys sent and, when
/// recorded, the membrane voltages (S16.15 bits; null otherwise).
void record(uint32_t tick, const uint32_t *spikeBits, uint32_t spikeWords,
            const uint32_t *keys, uint32_t numKeys, const int32_t *voltage,
            uint32_t neurons);

} // namespace platform
} // namespace arm
} // namespace scnc

#endif
