//===- CycleBench.cpp - The core program's costs, measured under qemu -----===//
//
// The platform of `cycles-qemu` (docs/arm-cycles.md), a program that is
// never loaded on a board: it builds synthetic core sections in SDRAM
// (0x60000000, kernel/Regions.h's layout) and drives the application with
// the board's events (app::start, timer tick, packet, DMA done), in
// scenarios that each isolate one quantity of the emulator's cycle model:
// the tick's cost against the number of neurons (quiet, receiving input,
// spiking), a packet's cost (rows without synapses), a synaptic event's
// (rows of 8, 32 and 128 synapses) and a population-table search step's
// (tables of 2 to 256 entries, keys that miss the last-entry cache).
//
// bench/arm-cycles.sh runs it with qemu's instruction trace and cuts the
// trace at the calls of scnc_mark: every measured stretch ("segment") is
// the code between two calls, what the board would run for one event:
//   timer tick  -> the board's timer ISR body (BoardPlatform.cpp) and
//                  app::timerTick, with the board's sendPacket and record
//                  against stand-in registers and an SDRAM buffer;
//   packet      -> the board's FIQ handler body and app::packetReceived;
//   DMA done    -> the board's DMA ISR body and app::dmaDone.
// A DMA transfer is recorded by dmaRead/dmaWrite (the board's register
// writes, against a stand-in array) and copied between segments: on a board
// the DMA controller moves the words while the CPU runs. Interrupt entry
// and exit (start.S) are not run here; docs/arm-cycles.md counts them by
// hand. After the run the program prints, by semihosting, each segment's
// measurement point, so the script knows what it cut.
//
//===----------------------------------------------------------------------===//
#include "App.h"
#include "Platform.h"
#include "kernel/Regions.h"

using namespace scnc;
using namespace scnc::arm;
using namespace scnc::kernel;

/// Marks a segment's start or end; bench/arm-cycles.py finds its calls by
/// its address. Empty, never inlined nor analysed across (so every call
/// costs the same few instructions, which the "empty" point measures).
extern "C" __attribute__((noinline, noipa)) void scnc_mark(uint32_t id) {
  asm volatile("" : : "r"(id) : "memory");
}

