//===- KernelTest.cpp - The per-core kernel -------------------------------===//
//
// This program links the kernel built with -mgeneral-regs-only (see
// CMakeLists.txt): any floating point in runtime/kernel fails its build.
// The tests drive hand-made cores: the population-table search, ring-buffer
// delays and saturation, plastic rows (static and learning), neuron updates
// against lifStep, the spike source.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"
#include "RandomNeurons.h"
#include "kernel/Regions.h"
#include "kernel/Resources.h"
#include "gtest/gtest.h"
#include <random>
#include <vector>

using namespace scnc;
using namespace scnc::kernel;

namespace {

/// A neuron core built over its own memory block.
struct TestCore {
  NeuronCoreConfig cfg;
  std::vector<PopEntry> table;
  std::vector<uint32_t> matrix, plasticMatrix;
  std::vector<uint64_t> memory;
  NeuronCore core;

  bool init() {
    cfg.popTable = table.data();
    cfg.popTableSize = uint32_t(table.size());
    cfg.matrix = matrix.data();
    cfg.matrixWords = uint32_t(matrix.size());
    if (cfg.plastic) {
      plasticMatrix = matrix;
      cfg.plasticMatrix = plasticMatrix.data();
    }
    uint64_t bytes = neuronCoreMemoryBytes(cfg);
    if (!bytes)
      return false;
    memory.assign(bytes / 8 + 1, 0xdeadbeefdeadbeefull);
    return neuronCoreInit(core, cfg, memory.data(), bytes);
  }
  uint16_t slot(uint32_t tick, uint32_t type, uint32_t neuron) const {
    uint32_t s = tick & ((1u << cfg.delayBits) - 1);
    return ringSlotValue(core.ring[(s << (cfg.indexBits + 1)) |
                                   (type << cfg.indexBits) | neuron]);
  }
  void receive(uint32_t tick, std::vector<uint32_t> keys) {
    neuronCoreReceive(core, tick, keys.data(), uint32_t(keys.size()));
  }
};

uint32_t word(uint16_t weight, uint32_t delay, uint32_t type, uint32_t target,
              uint32_t indexBits) {
  return uint32_t(weight) << 16 | delay << (indexBits + 1) | type << indexBits |
         target;
}

NeuronFixedParams lif() {
  // tau_m 20 ms, cm 1 nF, dt 1 ms, rest/reset -65 mV, threshold -50 mV,
  // tau_syn 5 ms, 2 refractory ticks (u0.32 constants rounded by hand).
  NeuronFixedParams p;
  p.vRest = Accum::fromInt(-65);
  p.vReset = Accum::fromInt(-65);
  p.vThresh = Accum::fromInt(-50);
  p.vInit = Accum::fromInt(-65);
  p.rMembrane = Accum::fromInt(20);
  p.expTC = UFract32::fromBits(4085499269u);             // exp(-1/20)
  p.decayE = p.decayI = UFract32::fromBits(3516421809u); // exp(-1/5)
  p.initE = p.initI = UFract32::fromBits(3892727437u);   // 5 (1 - exp(-1/5))
  p.refracTicks = 2;
  return p;
}

} // namespace

TEST(Kernel, PopulationTableSearch) {
  // Sorted, disjoint key spaces; one mask with a hole (0xFFFF00F0 leaves
  // bits 0-3 and 8-15 free).
  std::vector<PopEntry> t = {{0x00010000, 0xFFFFFF00, 0, 2, 256},
                             {0x00010200, 0xFFFFFE00, 0, 2, 512},
                             {0x00020000, 0xFFFF00F0, 0, 2, 4096},
                             {0x00030000, 0xFFFFFFFF, 0, 2, 1},
                             {0x80000000, 0xFFFF0000, 0, 2, 65536}};
  auto linear = [&](uint32_t key) {
    for (uint32_t i = 0; i < t.size(); ++i)
      if ((key & t[i].mask) == t[i].key)
        return int32_t(i);
    return int32_t(-1);
  };
  std::vector<uint32_t> keys = {
      0,          0x0000FFFF, 0x00010000, 0x000100FF, 0x00010100, 0x00010200,
      0x000103FF, 0x00010400, 0x00020000, 0x0002FF0F, 0x00020010, 0x00030000,
      0x00030001, 0x7FFFFFFF, 0x80000000, 0x8000FFFF, 0x80010000, 0xFFFFFFFF};
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i)
    keys.push_back(uint32_t(rng()) & 0x8003FFFF);
  for (uint32_t key : keys)
    EXPECT_EQ(popTableFind(t.data(), uint32_t(t.size()), key), linear(key))
        << std::hex << key;
  for (uint32_t n = 0; n <= t.size(); ++n)
    for (uint32_t key : keys) {
      int32_t want = linear(key);
      EXPECT_EQ(popTableFind(t.data(), n, key), want < int32_t(n) ? want : -1);
    }
}

