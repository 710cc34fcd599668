//===- App.cpp - The core program: the kernel on SpiNNaker's events -------===//
//
// Freestanding: no heap, no library calls, no floating point (the build
// checks the objects' undefined symbols against the libgcc helpers
// docs/arm.md lists).
//
//===----------------------------------------------------------------------===//
#include "App.h"
#include "Platform.h"
#include "kernel/Regions.h"
#include "kernel/Resources.h"

using namespace scnc;
using namespace scnc::arm;
using namespace scnc::kernel;

// The stacks (start.S points every mode's stack into it), sized by the
// resource model.
extern "C" {
alignas(8) uint8_t scnc_stack[resources::kKernelStackBytes];
extern uint8_t *const scnc_stack_top = scnc_stack + sizeof(scnc_stack);
// DTCM after the static data, up to its top (the linker script).
extern uint8_t __scnc_arena_start[], __scnc_arena_end[];
}

namespace {

/// The core's DTCM arena, carved front to back.
struct Arena {
  uint8_t *at = nullptr, *end = nullptr;
  void *take(uint32_t bytes) {
    bytes = (bytes + 7) & ~7u;
    if (uint32_t(end - at) < bytes)
      return nullptr;
    void *p = at;
    at += bytes;
    return p;
  }
};

Arena arena;
uint32_t ticks = 0, timestep = 0;
uint32_t now = 0;

#ifndef SCNC_APP_SOURCE
NeuronCore core;
/// Incoming keys (sPyNNaker's incoming spike buffer: 256 entries).
constexpr uint32_t kQueueSize = uint32_t(resources::kPacketQueueEntries);
volatile uint32_t queue[kQueueSize];
volatile uint32_t queueHead = 0, queueTail = 0;
/// The two row buffers, used in turn: the one being fetched (its row's
/// offset and words) and the next one; the other one may be being
/// processed.
uint32_t *rowBuffer[2] = {nullptr, nullptr};
uint32_t fetching = 0, nextBuffer = 0, fetchOffset = 0, fetchWords = 0;
bool busy = false;
/// The core's matrix in SDRAM, and where its learned rows go.
const uint32_t *sdramMatrix = nullptr;
uint32_t *sdramPlastic = nullptr;

/// Starts fetching the next queued key's row into the next buffer.
void fetchNext() {
  while (queueHead != queueTail) {
    uint32_t key = queue[queueHead];
    queueHead = (queueHead + 1) % kQueueSize;
    uint32_t offset, words;
    if (!neuronCoreFindRow(core, key, offset, words))
      continue;
    busy = true;
    fetching = nextBuffer;
    nextBuffer ^= 1;
    fetchOffset = offset;
    fetchWords = words;
    platform::dmaRead(rowBuffer[fetching], sdramMatrix + offset, words);
    return;
  }
  busy = false;
}

template <typename T> T *copyToArena(const T *from, uint32_t count) {
  T *to = static_cast<T *>(arena.take(count * sizeof(T)));
  if (to)
    for (uint32_t i = 0; i < count; ++i)
      to[i] = from[i];
  return to;
}
#else
SourceCore core;
#endif

} // namespace

