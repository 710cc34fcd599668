//===- TablesTest.cpp - Table generation, compression and the checker -----===//
#include "scnc/Mapping/Tables.h"
#include "gtest/gtest.h"
#include <random>

using namespace scnc;
using namespace llvm;

namespace {

using Targets = std::vector<std::pair<ChipId, uint32_t>>;
using Entries = std::vector<RoutingEntry>;
using Problems = std::vector<std::string>;

constexpr uint32_t kE = 0x1, kNE = 0x2, kW = 0x8;
constexpr uint32_t kC1 = 0x80, kC2 = 0x100;

RoutingTree route(const Machine &m, ChipId source, const Targets &targets) {
  Expected<RoutingTree> t = routeMulticast(m, source, targets);
  if (!t) {
    ADD_FAILURE() << toString(t.takeError());
    return RoutingTree();
  }
  return std::move(*t);
}

std::string errorText(Error e) {
  if (!e) {
    ADD_FAILURE() << "should fail";
    return "";
  }
  return toString(std::move(e));
}

/// A table of chip 0 holding `entries`, with `guards` default-routed.
RoutingTable table(Entries entries, Entries guards = {}) {
  RoutingTable t;
  t.entries = std::move(entries);
  t.defaultRouted = std::move(guards);
  return t;
}

/// A straight line of three chips, (0, 0) - (1, 0) - (2, 0), no wrap: a
/// packet from (0, 0) to (2, 0) crosses (1, 0) by default routing; one from
/// (1, 0) to (2, 0) needs an entry at (1, 0), its source.
struct Line : testing::Test {
  Machine m = Machine::rectangle(3, 1, false, false);
  std::vector<KeyedTree> trees;
  void SetUp() override {
    trees.push_back({0x100, 0xFFFFFF00, route(m, 0, {{2, 0x2}})});
    trees.push_back({0x200, 0xFFFFFF00, route(m, 1, {{2, 0x4}})});
  }
};

TEST_F(Line, DefaultRoutesAreElided) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].chip, 0u);
  EXPECT_EQ(t[0].entries, (Entries{{0x100, 0xFFFFFF00, kE}}));
  EXPECT_EQ(t[1].entries, (Entries{{0x200, 0xFFFFFF00, kE}}));
  EXPECT_EQ(t[1].defaultRouted, (Entries{{0x100, 0xFFFFFF00, kE}}));
  EXPECT_EQ(t[2].entries,
            (Entries{{0x100, 0xFFFFFF00, kC1}, {0x200, 0xFFFFFF00, kC2}}));
  EXPECT_TRUE(t[2].defaultRouted.empty());
  EXPECT_EQ(verifyRoutes(m, trees, t), Problems());

  TableConfig keep;
  keep.elideDefaultRoutes = false;
  std::vector<RoutingTable> u = buildTables(m, trees, keep);
  EXPECT_EQ(u[1].entries,
            (Entries{{0x100, 0xFFFFFF00, kE}, {0x200, 0xFFFFFF00, kE}}));
  EXPECT_TRUE(u[1].defaultRouted.empty());
  EXPECT_EQ(verifyRoutes(m, trees, u), Problems());
}

TEST_F(Line, Print) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  std::string s;
  raw_string_ostream os(s);
  printRoutingTable(m, t[1], os);
  printRoutingTable(m, t[2], os);
  EXPECT_EQ(os.str(), "chip (1, 0): 1 entry, 1 default-routed\n"
                      "  0x00000200/0xffffff00 -> E\n"
                      "chip (2, 0): 2 entries\n"
                      "  0x00000100/0xffffff00 -> c1\n"
                      "  0x00000200/0xffffff00 -> c2\n");
}

// Tables are sorted by generality, then key.
TEST(TablesTest, Order) {
  Machine m = Machine::rectangle(2, 1, false, false);
  std::vector<KeyedTree> trees;
  trees.push_back({0x300, 0xFFFFFF00, route(m, 0, {{0, 0x2}})});
  trees.push_back({0x1000, 0xFFFFF000, route(m, 0, {{0, 0x2}})});
  trees.push_back({0x100, 0xFFFFFF00, route(m, 0, {{0, 0x2}})});
  trees.push_back({0x2FF, 0xFFFFFF00, route(m, 0, {{0, 0x2}})});
  EXPECT_EQ(buildTables(m, trees)[0].entries,
            (Entries{{0x100, 0xFFFFFF00, kC1},
                     {0x200, 0xFFFFFF00, kC1},
                     {0x300, 0xFFFFFF00, kC1},
                     {0x1000, 0xFFFFF000, kC1}}));
}

