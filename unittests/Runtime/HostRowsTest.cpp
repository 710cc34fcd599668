//===- HostRowsTest.cpp - Static rows' runs against the kernel's loop -----===//
//
// emulator::planHostRows (runtime/HostRows.cpp): which rows get runs, the
// ring after one hand-made row (exact values), and random rows received by
// a core with the plan and by one without it, side by side: after every
// receive their whole memory blocks and counters are equal.
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "kernel/Kernel.h"
#include "gtest/gtest.h"
#include <cstring>
#include <random>
#include <vector>

using namespace scnc;
using namespace scnc::kernel;
using emulator::HostIsa;

namespace {

uint32_t word(uint16_t weight, uint32_t delay, uint32_t type, uint32_t target,
              uint32_t indexBits) {
  return uint32_t(weight) << 16 | delay << (indexBits + 1) | type << indexBits |
         target;
}

struct Core {
  NeuronCoreConfig cfg;
  std::vector<PopEntry> table;
  std::vector<uint32_t> matrix;
  std::vector<uint64_t> memory;
  uint64_t bytes = 0;
  NeuronCore core;
  std::unique_ptr<HostRows> rows;

  bool init(HostIsa isa) {
    cfg.popTable = table.data();
    cfg.popTableSize = uint32_t(table.size());
    cfg.matrix = matrix.data();
    cfg.matrixWords = uint32_t(matrix.size());
    bytes = neuronCoreMemoryBytes(cfg);
    if (!bytes)
      return false;
    memory.assign(bytes / 8 + 1, 0);
    if (!neuronCoreInit(core, cfg, memory.data(), bytes))
      return false;
    rows = emulator::planHostRows(core, isa);
    core.hostRows = rows.get();
    return true;
  }
  uint32_t slot(uint32_t tick, uint32_t type, uint32_t neuron) const {
    uint32_t s = tick & ((1u << cfg.delayBits) - 1);
    return core
        .ring[(s << (cfg.indexBits + 1)) | (type << cfg.indexBits) | neuron];
  }
};

bool hostHasVectors() {
  return emulator::hostNeuronTickIsa() != HostIsa::Scalar;
}

} // namespace

TEST(HostRows, OneRowExactly) {
  if (!hostHasVectors())
    GTEST_SKIP() << "no AVX2 on this host";
  // 16 neurons, 4 ring slots. Row: two single words, a run of 12
  // (excitatory, delay 1, targets 2..13, weights 1..12), a word that hits
  // target 5 of that run again (weight 100), a run of 9 (inhibitory, delay
  // 3, targets 0..8, weights 20..28), a run of 3 (too short: word by word).
  Core c;
  const uint32_t ib = 4;
  c.cfg.numNeurons = 16;
  c.cfg.delayBits = 2;
  c.cfg.indexBits = ib;
  std::vector<uint32_t> row = {word(7, 2, 0, 15, ib), word(9, 1, 1, 0, ib)};
  for (uint32_t k = 0; k < 12; ++k)
    row.push_back(word(uint16_t(1 + k), 1, 0, 2 + k, ib));
  row.push_back(word(100, 1, 0, 5, ib));
  for (uint32_t k = 0; k < 9; ++k)
    row.push_back(word(uint16_t(20 + k), 3, 1, k, ib));
  for (uint32_t k = 0; k < 3; ++k)
    row.push_back(word(uint16_t(50 + k), 0, 0, k, ib));
  c.matrix = {uint32_t(row.size()), 0};
  c.matrix.insert(c.matrix.end(), row.begin(), row.end());
  c.table = {{0x100, 0xFFFFFFFF, 0, uint32_t(c.matrix.size()), 1}};
  ASSERT_TRUE(c.init(HostIsa::Avx512));
  ASSERT_NE(c.rows, nullptr);
  const uint32_t tick = 6; // slots of tick 6 + d
  uint32_t key = 0x100;
  neuronCoreReceive(c.core, tick, &key, 1);
  EXPECT_EQ(c.slot(tick + 2, 0, 15), 7u);
  EXPECT_EQ(c.slot(tick + 1, 1, 0), 9u);
  for (uint32_t k = 0; k < 12; ++k)
    EXPECT_EQ(c.slot(tick + 1, 0, 2 + k), 1 + k + (k == 3 ? 100 : 0)) << k;
  for (uint32_t k = 0; k < 9; ++k)
    EXPECT_EQ(c.slot(tick + 3, 1, k), 20 + k) << k;
  for (uint32_t k = 0; k < 3; ++k)
    EXPECT_EQ(c.slot(tick, 0, k), 50 + k) << k;
  uint32_t total = 0;
  for (uint32_t i = 0; i <= c.core.ringIndexMask; ++i)
    total += c.core.ring[i];
  EXPECT_EQ(total, 7u + 9 + 78 + 100 + 216 + 153);
  EXPECT_EQ(c.core.counters.synapticEvents, row.size());
  EXPECT_EQ(c.core.counters.packets, 1u);
}