bool app::start(const uint32_t *section, uint32_t words) {
  arena.at = __scnc_arena_start;
  arena.end = __scnc_arena_end;
  CoreRegions regions;
  CoreSystem sys;
  if (!findRegions(section, words, regions) || !decodeSystem(regions, sys))
    return false;
  ticks = sys.numTicks;
  timestep = sys.timestepUs;
#ifndef SCNC_APP_SOURCE
  NeuronCoreConfig cfg;
  if (!decodeNeuronCore(regions, cfg))
    return false;
  // What the kernel reads per packet lives in DTCM: the population table
  // and the STDP decay tables; the rows stay in SDRAM.
  cfg.popTable = copyToArena(cfg.popTable, cfg.popTableSize);
  uint32_t maxRow = 0;
  for (uint32_t e = 0; e < cfg.popTableSize; ++e)
    if (cfg.popTable[e].rowStride > maxRow)
      maxRow = cfg.popTable[e].rowStride;
  sdramMatrix = cfg.matrix;
  if (cfg.plastic) {
    cfg.decayPlus = copyToArena(cfg.decayPlus, cfg.lenPlus);
    cfg.decayMinus = copyToArena(cfg.decayMinus, cfg.lenMinus);
    // The core owns its SDRAM: it learns into the matrix region itself.
    sdramPlastic = const_cast<uint32_t *>(cfg.matrix);
    cfg.plasticMatrix = sdramPlastic;
  }
  for (uint32_t b = 0; b < 2; ++b)
    rowBuffer[b] = static_cast<uint32_t *>(arena.take(maxRow * 4));
  uint32_t bytes = uint32_t(neuronCoreMemoryBytes(cfg));
  void *block = bytes ? arena.take(bytes) : nullptr;
  if ((cfg.popTableSize && !cfg.popTable) || !rowBuffer[0] || !rowBuffer[1] ||
      !block || (cfg.plastic && ((cfg.lenPlus && !cfg.decayPlus) ||
                                 (cfg.lenMinus && !cfg.decayMinus))))
    return false;
  return neuronCoreInit(core, cfg, block, bytes);
#else
  SourceCoreConfig cfg;
  if (!decodeSourceCore(regions, cfg))
    return false;
  uint32_t bytes = uint32_t(sourceCoreMemoryBytes(cfg));
  void *block = arena.take(bytes);
  return block && sourceCoreInit(core, cfg, block, bytes);
#endif
}

uint32_t app::numTicks() { return ticks; }

uint32_t app::timestepUs() { return timestep; }

uint32_t app::arenaUsed() { return uint32_t(arena.at - __scnc_arena_start); }

void app::timerTick(uint32_t tick) {
  now = tick;
#ifndef SCNC_APP_SOURCE
  neuronCoreTick(core, tick);
  const int32_t *voltage = core.voltage;
#else
  sourceCoreTick(core, tick);
  const int32_t *voltage = nullptr;
#endif
  for (uint32_t k = 0; k < core.numOut; ++k)
    platform::sendPacket(core.outKeys[k]);
  platform::record(tick, core.spikeBits, core.spikeWords, core.outKeys,
                   core.numOut, voltage, core.cfg.numNeurons);
}

#ifndef SCNC_APP_SOURCE
void app::packetReceived(uint32_t key) {
  uint32_t next = (queueTail + 1) % kQueueSize;
  if (next == queueHead)
    return; // full: the packet is lost (sPyNNaker counts these too)
  queue[queueTail] = key;
  queueTail = next;
  if (!busy)
    fetchNext();
}

void app::dmaDone() {
  uint32_t b = fetching, offset = fetchOffset, words = fetchWords;
  if (!sdramPlastic) {
    // Double buffering: the next row's transfer runs while this one is
    // processed.
    fetchNext();
    neuronCoreProcessRow(core, now, rowBuffer[b], nullptr);
    return;
  }
  // A learning core fetches the next row after this one is written back
  // (the DMA controller runs transfers in order), so a row that comes
  // again is read with what it learned.
  if (neuronCoreProcessRow(core, now, rowBuffer[b], rowBuffer[b]))
    platform::dmaWrite(sdramPlastic + offset, rowBuffer[b], words);
  fetchNext();
}

void app::finish() {
  if (sdramPlastic)
    neuronCoreFlushPlastic(core);
}

const NeuronCore *app::neuronCore() { return &core; }
const SourceCore *app::sourceCore() { return nullptr; }
#else
void app::finish() {}
void app::packetReceived(uint32_t) {}
void app::dmaDone() {}
const NeuronCore *app::neuronCore() { return nullptr; }
const SourceCore *app::sourceCore() { return &core; }
#endif
