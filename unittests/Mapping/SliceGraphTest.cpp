//===- SliceGraphTest.cpp - Which slices send packets to which ------------===//
#include "scnc/Mapping/SliceGraph.h"
#include "PipelineHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "gtest/gtest.h"
#include <tuple>

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

/// Blocks as (start, bits, targets) triples for comparison.
using Block = std::tuple<uint32_t, unsigned, std::vector<uint32_t>>;
std::vector<Block> blocksOf(const std::vector<TargetBlock> &bs) {
  std::vector<Block> out;
  for (const TargetBlock &b : bs)
    out.push_back(Block{b.start, b.bits, b.targets});
  return out;
}

/// NeuronTargets from one target list per neuron.
NeuronTargets targetsOf(const std::vector<std::vector<uint32_t>> &perNeuron) {
  NeuronTargets t;
  t.offsets.push_back(0);
  for (const auto &v : perNeuron) {
    t.targets.insert(t.targets.end(), v.begin(), v.end());
    t.offsets.push_back(uint32_t(t.targets.size()));
  }
  return t;
}

TEST(SliceGraphTest, NeuronTargetsAndBlocksOfAConvolution) {
  // 1x4 input -> conv 1x2 kernel stride 1 (1x3 output); the input is one
  // slice (0), the conv two: {0} -> 1, {1, 2} -> 2.
  DiagHarness h;
  unsigned buf = h.add("network t {\n"
                       "  input i { shape = 1 x 4 x 1; }\n"
                       "  conv c(i) { filters = 1; kernel = 1 x 2; weights = "
                       "1 nA; }\n"
                       "}\n");
  llvm::Optional<Network> n = test::expand(h, parseNetwork(buf, h.diag));
  ASSERT_TRUE(n.hasValue()) << h.text();
  std::vector<std::vector<uint32_t>> sliceOf = {{0, 0, 0, 0}, {1, 2, 2}};
  std::vector<std::vector<uint32_t>> localIndex = {{0, 1, 2, 3}, {0, 0, 1}};
  std::vector<uint32_t> in = {0, 1, 2, 3}, c0 = {0}, c1 = {1, 2};
  std::vector<std::pair<unsigned, llvm::ArrayRef<uint32_t>>> slices = {
      {0, in}, {1, c0}, {1, c1}};
  std::vector<NeuronTargets> t =
      buildNeuronTargets(*n, sliceOf, localIndex, slices);
  ASSERT_EQ(t.size(), 3u);
  // Input x feeds conv x - 1 and x: 0 -> {1}, 1 -> {1, 2}, 2 -> {2},
  // 3 -> {2}.
  EXPECT_EQ(t[0].offsets, (std::vector<uint32_t>{0, 1, 3, 4, 5}));
  EXPECT_EQ(t[0].targets, (std::vector<uint32_t>{1, 1, 2, 2, 2}));
  EXPECT_EQ(t[1].offsets, (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(t[2].offsets, (std::vector<uint32_t>{0, 0, 0}));
  // Key space of 4: [0, 4) and [0, 2) mix target sets; [2, 4) does not.
  EXPECT_EQ(blocksOf(splitByTargets(t[0], 4, 2)),
            (std::vector<Block>{{0, 0, {1}}, {1, 0, {1, 2}}, {2, 1, {2}}}));
  // With 3 key bits the whole [0, 8) is split first: the same blocks.
  EXPECT_EQ(blocksOf(splitByTargets(t[0], 4, 3)),
            (std::vector<Block>{{0, 0, {1}}, {1, 0, {1, 2}}, {2, 1, {2}}}));
  EXPECT_TRUE(splitByTargets(t[1], 1, 2).empty());
}

TEST(SliceGraphTest, BlocksOfNeuronsWithoutTargets) {
  // One target set: one block for the whole space.
  EXPECT_EQ(blocksOf(splitByTargets(targetsOf({{4}, {4}, {}, {4}}), 4, 2)),
            (std::vector<Block>{{0, 2, {4}}}));
  // A half without targets takes the first targets of its sibling.
  EXPECT_EQ(blocksOf(splitByTargets(targetsOf({{}, {}, {5}, {6}}), 4, 2)),
            (std::vector<Block>{{0, 1, {5}}, {2, 0, {5}}, {3, 0, {6}}}));
  EXPECT_EQ(blocksOf(splitByTargets(targetsOf({{5}, {6}, {}, {}}), 4, 2)),
            (std::vector<Block>{{0, 0, {5}}, {1, 0, {6}}, {2, 1, {5}}}));
  // Keys past the slice's neurons need no block.
  EXPECT_EQ(blocksOf(splitByTargets(targetsOf({{1}, {1}, {2}}), 3, 2)),
            (std::vector<Block>{{0, 1, {1}}, {2, 1, {2}}}));
  // Neuron 2 exists: its packets need an entry too.
  EXPECT_EQ(blocksOf(splitByTargets(targetsOf({{1}, {2}, {}}), 3, 2)),
            (std::vector<Block>{{0, 0, {1}}, {1, 0, {2}}, {2, 1, {1}}}));
  EXPECT_TRUE(splitByTargets(targetsOf({{}, {}}), 2, 1).empty());
}

} // namespace
