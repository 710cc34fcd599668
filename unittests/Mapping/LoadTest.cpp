//===- LoadTest.cpp - A slice's predicted cycles per tick -----------------===//
#include "scnc/Mapping/Load.h"
#include "PipelineHelpers.h"
#include "scnc/IR/Connections.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;
using scnc::test::expandScn;

namespace {

// 4x4 input -> 2x2 convolution -> 3x3 output, four neurons per core: the
// slices baseline gives input slices 0-3 (neurons 0-3, 4-7, 8-11, 12-15)
// and conv slices 4 (0-3), 5 (4-7), 6 (8).
const char *const kTiny = "simulation { neurons_per_core = 4; }\n"
                          "network tiny { input i { shape = 4 x 4 x 1; }\n"
                          "  conv c(i) { filters = 1; kernel = 2; "
                          "weights = 0.5 nA; } }";

/// kTiny expanded and split by the slices baseline.
void tinyPartition(DiagHarness &h, llvm::Optional<Network> &n, Partition &p) {
  n = expandScn(h, kTiny);
  ASSERT_TRUE(n) << h.text();
  PartitionConfig cfg;
  cfg.kind = PartitionerKind::Slices;
  llvm::Expected<Partition> r = partitionNetwork(*n, cfg);
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  p = std::move(*r);
  ASSERT_EQ(p.slices.size(), 7u);
}

TEST(LoadTest, PredictsEveryTermOnATinyConvolution) {
  DiagHarness h;
  llvm::Optional<Network> n;
  Partition part;
  ASSERT_NO_FATAL_FAILURE(tinyPartition(h, n, part));
  const Partition *p = &part;
  // Tick 0: input 0 (row 0, col 0) reaches output 0; input 5 (1, 1)
  // reaches outputs 0, 1, 3 (slice 4) and 4 (slice 5). Tick 1: output 8
  // spikes.
  ActivityProfile a =
      makeActivityProfile(3, {{{0, 0}, {0, 5}, {0, 5}}, {{1, 8}}});
  kernel::CycleModel m;
  std::vector<SliceLoad> l = predictSliceLoads(*n, *p, a, m);
  ASSERT_EQ(l.size(), 7u);
  for (unsigned s = 0; s < 4; ++s)
    EXPECT_EQ(l[s].peakCycles, 0u) << "input slice " << s;
  // A packet: 448 + a search of 11 + 11 per step; slices 4 and 5 have 3
  // source slices (2 steps), slice 6 has 2 (2 steps).
  uint64_t packet = 448 + 11 + 2 * 11;
  EXPECT_EQ(l[4].peakCycles, 217 + 4 * 240 + 2 * packet + 4 * 14);
  EXPECT_EQ(l[4].peakTick, 0u);
  EXPECT_EQ(l[4].peakEvents, 4u);
  EXPECT_EQ(l[4].peakPackets, 2u);
  EXPECT_EQ(l[5].peakCycles, 217 + 4 * 240 + packet + 14);
  EXPECT_EQ(l[5].peakPackets, 1u);
  EXPECT_EQ(l[6].peakCycles, 217 + 240 + 69u);
  EXPECT_EQ(l[6].peakTick, 1u);
  EXPECT_EQ(l[6].peakEvents, 0u);
}

TEST(LoadTest, QuietSlicesStillUpdateEveryNeuron) {
  DiagHarness h;
  llvm::Optional<Network> n;
  Partition part;
  ASSERT_NO_FATAL_FAILURE(tinyPartition(h, n, part));
  const Partition *p = &part;
  ActivityProfile a = makeActivityProfile(5, {{}, {}});
  std::vector<SliceLoad> l = predictSliceLoads(*n, *p, a, kernel::CycleModel());
  EXPECT_EQ(l[4].peakCycles, 217 + 4 * 240u);
  EXPECT_EQ(l[6].peakCycles, 217 + 240u);
  EXPECT_EQ(l[0].peakCycles, 0u);
}

TEST(LoadTest, ExpectedRatesFromAttributesAndEncodings) {
  DiagHarness h;
  // latency(t_max = 20 ms): one spike in 20 ms, 50 Hz; rate(): 10 spikes in
  // the 50 ms input window, 200 Hz; poisson: its max_rate. A conv takes its
  // sources' rate weighted by synapses (c2: 4 synapses from each of a and
  // b), an expected_rate wins, and a layer after it takes that.
  llvm::Optional<Network> n = expandScn(
      h, "network r { input a { shape = 4 x 4 x 1; encoding = "
         "latency(t_max = 20 ms); }\n"
         "  input b { shape = 4 x 4 x 1; }\n"
         "  input c { shape = 4 x 4 x 1; encoding = poisson(max_rate = 30 "
         "Hz); }\n"
         "  conv c1(a) { filters = 1; kernel = 2; weights = 0.5 nA; }\n"
         "  conv c2(a, b) { filters = 1; kernel = 2; weights = 0.5 nA; }\n"
         "  pool p(c2) { kernel = 2; weight = 1 nA; expected_rate = 5 Hz; }\n"
         "  pool q(p) { kernel = 1; weight = 1 nA; } }");
  ASSERT_TRUE(n) << h.text();
  std::vector<double> r = expectedRates(*n);
  ASSERT_EQ(r.size(), 7u);
  EXPECT_DOUBLE_EQ(r[0], 50.0);
  EXPECT_DOUBLE_EQ(r[1], 200.0);
  EXPECT_DOUBLE_EQ(r[2], 30.0);
  EXPECT_DOUBLE_EQ(r[3], 50.0);
  EXPECT_DOUBLE_EQ(r[4], 125.0);
  EXPECT_DOUBLE_EQ(r[5], 5.0);
  EXPECT_DOUBLE_EQ(r[6], 5.0);
}

TEST(LoadTest, EstimatesPoissonPeaksFromRates) {
  DiagHarness h;
  llvm::Optional<Network> n;
  Partition part;
  ASSERT_NO_FATAL_FAILURE(tinyPartition(h, n, part));
  EXPECT_DOUBLE_EQ(poissonPeak(0), 0.0);
  EXPECT_DOUBLE_EQ(poissonPeak(4), 10.0);
  // 100 Hz everywhere, 1 ms ticks: 0.1 spikes per neuron and tick. Slice 4
  // (outputs 0-3: (0,0), (0,1), (0,2), (1,0)) hears the 10 inputs of rows
  // 0-1 and (2,0), (2,1) (1.0 packets a tick, peak 1 + 3 = 4) over 16
  // synapses (1.6 events, peak 1.6 x 4 = 6.4) from 3 source slices (2
  // search steps, 481 cycles a packet); its 4 neurons spike 0.4 a tick
  // (peak 2.297): 217 + 4 x 240 + 69 x 2.297 + 481 x 4 + 14 x 6.4 = 3,349.1
  // cycles. Slice 6 (output 8) hears inputs 10, 11, 14, 15 (0.4, peak
  // 2.297) with one synapse each, from 2 slices: 217 + 240 + 69 x 1.049 +
  // 481 x 2.297 + 14 x 2.297 = 1,666.6.
  std::vector<SliceLoad> l =
      estimateSliceLoads(*n, part, {100.0, 100.0}, kernel::CycleModel());
  ASSERT_EQ(l.size(), 7u);
  EXPECT_EQ(l[0].peakCycles, 0u);
  EXPECT_EQ(l[4].peakCycles, 3350u);
  EXPECT_EQ(l[4].peakPackets, 4u);
  EXPECT_EQ(l[4].peakEvents, 7u);
  EXPECT_EQ(l[6].peakCycles, 1667u);
  EXPECT_EQ(l[6].peakPackets, 3u);
  EXPECT_EQ(l[6].peakEvents, 3u);
  // No activity: every neuron still updated.
  l = estimateSliceLoads(*n, part, {0.0, 0.0}, kernel::CycleModel());
  EXPECT_EQ(l[4].peakCycles, 217 + 4 * 240u);
}

} // namespace
