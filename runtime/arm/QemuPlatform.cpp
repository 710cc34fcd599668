//===- QemuPlatform.cpp - The core program under qemu, for the test -------===//
//
// The equivalence test's platform (docs/arm.md, "The proof"): qemu's
// arm946 has no SpiNNaker timer, router or DMA controller, so this file
// stands in for them and is all that differs from the board build
// (BoardPlatform.cpp) besides start.S's interrupt entries:
//   - the input is a blob the test loads at SDRAM's base (0x60000000):
//     `u32 magic "SCQT", u32 ticks, u32 section words, u32 stream words`,
//     the core section, then per tick `u32 n` and n keys: the packets the
//     host emulator delivered to this core in that tick, in its order;
//   - a timer tick is a loop iteration; each packet is handed to the
//     application as its event would be, and a DMA transfer is a copy that
//     completes before the next packet (the application's double buffering
//     and queue run unchanged);
//   - what the core sends and records, and its state after the run, go to
//     qemu's stdout by semihosting, in kernel/CoreDump.h's format; lines
//     starting with '#' are this platform's own measurements (stack depth,
//     DTCM used), which the comparison leaves out.
//
//===----------------------------------------------------------------------===//
#include "App.h"
#include "Platform.h"
#include "kernel/CoreDump.h"
#include "kernel/Resources.h"

using namespace scnc;
using namespace scnc::arm;
using namespace scnc::kernel;

extern "C" uint8_t scnc_stack[];
extern "C" uint8_t *const scnc_stack_top;

namespace {

constexpr uint32_t kBlobMagic = 0x54514353; // "SCQT"
const uint32_t *const kBlob = reinterpret_cast<const uint32_t *>(0x60000000);

uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 asm("r0") = op;
  register const void *r1 asm("r1") = arg;
  asm volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void write(void *, const char *text, uint32_t n) {
  char line[160];
  while (n) {
    uint32_t k = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
    for (uint32_t i = 0; i < k; ++i)
      line[i] = text[i];
    line[k] = 0;
    semihost(0x04, line); // SYS_WRITE0
    text += k;
    n -= k;
  }
}

const DumpSink kStdout = {write, nullptr};

[[noreturn]] void exitWith(uint32_t code) {
  uint32_t block[2] = {0x20026, code}; // ADP_Stopped_ApplicationExit
  semihost(0x20, block);               // SYS_EXIT_EXTENDED
  for (;;) {
  }
}

void note(const char *what, uint32_t value) {
  dump_detail::Line l(kStdout);
  l.str("# ");
  l.str(what);
  l.hex(value);
  l.end();
}

bool dmaPending = false;

constexpr uint32_t kStackPaint = 0x5CA1AB1E;
/// The FIQ and IRQ stacks at the top of scnc_stack (start.S).
constexpr uint32_t kFiqIrqStackBytes = 512 + 128;

} // namespace

void platform::sendPacket(uint32_t) {}

void platform::dmaRead(uint32_t *tcm, const uint32_t *sdram, uint32_t words) {
  for (uint32_t i = 0; i < words; ++i)
    tcm[i] = sdram[i];
  dmaPending = true;
}

void platform::dmaWrite(uint32_t *sdram, const uint32_t *tcm, uint32_t words) {
  for (uint32_t i = 0; i < words; ++i)
    sdram[i] = tcm[i];
}

void platform::record(uint32_t tick, const uint32_t *spikeBits,
                      uint32_t spikeWords, const uint32_t *keys,
                      uint32_t numKeys, const int32_t *, uint32_t) {
  dumpTick(kStdout, tick, keys, numKeys, spikeBits, spikeWords);
}

extern "C" void c_main() {
  // Paint the stack below this frame to measure its deepest use.
  uint32_t *paint = reinterpret_cast<uint32_t *>(scnc_stack);
  uint32_t *here = reinterpret_cast<uint32_t *>(__builtin_frame_address(0));
  for (uint32_t *p = paint; p + 64 < here; ++p)
    *p = kStackPaint;
  if (kBlob[0] != kBlobMagic) {
    write(nullptr, "error: no test input at 0x60000000\n", 35);
    exitWith(2);
  }
  uint32_t ticks = kBlob[1], sectionWords = kBlob[2];
  const uint32_t *section = kBlob + 4;
  const uint32_t *stream = section + sectionWords;
  if (!app::start(section, sectionWords)) {
    write(nullptr, "error: the core cannot start\n", 29);
    exitWith(3);
  }
  for (uint32_t t = 0; t < ticks; ++t) {
    app::timerTick(t);
    uint32_t n = *stream++;
    for (uint32_t k = 0; k < n; ++k) {
      app::packetReceived(*stream++);
      while (dmaPending) {
        dmaPending = false;
        app::dmaDone();
      }
    }
  }
  if (const NeuronCore *c = app::neuronCore())
    dumpNeuronCore(kStdout, *c);
  else
    dumpSourceCore(kStdout, *app::sourceCore());
  uint32_t *deepest = paint;
  while (deepest < here && *deepest == kStackPaint)
    ++deepest;
  // System mode's stack starts below the FIQ and IRQ stacks (start.S).
  uint8_t *systemTop = scnc_stack_top - kFiqIrqStackBytes;
  note("system stack bytes used",
       uint32_t(systemTop - reinterpret_cast<uint8_t *>(deepest)));
  note("dtcm arena bytes used", app::arenaUsed());
  exitWith(0);
}