// Four keys with one route make one entry, by exact merges or by Ordered
// Covering alone.
TEST(CompressionTest, FourKeysOneEntry) {
  Machine m = Machine::rectangle(1, 1, false, false);
  Entries four{{0x0, ~0u, kE}, {0x1, ~0u, kE}, {0x2, ~0u, kE}, {0x3, ~0u, kE}};
  for (bool exact : {true, false}) {
    RoutingTable t = table(four);
    CompressionConfig cfg;
    cfg.mergeExact = exact;
    ASSERT_FALSE(bool(compressTable(m, t, 1, cfg)));
    EXPECT_EQ(t.entries, (Entries{{0x0, 0xFFFFFFFC, kE}})) << exact;
  }
}

// A table that fits is left alone.
TEST(CompressionTest, FittingTableUntouched) {
  Machine m = Machine::rectangle(1, 1, false, false);
  Entries four{{0x0, ~0u, kE}, {0x1, ~0u, kE}, {0x2, ~0u, kE}, {0x3, ~0u, kE}};
  RoutingTable t = table(four);
  ASSERT_FALSE(bool(compressTable(m, t, 4)));
  EXPECT_EQ(t.entries, four);
}

// minimize compresses a table that fits, as far as merges go: the same
// four keys (capacity 4, so left alone without it) make one entry, and
// 0x3 -> W keeps its own entry above the merged rest.
TEST(CompressionTest, MinimizeCompressesTablesThatFit) {
  Machine m = Machine::rectangle(1, 1, false, false);
  CompressionConfig cfg;
  cfg.minimize = true;
  RoutingTable t =
      table({{0x0, ~0u, kE}, {0x1, ~0u, kE}, {0x2, ~0u, kE}, {0x3, ~0u, kE}});
  ASSERT_FALSE(bool(compressTable(m, t, 4, cfg)));
  EXPECT_EQ(t.entries, (Entries{{0x0, 0xFFFFFFFC, kE}}));
  t = table({{0x0, ~0u, kE}, {0x1, ~0u, kE}, {0x2, ~0u, kE}, {0x3, ~0u, kW}});
  ASSERT_FALSE(bool(compressTable(m, t, 1023, cfg)));
  EXPECT_EQ(t.entries, (Entries{{0x3, ~0u, kW}, {0x0, 0xFFFFFFFC, kE}}));
}

// Order is exploited: 0x3 -> W stays above the merged 0x0..0x3 -> E.
TEST(CompressionTest, CoversBelowAMoreSpecificEntry) {
  Machine m = Machine::rectangle(1, 1, false, false);
  for (bool exact : {true, false}) {
    RoutingTable t =
        table({{0x0, ~0u, kE}, {0x1, ~0u, kE}, {0x2, ~0u, kE}, {0x3, ~0u, kW}});
    CompressionConfig cfg;
    cfg.mergeExact = exact;
    ASSERT_FALSE(bool(compressTable(m, t, 2, cfg)));
    EXPECT_EQ(t.entries, (Entries{{0x3, ~0u, kW}, {0x0, 0xFFFFFFFC, kE}}))
        << exact;
  }
}

// Merging 0x0 and 0x3 would make 0x0/0xfffffffc, which sits above the more
// general 0x0/0xfffffff8 -> W and would take its keys 0x1 and 0x2: no merge
// can be made, so three entries cannot become two.
TEST(CompressionTest, MustNotHideALowerEntry) {
  Machine m = Machine::rectangle(1, 1, false, false);
  RoutingTable t =
      table({{0x0, ~0u, kE}, {0x3, ~0u, kE}, {0x0, 0xFFFFFFF8, kW}});
  EXPECT_EQ(errorText(compressTable(m, t, 2)),
            "routing table of chip (0, 0) has 3 entries, 3 after compression, "
            "more than the 2 available; try fewer cores per population (more "
            "neurons per core), another placement or a bigger machine");
  EXPECT_EQ(t.entries.size(), 3u);
}

// The same with a key that crosses the chip by default routing: 0x1 comes
// in on the west link and leaves east with no entry. 0x0 and 0x3 -> c1
// merged would take it.
TEST(CompressionTest, MustNotCaptureADefaultRoutedKey) {
  Machine m = Machine::rectangle(1, 1, false, false);
  RoutingTable t = table({{0x0, ~0u, kC1}, {0x3, ~0u, kC1}}, {{0x1, ~0u, kE}});
  EXPECT_EQ(errorText(compressTable(m, t, 1)),
            "routing table of chip (0, 0) has 2 entries, 2 after compression, "
            "more than the 1 available; try fewer cores per population (more "
            "neurons per core), another placement or a bigger machine");
  // Without the default-routed key the merge is fine.
  RoutingTable u = table({{0x0, ~0u, kC1}, {0x3, ~0u, kC1}});
  ASSERT_FALSE(bool(compressTable(m, u, 1)));
  EXPECT_EQ(u.entries, (Entries{{0x0, 0xFFFFFFFC, kC1}}));
}

