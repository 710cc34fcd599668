//===- SliceGraphTest.cpp - Which slices send packets to which ------------===//
#include "scnc/Mapping/SliceGraph.h"
#include "PipelineHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

TEST(SliceGraphTest, TargetsOfEachSlice) {
  // 1x4 input -> conv 1x2 kernel stride 1 (1x3 output) -> dense 2.
  DiagHarness h;
  unsigned buf =
      h.add("network t {\n"
            "  input i { shape = 1 x 4 x 1; }\n"
            "  conv c(i) { filters = 1; kernel = 1 x 2; weights = 1 nA; }\n"
            "  dense d(c) { units = 2; weights = 1 nA; }\n"
            "}\n");
  llvm::Optional<Network> n = test::expand(h, parseNetwork(buf, h.diag));
  ASSERT_TRUE(n.hasValue()) << h.text();
  // Slices: input {0,1} -> 0, {2,3} -> 1; conv {0} -> 2, {1,2} -> 3;
  // dense {0,1} -> 4.
  std::vector<std::vector<uint32_t>> sliceOf = {
      {0, 0, 1, 1}, {2, 3, 3}, {4, 4}};
  SliceGraph g = buildSliceGraph(*n, sliceOf, 5);
  // conv output x reads inputs x and x+1: input 0 -> conv 0; 1 -> conv 0, 1;
  // 2 -> conv 1, 2; 3 -> conv 2.
  EXPECT_EQ(g.targets[0], (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(g.targets[1], (std::vector<uint32_t>{3}));
  EXPECT_EQ(g.targets[2], (std::vector<uint32_t>{4}));
  EXPECT_EQ(g.targets[3], (std::vector<uint32_t>{4}));
  EXPECT_TRUE(g.targets[4].empty());
  EXPECT_EQ(g.edges(), 5u);
}

} // namespace
