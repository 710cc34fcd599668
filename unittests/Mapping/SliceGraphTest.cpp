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

TEST(SliceGraphTest, SplitTreeNodesUnionsAndCosts) {
  // Neurons 0..3 target {1}, {1, 2}, {2}, {2}: the root [0, 4) and [0, 2)
  // are split; [0, 1), [1, 2) and [2, 4) are the blocks.
  SplitTree t = buildSplitTree(targetsOf({{1}, {1, 2}, {2}, {2}}), 4, 2);
  ASSERT_EQ(t.nodes.size(), 5u);
  using Node = std::tuple<uint32_t, unsigned, std::vector<uint32_t>, int32_t,
                          int32_t, int32_t, uint32_t, uint64_t, uint64_t>;
  std::vector<Node> got;
  for (const SplitNode &n : t.nodes)
    got.push_back(Node{n.start, n.bits, n.targets, n.lo, n.hi, n.parent,
                       n.withTargets, n.pairs, n.cost()});
  EXPECT_EQ(got, (std::vector<Node>{{0, 2, {1, 2}, 1, 4, -1, 4, 5, 3},
                                    {0, 1, {1, 2}, 2, 3, 0, 2, 3, 1},
                                    {0, 0, {1}, -1, -1, 1, 1, 1, 0},
                                    {1, 0, {1, 2}, -1, -1, 1, 1, 2, 0},
                                    {2, 1, {2}, -1, -1, 0, 2, 2, 0}}));
  EXPECT_EQ(blocksOfSplit(t, {}), (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(blocksOfSplit(t, std::vector<uint8_t>{0, 1, 0, 0, 0}),
            (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(blocksOfSplit(t, std::vector<uint8_t>{1, 1, 0, 0, 0}),
            (std::vector<uint32_t>{0}));
  // A half without targets is a leaf with its sibling's first targets and
  // costs nothing.
  SplitTree e = buildSplitTree(targetsOf({{}, {}, {5}, {6}}), 4, 2);
  ASSERT_EQ(e.nodes.size(), 5u);
  EXPECT_EQ(e.nodes[0].targets, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(e.nodes[0].cost(), 2u);
  EXPECT_EQ(e.nodes[4].start, 0u);
  EXPECT_EQ(e.nodes[4].targets, (std::vector<uint32_t>{5}));
  EXPECT_EQ(e.nodes[4].withTargets, 0u);
  EXPECT_EQ(blocksOfSplit(e, {}), (std::vector<uint32_t>{4, 2, 3}));
  EXPECT_TRUE(buildSplitTree(targetsOf({{}, {}}), 2, 1).nodes.empty());
}

/// A tree delivering on `local` chips (an entry each) after passing
/// straight through `through` chips (default routed: no entry).
RoutingTree fakeTree(std::vector<ChipId> local, std::vector<ChipId> through) {
  RoutingTree t;
  for (ChipId c : local)
    t.nodes.push_back(RouteNode{c, kFromLocal, 0, route::core(1)});
  for (ChipId c : through)
    t.nodes.push_back(RouteNode{c, 3, 1, route::link(0)});
  return t;
}

TEST(SliceGraphTest, FitSplitRoutesMergesTheCheapestBlocks) {
  llvm::SmallVector<ChipId, 4> chips;
  chipsWithEntries(fakeTree({0, 1}, {2}), chips);
  EXPECT_EQ(std::vector<ChipId>(chips.begin(), chips.end()),
            (std::vector<ChipId>{0, 1}));
  // Slice 0 as above: blocks 2, 3, 4 have entries on chips {0}, {0, 1},
  // {0, 1} (3 on chip 0, 2 on chip 1); merged nodes 1 and 0 on {0, 1}.
  // Slice 1, one block (node 0) with an entry on chip 2 only.
  std::vector<SplitTree> trees = {
      buildSplitTree(targetsOf({{1}, {1, 2}, {2}, {2}}), 4, 2),
      buildSplitTree(targetsOf({{3}, {3}}), 2, 1)};
  std::vector<std::vector<RoutingTree>> routes = {
      {fakeTree({0, 1}, {}), fakeTree({0, 1}, {2}), fakeTree({0}, {2}),
       fakeTree({0, 1}, {}), fakeTree({0, 1}, {})},
      {fakeTree({2}, {0})}};
  auto route = [&](uint32_t s, uint32_t v) -> const RoutingTree & {
    return routes[s][v];
  };
  using Flags = std::vector<std::vector<uint8_t>>;
  SplitBudgetStats st;
  // No limit, or a budget every chip fits: nothing merged.
  EXPECT_EQ(fitSplitRoutes(trees, 3, 0, route, &st),
            (Flags{{0, 0, 0, 0, 0}, {0}}));
  EXPECT_EQ(st.maxEntries, 3u);
  EXPECT_EQ(fitSplitRoutes(trees, 3, 3, route, &st),
            (Flags{{0, 0, 0, 0, 0}, {0}}));
  EXPECT_EQ(st.merged, 0u);
  // Budget 2: chip 0 is one over. Node 1 saves one entry for 1 added pair,
  // the root two for 3: node 1 is merged.
  EXPECT_EQ(fitSplitRoutes(trees, 3, 2, route, &st),
            (Flags{{0, 1, 0, 0, 0}, {0}}));
  EXPECT_EQ(st.merged, 1u);
  EXPECT_EQ(st.rounds, 1u);
  EXPECT_EQ(st.maxEntries, 2u);
  // Budget 1: chip 0 is two over: node 1, then the root; chip 1 then has
  // nothing left to merge. One tree for the slice.
  EXPECT_EQ(fitSplitRoutes(trees, 3, 1, route, &st),
            (Flags{{1, 1, 0, 0, 0}, {0}}));
  EXPECT_EQ(st.merged, 2u);
  EXPECT_EQ(st.rounds, 1u);
  EXPECT_EQ(st.maxEntries, 1u);
}

} // namespace