// The down-check shrinks a merge instead of giving it up: 0x0, 0x1, 0x2,
// 0x4 merged would be 0x0/0xfffffff8, capturing the default-routed 0x7.
// Dropping 0x4 (the most significant of the bits that could be fixed)
// leaves 0x0/0xfffffffc.
TEST(CompressionTest, DownCheckDropsTheFewestMembers) {
  Machine m = Machine::rectangle(1, 1, false, false);
  CompressionConfig cfg;
  cfg.mergeExact = false;
  Entries entries{
      {0x0, ~0u, kC1}, {0x1, ~0u, kC1}, {0x2, ~0u, kC1}, {0x4, ~0u, kC1}};
  RoutingTable t = table(entries, {{0x7, ~0u, kE}});
  ASSERT_FALSE(bool(compressTable(m, t, 2, cfg)));
  EXPECT_EQ(t.entries, (Entries{{0x4, ~0u, kC1}, {0x0, 0xFFFFFFFC, kC1}}));
  // One entry is impossible.
  RoutingTable u = table(entries, {{0x7, ~0u, kE}});
  EXPECT_EQ(errorText(compressTable(m, u, 1, cfg)),
            "routing table of chip (0, 0) has 4 entries, 2 after compression, "
            "more than the 1 available; try fewer cores per population (more "
            "neurons per core), another placement or a bigger machine");
}

// The up-check: 0x1 -> E cannot move below 0x0/0xfffffffe -> W (which
// overlaps it), so only 0x4 and 0x6 merge, in front of the entries as
// general as the result.
TEST(CompressionTest, UpCheckKeepsAMemberAboveAnOverlap) {
  Machine m = Machine::rectangle(1, 1, false, false);
  RoutingTable t = table(
      {{0x1, ~0u, kE}, {0x4, ~0u, kE}, {0x6, ~0u, kE}, {0x0, 0xFFFFFFFE, kW}});
  ASSERT_FALSE(bool(compressTable(m, t, 3)));
  EXPECT_EQ(
      t.entries,
      (Entries{{0x1, ~0u, kE}, {0x4, 0xFFFFFFFD, kE}, {0x0, 0xFFFFFFFE, kW}}));
}

// compressTables reports every chip that does not fit, and the sizes.
TEST(CompressionTest, EveryFailingChipReported) {
  Machine m = Machine::rectangle(3, 1, false, false);
  std::vector<RoutingTable> tables(3);
  for (ChipId c = 0; c < 3; ++c)
    tables[c].chip = c;
  // Chip 0: 4 keys merge into 1. Chips 1 and 2: two routes each.
  tables[0].entries = {
      {0x0, ~0u, kE}, {0x1, ~0u, kE}, {0x2, ~0u, kE}, {0x3, ~0u, kE}};
  tables[1].entries = {{0x0, ~0u, kE}, {0x1, ~0u, kW}};
  tables[2].entries = {{0x10, ~0u, kE}, {0x21, ~0u, kW}};
  CompressionConfig cfg;
  cfg.capacity = 1;
  CompressionStats stats;
  std::string text = errorText(compressTables(m, tables, cfg, &stats));
  EXPECT_EQ(text,
            "routing table of chip (1, 0) has 2 entries, 2 after compression, "
            "more than the 1 available; try fewer cores per population (more "
            "neurons per core), another placement or a bigger machine\n"
            "routing table of chip (2, 0) has 2 entries, 2 after compression, "
            "more than the 1 available; try fewer cores per population (more "
            "neurons per core), another placement or a bigger machine");
  EXPECT_EQ(stats.tablesCompressed, 3u);
  EXPECT_EQ(stats.entriesBefore, 8u);
  EXPECT_EQ(stats.entriesAfter, 5u);
  EXPECT_EQ(stats.maxEntriesBefore, 4u);
  EXPECT_EQ(stats.maxEntriesAfter, 2u);
}