TEST(Kernel, RingBufferDelays) {
  // 3 neurons, 8 ring slots; one source neuron's row: weight 100 to neuron
  // 1 after 5 ticks, 7 to neuron 2 (inhibitory) after 1, 30 to neuron 0
  // after 7. A second source row (source neuron 1) is empty.
  TestCore c;
  c.cfg.numNeurons = 3;
  c.cfg.params = lif();
  c.cfg.delayBits = 3;
  c.cfg.indexBits = 2;
  c.table = {{0x00050000, 0xFFFFFFFE, 0, 5, 2}};
  c.matrix = {3,
              0,
              word(100, 5, 0, 1, 2),
              word(7, 1, 1, 2, 2),
              word(30, 7, 0, 0, 2),
              0,
              0,
              0,
              0,
              0};
  ASSERT_TRUE(c.init());
  for (uint32_t tick : {10u, 1000003u, 0xFFFFFFF0u}) {
    c.receive(tick, {0x00050000});
    EXPECT_EQ(c.slot(tick + 5, 0, 1), 100);
    EXPECT_EQ(c.slot(tick + 1, 1, 2), 7);
    EXPECT_EQ(c.slot(tick + 7, 0, 0), 30);
    for (uint32_t d = 0; d < 8; ++d)
      for (uint32_t y = 0; y < 2; ++y)
        for (uint32_t i = 0; i < 3; ++i) {
          bool used = (d == 5 && y == 0 && i == 1) ||
                      (d == 1 && y == 1 && i == 2) ||
                      (d == 7 && y == 0 && i == 0);
          if (!used) {
            EXPECT_EQ(c.slot(tick + d, y, i), 0)
                << tick << " " << d << " " << y << " " << i;
          }
        }
    // The neuron updates of the next 8 ticks consume and clear the slots.
    for (uint32_t d = 1; d <= 8; ++d)
      neuronCoreTick(c.core, tick + d);
    for (uint32_t d = 0; d < 8; ++d)
      for (uint32_t i = 0; i < 3; ++i)
        EXPECT_EQ(c.slot(d, 0, i) + c.slot(d, 1, i), 0);
  }
  EXPECT_EQ(c.core.counters.packets, 3u);
  EXPECT_EQ(c.core.counters.synapticEvents, 9u);
  // The empty row of source neuron 1, a key of no entry, a key of the entry
  // past its rows (mask 0xFFFFFFFE: local 1 exists; 0x00050002 matches
  // nothing).
  c.receive(20, {0x00050001, 0x00060000, 0x00050002});
  EXPECT_EQ(c.core.counters.packets, 6u);
  EXPECT_EQ(c.core.counters.synapticEvents, 9u);
  EXPECT_EQ(c.core.counters.unmatchedPackets, 2u);
  EXPECT_EQ(c.core.counters.tickPackets, 3u);
  // Only source neuron 1's packet found a row, and it was empty (the
  // three packets of source neuron 0 found 3 synapses each).
  EXPECT_EQ(c.core.counters.emptyRows, 1u);
}

TEST(Kernel, RowPastItsEntryIsCounted) {
  TestCore c;
  c.cfg.numNeurons = 1;
  c.cfg.params = lif();
  c.table = {{0x100, 0xFFFFFFFC, 0, 3, 3}}; // 4 keys, 3 rows
  c.matrix = {1, 0, word(1, 1, 0, 0, 1), 0, 0, 0, 0, 0, 0};
  ASSERT_TRUE(c.init());
  c.receive(0, {0x103, 0x100});
  EXPECT_EQ(c.core.counters.invalidRows, 1u);
  EXPECT_EQ(c.core.counters.synapticEvents, 1u);
  EXPECT_EQ(c.slot(1, 0, 0), 1);
}

TEST(Kernel, SlotsSaturate) {
  TestCore c;
  c.cfg.numNeurons = 2;
  c.cfg.params = lif();
  c.cfg.delayBits = 3;
  c.table = {{0x0, 0xFFFFFF00, 0, 3, 256}};
  c.matrix.assign(3 * 256, 0);
  for (uint32_t r = 0; r < 256; ++r) {
    c.matrix[3 * r] = 1;
    c.matrix[3 * r + 2] = word(uint16_t(1000 + r), 1, 0, 1, 1);
  }
  ASSERT_TRUE(c.init());
  std::vector<uint32_t> keys;
  uint32_t sum = 0;
  for (uint32_t r = 0; r < 70; ++r) {
    keys.push_back(r);
    sum += 1000 + r;
  }
  c.receive(4, keys);
  EXPECT_EQ(c.slot(5, 0, 1), 0xFFFF);
  EXPECT_GT(sum, 0xFFFFu);
  c.receive(6, {0, 1});
  EXPECT_EQ(c.slot(7, 0, 1), 2001);
}

