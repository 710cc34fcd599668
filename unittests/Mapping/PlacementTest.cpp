//===- PlacementTest.cpp - Ordered fill along a Hilbert curve -------------===//
#include "scnc/Mapping/Placement.h"
#include "gtest/gtest.h"

using namespace scnc;

namespace {

TEST(PlacementTest, HilbertOrderOn2x2) {
  Machine m = Machine::rectangle(2, 2, false, false);
  std::vector<ChipId> order = chipOrder(m);
  std::vector<ChipCoord> coords;
  for (ChipId c : order)
    coords.push_back(m.coord(c));
  // The order-1 Hilbert curve: (0,0) (0,1) (1,1) (1,0).
  EXPECT_EQ(coords, (std::vector<ChipCoord>{{0, 0}, {0, 1}, {1, 1}, {1, 0}}));
}

TEST(PlacementTest, ConsecutiveChipsAreNeighboursOnAFullSquare) {
  Machine m = Machine::rectangle(8, 8, false, false);
  std::vector<ChipId> order = chipOrder(m);
  ASSERT_EQ(order.size(), 64u);
  for (size_t i = 1; i < order.size(); ++i)
    EXPECT_EQ(m.distance(order[i - 1], order[i]), 1u) << "step " << i;
}

TEST(PlacementTest, FillsUsableCoresInOrder) {
  llvm::Expected<Machine> m = builtinMachine("spinn3");
  ASSERT_TRUE(bool(m));
  // 18 cores, core 0 monitor, one more reserved: 16 usable per chip.
  std::vector<SliceRef> s(20, SliceRef{0, 10});
  llvm::Expected<Placement> p = placeSlices(*m, s, {}, {"spinn3", {}});
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  llvm::SmallVector<unsigned, 18> usable = m->usableCoreIds(p->cores[0].chip);
  ASSERT_EQ(usable.size(), 16u);
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(p->cores[i].chip, p->cores[0].chip);
    EXPECT_EQ(p->cores[i].core, usable[i]);
  }
  EXPECT_NE(p->cores[16].chip, p->cores[0].chip);
  EXPECT_EQ(m->distance(p->cores[16].chip, p->cores[0].chip), 1u);
}

TEST(PlacementTest, FillsInTheGivenOrder) {
  llvm::Expected<Machine> m = builtinMachine("spinn3");
  ASSERT_TRUE(bool(m));
  // 20 slices placed in reverse order: the last slice takes the first
  // usable core, slices 19..4 fill the first chip, 3..0 the next.
  std::vector<SliceRef> s(20, SliceRef{0, 10});
  PlacementConfig cfg;
  cfg.machineName = "spinn3";
  for (uint32_t i = 20; i-- > 0;)
    cfg.order.push_back(i);
  llvm::Expected<Placement> p = placeSlices(*m, s, {}, cfg);
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  llvm::SmallVector<unsigned, 18> usable = m->usableCoreIds(p->cores[19].chip);
  EXPECT_EQ(p->cores[19].core, usable[0]);
  EXPECT_EQ(p->cores[4].chip, p->cores[19].chip);
  EXPECT_EQ(p->cores[4].core, usable[15]);
  EXPECT_NE(p->cores[3].chip, p->cores[19].chip);
  cfg.order.pop_back();
  llvm::Expected<Placement> bad = placeSlices(*m, s, {}, cfg);
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "placement order of 19 slices for 20");
}

TEST(PlacementTest, SdramLimitsSlicesPerChip) {
  Machine m = Machine::rectangle(2, 1, false, false);
  m.setSDRAMBytes(1000);
  std::vector<SliceRef> s(3, SliceRef{0, 1});
  std::vector<uint64_t> sdram = {600, 300, 500};
  llvm::Expected<Placement> p = placeSlices(m, s, sdram, {"2x1", {}});
  ASSERT_TRUE(bool(p)) << llvm::toString(p.takeError());
  // 600 + 300 fit the first chip; 500 more would not.
  EXPECT_EQ(p->cores[0].chip, p->cores[1].chip);
  EXPECT_NE(p->cores[2].chip, p->cores[0].chip);
}

TEST(PlacementTest, MachineTooSmall) {
  llvm::Expected<Machine> m = builtinMachine("spinn3");
  ASSERT_TRUE(bool(m));
  std::vector<SliceRef> s(65, SliceRef{0, 1});
  llvm::Expected<Placement> p = placeSlices(*m, s, {}, {"spinn3", {}});
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(llvm::toString(p.takeError()),
            "the network needs 65 cores (one per slice) but machine 'spinn3' "
            "has 64 usable cores; spinn5 would fit");
}

TEST(PlacementTest, SmallestMachine) {
  EXPECT_EQ(smallestMachineFor(64), "spinn3");
  EXPECT_EQ(smallestMachineFor(65), "spinn5");
  EXPECT_EQ(smallestMachineFor(768), "spinn5");
  EXPECT_EQ(smallestMachineFor(769), "boards:2");
}

} // namespace
