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

} // namespace
