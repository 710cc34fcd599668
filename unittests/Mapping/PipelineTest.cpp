//===- PipelineTest.cpp - The mapping passes end to end -------------------===//
//
// A 1x4 input and a 1x2 convolution (1x3 output), two neurons per core,
// through the real passes (partition with the slices baseline, place,
// allocate-keys, route, build-tables, compress-tables) on SpiNN-3, with
// every result worked out by hand:
//
//   slices (contiguous, at most 2): i {0, 1} {2, 3}; c {0, 1} {2}
//   output o reads inputs o and o + 1, so input slice 0 reaches c slice 0
//   (outputs 0, 1) and input slice 1 reaches c slices 0 and 1 (outputs 1
//   from 2, 2 from 2 and 3); the output slices send nothing.
//   keys: 2 populations -> 1 bit, at most 2 slices -> 1 bit, at most 2
//   neurons -> 1 bit: i0 0x0, i1 0x2, c0 0x4, c1 0x6, mask 0xfffffffe.
//
//===----------------------------------------------------------------------===//
#include "PipelineHelpers.h"
#include "TestHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/MappingState.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

using U32s = std::vector<uint32_t>;
using Problems = std::vector<std::string>;

constexpr const char *kNetwork = R"(
simulation { neurons_per_core = 2; }
network tiny {
  input i { shape = 1 x 4 x 1; }
  conv c(i) { filters = 1; kernel = 1 x 2; weights = 1 nA; }
}
)";

constexpr uint32_t kMask = 0xFFFFFFFE;
// Route words: bit l for link l, bit 6 + p for core p.
constexpr uint32_t kE = 1u << LinkEast, kNE = 1u << LinkNorthEast;
constexpr uint32_t core(unsigned p) { return 1u << (6 + p); }

/// Chip ids of SpiNN-3 (2x2 torus), in (y, x) order.
constexpr ChipId k00 = 0, k10 = 1, k01 = 2, k11 = 3;

/// One node of a tree as (chip, incoming link, depth, route word).
struct Node {
  ChipId chip;
  unsigned inLink, depth;
  uint32_t route;
};

std::vector<Node> nodesOf(const RoutingTree &t) {
  std::vector<Node> out;
  for (const RouteNode &n : t.nodes)
    out.push_back({n.chip, n.inLink, n.depth, n.route});
  return out;
}

bool operator==(const Node &a, const Node &b) {
  return a.chip == b.chip && a.inLink == b.inLink && a.depth == b.depth &&
         a.route == b.route;
}

std::ostream &operator<<(std::ostream &os, const Node &n) {
  return os << "{chip " << n.chip << ", in " << n.inLink << ", depth "
            << n.depth << ", route 0x" << std::hex << n.route << std::dec
            << "}";
}

/// A routing entry, printable by gtest.
struct Entry {
  uint32_t key, mask, route;
};
using Entries = std::vector<Entry>;

bool operator==(const Entry &a, const Entry &b) {
  return a.key == b.key && a.mask == b.mask && a.route == b.route;
}

std::ostream &operator<<(std::ostream &os, const Entry &e) {
  return os << std::hex << "{0x" << e.key << ", 0x" << e.mask << ", 0x"
            << e.route << "}" << std::dec;
}

Entries entriesOf(const RoutingTable &t) {
  Entries out;
  for (const RoutingEntry &e : t.entries)
    out.push_back({e.key, e.mask, e.route});
  return out;
}

/// Runs the whole pipeline on `kNetwork` for machine `m`; the mapping
/// state, or null after a failure (the diagnostics say why). One tree per
/// slice (--split-routes=false) unless \p split.
struct Mapped {
  DiagHarness h;
  llvm::Optional<Network> net;
  CompilationContext cc;

  const MappingState *map(const Machine &m, unsigned routerEntries = 0,
                          bool split = false) {
    net = parseNetwork(h.add(kNetwork), h.diag);
    if (!net)
      return nullptr;
    CompileOptions o;
    o.stopAfter = Stage::Tables;
    o.passes.partitioner = PartitionerKind::Slices;
    o.passes.routerEntries = routerEntries;
    o.passes.verifyRoutes = true;
    o.passes.splitRoutes = split;
    if (!test::compileFor(h, *net, cc, m, "spinn3", o))
      return nullptr;
    return &cc.mapping;
  }
};

Machine spinn3() {
  llvm::Expected<Machine> m = builtinMachine("spinn3");
  EXPECT_TRUE(bool(m)) << llvm::toString(m.takeError());
  return std::move(*m);
}