// More full-weight adds into one slot than a 32-bit sum holds (65,537 x
// 0xFFFF = 2^32 - 1): the host's wide ring (RingSlot) clamps before a sum
// could wrap, in one long row and across many rows, and the slot reads
// 0xFFFF as the ARM968's saturating 16-bit slot does.
TEST(Kernel, WideRingNeverWraps) {
  TestCore c;
  c.cfg.numNeurons = 2;
  c.cfg.params = lif();
  c.cfg.delayBits = 3;
  // 65,538 adds of 0xFFFF: an unclamped 32-bit sum wraps to 65,534. Key 0:
  // one row of that many synapses; keys 0x10000 + 0..rows-1: 3 each, as
  // many again in all; every synapse of weight 0xFFFF to (delay 1, type 0,
  // neuron 1).
  const uint32_t longRow = 65538, shortRow = 3, rows = 21846;
  const uint32_t longStride = 2 + longRow, shortStride = 2 + shortRow;
  c.table = {{0x00000, 0xFFFF0000, 0, longStride, 1},
             {0x10000, 0xFFFF0000, longStride, shortStride, rows}};
  c.matrix.assign(longStride + shortStride * rows, 0);
  c.matrix[0] = longRow;
  for (uint32_t s = 0; s < longRow; ++s)
    c.matrix[2 + s] = word(0xFFFF, 1, 0, 1, 1);
  for (uint32_t r = 0; r < rows; ++r) {
    uint32_t *row = c.matrix.data() + longStride + shortStride * r;
    row[0] = shortRow;
    for (uint32_t s = 0; s < shortRow; ++s)
      row[2 + s] = word(0xFFFF, 1, 0, 1, 1);
  }
  ASSERT_TRUE(c.init());
  c.receive(4, {0});
  EXPECT_EQ(c.slot(5, 0, 1), 0xFFFF);
  EXPECT_EQ(c.slot(5, 0, 0), 0);
  std::vector<uint32_t> keys;
  for (uint32_t r = 0; r < rows; ++r)
    keys.push_back(0x10000 + r);
  c.receive(6, keys);
  EXPECT_EQ(c.slot(7, 0, 1), 0xFFFF);
  EXPECT_EQ(c.core.counters.synapticEvents,
            uint64_t(longRow) + rows * shortRow);
  // The update consumes the slot.
  neuronCoreTick(c.core, 5);
  EXPECT_EQ(c.slot(5, 0, 1), 0);
}

/// The control half-word of a plastic synapse (delay, type, index) with
/// 2 index bits.
uint32_t plasticControl(uint32_t d, uint32_t y, uint32_t i) {
  return d << 3 | y << 2 | i;
}

/// A 4-neuron core (2 delay and 2 index bits) with one row behind key 0x40:
/// 3 plastic synapses of weights \p w0, \p w1, \p w2 to (delay 1, type 0,
/// neuron 0), (2, 1, 3), (3, 0, 2) (16-bit weights and controls, two to a
/// word) and 1 fixed one of weight 44 to (1, 0, 1).
void plasticRowCore(TestCore &c, uint32_t w0, uint32_t w1, uint32_t w2) {
  c.cfg.numNeurons = 4;
  c.cfg.params = lif();
  c.cfg.delayBits = 2;
  c.cfg.indexBits = 2;
  c.table = {{0x40, 0xFFFFFFFF, 0, 10, 1}};
  c.matrix = {1,
              3,
              0, // last pre-synaptic spike
              0, // pre-synaptic trace
              w0 | w1 << 16,
              w2,
              plasticControl(1, 0, 0) | plasticControl(2, 1, 3) << 16,
              plasticControl(3, 0, 2),
              word(44, 1, 0, 1, 2),
              0};
}

TEST(Kernel, PlasticRowsActAsStatic) {
  // A row with 3 plastic synapses and 1 fixed one, on a core without the
  // plastic flag: all act as static synapses.
  TestCore c;
  plasticRowCore(c, 11, 22, 33);
  ASSERT_TRUE(c.init());
  c.receive(0, {0x40});
  EXPECT_EQ(c.slot(1, 0, 0), 11);
  EXPECT_EQ(c.slot(2, 1, 3), 22);
  EXPECT_EQ(c.slot(3, 0, 2), 33);
  EXPECT_EQ(c.slot(1, 0, 1), 44);
  EXPECT_EQ(c.core.counters.synapticEvents, 4u);
}

