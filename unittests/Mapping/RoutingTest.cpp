//===- RoutingTest.cpp - Multicast trees over the machine model -----------===//
#include "scnc/Mapping/Routing.h"
#include "scnc/Mapping/Tables.h"
#include "gtest/gtest.h"
#include <random>

using namespace scnc;
using namespace llvm;

namespace {

using Targets = std::vector<std::pair<ChipId, uint32_t>>;

ChipId chip(const Machine &m, unsigned x, unsigned y) {
  Optional<ChipId> id = m.chipAt(x, y);
  EXPECT_TRUE(id.hasValue()) << "no chip (" << x << ", " << y << ")";
  return id.getValueOr(0);
}

RoutingTree route(const Machine &m, ChipId source, const Targets &targets,
                  const RouteConfig &cfg = {}) {
  Expected<RoutingTree> t = routeMulticast(m, source, targets, cfg);
  if (!t) {
    ADD_FAILURE() << toString(t.takeError());
    return RoutingTree();
  }
  return std::move(*t);
}

std::string print(const Machine &m, const RoutingTree &t) {
  std::string s;
  raw_string_ostream os(s);
  printRoutingTree(m, t, os);
  return os.str();
}

std::string errorOf(const Machine &m, ChipId source, const Targets &targets) {
  Expected<RoutingTree> t = routeMulticast(m, source, targets);
  if (t) {
    ADD_FAILURE() << "should fail";
    return "";
  }
  return toString(t.takeError());
}

TEST(RoutingTest, RouteWords) {
  EXPECT_EQ(route::link(LinkSouth), 0x20u);
  EXPECT_EQ(route::core(1), 0x80u);
  EXPECT_EQ(route::cores(0x3), 0xC0u);
  EXPECT_EQ(route::coresOf(0x2C5), 0xBu);
  EXPECT_EQ(route::linksOf(0x2C5), 0x5u);
  EXPECT_EQ(formatRoute(0x2C5), "E N c0 c1 c3");
  EXPECT_EQ(formatRoute(0x3F), "E NE N W SW S");
  EXPECT_EQ(formatRoute(0), "none");
}

// On the 3x3 torus every chip is at most 2 hops from (0, 0). (1, 1) is one
// hop north-east; (2, 1) and (1, 2) are one hop on from it, so both join
// the tree there instead of taking their own paths from the source.
TEST(RoutingTest, TorusSharesBranches) {
  Machine m = Machine::rectangle(3, 3, true, true);
  RoutingTree t =
      route(m, chip(m, 0, 0),
            {{chip(m, 2, 1), 0x2}, {chip(m, 1, 2), 0x4}, {chip(m, 1, 1), 0x8}});
  EXPECT_EQ(print(m, t), "(0, 0) in local route NE\n"
                         "(1, 1) in south-west route E N c3\n"
                         "(2, 1) in west route c1\n"
                         "(1, 2) in south route c2\n");
  ASSERT_EQ(t.nodes.size(), 4u);
  EXPECT_EQ(t.source, 0u);
  EXPECT_EQ(t.nodes[0].route, 0x2u);
  EXPECT_EQ(t.nodes[1].chip, 4u);
  EXPECT_EQ(t.nodes[1].inLink, unsigned(LinkSouthWest));
  EXPECT_EQ(t.nodes[1].depth, 1u);
  EXPECT_EQ(t.nodes[1].route, 0x205u);
  EXPECT_EQ(t.nodes[2].route, 0x80u);
  EXPECT_EQ(t.nodes[3].depth, 2u);
  EXPECT_EQ(t.numHops(), 3u);
  using Dest = std::vector<std::pair<ChipId, uint32_t>>;
  EXPECT_EQ(t.destinations(), (Dest{{4, 0x8}, {5, 0x2}, {7, 0x4}}));
}

// Across the wrap: (2, 2) is one hop south-west of (0, 0).
TEST(RoutingTest, TorusWraps) {
  Machine m = Machine::rectangle(3, 3, true, true);
  RoutingTree t = route(m, chip(m, 0, 0), {{chip(m, 2, 2), 0x2}});
  EXPECT_EQ(print(m, t), "(0, 0) in local route SW\n"
                         "(2, 2) in north-east route c1\n");
}

// Two hops with one diagonal: the runs are equally long, so the lower link
// (east) goes first.
TEST(RoutingTest, LongestDimensionFirst) {
  Machine m = Machine::rectangle(3, 3, true, true);
  RoutingTree t = route(m, chip(m, 0, 0), {{chip(m, 2, 1), 0x2}});
  EXPECT_EQ(print(m, t), "(0, 0) in local route E\n"
                         "(1, 0) in west route NE\n"
                         "(2, 1) in south-west route c1\n");
  // Four hops east and one north-east on a big mesh: east first.
  Machine big = Machine::rectangle(8, 8, false, false);
  RoutingTree u = route(big, chip(big, 0, 0), {{chip(big, 5, 1), 0x2}});
  EXPECT_EQ(print(big, u), "(0, 0) in local route E\n"
                           "(1, 0) in west route E\n"
                           "(2, 0) in west route E\n"
                           "(3, 0) in west route E\n"
                           "(4, 0) in west route NE\n"
                           "(5, 1) in south-west route c1\n");
}

// With (0, 0)'s east link dead the other order of the same two runs is
// taken: north-east, then east.
TEST(RoutingTest, AroundADeadLinkByTheOtherOrder) {
  Machine m = Machine::rectangle(3, 3, true, true);
  ASSERT_TRUE(m.setLinkDead(chip(m, 0, 0), LinkEast));
  RoutingTree t = route(m, chip(m, 0, 0), {{chip(m, 2, 1), 0x2}});
  EXPECT_EQ(print(m, t), "(0, 0) in local route NE\n"
                         "(1, 1) in south-west route E\n"
                         "(2, 1) in west route c1\n");
}

// On an open 3x3 mesh the only 2-hop path from (0, 0) to (2, 0) is east,
// east; with (1, 0)-(2, 0) dead the breadth-first fallback takes 3 hops:
// east, north-east, south (downhill, lowest link first).
TEST(RoutingTest, AroundADeadLinkByBreadthFirst) {
  Machine m = Machine::rectangle(3, 3, false, false);
  ASSERT_TRUE(m.setLinkDead(chip(m, 1, 0), LinkEast));
  RoutingTree t = route(m, chip(m, 0, 0), {{chip(m, 2, 0), 0x2}});
  EXPECT_EQ(print(m, t), "(0, 0) in local route E\n"
                         "(1, 0) in west route NE\n"
                         "(2, 0) in north route c1\n"
                         "(2, 1) in south-west route S\n");
  EXPECT_EQ(t.find(chip(m, 2, 0))->depth, 3u);
}

// A dead chip in the way: (1, 1) of a 3x3 mesh.
TEST(RoutingTest, AroundADeadChip) {
  Machine m = Machine::rectangle(3, 3, false, false);
  m.removeChips({{1, 1}});
  RoutingTree t = route(m, chip(m, 0, 0), {{chip(m, 2, 2), 0x2}});
  // The 2 hops north-east are gone; breadth-first finds 3: east, then
  // north-east (east again would not get closer), then north.
  EXPECT_EQ(print(m, t), "(0, 0) in local route E\n"
                         "(1, 0) in west route NE\n"
                         "(2, 1) in south-west route N\n"
                         "(2, 2) in south route c1\n");
}

// SpiNN-3: a 2x2 torus, every other chip one hop away.
TEST(RoutingTest, Spinn3) {
  Expected<Machine> m = builtinMachine("spinn3");
  ASSERT_TRUE(bool(m));
  RoutingTree t = route(*m, 0, {{1, 0x2}, {2, 0x4}, {3, 0x8}});
  EXPECT_EQ(print(*m, t), "(0, 0) in local route E NE N\n"
                          "(1, 0) in west route c1\n"
                          "(0, 1) in south route c2\n"
                          "(1, 1) in south-west route c3\n");
}

// Cores at the source and repeated targets merge.
TEST(RoutingTest, LocalAndRepeatedTargets) {
  Machine m = Machine::rectangle(3, 3, true, true);
  RoutingTree t = route(m, 0, {{0, 0x2}, {1, 0x4}, {1, 0x8}, {0, 0x10}});
  EXPECT_EQ(print(m, t), "(0, 0) in local route E c1 c4\n"
                         "(1, 0) in west route c2 c3\n");
}

TEST(RoutingTest, Errors) {
  Machine m = Machine::rectangle(3, 3, false, false);
  // Cut (2, 2) off.
  ChipId corner = chip(m, 2, 2);
  for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
    m.setLinkDead(corner, l);
  EXPECT_EQ(errorOf(m, 0, {{corner, 0x2}}),
            "target chip (2, 2) is unreachable from source chip (0, 0) over "
            "live links");
  EXPECT_EQ(errorOf(m, 0, {{1, 0}}), "target chip (1, 0) names no core");
  EXPECT_EQ(errorOf(m, 0, {{1, 1u << 18}}),
            "target chip (1, 0) names core 18; cores are 0..17");
  m.setCoreDead(1, 5);
  EXPECT_EQ(errorOf(m, 0, {{1, 1u << 5}}), "target core 5 of chip (1, 0) is "
                                           "dead");
  EXPECT_EQ(errorOf(m, 0, {{9, 1}}),
            "target chip id 9 is not in the machine (9 chips)");
  EXPECT_EQ(errorOf(m, 12, {{1, 1}}),
            "source chip id 12 is not in the machine (9 chips)");
}

/// Random trees on real machines with faults: every target at its live
/// shortest distance, every node's parent one hop closer, and the tables
/// built from the trees deliver exactly (before and after compression).
void checkRandomTrees(const Machine &m, unsigned numTrees, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<KeyedTree> trees;
  for (unsigned i = 0; i < numTrees; ++i) {
    ChipId source = rng() % m.numChips();
    Targets targets;
    unsigned n = 1 + rng() % 12;
    for (unsigned k = 0; k < n; ++k)
      targets.push_back({ChipId(rng() % m.numChips()), 1u << (1 + rng() % 16)});
    RoutingTree t = route(m, source, targets);
    std::vector<unsigned> hops = m.hopDistances(source);
    for (auto [c, cores] : targets) {
      const RouteNode *node = t.find(c);
      ASSERT_TRUE(node);
      EXPECT_EQ(node->depth, hops[c]);
      EXPECT_EQ(route::coresOf(node->route) & cores, cores);
    }
    for (const RouteNode &node : t.nodes) {
      if (node.chip == source) {
        EXPECT_EQ(node.inLink, kFromLocal);
        continue;
      }
      Optional<ChipId> parent = m.neighbour(node.chip, node.inLink);
      ASSERT_TRUE(parent.hasValue());
      const RouteNode *p = t.find(*parent);
      ASSERT_TRUE(p);
      EXPECT_EQ(p->depth + 1, node.depth);
      EXPECT_TRUE(p->route & route::link(oppositeLink(node.inLink)));
    }
    trees.push_back({i << 8, 0xFFFFFF00u, std::move(t)});
  }
  std::vector<RoutingTable> tables = buildTables(m, trees);
  EXPECT_EQ(verifyRoutes(m, trees, tables), std::vector<std::string>());
  // Squeeze every table to half its size where Ordered Covering can.
  for (RoutingTable &t : tables) {
    unsigned cap = std::max<unsigned>(1, unsigned(t.entries.size() / 2));
    consumeError(compressTable(m, t, cap));
  }
  EXPECT_EQ(verifyRoutes(m, trees, tables), std::vector<std::string>());
}

TEST(RoutingTest, RandomTreesOnSpinn5WithFaults) {
  Machine m = *builtinMachine("spinn5");
  m.setLinkDead(*m.chipAt(3, 3), LinkEast);
  m.setLinkDead(*m.chipAt(4, 4), LinkSouthWest);
  m.setLinkDead(*m.chipAt(2, 5), LinkNorth);
  m.removeChips({{5, 2}});
  ASSERT_TRUE(m.check().empty());
  checkRandomTrees(m, 200, 1);
}

TEST(RoutingTest, RandomTreesOnATorusOfBoards) {
  Machine m = *builtinMachine("boards:3");
  m.setLinkDead(*m.chipAt(0, 0), LinkNorthEast);
  m.removeChips({{6, 6}, {11, 0}});
  checkRandomTrees(m, 200, 2);
}

// The fallback's hop distances from a cache give the same trees, whether
// the cache keeps them or (at its limit) computes them afresh; the cache's
// rows are the machine's hopDistances.
TEST(RoutingTest, HopDistanceCacheGivesTheSameTrees) {
  Machine m = *builtinMachine("spinn5");
  m.setLinkDead(*m.chipAt(3, 3), LinkEast);
  m.setLinkDead(*m.chipAt(4, 4), LinkSouthWest);
  m.removeChips({{5, 2}});
  HopDistanceCache roomy(m), tight(m, 2 * uint64_t(m.numChips()));
  for (ChipId c : {ChipId(0), ChipId(17), ChipId(30)})
    EXPECT_EQ(roomy.from(c), m.hopDistances(c)) << c;
  std::mt19937 rng(3);
  for (unsigned i = 0; i < 100; ++i) {
    ChipId source = rng() % m.numChips();
    Targets targets;
    for (unsigned k = 0, n = 1 + rng() % 12; k < n; ++k)
      targets.push_back({ChipId(rng() % m.numChips()), 1u << (1 + rng() % 16)});
    std::string plain = print(m, route(m, source, targets));
    for (HopDistanceCache *cache : {&roomy, &tight}) {
      RouteConfig cfg;
      cfg.hops = cache;
      EXPECT_EQ(print(m, route(m, source, targets, cfg)), plain) << i;
    }
  }
  EXPECT_EQ(tight.from(40), m.hopDistances(40));
}

TEST(RoutingTest, Deterministic) {
  Machine m = *builtinMachine("spinn5");
  Targets targets{{40, 0x2}, {7, 0x4}, {23, 0x8}, {31, 0x10}, {12, 0x20}};
  std::string a = print(m, route(m, 20, targets));
  std::reverse(targets.begin(), targets.end());
  EXPECT_EQ(print(m, route(m, 20, targets)), a);
}

} // namespace