namespace {

//===----------------------------------------------------------------------===//
// Semihosting output (outside every segment)
//===----------------------------------------------------------------------===//

uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 asm("r0") = op;
  register const void *r1 asm("r1") = arg;
  asm volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/// One output line, built in a buffer and written at once.
class Line {
public:
  Line &str(const char *s) {
    while (*s && n < sizeof(buf) - 2)
      buf[n++] = *s++;
    return *this;
  }
  Line &num(uint32_t v) {
    char digits[10];
    uint32_t k = 0;
    do {
      digits[k++] = char('0' + v % 10);
      v /= 10;
    } while (v);
    while (k && n < sizeof(buf) - 2)
      buf[n++] = digits[--k];
    return *this;
  }
  void end() {
    buf[n++] = '\n';
    buf[n] = 0;
    semihost(0x04, buf); // SYS_WRITE0
  }

private:
  char buf[160];
  uint32_t n = 0;
};

[[noreturn]] void exitWith(uint32_t code) {
  uint32_t block[2] = {0x20026, code}; // ADP_Stopped_ApplicationExit
  semihost(0x20, block);               // SYS_EXIT_EXTENDED
  for (;;) {
  }
}

[[noreturn]] void fail(const char *what) {
  Line().str("error: ").str(what).end();
  exitWith(1);
}

//===----------------------------------------------------------------------===//
// Measurement points and segments
//===----------------------------------------------------------------------===//

/// A measurement point: a scenario, its parameter x (neurons, synapses per
/// row, table entries) and how many units (ticks, packets) its segments
/// cover in all.
struct Point {
  const char *scenario;
  uint32_t x, units;
};
constexpr uint32_t kMaxPoints = 64, kMaxSegments = 2048;
Point points[kMaxPoints];
uint32_t numPoints = 0;
/// Per segment, in run order, its point.
uint16_t segmentPoint[kMaxSegments];
uint32_t numSegments = 0;
uint32_t current = 0;

void newPoint(const char *scenario, uint32_t x) {
  if (numPoints == kMaxPoints)
    fail("too many points");
  points[numPoints] = {scenario, x, 0};
  current = numPoints++;
}

using Event = void (*)(uint32_t);

/// One measured segment: the event's handler called between two marks, as
/// the board's interrupt entry calls it (an indirect call). The log store
/// is before the first mark, so a segment holds the call, the handler and
/// the second mark's set-up; the "empty" point (an empty handler) measures
/// what is not the handler's. Not analysed across, so every segment runs
/// the same code around the call.
__attribute__((noinline, noipa)) void segment(Event event, uint32_t arg) {
  if (numSegments == kMaxSegments)
    fail("too many segments");
  segmentPoint[numSegments++] = uint16_t(current);
  scnc_mark(1);
  event(arg);
  scnc_mark(2);
}

__attribute__((noinline)) void emptyHandler(uint32_t) {
  asm volatile("" : : : "memory");
}

//===----------------------------------------------------------------------===//
// The platform: the board's register accesses against stand-ins
//===----------------------------------------------------------------------===//

// Stand-ins for the communications controller, timer and DMA controller
// (BoardPlatform.cpp's word offsets); they read 0, so no wait loop spins.
volatile uint32_t fakeCc[8], fakeTc[8], fakeDma[8];
enum : uint32_t { CC_TCR = 0, CC_TXKEY = 2, CC_RSR = 3, CC_RXKEY = 5 };
enum : uint32_t { TC_INT_CLR = 3 };
enum : uint32_t {
  DMA_ADRS = 1,
  DMA_ADRT = 2,
  DMA_DESC = 3,
  DMA_CTRL = 4,
  DMA_STAT = 5
};

volatile uint32_t inFlight = 0, inFlightCount = 0;

void startDma(uint32_t sdram, uint32_t tcm, uint32_t bytes, uint32_t write) {
  while (fakeDma[DMA_STAT] & 4)
    ;
  inFlight |= (write ? 0u : 1u) << inFlightCount;
  ++inFlightCount;
  fakeDma[DMA_ADRS] = sdram;
  fakeDma[DMA_ADRT] = tcm;
  fakeDma[DMA_DESC] = 1u << 24 | 4u << 21 | write << 19 | bytes;
}

/// The SDRAM recording buffer (the board's user2), one tick's worth.
uint32_t *const recording = reinterpret_cast<uint32_t *>(0x6F000000);

/// The board's ISR bodies (BoardPlatform.cpp), the events' entry points
/// (the argument is unused).
uint32_t boardTick = 0, boardTicks = ~0u;

__attribute__((noinline)) void timerIsr(uint32_t) {
  fakeTc[TC_INT_CLR] = 1;
  if (boardTick < boardTicks) {
    app::timerTick(boardTick++);
    return;
  }
  fail("past the last tick");
}

__attribute__((noinline)) void fiqHandler(uint32_t) {
  (void)fakeCc[CC_RSR];
  app::packetReceived(fakeCc[CC_RXKEY]);
}

__attribute__((noinline)) void dmaIsr(uint32_t) {
  fakeDma[DMA_CTRL] = 0x8;
  uint32_t wasRead = inFlight & 1;
  inFlight >>= 1;
  --inFlightCount;
  if (wasRead)
    app::dmaDone();
}

} // namespace

void platform::sendPacket(uint32_t key) {
  while (fakeCc[CC_TCR] & 0x40000000)
    ;
  fakeCc[CC_TCR] = 0;
  fakeCc[CC_TXKEY] = key;
}

void platform::dmaRead(uint32_t *tcm, const uint32_t *sdram, uint32_t words) {
  startDma(uint32_t(reinterpret_cast<uintptr_t>(sdram)),
           uint32_t(reinterpret_cast<uintptr_t>(tcm)), words * 4, 0);
}

void platform::dmaWrite(uint32_t *sdram, const uint32_t *tcm, uint32_t words) {
  startDma(uint32_t(reinterpret_cast<uintptr_t>(sdram)),
           uint32_t(reinterpret_cast<uintptr_t>(tcm)), words * 4, 1);
}

void platform::record(uint32_t, const uint32_t *spikeBits, uint32_t spikeWords,
                      const uint32_t *, uint32_t, const int32_t *voltage,
                      uint32_t neurons) {
  // The board's record, every tick into the same SDRAM buffer.
  uint32_t *at = recording;
  for (uint32_t w = 0; w < spikeWords; ++w)
    at[w] = spikeBits[w];
  if (voltage)
    for (uint32_t i = 0; i < neurons; ++i)
      at[spikeWords + i] = uint32_t(voltage[i]);
}

