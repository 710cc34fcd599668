//===- HostTickTest.cpp - The host's neuron update against the kernel's ---===//
//
// emulator::hostNeuronCoreTick (runtime/HostTick.cpp, eight neurons at a
// time, with each instruction set the host has) against
// kernel::neuronCoreTick: cores with the same random
// parameters, states and inputs run side by side; after every tick their
// whole memory blocks (states, quiet flags, ring buffers, keys, spike bits,
// voltages) and counters are equal. Parameters and states include values
// that saturate every sum and product.
//
//===----------------------------------------------------------------------===//
#include "EmulatorInternal.h"
#include "kernel/Kernel.h"
#include "gtest/gtest.h"
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using namespace scnc;
using namespace scnc::kernel;

namespace {

struct Core {
  std::vector<uint64_t> memory;
  NeuronCore core;
  uint64_t bytes = 0;
  bool init(const NeuronCoreConfig &cfg) {
    bytes = neuronCoreMemoryBytes(cfg);
    if (!bytes)
      return false;
    memory.assign(bytes / 8 + 1, 0x5a5a5a5a5a5a5a5aull);
    return neuronCoreInit(core, cfg, memory.data(), bytes);
  }
};

int32_t pick(std::mt19937 &rng, bool extreme) {
  static const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -1,       0,
                                  1,         INT32_MAX - 1, INT32_MAX};
  if (extreme && rng() % 3 == 0)
    return edges[rng() % 7];
  return int32_t(rng());
}

NeuronFixedParams params(std::mt19937 &rng, bool extreme) {
  NeuronFixedParams p;
  if (!extreme) {
    // Realistic: tau_m 20 ms, R 20, rest -65, threshold -50, tau_syn 5 ms.
    p.vRest = Accum::fromInt(-65);
    p.vReset = Accum::fromInt(-65 - int32_t(rng() % 5));
    p.vThresh = Accum::fromInt(-50);
    p.vInit = Accum::fromInt(-65);
    p.rMembrane = Accum::fromInt(20);
    p.iOffset = Accum::fromBits(rng() % 4 ? 0 : int32_t(rng() % 20000));
    p.expTC = UFract32::fromBits(4085499269u);
    p.decayE = p.decayI = UFract32::fromBits(3516397313u);
    p.initE = p.initI = UFract32::fromBits(3893903434u);
    p.refracTicks = int32_t(rng() % 4);
    return p;
  }
  p.vRest = Accum::fromBits(pick(rng, true));
  p.vReset = Accum::fromBits(pick(rng, true));
  p.vThresh = Accum::fromBits(pick(rng, true));
  p.vInit = Accum::fromBits(pick(rng, true));
  p.rMembrane = Accum::fromBits(pick(rng, true));
  p.iOffset = Accum::fromBits(pick(rng, true));
  p.expTC = UFract32::fromBits(uint32_t(pick(rng, true)));
  p.decayE = UFract32::fromBits(uint32_t(pick(rng, true)));
  p.decayI = UFract32::fromBits(uint32_t(pick(rng, true)));
  p.initE = UFract32::fromBits(uint32_t(pick(rng, true)));
  p.initI = UFract32::fromBits(uint32_t(pick(rng, true)));
  p.refracTicks = int32_t(rng() % 5);
  return p;
}

TEST(HostTickTest, SameBitsAsTheKernel) {
  std::mt19937 rng(7);
  uint64_t skipped = 0; // neurons the kernel skipped (quiet)
  for (unsigned round = 0; round < 200; ++round) {
    bool extreme = round % 2;
    NeuronCoreConfig cfg;
    cfg.numNeurons = 1 + rng() % 70;
    cfg.indexBits = 7;
    cfg.delayBits = 1 + rng() % 3;
    cfg.hasKey = rng() % 2;
    cfg.key = 0x10000;
    cfg.leftShift[0] = rng() % 17;
    cfg.leftShift[1] = rng() % 17;
    cfg.recordVoltage = rng() % 2;
    cfg.params = params(rng, extreme);
    std::vector<NeuronFixedState> init(cfg.numNeurons);
    for (NeuronFixedState &s : init) {
      s.v = Accum::fromBits(extreme ? pick(rng, true)
                                    : -65 * 32768 + int32_t(rng() % 600000));
      s.iSynE = Accum::fromBits(extreme ? pick(rng, true) : 0);
      s.iSynI = Accum::fromBits(extreme ? pick(rng, true) : 0);
      s.refracTimer = int32_t(rng() % 5) - 1;
    }
    cfg.initialState = init.data();
    // The kernel (a) against the host's update with each instruction set
    // this host has (b[k]: scalar, AVX2, AVX-512 on 256-bit and on 512-bit
    // vectors).
    const emulator::HostIsa isas[] = {
        emulator::HostIsa::Scalar, emulator::HostIsa::Avx2,
        emulator::HostIsa::Avx512vl, emulator::HostIsa::Avx512};
    Core a, b[4];
    ASSERT_TRUE(a.init(cfg));
    for (Core &c : b) {
      ASSERT_TRUE(c.init(cfg));
      ASSERT_EQ(a.bytes, c.bytes);
    }
    for (uint32_t t = 0; t < 150; ++t) {
      // Input in some ticks only (quiet neurons in the others), sparse or
      // dense, small or saturating.
      uint32_t slot = t & ((1u << cfg.delayBits) - 1);
      if (t % 50 < 6) {
        unsigned density = 1 + rng() % 8;
        // Every fourth round excitatory input only (iSynI stays 0: the
        // vector update's path without inhibitory terms).
        for (uint32_t type = 0; type < (round % 4 == 2 ? 1u : 2u); ++type)
          for (uint32_t i = 0; i < cfg.numNeurons; ++i) {
            if (rng() % 8 >= density)
              continue;
            uint16_t w = uint16_t(rng() % 3 ? rng() % 64 : rng());
            uint32_t at =
                slot << (cfg.indexBits + 1) | type << cfg.indexBits | i;
            a.core.ring[at] = w;
            for (Core &c : b)
              c.core.ring[at] = w;
          }
      }
      neuronCoreTick(a.core, t);
      for (unsigned k = 0; k < 4; ++k) {
        Core &c = b[k];
        emulator::hostNeuronCoreTick(c.core, t, isas[k]);
        ASSERT_EQ(std::memcmp(a.memory.data(), c.memory.data(), a.bytes), 0)
            << "round " << round << " tick " << t << " isa " << k;
        ASSERT_EQ(a.core.numOut, c.core.numOut);
        ASSERT_EQ(a.core.counters.spikes, c.core.counters.spikes);
        ASSERT_EQ(a.core.counters.tickUpdated, c.core.counters.tickUpdated)
            << "round " << round << " tick " << t << " isa " << k;
        ASSERT_EQ(a.core.counters.tickSpikes, c.core.counters.tickSpikes);
      }
      skipped += cfg.numNeurons - a.core.counters.tickUpdated;
    }
  }
  EXPECT_GT(skipped, 0u);
  // Which sets this host ran (the others ran the best it has).
  std::printf("host neuron update: best instruction set %d (0 scalar, 1 "
              "AVX2, 2 AVX-512VL)\n",
              int(emulator::hostNeuronTickIsa()));
}

} // namespace