TEST(Kernel, PlasticCoreLearns) {
  // The row of PlasticRowsActAsStatic on a core with the plastic flag: each
  // plastic weight is updated by the rule (stdp::onPreSpike with the row's
  // pre state and the target's post history), written back into the
  // kernel's copy of the row and added to the ring; then the row's last pre
  // tick and trace. The image's matrix is left alone.
  TestCore c;
  plasticRowCore(c, 1000, 2000, 3000);
  // exp(-k / 4) and exp(-k / 5) as u0.32, a few entries.
  std::vector<UFract32> plus = {
      UFract32::fromBits(0xFFFFFFFFu), UFract32::fromBits(3344926325u),
      UFract32::fromBits(2604969717u), UFract32::fromBits(2028711796u)};
  std::vector<UFract32> minus = {UFract32::fromBits(0xFFFFFFFFu),
                                 UFract32::fromBits(3516421809u),
                                 UFract32::fromBits(2878989098u)};
  c.cfg.plastic = true;
  c.cfg.aPlus = Accum::fromInt(300);
  c.cfg.aMinus = Accum::fromInt(200);
  c.cfg.wMin = Accum::fromBits(100 << 15 | 1 << 14); // 100.5: rounds to 101
  c.cfg.wMax = Accum::fromInt(4000);
  c.cfg.decayPlus = plus.data();
  c.cfg.lenPlus = uint32_t(plus.size());
  c.cfg.decayMinus = minus.data();
  c.cfg.lenMinus = uint32_t(minus.size());
  std::vector<uint32_t> image = c.matrix;
  ASSERT_TRUE(c.init());
  const stdp::Rule &r = c.core.rule;
  EXPECT_EQ(r.wMin, 101);
  EXPECT_EQ(r.wMax, 4000);
  uint32_t *row = c.core.plasticMatrix;
  auto weight = [&](uint32_t s) {
    return uint16_t(row[4 + s / 2] >> (16 * (s & 1)));
  };
  // Post neuron 0 spiked at tick 4; the first pre spike (tick 5) only
  // depresses (post trace 1.0 decayed by one tick).
  c.core.history[0].record(4, r);
  c.receive(5, {0x40});
  uint16_t w0 = stdp::onPreSpike(1000, 5, false, 0, 0, c.core.history[0], r);
  EXPECT_LT(w0, 1000);
  EXPECT_EQ(weight(0), w0);
  EXPECT_EQ(weight(1), 2000); // neurons 3 and 2 never spiked
  EXPECT_EQ(weight(2), 3000);
  EXPECT_EQ(c.slot(6, 0, 0), w0);
  EXPECT_EQ(c.slot(7, 1, 3), 2000);
  EXPECT_EQ(row[2], 5u);
  EXPECT_EQ(row[3], uint32_t(stdp::kTraceOne));
  // Post neuron 2 spikes at 6, the next pre spike at 7 potentiates it
  // (the pre trace decayed by one tick) and depresses.
  c.core.history[2].record(6, r);
  c.receive(7, {0x40});
  uint16_t w2 =
      stdp::onPreSpike(3000, 7, true, 5, stdp::kTraceOne, c.core.history[2], r);
  EXPECT_NE(w2, 3000);
  EXPECT_EQ(weight(2), w2);
  EXPECT_EQ(row[2], 7u);
  EXPECT_EQ(row[3], uint32_t(stdp::bumpTrace(stdp::kTraceOne, 2, plus.data(),
                                             uint32_t(plus.size()))));
  // The fixed synapse is static; the image's rows are untouched.
  EXPECT_EQ(row[8], word(44, 1, 0, 1, 2));
  EXPECT_EQ(c.matrix, image);
  // Read-back: a post spike after the last pre spike is flushed.
  c.core.history[3].record(8, r);
  uint32_t control = 0;
  uint16_t w1 = neuronCorePlasticWeight(c.core, 0, 1, control);
  EXPECT_EQ(control, plasticControl(2, 1, 3));
  EXPECT_EQ(w1,
            stdp::flush(weight(1), 7, int32_t(row[3]), c.core.history[3], r));
  EXPECT_GT(w1, weight(1));
}

TEST(Kernel, NeuronUpdateIsLifStep) {
  // Each neuron's inputs enter lifStep through the core's left shifts;
  // spikes set recording bits and send key | index; voltages are recorded.
  TestCore c;
  c.cfg.numNeurons = 40;
  c.cfg.params = lif();
  c.cfg.params.iOffset = Accum::fromBits(1 << 14); // 0.5 nA
  c.cfg.hasKey = true;
  c.cfg.key = 0x1200;
  c.cfg.leftShift[0] = 3;
  c.cfg.leftShift[1] = 5;
  c.cfg.delayBits = 1;
  c.cfg.indexBits = 6;
  c.cfg.recordVoltage = true;
  std::vector<NeuronFixedState> init(40);
  for (uint32_t i = 0; i < 40; ++i) {
    init[i] = initialState(c.cfg.params);
    init[i].v = Accum::fromInt(-65 + int32_t(i % 20));
  }
  c.cfg.initialState = init.data();
  // Source neuron 0 excites every neuron, source neuron 1 inhibits them.
  c.table = {{0x0, 0xFFFFFFFE, 0, 42, 2}};
  c.matrix.assign(84, 0);
  c.matrix[0] = 40;
  c.matrix[42] = 40;
  for (uint32_t i = 0; i < 40; ++i) {
    c.matrix[2 + i] = word(uint16_t(900 * i), 1, 0, i, 6);
    c.matrix[44 + i] = word(uint16_t(50 * i), 1, 1, i, 6);
  }
  ASSERT_TRUE(c.init());
  std::vector<NeuronFixedState> want = init;
  for (uint32_t t = 0; t < 30; ++t) {
    neuronCoreTick(c.core, t);
    std::vector<uint32_t> keys;
    for (uint32_t i = 0; i < 40; ++i) {
      uint16_t e = t > 0 && (t - 1) % 3 == 0 ? uint16_t(900 * i) : 0;
      uint16_t in = t > 0 && (t - 1) % 4 == 0 ? uint16_t(50 * i) : 0;
      bool spiked;
      lifStep(want[i], c.cfg.params, ringBufferToAccum(e, 3),
              ringBufferToAccum(in, 5), spiked);
      EXPECT_EQ(c.core.state[i].v, want[i].v) << t << " " << i;
      EXPECT_EQ(c.core.state[i].iSynE, want[i].iSynE);
      EXPECT_EQ(c.core.state[i].refracTimer, want[i].refracTimer);
      EXPECT_EQ(c.core.voltage[i], want[i].v.bits);
      EXPECT_EQ(bool(c.core.spikeBits[i / 32] >> (i % 32) & 1), spiked);
      if (spiked)
        keys.push_back(0x1200 | i);
    }
    EXPECT_EQ(
        std::vector<uint32_t>(c.core.outKeys, c.core.outKeys + c.core.numOut),
        keys);
    std::vector<uint32_t> in;
    if (t % 3 == 0)
      in.push_back(0);
    if (t % 4 == 0)
      in.push_back(1);
    c.receive(t, in);
  }
  EXPECT_GT(c.core.counters.spikes, 0u);
}