namespace {

//===----------------------------------------------------------------------===//
// Driving the events
//===----------------------------------------------------------------------===//

/// The DMA controller's queue, filled from the descriptors the program
/// writes (one per event: the benchmark's cores are not plastic, so an
/// event starts at most one transfer, a read).
struct Transfer {
  uint32_t *tcm;
  const uint32_t *sdram;
  uint32_t words;
};
Transfer transfers[2];
uint32_t numTransfers = 0;

/// An event, measured or not; then the transfer it programmed, if any, is
/// queued.
void run(Event event, uint32_t arg, bool measure) {
  if (measure)
    segment(event, arg);
  else
    event(arg);
  if (uint32_t desc = fakeDma[DMA_DESC]) {
    fakeDma[DMA_DESC] = 0;
    if ((desc >> 19) & 1 || numTransfers == 2)
      fail("a write-back or a third transfer");
    transfers[numTransfers++] = {
        reinterpret_cast<uint32_t *>(uintptr_t(fakeDma[DMA_ADRT])),
        reinterpret_cast<const uint32_t *>(uintptr_t(fakeDma[DMA_ADRS])),
        (desc & 0x1FFFF) / 4};
  }
}

/// The controller moves the oldest transfer's words (not measured), then
/// raises its done interrupt (measured when \p measure), until none is
/// left.
void completeTransfers(bool measure) {
  while (numTransfers) {
    Transfer t = transfers[0];
    transfers[0] = transfers[1];
    --numTransfers;
    for (uint32_t i = 0; i < t.words; ++i)
      t.tcm[i] = t.sdram[i];
    run(dmaIsr, 0, measure);
  }
}

/// \p n packets with keys \p keys[k % numKeys], each arriving after the
/// last one's row was processed (\p burst false) or all arriving before
/// the first row's transfer completes (true: queued behind it).
void packets(const uint32_t *keys, uint32_t numKeys, uint32_t n, bool burst,
             bool measure) {
  for (uint32_t k = 0; k < n; ++k) {
    fakeCc[CC_RXKEY] = keys[k % numKeys];
    run(fiqHandler, 0, measure);
    if (!burst)
      completeTransfers(measure);
  }
  completeTransfers(measure);
}

void tick(uint32_t t, bool measure) {
  boardTick = t;
  run(timerIsr, 0, measure);
}

//===----------------------------------------------------------------------===//
// Synthetic core sections
//===----------------------------------------------------------------------===//

/// A core section in SDRAM: room for kMaxRegions table entries, then the
/// regions in the order added.
class Section {
public:
  static constexpr uint32_t kMaxRegions = 8;
  explicit Section(uint32_t *at) : s(at), used(1 + 3 * kMaxRegions) {
    s[0] = 0;
  }
  /// Region \p id of \p words words, to be filled by the caller.
  uint32_t *add(uint32_t id, uint32_t words) {
    uint32_t k = s[0]++;
    s[1 + 3 * k] = id;
    s[2 + 3 * k] = used * 4;
    s[3 + 3 * k] = words * 4;
    uint32_t *r = s + used;
    used += words;
    return r;
  }
  const uint32_t *data() const { return s; }
  uint32_t words() const { return used; }

private:
  uint32_t *s;
  uint32_t used;
};

uint32_t *const kSectionBase = reinterpret_cast<uint32_t *>(0x60000000);

constexpr int32_t mV(int32_t v) { return v * 32768; } // S16.15

/// A neuron core of \p neurons neurons (IF_curr_exp, tau_m 20 ms, R 20 MOhm,
/// tau_syn 5 ms, dt 1 ms; threshold \p vThresh), sending key 0x10000 | i,
/// with \p entries population-table entries (key (e + 1) << 8, mask
/// 0xFFFFFF00, one row each, all the same row at word 0) and that row: \p
/// synapses fixed synapses of weight 1, delay 1, excitatory, synapse s on
/// neuron s % neurons. Ring buffers of 2 slots, index bits for \p neurons.
void buildCore(uint32_t neurons, int32_t vThresh, uint32_t entries,
               uint32_t synapses) {
  Section s(kSectionBase);
  uint32_t *sys = s.add(region::System, 5);
  sys[0] = 1000;
  sys[1] = neurons;
  sys[2] = 0;
  sys[3] = 1000;
  sys[4] = 0;
  uint32_t *keys = s.add(region::NeuronKeys, 2);
  keys[0] = 0x10000;
  keys[1] = 0xFFFF0000;
  uint32_t *p = s.add(region::NeuronParams, kNeuronParamWords);
  p[0] = uint32_t(mV(-65)); // v_rest
  p[1] = uint32_t(mV(-65)); // v_reset
  p[2] = uint32_t(vThresh); // v_thresh
  p[3] = uint32_t(mV(-65)); // v_init
  p[4] = 0;                 // i_offset
  p[5] = uint32_t(mV(20));  // R = tau_m / cm
  p[6] = 4085499269u;       // exp(-1/20)
  p[7] = 3516421809u;       // decay_E = exp(-1/5)
  p[8] = 3892727437u;       // init_E = 5 (1 - exp(-1/5))
  p[9] = 3516421809u;       // decay_I
  p[10] = 3892727437u;      // init_I
  p[11] = 0; // refractory ticks: a spiking neuron spikes every tick
  uint32_t indexBits = 1;
  while ((1u << indexBits) < neurons)
    ++indexBits;
  uint32_t *sp = s.add(region::SynapseParams, 5);
  sp[0] = 0; // left shifts
  sp[1] = 0;
  sp[2] = 1; // delay bits
  sp[3] = 1; // type bits
  sp[4] = indexBits;
  uint32_t stride = rowWords(synapses, 0);
  uint32_t *pt = s.add(region::PopulationTable, 1 + 5 * entries);
  pt[0] = entries;
  for (uint32_t e = 0; e < entries; ++e) {
    uint32_t *pe = pt + 1 + 5 * e;
    pe[0] = (e + 1) << 8; // key
    pe[1] = 0xFFFFFF00;   // mask
    pe[2] = 0;            // row offset
    pe[3] = stride;       // row stride
    pe[4] = 1;            // rows
  }
  uint32_t *m = s.add(region::SynapticMatrix, stride);
  m[kRowFixedCountWord] = synapses;
  m[kRowPlasticCountWord] = 0;
  for (uint32_t k = 0; k < synapses; ++k)
    m[kRowHeaderWords + k] =
        synapticWord(1, synapticControl(1, 0, k % neurons, indexBits));
  uint32_t *rec = s.add(region::Recording, 2);
  rec[0] = 1; // spikes, no voltages
  rec[1] = 1;
  if (!app::start(s.data(), s.words()))
    fail("the core cannot start");
}

//===----------------------------------------------------------------------===//
// Scenarios
//===----------------------------------------------------------------------===//

constexpr uint32_t kTicks = 4, kPackets = 16;
const uint32_t kFirstKey = 1u << 8;

/// Ticks of \p neurons neurons: quiet (no input: after the first tick the
/// kernel skips them), active (each tick's slot non-zero for every neuron:
/// a packet of the row with one synapse per neuron arrives in the tick
/// before, not measured), spiking (as active, threshold below rest: every
/// neuron spikes every tick it is not refractory).
void ticks(const char *scenario, uint32_t neurons, bool input,
           int32_t vThresh) {
  buildCore(neurons, vThresh, 1, neurons);
  newPoint(scenario, neurons);
  tick(0, false);
  for (uint32_t t = 1; t <= kTicks; ++t) {
    if (input)
      packets(&kFirstKey, 1, 1, false, false);
    tick(t, true);
    points[current].units += 1;
  }
}

/// \p kPackets packets of rows with \p synapses synapses, their key the
/// last entry's (no search).
void rows(const char *scenario, uint32_t synapses, bool burst) {
  buildCore(32, mV(-50), 1, synapses);
  newPoint(scenario, synapses);
  tick(0, false);
  packets(&kFirstKey, 1, kPackets, burst, true);
  points[current].units += kPackets;
}

/// Packets alternating between the first and the last of \p entries
/// entries: each misses the last-entry cache and searches.
void search(uint32_t entries) {
  buildCore(32, mV(-50), entries, 0);
  newPoint("search", entries);
  tick(0, false);
  const uint32_t keys[2] = {kFirstKey, entries << 8};
  // The first packet's entry is the cache's (entry 0) after start.
  packets(keys + 1, 1, 1, false, false);
  packets(keys, 2, kPackets, false, true);
  points[current].units += kPackets;
}

} // namespace