TEST(HostRows, NoPlanWithoutRunsOrVectors) {
  // A core of 16 neurons with one row of n consecutive targets.
  auto core = [](Core &c, uint32_t n) {
    c.cfg.numNeurons = 16;
    c.cfg.delayBits = 1;
    c.cfg.indexBits = 4;
    c.matrix = {n, 0};
    for (uint32_t k = 0; k < n; ++k)
      c.matrix.push_back(word(1, 0, 0, k, 4));
    c.table = {{0x100, 0xFFFFFFFF, 0, uint32_t(c.matrix.size()), 1}};
  };
  // Seven: one short of a run.
  Core c;
  core(c, 7);
  ASSERT_TRUE(c.init(HostIsa::Avx512));
  EXPECT_EQ(c.rows, nullptr);
  // Eight, but no vectors allowed.
  Core d;
  core(d, 8);
  ASSERT_TRUE(d.init(HostIsa::Scalar));
  EXPECT_EQ(d.rows, nullptr);
  if (hostHasVectors()) {
    ASSERT_TRUE(d.init(HostIsa::Avx2));
    EXPECT_NE(d.rows, nullptr);
  }
}

TEST(HostRows, RandomRowsMatchTheKernel) {
  if (!hostHasVectors())
    GTEST_SKIP() << "no AVX2 on this host";
  std::mt19937 rng(5);
  for (HostIsa isa : {HostIsa::Avx2, HostIsa::Avx512}) {
    for (int round = 0; round < 20; ++round) {
      // Up to 3 entries of up to 6 rows; rows mix runs (lengths 1..40, some
      // crossing the type bit, which ends a run) and repeated targets.
      Core a, b;
      const uint32_t ib = 4 + rng() % 4, db = 1 + rng() % 4;
      a.cfg.numNeurons = (1u << ib) - rng() % 4;
      a.cfg.delayBits = db;
      a.cfg.indexBits = ib;
      uint32_t entries = 1 + rng() % 3;
      for (uint32_t e = 0; e < entries; ++e) {
        uint32_t rows = 1 + rng() % 6, stride = 2 + 90;
        PopEntry pe{(e + 1) << 8, 0xFFFFFF00, uint32_t(a.matrix.size()), stride,
                    rows};
        a.table.push_back(pe);
        for (uint32_t r = 0; r < rows; ++r) {
          std::vector<uint32_t> w;
          while (w.size() < 80) {
            uint32_t len = 1 + rng() % 40, d = rng() % (1u << db),
                     y = rng() % 2, t = rng() % a.cfg.numNeurons;
            for (uint32_t k = 0; k < len && w.size() < 80; ++k) {
              uint32_t low = (d << (ib + 1) | y << ib | t) + k;
              if ((low & ((1u << ib) - 1)) >= a.cfg.numNeurons)
                break;
              w.push_back(uint32_t(rng() % 0x10000) << 16 | low);
            }
          }
          if (rng() % 5 == 0)
            w.resize(rng() % 8);
          std::vector<uint32_t> row(stride, 0);
          row[0] = uint32_t(w.size());
          std::copy(w.begin(), w.end(), row.begin() + 2);
          a.matrix.insert(a.matrix.end(), row.begin(), row.end());
        }
      }
      b.cfg = a.cfg;
      b.table = a.table;
      b.matrix = a.matrix;
      ASSERT_TRUE(a.init(HostIsa::Scalar));
      ASSERT_TRUE(b.init(isa));
      ASSERT_EQ(a.rows, nullptr);
      ASSERT_NE(b.rows, nullptr);
      for (uint32_t tick = 0; tick < 12; ++tick) {
        std::vector<uint32_t> keys;
        for (uint32_t k = 0, n = rng() % 10; k < n; ++k)
          keys.push_back((1 + rng() % (entries + 1)) << 8 | rng() % 8);
        neuronCoreReceive(a.core, tick, keys.data(), uint32_t(keys.size()));
        neuronCoreReceive(b.core, tick, keys.data(), uint32_t(keys.size()));
        ASSERT_EQ(std::memcmp(a.memory.data(), b.memory.data(), a.bytes), 0)
            << "isa " << int(isa) << " round " << round << " tick " << tick;
        ASSERT_EQ(a.core.counters.synapticEvents,
                  b.core.counters.synapticEvents);
        ASSERT_EQ(a.core.counters.emptyRows, b.core.counters.emptyRows);
        ASSERT_EQ(a.core.counters.unmatchedPackets,
                  b.core.counters.unmatchedPackets);
        neuronCoreTick(a.core, tick);
        neuronCoreTick(b.core, tick);
      }
    }
  }
}
