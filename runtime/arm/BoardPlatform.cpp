//===- BoardPlatform.cpp - The core program on a SpiNNaker chip -----------===//
//
// The board build's platform (docs/arm.md, "On a board"): the registers of
// the ARM968's timer, communications controller (CC), DMA controller and
// VIC at the addresses and offsets of ../shared/docs/real-machine.md
// (spinnaker_tools include/spinnaker.h). Never run on a board: what it
// assumes is listed in docs/arm.md, "Unproven without a board".
//
// The loader's contract (the vcpu block of this core in System RAM,
// 0xE5007000 + 128 * virtual core): user0 = SDRAM address of the core
// section (the image's, written as is), user1 = its size in bytes, user2 =
// SDRAM address of the recording buffer (kernel/Regions.h,
// recordingTickWords: per tick the spike bitmap, then with voltage
// recording each neuron's S16.15 voltage; the counters after the last
// tick), user3 = ticks to run (0: the system region's n_ticks).
//
// Start: as SARK's sark_init and sark_wait, the core reports WAIT and
// polls its vcpu mailbox until SC&MP signals SIG START (SHM_SIGNAL), then
// RUN (spinnaker_tools sark/sark_base.c, scamp/scamp-app.c signal_sark).
//
// Events: timer 1 (VIC source 4) and DMA done (12) are vectored IRQs that
// start.S's entry runs in System mode with IRQs masked; a multicast packet
// (CC source 24) is an FIQ, so keys are queued even while a row is being
// processed (sPyNNaker gives the packet callback the FIQ too).
//
//===----------------------------------------------------------------------===//
#include "App.h"
#include "Platform.h"
#include "kernel/Regions.h"

using namespace scnc;
using namespace scnc::arm;

namespace {

volatile uint32_t *const cc = reinterpret_cast<volatile uint32_t *>(0x10000000);
volatile uint32_t *const tc = reinterpret_cast<volatile uint32_t *>(0x11000000);
volatile uint32_t *const vic =
    reinterpret_cast<volatile uint32_t *>(0x1F000000);
volatile uint32_t *const dma =
    reinterpret_cast<volatile uint32_t *>(0x30000000);
volatile uint8_t *const sv = reinterpret_cast<volatile uint8_t *>(0xF5007F00);
constexpr uint32_t kVcpuBase = 0xF5007000;

// Word offsets.
enum : uint32_t { CC_TCR = 0, CC_TXKEY = 2, CC_RSR = 3, CC_RXKEY = 5 };
enum : uint32_t { TC_LOAD = 0, TC_CONTROL = 2, TC_INT_CLR = 3, TC_BG_LOAD = 6 };
enum : uint32_t {
  VIC_SELECT = 3,
  VIC_ENABLE = 4,
  VIC_DISABLE = 5,
  VIC_VADDR = 12,
  VIC_VECT_ADDR = 64, // 0x100
  VIC_VECT_CNTL = 128 // 0x200
};
enum : uint32_t {
  DMA_ADRS = 1,
  DMA_ADRT = 2,
  DMA_DESC = 3,
  DMA_CTRL = 4,
  DMA_STAT = 5,
  DMA_GCTL = 6
};
enum : uint32_t { TIMER1_INT = 4, DMA_DONE_INT = 12, CC_MC_INT = 24 };
enum : uint32_t { kStateRte = 2, kStateWait = 5, kStateRun = 7, kStateExit = 11 };
// SARK's mailbox (spinnaker_tools sark.h, sark_base.c sark_int): SC&MP
// signals a core by writing mbox_ap_cmd = SHM_SIGNAL, mbox_ap_msg = the
// signal, and raising the core's CPU_INT in the system controller.
enum : uint32_t { kShmIdle = 0, kShmSignal = 3, kSigStart = 3 };
volatile uint32_t *const sysctl =
    reinterpret_cast<volatile uint32_t *>(0xF2000000);
enum : uint32_t { SC_CLR_IRQ = 3 /* 0x0C */, SC_CODE = 0x5EC00000 };

struct Vcpu {
  uint8_t r[44];
  uint8_t rtCode, physCpu, cpuState, appId;
  uint32_t mboxApMsg, mboxMpMsg; ///< 48, 52: monitor -> core message
  uint8_t mboxApCmd, mboxMpCmd;  ///< 56, 57: monitor -> core command
  uint8_t pad[54];
  uint32_t user[4];
};
static_assert(sizeof(Vcpu) == 128, "vcpu block");

volatile Vcpu *vcpu = nullptr;
uint32_t *recording = nullptr;
uint32_t ticks = 0, tick = 0, recordStride = 0;

/// Transfers in the DMA controller's queue, oldest first: 1 for a read
/// (the application waits for it), 0 for a write-back.
volatile uint32_t inFlight = 0, inFlightCount = 0;

void startDma(uint32_t sdram, uint32_t tcm, uint32_t bytes, uint32_t write) {
  while (dma[DMA_STAT] & 4) // the controller's queue is full
    ;
  inFlight |= (write ? 0u : 1u) << inFlightCount;
  ++inFlightCount;
  dma[DMA_ADRS] = sdram;
  dma[DMA_ADRT] = tcm;
  // Width 1 (double word), burst 4, direction (0 read into TCM), bytes.
  dma[DMA_DESC] = 1u << 24 | 4u << 21 | write << 19 | bytes;
}

} // namespace

void platform::sendPacket(uint32_t key) {
  while (cc[CC_TCR] & 0x40000000) // Tx full
    ;
  cc[CC_TCR] = 0; // multicast, no payload
  cc[CC_TXKEY] = key;
}