/// Checks what does not depend on the placement: slices, keys and which
/// slices send.
void expectSlicesAndKeys(const MappingState &s) {
  ASSERT_EQ(s.partition.slices.size(), 4u);
  EXPECT_EQ(s.partition.slices[0].population, 0u);
  EXPECT_EQ(s.partition.slices[0].neurons, (U32s{0, 1}));
  EXPECT_EQ(s.partition.slices[1].population, 0u);
  EXPECT_EQ(s.partition.slices[1].neurons, (U32s{2, 3}));
  EXPECT_EQ(s.partition.slices[2].population, 1u);
  EXPECT_EQ(s.partition.slices[2].neurons, (U32s{0, 1}));
  EXPECT_EQ(s.partition.slices[3].population, 1u);
  EXPECT_EQ(s.partition.slices[3].neurons, (U32s{2}));

  EXPECT_EQ(s.keys.populationBits, 1u);
  EXPECT_EQ(s.keys.sliceBits, 1u);
  EXPECT_EQ(s.keys.neuronBits, 1u);
  ASSERT_EQ(s.keys.slices.size(), 4u);
  const uint32_t keys[] = {0x0, 0x2, 0x4, 0x6};
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(s.keys.slices[i].key, keys[i]) << "slice " << i;
    EXPECT_EQ(s.keys.slices[i].mask, kMask) << "slice " << i;
  }
  // Population prefixes: i 0x0/0xfffffffc, c 0x4/0xfffffffc.
  ASSERT_EQ(s.keys.populations.size(), 2u);
  EXPECT_EQ(s.keys.populations[0].key, 0x0u);
  EXPECT_EQ(s.keys.populations[1].key, 0x4u);
  EXPECT_EQ(s.keys.populations[1].mask, 0xFFFFFFFCu);

  // Volume: input 0 -> {c0}, 1 -> {c0}, 2 -> {c0, c1}, 3 -> {c1}: 5
  // packets; all 3 x 2 synapses cross slices.
  EXPECT_EQ(s.commVolume, 5u);
  EXPECT_EQ(s.edgeCut, 6u);

  // Only the input slices send: one tree each.
  ASSERT_EQ(s.trees.size(), 2u);
  EXPECT_EQ(s.trees[0].key, 0x0u);
  EXPECT_EQ(s.trees[0].mask, kMask);
  EXPECT_EQ(s.trees[1].key, 0x2u);
  EXPECT_EQ(s.trees[1].mask, kMask);
}

// Plain SpiNN-3: the four slices fill the first usable cores (2..5; core 0
// is the monitor, core 1 reserved) of chip (0, 0), so every tree stays on
// the chip.
TEST(PipelineTest, TinyNetworkOnOneChip) {
  Machine m = spinn3();
  Mapped run;
  const MappingState *s = run.map(m);
  ASSERT_NE(s, nullptr) << run.h.text();
  EXPECT_EQ(run.h.text(), "");
  ASSERT_NO_FATAL_FAILURE(expectSlicesAndKeys(*s));

  ASSERT_EQ(s->placement.cores.size(), 4u);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(s->placement.cores[i].chip, k00) << "slice " << i;
    EXPECT_EQ(s->placement.cores[i].core, 2 + i) << "slice " << i;
  }

  // i0 -> c0 on core 4; i1 -> c0, c1 on cores 4 and 5.
  EXPECT_EQ(s->trees[0].tree.source, k00);
  EXPECT_EQ(nodesOf(s->trees[0].tree),
            (std::vector<Node>{{k00, kFromLocal, 0, core(4)}}));
  EXPECT_EQ(s->trees[1].tree.source, k00);
  EXPECT_EQ(nodesOf(s->trees[1].tree),
            (std::vector<Node>{{k00, kFromLocal, 0, core(4) | core(5)}}));

  ASSERT_EQ(s->tables.size(), 4u);
  EXPECT_EQ(entriesOf(s->tables[k00]),
            (Entries{{0x0, kMask, core(4)}, {0x2, kMask, core(4) | core(5)}}));
  for (ChipId c : {k10, k01, k11}) {
    EXPECT_EQ(s->tables[c].chip, c);
    EXPECT_TRUE(s->tables[c].entries.empty()) << "chip " << c;
  }
  for (const RoutingTable &t : s->tables)
    EXPECT_TRUE(t.defaultRouted.empty());
  // Nothing to compress.
  ASSERT_EQ(s->compressed.size(), 4u);
  for (ChipId c = 0; c < 4; ++c)
    EXPECT_EQ(entriesOf(s->compressed[c]), entriesOf(s->tables[c]));
  EXPECT_EQ(s->compression.tablesCompressed, 0u);
  EXPECT_EQ(s->compression.entriesBefore, 2u);
  EXPECT_EQ(s->compression.maxEntriesAfter, 2u);
  EXPECT_EQ(verifyRoutes(m, s->trees, s->compressed), Problems());
}