// Populations of 8 slices with PACMAN-like keys (population << 11 | slice
// << 8), the slices of one population on neighbouring chips sending to the
// same targets: the tables compress a lot, and stay correct even where they
// cannot reach the (tiny) capacity.
TEST(CompressionTest, PopulationsCompressAndStayCorrect) {
  Machine m = *builtinMachine("spinn5");
  m.setLinkDead(*m.chipAt(3, 3), LinkNorth);
  std::mt19937 rng(7);
  std::vector<KeyedTree> trees;
  for (uint32_t pop = 0; pop < 64; ++pop) {
    Targets targets;
    for (unsigned k = 0; k < 4; ++k)
      targets.push_back({ChipId(rng() % m.numChips()), 1u << (1 + rng() % 16)});
    ChipId home = rng() % m.numChips();
    for (uint32_t slice = 0; slice < 8; ++slice) {
      // Slices on the home chip or its first live neighbour.
      ChipId source = home;
      if (slice >= 4)
        for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
          if (Optional<ChipId> nb = m.neighbour(home, l)) {
            source = *nb;
            break;
          }
      trees.push_back(
          {pop << 11 | slice << 8, 0xFFFFFF00, route(m, source, targets)});
    }
  }
  std::vector<RoutingTable> tables = buildTables(m, trees);
  ASSERT_EQ(verifyRoutes(m, trees, tables), Problems());
  CompressionStats stats;
  CompressionConfig cfg;
  cfg.capacity = 8;
  consumeError(compressTables(m, tables, cfg, &stats));
  EXPECT_GT(stats.tablesCompressed, 10u);
  EXPECT_LT(stats.entriesAfter * 2, stats.entriesBefore);
  VerifyConfig vc;
  vc.capacity = 1000;
  EXPECT_EQ(verifyRoutes(m, trees, tables, vc), Problems());
}

//===----------------------------------------------------------------------===//
// The checker
//===----------------------------------------------------------------------===//

// Tree 0 of the line: 0x100 from (0, 0) to core 1 of (2, 0).
TEST_F(Line, CheckerCatchesADroppedPacket) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  t[0].entries.clear();
  EXPECT_EQ(verifyRoutes(m, trees, t),
            (Problems{"tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 dropped at chip (0, 0): it comes from a core "
                      "and no entry matches",
                      "tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 not delivered to core 1 of chip (2, 0)"}));
}

TEST_F(Line, CheckerCatchesALoop) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  t[1].entries.insert(t[1].entries.begin(), {0x100, 0xFFFFFF00, kW});
  EXPECT_EQ(verifyRoutes(m, trees, t),
            (Problems{"tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 reaches chip (0, 0) twice (a loop or a "
                      "second path)",
                      "tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 not delivered to core 1 of chip (2, 0)"}));
}

TEST_F(Line, CheckerCatchesAWrongCore) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  t[2].entries[0].route = kC2;
  EXPECT_EQ(verifyRoutes(m, trees, t),
            (Problems{"tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 not delivered to core 1 of chip (2, 0)",
                      "tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 delivered to core 2 of chip (2, 0), not a "
                      "destination"}));
}

TEST_F(Line, CheckerCatchesALinkOffTheMachine) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  t[2].entries[1].route = kC2 | kNE;
  EXPECT_EQ(verifyRoutes(m, trees, t),
            (Problems{"tree 1 (0x00000200/0xffffff00 from chip (1, 0)): key "
                      "0x00000200 dropped at chip (2, 0): sent on link 1 "
                      "(north-east) which is dead or leads off the machine"}));
}

// Only some keys go wrong: an entry for half the key space in front.
TEST_F(Line, CheckerFindsTheFirstBadKey) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  t[2].entries.insert(t[2].entries.begin(), {0x180, 0xFFFFFF80, kC2});
  EXPECT_EQ(verifyRoutes(m, trees, t),
            (Problems{"tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000180 not delivered to core 1 of chip (2, 0)",
                      "tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000180 delivered to core 2 of chip (2, 0), not a "
                      "destination"}));
}