TEST(Kernel, RandomStatesFollowLifStep) {
  // Random parameters and states (saturating ones included), random ring
  // slots written straight into the ring, and long stretches without input
  // (where the kernel skips neurons in a fixed point of lifStep): every
  // state after every tick equals lifStep's.
  std::mt19937 rng(99);
  auto any = [&](int32_t lo, int32_t hi) {
    return int32_t(lo + int64_t(rng() % (uint64_t(int64_t(hi) - lo) + 1)));
  };
  for (int round = 0; round < 20; ++round) {
    TestCore c;
    c.cfg.numNeurons = 100;
    c.cfg.delayBits = 1;
    c.cfg.indexBits = 7;
    NeuronFixedParams &p = c.cfg.params;
    bool extreme = round % 4 == 3;
    test::randomNeuronParams(
        rng, extreme,
        [&] { return round % 2 ? 0 : any(-1 * 32768, 2 * 32768); }, p);
    p.vInit = p.vRest;
    c.cfg.leftShift[0] = uint32_t(any(0, 16));
    c.cfg.leftShift[1] = uint32_t(any(0, 16));
    std::vector<NeuronFixedState> init(100);
    for (NeuronFixedState &st : init) {
      st.v = Accum::fromBits(extreme ? int32_t(rng())
                                     : any(-80 * 32768, -40 * 32768));
      st.iSynE = Accum::fromBits(
          rng() % 3 == 0 ? 0 : any(0, extreme ? INT32_MAX : 50 * 32768));
      st.iSynI = Accum::fromBits(
          rng() % 3 == 0 ? 0 : any(0, extreme ? INT32_MAX : 50 * 32768));
      st.refracTimer = any(0, p.refracTicks);
    }
    c.cfg.initialState = init.data();
    ASSERT_TRUE(c.init());
    std::vector<NeuronFixedState> want = init;
    for (uint32_t t = 0; t < 300; ++t) {
      uint32_t s = t & 1;
      RingSlot *rbE = c.core.ring + (s << 8), *rbI = rbE + 128;
      std::vector<uint16_t> e(100, 0), in(100, 0);
      bool quietStretch = (t / 50) % 2 == 1;
      for (uint32_t i = 0; i < 100; ++i) {
        if (quietStretch || rng() % 4)
          continue;
        uint32_t kind = rng() % 5;
        e[i] = kind == 0 ? 0xFFFF : uint16_t(rng());
        in[i] = kind == 1 ? 0xFFFF : rng() % 2 ? uint16_t(rng()) : 0;
        rbE[i] = e[i];
        rbI[i] = in[i];
      }
      neuronCoreTick(c.core, t);
      for (uint32_t i = 0; i < 100; ++i) {
        bool spiked;
        lifStep(want[i], p, ringBufferToAccum(e[i], c.cfg.leftShift[0]),
                ringBufferToAccum(in[i], c.cfg.leftShift[1]), spiked);
        ASSERT_EQ(c.core.state[i].v, want[i].v)
            << round << " " << t << " " << i;
        ASSERT_EQ(c.core.state[i].iSynE, want[i].iSynE);
        ASSERT_EQ(c.core.state[i].iSynI, want[i].iSynI);
        ASSERT_EQ(c.core.state[i].refracTimer, want[i].refracTimer);
        ASSERT_EQ(bool(c.core.spikeBits[i / 32] >> (i % 32) & 1), spiked);
        ASSERT_EQ(rbE[i] | rbI[i], 0);
      }
    }
  }
}