extern "C" void c_main() {
  // The mark's own cost: segments with nothing in them.
  newPoint("empty", 0);
  for (uint32_t k = 0; k < 16; ++k) {
    segment(emptyHandler, 0);
    points[current].units += 1;
  }
  for (uint32_t n = 32; n <= 256; n *= 2) {
    ticks("tick-quiet", n, false, mV(-50));
    ticks("tick-active", n, true, mV(-50));
    ticks("tick-spiking", n, true, mV(-70));
  }
  rows("packet", 0, false);
  rows("packet-burst", 0, true);
  for (uint32_t s = 8; s <= 128; s *= 4)
    rows("events", s, false);
  for (uint32_t e = 2; e <= 256; e *= 2)
    search(e);
  // What was measured, for the script.
  for (uint32_t p = 0; p < numPoints; ++p)
    Line()
        .str("point ")
        .num(p)
        .str(" ")
        .str(points[p].scenario)
        .str(" ")
        .num(points[p].x)
        .str(" ")
        .num(points[p].units)
        .end();
  for (uint32_t k = 0; k < numSegments; k += 32) {
    Line l;
    l.str("segments");
    for (uint32_t j = k; j < numSegments && j < k + 32; ++j)
      l.str(" ").num(segmentPoint[j]);
    l.end();
  }
  exitWith(0);
}