// Split routes (the default): input slice 1 = neurons {2, 3}; neuron 2
// reaches c0 and c1 (cores 4 and 5), neuron 3 only c1, so the slice's key
// space 0x2/0xfffffffe becomes one tree per key. Slice 0's neurons both
// reach only c0: one tree as before.
TEST(PipelineTest, SplitRoutesReachOnlyCoresWithSynapses) {
  Machine m = spinn3();
  Mapped run;
  const MappingState *s = run.map(m, 0, /*split=*/true);
  ASSERT_NE(s, nullptr) << run.h.text();
  EXPECT_EQ(run.h.text(), "");
  ASSERT_EQ(s->trees.size(), 3u);
  EXPECT_EQ(s->treeSlices, (U32s{0, 1, 1}));
  EXPECT_EQ(s->treeNeurons, (U32s{2, 1, 1}));
  EXPECT_EQ(s->trees[0].key, 0x0u);
  EXPECT_EQ(s->trees[0].mask, kMask);
  EXPECT_EQ(s->trees[1].key, 0x2u);
  EXPECT_EQ(s->trees[1].mask, 0xFFFFFFFFu);
  EXPECT_EQ(s->trees[2].key, 0x3u);
  EXPECT_EQ(s->trees[2].mask, 0xFFFFFFFFu);
  EXPECT_EQ(entriesOf(s->tables[k00]),
            (Entries{{0x2, 0xFFFFFFFF, core(4) | core(5)},
                     {0x3, 0xFFFFFFFF, core(5)},
                     {0x0, kMask, core(4)}}));
  EXPECT_EQ(verifyRoutes(m, s->trees, s->compressed), Problems());
}

/// SpiNN-3 with one application core per chip (16 reserved: core 17 is the
/// only one left), so that the slices spread over the four chips in the
/// Hilbert order (0, 0), (0, 1), (1, 1), (1, 0).
struct PipelineOneCorePerChip : testing::Test {
  Machine m = spinn3();
  void SetUp() override { m.setReservedCores(16); }
};

TEST_F(PipelineOneCorePerChip, SlicesSpreadOverTheChips) {
  ASSERT_EQ(m.totalUsableCores(), 4u);
  Mapped run;
  const MappingState *s = run.map(m);
  ASSERT_NE(s, nullptr) << run.h.text();
  EXPECT_EQ(run.h.text(), "");
  ASSERT_NO_FATAL_FAILURE(expectSlicesAndKeys(*s));

  const ChipId chips[] = {k00, k01, k11, k10};
  ASSERT_EQ(s->placement.cores.size(), 4u);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(s->placement.cores[i].chip, chips[i]) << "slice " << i;
    EXPECT_EQ(s->placement.cores[i].core, 17u) << "slice " << i;
  }

  // i0 on (0, 0) to c0 on (1, 1): one hop north-east, arriving on the
  // south-west link.
  EXPECT_EQ(s->trees[0].tree.source, k00);
  EXPECT_EQ(nodesOf(s->trees[0].tree),
            (std::vector<Node>{{k00, kFromLocal, 0, kNE},
                               {k11, LinkSouthWest, 1, core(17)}}));
  // i1 on (0, 1) to c0 on (1, 1) (east) and c1 on (1, 0): dx = 1, dy = -1
  // is two hops on the mesh, but one north-east across the torus's wrap.
  EXPECT_EQ(s->trees[1].tree.source, k01);
  EXPECT_EQ(nodesOf(s->trees[1].tree),
            (std::vector<Node>{{k10, LinkSouthWest, 1, core(17)},
                               {k01, kFromLocal, 0, kE | kNE},
                               {k11, LinkWest, 1, core(17)}}));

  ASSERT_EQ(s->tables.size(), 4u);
  EXPECT_EQ(entriesOf(s->tables[k00]), (Entries{{0x0, kMask, kNE}}));
  EXPECT_EQ(entriesOf(s->tables[k10]), (Entries{{0x2, kMask, core(17)}}));
  EXPECT_EQ(entriesOf(s->tables[k01]), (Entries{{0x2, kMask, kE | kNE}}));
  EXPECT_EQ(entriesOf(s->tables[k11]),
            (Entries{{0x0, kMask, core(17)}, {0x2, kMask, core(17)}}));
  // Every hop ends at a destination: nothing is default-routed.
  for (const RoutingTable &t : s->tables)
    EXPECT_TRUE(t.defaultRouted.empty());
  for (ChipId c = 0; c < 4; ++c)
    EXPECT_EQ(entriesOf(s->compressed[c]), entriesOf(s->tables[c]));
  EXPECT_EQ(verifyRoutes(m, s->trees, s->compressed), Problems());
}