TEST(Kernel, NirModelCoresFollowTheirStep) {
  // A core of each NIR model (one model per core, chosen per tick): random
  // constants and states, random ring slots (saturating ones included) and
  // stretches without input (quiet neurons skipped): every state after
  // every tick equals the model's own step (kernel/Lif.h).
  std::mt19937 rng(5);
  auto any = [&](int32_t lo, int32_t hi) {
    return int32_t(lo + int64_t(rng() % (uint64_t(int64_t(hi) - lo) + 1)));
  };
  const NeuronStepFn steps[] = {nullptr, ifStep, nirLifStep, cubaLifStep};
  for (int32_t model = NeuronModelIf; model < NeuronModelCount; ++model)
    for (int round = 0; round < 6; ++round) {
      TestCore c;
      c.cfg.numNeurons = 50;
      c.cfg.delayBits = 1;
      c.cfg.indexBits = 6;
      NeuronFixedParams &p = c.cfg.params;
      p.model = model;
      p.resetSubtract = round % 2;
      p.vRest = Accum::fromBits(any(-2 * 32768, 0));
      p.vReset = Accum::fromBits(any(-2 * 32768, 0));
      p.vThresh = Accum::fromBits(any(1, 3 * 32768));
      p.vInit = p.vReset;
      p.bias = Accum::fromBits(round % 3 == 0 ? 0 : any(-3000, 3000));
      p.iOffset = Accum::fromBits(round % 3 == 1 ? 0 : any(-8000, 8000));
      p.rMembrane = Accum::fromBits(any(1, 4 * 32768));
      p.expTC = UFract32::fromBits(uint32_t(rng()));
      p.decayE = UFract32::fromBits(uint32_t(rng()));
      c.cfg.leftShift[0] = uint32_t(any(0, 16));
      c.cfg.leftShift[1] = uint32_t(any(0, 16));
      std::vector<NeuronFixedState> init(50);
      for (NeuronFixedState &st : init) {
        st.v = Accum::fromBits(round == 5 ? int32_t(rng())
                                          : any(-3 * 32768, 3 * 32768));
        st.iSynE = Accum::fromBits(
            model == NeuronModelCubaLif ? any(-5 * 32768, 5 * 32768) : 0);
      }
      c.cfg.initialState = init.data();
      ASSERT_TRUE(c.init());
      std::vector<NeuronFixedState> want = init;
      uint32_t spikes = 0;
      for (uint32_t t = 0; t < 200; ++t) {
        uint32_t s = t & 1;
        RingSlot *rbE = c.core.ring + (s << 7), *rbI = rbE + 64;
        std::vector<uint16_t> e(50, 0), in(50, 0);
        bool quietStretch = (t / 40) % 2 == 1;
        for (uint32_t i = 0; i < 50; ++i) {
          if (quietStretch || rng() % 3)
            continue;
          e[i] = rng() % 7 == 0 ? 0xFFFF : uint16_t(rng() % 4096);
          in[i] = rng() % 2 ? uint16_t(rng() % 4096) : 0;
          rbE[i] = e[i];
          rbI[i] = in[i];
        }
        neuronCoreTick(c.core, t);
        for (uint32_t i = 0; i < 50; ++i) {
          bool spiked;
          steps[model](want[i], p, ringBufferToAccum(e[i], c.cfg.leftShift[0]),
                       ringBufferToAccum(in[i], c.cfg.leftShift[1]), spiked);
          ASSERT_EQ(c.core.state[i].v, want[i].v)
              << model << " " << round << " " << t << " " << i;
          ASSERT_EQ(c.core.state[i].iSynE, want[i].iSynE);
          ASSERT_EQ(bool(c.core.spikeBits[i / 32] >> (i % 32) & 1), spiked);
          ASSERT_EQ(rbE[i] | rbI[i], 0);
          spikes += spiked;
        }
      }
      EXPECT_GT(spikes, 0u) << model << " " << round;
    }
}

TEST(Kernel, InvalidConfigurations) {
  TestCore c;
  c.cfg.numNeurons = 5;
  c.cfg.indexBits = 2; // 4 neurons at most
  EXPECT_EQ(neuronCoreMemoryBytes(c.cfg), 0u);
  EXPECT_FALSE(c.init());
  c.cfg.indexBits = 3;
  c.cfg.delayBits = 13; // 13 + 1 + 3 > 16
  EXPECT_EQ(neuronCoreMemoryBytes(c.cfg), 0u);
  c.cfg.delayBits = 2;
  uint64_t bytes = neuronCoreMemoryBytes(c.cfg);
  ASSERT_GT(bytes, 0u);
  std::vector<uint64_t> mem(bytes / 8);
  NeuronCore core;
  EXPECT_FALSE(neuronCoreInit(core, c.cfg, mem.data(), bytes - 8));
  EXPECT_TRUE(neuronCoreInit(core, c.cfg, mem.data(), bytes));
}