void platform::dmaRead(uint32_t *tcm, const uint32_t *sdram, uint32_t words) {
  startDma(uint32_t(reinterpret_cast<uintptr_t>(sdram)),
           uint32_t(reinterpret_cast<uintptr_t>(tcm)), words * 4, 0);
}

void platform::dmaWrite(uint32_t *sdram, const uint32_t *tcm, uint32_t words) {
  startDma(uint32_t(reinterpret_cast<uintptr_t>(sdram)),
           uint32_t(reinterpret_cast<uintptr_t>(tcm)), words * 4, 1);
}

void platform::record(uint32_t tick, const uint32_t *spikeBits,
                      uint32_t spikeWords, const uint32_t *, uint32_t,
                      const int32_t *voltage, uint32_t neurons) {
  if (!recording)
    return;
  uint32_t *at = recording + tick * recordStride;
  for (uint32_t w = 0; w < spikeWords; ++w)
    at[w] = spikeBits[w];
  if (voltage)
    for (uint32_t i = 0; i < neurons; ++i)
      at[spikeWords + i] = uint32_t(voltage[i]);
}

extern "C" {

void scnc_timer_isr() {
  tc[TC_INT_CLR] = 1;
  if (tick < ticks) {
    app::timerTick(tick++);
    return;
  }
  tc[TC_CONTROL] = 0;
  vic[VIC_DISABLE] = 1u << TIMER1_INT | 1u << CC_MC_INT | 1u << DMA_DONE_INT;
  app::finish();
  // The counters after the last tick (kernel::kRecordingTrailerWords).
  if (recording) {
    uint32_t *at = recording + ticks * recordStride;
    const kernel::NeuronCore *n = app::neuronCore();
    uint64_t packets = n ? n->counters.packets : 0;
    uint64_t events = n ? n->counters.synapticEvents : 0;
    at[0] = uint32_t(packets);
    at[1] = uint32_t(packets >> 32);
    at[2] = uint32_t(events);
    at[3] = uint32_t(events >> 32);
  }
  vcpu->cpuState = kStateExit;
}

void scnc_dma_isr() {
  dma[DMA_CTRL] = 0x8; // clear the done interrupt (spin1_api)
  uint32_t wasRead = inFlight & 1;
  inFlight >>= 1;
  --inFlightCount;
  if (wasRead)
    app::dmaDone();
}

void scnc_fiq_handler() {
  (void)cc[CC_RSR];                   // status first, as spin1_api reads it
  app::packetReceived(cc[CC_RXKEY]); // reading the key clears the FIQ
}

void c_main() {
  uint32_t phys = dma[DMA_STAT] >> 24;
  uint32_t virt = sv[0x94 + phys]; // sv->p2v_map
  vcpu = reinterpret_cast<volatile Vcpu *>(kVcpuBase + 128 * virt);
  const uint32_t *section =
      reinterpret_cast<const uint32_t *>(uintptr_t(vcpu->user[0]));
  if (!app::start(section, vcpu->user[1] / 4)) {
    vcpu->cpuState = kStateRte;
    for (;;)
      asm volatile("mcr p15, 0, r0, c7, c0, 4"); // wait for interrupt
  }
  // SARK's start: WAIT until SC&MP's SIG START (the loader starts every
  // core held, CMD_AS with the wait flag, and releases them together). No
  // interrupt is enabled yet, so the mailbox is polled; its CPU_INT is
  // acknowledged as sark_int does.
  vcpu->physCpu = uint8_t(phys);
  vcpu->cpuState = kStateWait;
  for (;;) {
    uint8_t cmd = vcpu->mboxApCmd;
    if (cmd == kShmIdle)
      continue;
    uint32_t msg = vcpu->mboxApMsg;
    sysctl[SC_CLR_IRQ] = SC_CODE | 1u << phys;
    vcpu->mboxApCmd = kShmIdle;
    if (cmd == kShmSignal && msg == kSigStart)
      break;
  }
  recording = reinterpret_cast<uint32_t *>(uintptr_t(vcpu->user[2]));
  ticks = vcpu->user[3] ? vcpu->user[3] : app::numTicks();
  const kernel::NeuronCore *n = app::neuronCore();
  uint32_t neurons = n ? n->cfg.numNeurons : app::sourceCore()->cfg.numNeurons;
  recordStride = kernel::recordingTickWords(neurons, n && n->voltage);
  uint32_t timestepUs = app::timestepUs();
  uint32_t clockMHz = *reinterpret_cast<volatile uint16_t *>(sv + 0x24);
  // VIC: timer and DMA done vectored, packets on the FIQ.
  vic[VIC_VECT_ADDR + 0] = uint32_t(reinterpret_cast<uintptr_t>(&scnc_timer_isr));
  vic[VIC_VECT_CNTL + 0] = 0x20 | TIMER1_INT;
  vic[VIC_VECT_ADDR + 1] = uint32_t(reinterpret_cast<uintptr_t>(&scnc_dma_isr));
  vic[VIC_VECT_CNTL + 1] = 0x20 | DMA_DONE_INT;
  vic[VIC_SELECT] = 1u << CC_MC_INT;
  dma[DMA_GCTL] = 0x000C00; // done interrupt
  tc[TC_LOAD] = tc[TC_BG_LOAD] = clockMHz * timestepUs;
  vcpu->cpuState = kStateRun;
  vic[VIC_ENABLE] = 1u << TIMER1_INT | 1u << DMA_DONE_INT | 1u << CC_MC_INT;
  tc[TC_CONTROL] = 0xE2; // enable, periodic, interrupt, 32-bit
  asm volatile("msr cpsr_c, #0x1F" ::: "memory"); // System, IRQ+FIQ on
  for (;;)
    asm volatile("mcr p15, 0, r0, c7, c0, 4"); // wait for interrupt
}
}