// With one routing entry per chip, (1, 1)'s two entries (keys 0x0 and 0x2,
// one route) merge exactly into 0x0/0xfffffffc; the other tables fit.
TEST_F(PipelineOneCorePerChip, CompressedToOneEntry) {
  Mapped run;
  const MappingState *s = run.map(m, /*routerEntries=*/1);
  ASSERT_NE(s, nullptr) << run.h.text();
  EXPECT_EQ(entriesOf(s->compressed[k11]),
            (Entries{{0x0, 0xFFFFFFFC, core(17)}}));
  for (ChipId c : {k00, k10, k01})
    EXPECT_EQ(entriesOf(s->compressed[c]), entriesOf(s->tables[c]));
  EXPECT_EQ(s->compression.tablesCompressed, 1u);
  EXPECT_EQ(s->compression.entriesBefore, 5u);
  EXPECT_EQ(s->compression.entriesAfter, 4u);
  EXPECT_EQ(s->compression.maxEntriesBefore, 2u);
  EXPECT_EQ(s->compression.maxEntriesAfter, 1u);
  VerifyConfig vc;
  vc.capacity = 1;
  EXPECT_EQ(verifyRoutes(m, s->trees, s->compressed, vc), Problems());
  // The uncompressed tables are over that capacity.
  EXPECT_EQ(verifyRoutes(m, s->trees, s->tables, vc),
            Problems{"chip (1, 1): table has 2 entries, more than the 1 "
                     "available"});
}

// verifyRoutes catches damage to the compressed tables.
TEST_F(PipelineOneCorePerChip, DamagedTablesAreCaught) {
  Mapped run;
  const MappingState *s = run.map(m, /*routerEntries=*/1);
  ASSERT_NE(s, nullptr) << run.h.text();
  const std::vector<RoutingTable> good = s->compressed;
  ASSERT_EQ(verifyRoutes(m, s->trees, good), Problems());

  // The merged entry narrowed back to key 0x0: i1's packets (key 0x2)
  // arrive at (1, 1) from the west, match nothing and go straight on, east
  // across the wrap back to their source (0, 1).
  std::vector<RoutingTable> t = good;
  t[k11].entries[0].mask = kMask;
  EXPECT_EQ(verifyRoutes(m, s->trees, t),
            (Problems{"tree 1 (0x00000002/0xfffffffe from chip (0, 1)): key "
                      "0x00000002 reaches chip (0, 1) twice (a loop or a "
                      "second path)",
                      "tree 1 (0x00000002/0xfffffffe from chip (0, 1)): key "
                      "0x00000002 not delivered to core 17 of chip (1, 1)"}));

  // No entry at the source: the packet from the core is dropped.
  t = good;
  t[k00].entries.clear();
  EXPECT_EQ(verifyRoutes(m, s->trees, t),
            (Problems{"tree 0 (0x00000000/0xfffffffe from chip (0, 0)): key "
                      "0x00000000 dropped at chip (0, 0): it comes from a "
                      "core and no entry matches",
                      "tree 0 (0x00000000/0xfffffffe from chip (0, 0)): key "
                      "0x00000000 not delivered to core 17 of chip (1, 1)"}));

  // The wrong core at (1, 0).
  t = good;
  t[k10].entries[0].route = core(16);
  EXPECT_EQ(verifyRoutes(m, s->trees, t),
            (Problems{"tree 1 (0x00000002/0xfffffffe from chip (0, 1)): key "
                      "0x00000002 not delivered to core 17 of chip (1, 0)",
                      "tree 1 (0x00000002/0xfffffffe from chip (0, 1)): key "
                      "0x00000002 delivered to core 16 of chip (1, 0), not a "
                      "destination"}));

  // An entry that never matches, and a table over capacity.
  t = good;
  t[k00].entries.push_back({0x1, kMask, kE});
  VerifyConfig vc;
  vc.capacity = 1;
  EXPECT_EQ(verifyRoutes(m, s->trees, t, vc),
            (Problems{"chip (0, 0): table has 2 entries, more than the 1 "
                      "available",
                      "chip (0, 0): entry 0x00000001/0xfffffffe never matches "
                      "(key bits outside the mask)"}));
}

} // namespace