// A merge that ignored default routing at (1, 0): trees sourced at (1, 0)
// with keys 0x000 and 0x300 deliver to its core 1; 0x100 crosses it by
// default. 0x000/0xfffffc00 -> c1 would swallow 0x100.
TEST_F(Line, CheckerCatchesACapturedDefaultRoute) {
  trees.push_back({0x000, 0xFFFFFF00, route(m, 1, {{1, 0x2}})});
  trees.push_back({0x300, 0xFFFFFF00, route(m, 1, {{1, 0x2}})});
  std::vector<RoutingTable> t = buildTables(m, trees);
  EXPECT_EQ(t[1].entries, (Entries{{0x000, 0xFFFFFF00, kC1},
                                   {0x200, 0xFFFFFF00, kE},
                                   {0x300, 0xFFFFFF00, kC1}}));
  EXPECT_EQ(verifyRoutes(m, trees, t), Problems());
  // Compression refuses: fixing bit 8 or 9 of the merged key leaves one
  // entry in the merge.
  RoutingTable good = t[1];
  EXPECT_EQ(errorText(compressTable(m, good, 2)),
            "routing table of chip (1, 0) has 3 entries, 3 after compression, "
            "more than the 2 available; try fewer cores per population (more "
            "neurons per core), another placement or a bigger machine");
  RoutingTable bad = t[1];
  bad.entries = {{0x200, 0xFFFFFF00, kE}, {0x000, 0xFFFFFC00, kC1}};
  std::vector<RoutingTable> broken = t;
  broken[1] = bad;
  EXPECT_EQ(verifyRoutes(m, trees, broken),
            (Problems{"tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 not delivered to core 1 of chip (2, 0)",
                      "tree 0 (0x00000100/0xffffff00 from chip (0, 0)): key "
                      "0x00000100 delivered to core 1 of chip (1, 0), not a "
                      "destination"}));
  std::vector<RoutingTable> fixed = t;
  fixed[1] = good;
  EXPECT_EQ(verifyRoutes(m, trees, fixed), Problems());
}

TEST_F(Line, CheckerCountsEntries) {
  std::vector<RoutingTable> t = buildTables(m, trees);
  VerifyConfig cfg;
  cfg.capacity = 1;
  t[0].entries.push_back({0x7, 0x3, kE});
  EXPECT_EQ(verifyRoutes(m, trees, t, cfg),
            (Problems{"chip (0, 0): table has 2 entries, more than the 1 "
                      "available",
                      "chip (0, 0): entry 0x00000007/0x00000003 never matches "
                      "(key bits outside the mask)",
                      "chip (2, 0): table has 2 entries, more than the 1 "
                      "available"}));
}

// Wide key spaces are sampled, not walked whole.
TEST(CheckerTest, WideKeySpace) {
  Machine m = Machine::rectangle(3, 3, true, true);
  std::vector<KeyedTree> trees;
  trees.push_back({0x10000, 0xFFFF0000, route(m, 0, {{8, 0x2}})});
  std::vector<RoutingTable> t = buildTables(m, trees);
  EXPECT_EQ(verifyRoutes(m, trees, t), Problems());
  // Break the last key only.
  t[8].entries.insert(t[8].entries.begin(), {0x1FFFF, ~0u, kC2});
  EXPECT_EQ(verifyRoutes(m, trees, t),
            (Problems{"tree 0 (0x00010000/0xffff0000 from chip (0, 0)): key "
                      "0x0001ffff not delivered to core 1 of chip (2, 2)",
                      "tree 0 (0x00010000/0xffff0000 from chip (0, 0)): key "
                      "0x0001ffff delivered to core 2 of chip (2, 2), not a "
                      "destination"}));
}

// The router step the checker and the emulated routers share.
TEST(RouteStepTest, FirstMatchDefaultDropAndSplit) {
  Entries e{{0x10, 0xF0, kC1},  // keys 0x1?
            {0x00, 0x00, kE},   // everything else
            {0x20, 0xF0, kC2}}; // never reached: the entry above wins
  RouteDecision d = routeStep(e, 0x13, ~0u, kFromLocal);
  EXPECT_EQ(d.kind, RouteDecision::Matched);
  EXPECT_EQ(d.route, kC1);
  d = routeStep(e, 0x23, ~0u, 1);
  EXPECT_EQ(d.kind, RouteDecision::Matched);
  EXPECT_EQ(d.route, kE);
  // A block the first entry covers whole; one it splits on bit 4.
  d = routeStep(e, 0x10, 0xFFFFFFF0, kFromLocal);
  EXPECT_EQ(d.kind, RouteDecision::Matched);
  EXPECT_EQ(d.route, kC1);
  d = routeStep(e, 0x00, 0xFFFFFF00, kFromLocal);
  EXPECT_EQ(d.kind, RouteDecision::Split);
  EXPECT_EQ(d.splitBit, 0x10u);
  // No entry: straight on when it came over a link, dropped from a core.
  Entries one{{0x10, 0xF0, kC1}};
  d = routeStep(one, 0x23, ~0u, 1);
  EXPECT_EQ(d.kind, RouteDecision::Default);
  EXPECT_EQ(d.route, route::link(oppositeLink(1)));
  d = routeStep(one, 0x23, ~0u, kFromLocal);
  EXPECT_EQ(d.kind, RouteDecision::Drop);
  // An entry with key bits outside its mask never matches.
  Entries bad{{0x7, 0x3, kC1}};
  EXPECT_EQ(routeStep(bad, 0x7, ~0u, kFromLocal).kind, RouteDecision::Drop);
}

} // namespace