TEST(Kernel, SpikeSource) {
  // Neuron 0 at ticks 1, 3; neuron 1 never; neuron 2 at 0, 3, 9 (and a tick
  // the run skips past is passed over).
  std::vector<uint32_t> start = {0, 2, 2, 5}, ticks = {1, 3, 0, 3, 9};
  SourceCoreConfig cfg;
  cfg.numNeurons = 3;
  cfg.hasKey = true;
  cfg.key = 0x700;
  cfg.start = start.data();
  cfg.ticks = ticks.data();
  uint64_t bytes = sourceCoreMemoryBytes(cfg);
  std::vector<uint64_t> mem(bytes / 8 + 1);
  SourceCore core;
  ASSERT_TRUE(sourceCoreInit(core, cfg, mem.data(), bytes));
  std::vector<std::vector<uint32_t>> got;
  for (uint32_t t : {0u, 1u, 2u, 3u, 4u, 10u}) {
    sourceCoreTick(core, t);
    got.emplace_back(core.outKeys, core.outKeys + core.numOut);
    EXPECT_EQ(core.spikeBits[0], [&] {
      uint32_t b = 0;
      for (uint32_t k : got.back())
        b |= 1u << (k & 0xFF);
      return b;
    }());
  }
  std::vector<std::vector<uint32_t>> want = {{0x702},        {0x700}, {},
                                             {0x700, 0x702}, {},      {}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(core.spikes, 4u);
}

TEST(Kernel, EventPathFindsRowsAndProcessesCopies) {
  // The core program's path (runtime/arm): neuronCoreFindRow gives the
  // row's offset and the entry's stride; neuronCoreProcessRow on a copy of
  // the row (a DMA buffer) adds what neuronCoreReceive adds in place.
  auto make = [](TestCore &c) {
    c.cfg.numNeurons = 3;
    c.cfg.params = lif();
    c.cfg.delayBits = 3;
    c.cfg.indexBits = 2;
    c.table = {{0x00050000, 0xFFFFFFFE, 2, 5, 2}};
    c.matrix = {0xAAAA,
                0xBBBB,
                3,
                0,
                word(100, 5, 0, 1, 2),
                word(7, 1, 1, 2, 2),
                word(30, 7, 0, 0, 2),
                1,
                0,
                word(9, 2, 0, 2, 2),
                0,
                0};
    return c.init();
  };
  TestCore a, b;
  ASSERT_TRUE(make(a));
  ASSERT_TRUE(make(b));
  uint32_t offset = 0, words = 0;
  ASSERT_TRUE(neuronCoreFindRow(a.core, 0x00050001, offset, words));
  EXPECT_EQ(offset, 7u); // rowOffset 2 + 1 x stride 5
  EXPECT_EQ(words, 5u);
  std::vector<uint32_t> buffer(a.matrix.begin() + offset,
                               a.matrix.begin() + offset + words);
  EXPECT_FALSE(neuronCoreProcessRow(a.core, 4, buffer.data(), nullptr));
  ASSERT_TRUE(neuronCoreFindRow(a.core, 0x00050000, offset, words));
  EXPECT_EQ(offset, 2u);
  buffer.assign(a.matrix.begin() + offset, a.matrix.begin() + offset + words);
  neuronCoreProcessRow(a.core, 4, buffer.data(), nullptr);
  // Unmatched and past-the-rows keys are counted, as by neuronCoreReceive.
  EXPECT_FALSE(neuronCoreFindRow(a.core, 0x00060000, offset, words));
  EXPECT_EQ(a.core.counters.unmatchedPackets, 1u);
  b.receive(4, {0x00050001, 0x00050000, 0x00060000});
  EXPECT_EQ(a.core.counters.packets, 3u);
  EXPECT_EQ(a.core.counters.synapticEvents, 4u);
  EXPECT_EQ(a.core.counters.packets, b.core.counters.packets);
  EXPECT_EQ(a.core.counters.synapticEvents, b.core.counters.synapticEvents);
  EXPECT_EQ(a.core.counters.tickEvents, b.core.counters.tickEvents);
  EXPECT_EQ(a.slot(6, 0, 2), 9);
  EXPECT_EQ(a.slot(9, 0, 1), 100);
  uint32_t ringSize = 2u << (3 + 2);
  for (uint32_t s = 0; s < ringSize; ++s)
    EXPECT_EQ(a.core.ring[s], b.core.ring[s]) << s;
}

// The DTCM the board program lays a core out in after its static data
// (runtime/arm/App.cpp; the qemu test checks the program uses exactly it):
// one neuron, 1 delay and 1 index bit, a population table of 2 entries
// whose longest row stride is 5 words.
TEST(Kernel, ArenaBytes) {
  PopEntry table[2] = {{0, 0xffffffff, 0, 3, 1}, {1, 0xffffffff, 3, 5, 1}};
  NeuronCoreConfig c;
  c.numNeurons = 1;
  c.delayBits = 1;
  c.indexBits = 1;
  c.popTable = table;
  c.popTableSize = 2;
  // Table 2 x 20 = 40; row buffers 2 x align8(20) = 48; state 16; ring
  // buffers 2^3 x 2 = 16; quiet flags, keys, spike bits 3 x 8 = 24.
  EXPECT_EQ(neuronCoreArenaBytes(c), 40u + 48 + 16 + 16 + 24);
  // Plastic: decay tables of 3 and 2 words (align8: 16 + 8) and the
  // post-spike history; no writable matrix is needed to size it.
  c.plastic = true;
  c.lenPlus = 3;
  c.lenMinus = 2;
  EXPECT_EQ(neuronCoreArenaBytes(c),
            144u + 24 + resources::align8(sizeof(stdp::PostHistory)));
  c.indexBits = 0;
  EXPECT_EQ(neuronCoreArenaBytes(c), 0u);
}

// Per-neuron parameters: two IF sets in the neuron-params words, an index
// per neuron. Set 0: bias 1 mV, threshold 10 mV; set 1: bias 3 mV,
// threshold 2 mV, reset by subtraction to... 0.5 below (v_reset 0.5).
// Neurons 0 and 2 use set 1: after one tick v = 3 > 2, a spike, then
// v = 3 - (2 - 0.5) = 1.5; neuron 1 (set 0) has v = 1, no spike.
TEST(Kernel, PerNeuronParameterSets) {
  auto set = [](int32_t biasMv, int32_t threshMv, int32_t resetHalfMv,
                uint32_t flags, uint32_t model) {
    std::vector<uint32_t> w(kNeuronParamWordsNir, 0);
    w[1] = uint32_t(Accum::fromInt(resetHalfMv).bits / 2); // v_reset
    w[2] = uint32_t(Accum::fromInt(threshMv).bits);        // v_thresh
    w[12] = model;
    w[13] = flags;
    w[14] = uint32_t(Accum::fromInt(biasMv).bits); // bias
    return w;
  };
  std::vector<uint32_t> words = set(1, 10, 0, 0, NeuronModelIf);
  std::vector<uint32_t> second = set(3, 2, 1, 1, NeuronModelIf);
  words.insert(words.end(), second.begin(), second.end());
  std::vector<uint16_t> index = {1, 0, 1, 0};
  TestCore t;
  t.cfg.numNeurons = 3;
  t.cfg.delayBits = 1;
  t.cfg.indexBits = 2;
  ASSERT_TRUE(decodeNeuronParams(words.data(), true, t.cfg.params));
  t.cfg.paramSets = words.data();
  t.cfg.numParamSets = 2;
  t.cfg.paramIndex = index.data();
  // The block holds the decoded sets and the index.
  NeuronCoreConfig plain = t.cfg;
  plain.paramIndex = nullptr;
  EXPECT_EQ(neuronCoreMemoryBytes(t.cfg),
            neuronCoreMemoryBytes(plain) +
                resources::align8(2 * sizeof(NeuronFixedParams)) + 8);
  ASSERT_TRUE(t.init());
  // The core's configuration now points at its own decoded sets and index.
  EXPECT_NE(t.core.cfg.paramIndex, index.data());
  EXPECT_EQ(t.core.cfg.paramIndex[0], 1u);
  EXPECT_EQ(t.core.cfg.paramIndex[1], 0u);
  EXPECT_EQ(neuronParamsOf(t.core, 0).bias, Accum::fromInt(3));
  EXPECT_EQ(neuronParamsOf(t.core, 1).vThresh, Accum::fromInt(10));
  neuronCoreTick(t.core, 0);
  EXPECT_EQ(t.core.spikeBits[0], 0b101u);
  EXPECT_EQ(t.core.state[0].v.bits,
            Accum::fromInt(3).bits -
                (Accum::fromInt(2).bits - Accum::fromInt(1).bits / 2));
  EXPECT_EQ(t.core.state[1].v, Accum::fromInt(1));
  EXPECT_EQ(t.core.state[2].v, t.core.state[0].v);
  // An index past the sets, or sets of two models, fail the core's start.
  index[1] = 2;
  TestCore bad = t;
  EXPECT_FALSE(bad.init());
  index[1] = 0;
  words[16 + 12] = NeuronModelLif;
  TestCore mixed = t;
  EXPECT_FALSE(mixed.init());
}

TEST(Kernel, WinnersPerTick) {
  // Five neurons above or near threshold (-50 mV) and no input: each tick
  // every neuron decays towards rest (V' = -65 + (V + 65) exp(-1/20)),
  // then at most k of those at or above threshold fire, the highest V
  // first, the lower index among equal V; the others keep their V.
  auto run = [](uint32_t k) {
    TestCore c;
    c.cfg.numNeurons = 5;
    c.cfg.params = lif();
    c.cfg.hasKey = true;
    c.cfg.key = 0x300;
    c.cfg.delayBits = 1;
    c.cfg.indexBits = 3;
    c.cfg.winnersPerTick = k;
    std::vector<NeuronFixedState> init(5, initialState(c.cfg.params));
    const int32_t v0[5] = {-49, -45, -45, -60, -47};
    for (uint32_t i = 0; i < 5; ++i)
      init[i].v = Accum::fromInt(v0[i]);
    c.cfg.initialState = init.data();
    EXPECT_TRUE(c.init());
    std::vector<NeuronFixedState> want = init;
    std::vector<std::vector<uint32_t>> keys;
    for (uint32_t t = 0; t < 4; ++t) {
      neuronCoreTick(c.core, t);
      keys.emplace_back(c.core.outKeys, c.core.outKeys + c.core.numOut);
      for (uint32_t i = 0; i < 5; ++i) {
        bool fired = c.core.spikeBits[0] >> i & 1;
        lifIntegrate(want[i], c.cfg.params, Accum(), Accum());
        if (fired)
          lifFire(want[i], c.cfg.params);
        EXPECT_EQ(c.core.state[i].v, want[i].v) << t << " " << i;
        EXPECT_EQ(c.core.state[i].refracTimer, want[i].refracTimer);
      }
    }
    return keys;
  };
  // k = 1: tick 0 neurons 1 and 2 tie at the top (-45.98 mV): 1 fires;
  // tick 1: 2 (-46.91), kept above threshold, before 4 (-48.71); tick 2: 4
  // (-49.51; 0 is below since tick 1); tick 3: nothing is at threshold.
  using K = std::vector<std::vector<uint32_t>>;
  EXPECT_EQ(run(1), (K{{0x301}, {0x302}, {0x304}, {}}));
  // k = 2: 1 and 2 together (in index order), then 4 alone.
  EXPECT_EQ(run(2), (K{{0x301, 0x302}, {0x304}, {}, {}}));
  // k = 0: every neuron at threshold fires, as lifStep.
  EXPECT_EQ(run(0), (K{{0x300, 0x301, 0x302, 0x304}, {}, {}, {}}));
}
