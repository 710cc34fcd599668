//===- MachineTest.cpp - Built-in machines, links, distances, check -------===//
#include "scnc/Machine/Machine.h"
#include "gtest/gtest.h"
#include <set>

using namespace scnc;
using namespace llvm;

namespace {

Machine builtin(StringRef name) {
  Expected<Machine> m = builtinMachine(name);
  if (!m) {
    ADD_FAILURE() << toString(m.takeError());
    return Machine(1, 1, false, false, {});
  }
  return std::move(*m);
}

std::string builtinError(StringRef name) {
  Expected<Machine> m = builtinMachine(name);
  if (m) {
    ADD_FAILURE() << "'" << name.str() << "' should not build";
    return "";
  }
  return toString(m.takeError());
}

ChipId id(const Machine &m, unsigned x, unsigned y) {
  Optional<ChipId> c = m.chipAt(x, y);
  EXPECT_TRUE(c.hasValue()) << "no chip (" << x << ", " << y << ")";
  return c.getValueOr(0);
}

/// link -> neighbour for every live link of chip (x, y).
std::map<unsigned, std::pair<unsigned, unsigned>>
neighbours(const Machine &m, unsigned x, unsigned y) {
  std::map<unsigned, std::pair<unsigned, unsigned>> out;
  ChipId c = id(m, x, y);
  for (unsigned l = 0; l < 6; ++l)
    if (Optional<ChipId> nb = m.neighbour(c, l))
      out[l] = {m.coord(*nb).x, m.coord(*nb).y};
  return out;
}

using NB = std::map<unsigned, std::pair<unsigned, unsigned>>;

/// On a machine without holes every geometric distance is a path.
void expectDistancesArePaths(const Machine &m) {
  for (ChipId a = 0; a < m.numChips(); ++a) {
    std::vector<unsigned> hops = m.hopDistances(a);
    for (ChipId b = 0; b < m.numChips(); ++b)
      ASSERT_EQ(hops[b], m.distance(a, b))
          << formatChip(m.coord(a)) << " -> " << formatChip(m.coord(b));
  }
}

TEST(LinkTest, NumberingDirectionsAndOpposites) {
  const int dx[] = {1, 1, 0, -1, -1, 0}, dy[] = {0, 1, 1, 0, -1, -1};
  for (unsigned l = 0; l < 6; ++l) {
    EXPECT_EQ(linkDX(l), dx[l]);
    EXPECT_EQ(linkDY(l), dy[l]);
    EXPECT_EQ(oppositeLink(l), (l + 3) % 6);
    EXPECT_EQ(linkDX(oppositeLink(l)), -dx[l]);
    EXPECT_EQ(linkDY(oppositeLink(l)), -dy[l]);
  }
  EXPECT_EQ(linkName(LinkNorthEast), "north-east");
  EXPECT_EQ(linkName(LinkSouth), "south");
}

TEST(LinkTest, HexDistance) {
  EXPECT_EQ(hexDistance(0, 0), 0u);
  EXPECT_EQ(hexDistance(3, 5), 5u); // same sign: the diagonal helps
  EXPECT_EQ(hexDistance(-3, -5), 5u);
  EXPECT_EQ(hexDistance(3, -5), 8u); // opposite signs: no shortcut
  EXPECT_EQ(hexDistance(-4, 2), 6u);
  EXPECT_EQ(hexDistance(0, -7), 7u);
}

TEST(BuiltinTest, Spinn3IsA2x2Torus) {
  Machine m = builtin("spinn3");
  EXPECT_EQ(m.numChips(), 4u);
  EXPECT_EQ(m.width(), 2u);
  EXPECT_EQ(m.height(), 2u);
  EXPECT_TRUE(m.isTorus());
  for (ChipId c = 0; c < m.numChips(); ++c)
    EXPECT_EQ(m.numLinks(c), 6u) << formatChip(m.coord(c));
  EXPECT_EQ(m.numDirectedLinks(), 24u);
  EXPECT_EQ(neighbours(m, 0, 0), (NB{{0, {1, 0}},
                                     {1, {1, 1}},
                                     {2, {0, 1}},
                                     {3, {1, 0}},
                                     {4, {1, 1}},
                                     {5, {0, 1}}}));
  EXPECT_EQ(m.totalUsableCores(), 64u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 1, 1)), 1u);
  EXPECT_EQ(m.distance(id(m, 1, 0), id(m, 0, 1)), 1u);
  EXPECT_TRUE(m.check().empty());
}

TEST(BuiltinTest, Spinn5IsA48ChipHexagon) {
  Machine m = builtin("spinn5");
  EXPECT_EQ(m.numChips(), 48u);
  EXPECT_EQ(m.width(), 8u);
  EXPECT_EQ(m.height(), 8u);
  EXPECT_FALSE(m.wrapsX());
  EXPECT_FALSE(m.wrapsY());
  const unsigned perRow[] = {5, 6, 7, 8, 7, 6, 5, 4};
  for (unsigned y = 0; y < 8; ++y) {
    unsigned n = 0;
    for (unsigned x = 0; x < 8; ++x)
      n += m.hasChip({x, y});
    EXPECT_EQ(n, perRow[y]) << "row " << y;
  }
  // Dense ids in (y, x) order.
  EXPECT_EQ(m.coord(0), (ChipCoord{0, 0}));
  EXPECT_EQ(m.coord(4), (ChipCoord{4, 0}));
  EXPECT_EQ(m.coord(5), (ChipCoord{0, 1}));
  EXPECT_EQ(m.coord(47), (ChipCoord{7, 7}));
  EXPECT_EQ(*m.chipAt(4, 7), 44u);
  EXPECT_FALSE(m.chipAt(5, 0).hasValue());
  EXPECT_FALSE(m.chipAt(0, 4).hasValue());
  EXPECT_FALSE(m.chipAt(8, 0).hasValue());
  EXPECT_EQ(m.boards(), makeArrayRef(std::vector<ChipCoord>{{0, 0}}));

  // Corners of the hexagon.
  EXPECT_EQ(neighbours(m, 0, 0), (NB{{0, {1, 0}}, {1, {1, 1}}, {2, {0, 1}}}));
  EXPECT_EQ(neighbours(m, 4, 0), (NB{{1, {5, 1}}, {2, {4, 1}}, {3, {3, 0}}}));
  EXPECT_EQ(neighbours(m, 7, 3), (NB{{2, {7, 4}}, {3, {6, 3}}, {4, {6, 2}}}));
  EXPECT_EQ(neighbours(m, 7, 7), (NB{{3, {6, 7}}, {4, {6, 6}}, {5, {7, 6}}}));
  EXPECT_EQ(neighbours(m, 4, 7), (NB{{0, {5, 7}}, {4, {3, 6}}, {5, {4, 6}}}));
  EXPECT_EQ(neighbours(m, 0, 3), (NB{{0, {1, 3}}, {1, {1, 4}}, {5, {0, 2}}}));
  // Edges: bottom, left, upper-left diagonal.
  EXPECT_EQ(neighbours(m, 2, 0),
            (NB{{0, {3, 0}}, {1, {3, 1}}, {2, {2, 1}}, {3, {1, 0}}}));
  EXPECT_EQ(neighbours(m, 0, 2),
            (NB{{0, {1, 2}}, {1, {1, 3}}, {2, {0, 3}}, {5, {0, 1}}}));
  EXPECT_EQ(neighbours(m, 2, 5),
            (NB{{0, {3, 5}}, {1, {3, 6}}, {4, {1, 4}}, {5, {2, 4}}}));
  EXPECT_EQ(m.numLinks(id(m, 3, 3)), 6u);
  EXPECT_EQ(m.numDirectedLinks(), 240u);

  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 7, 7)), 7u);
  EXPECT_EQ(m.distance(id(m, 4, 0), id(m, 0, 3)), 7u);
  EXPECT_EQ(m.distance(id(m, 0, 3), id(m, 4, 0)), 7u);
  EXPECT_EQ(m.distance(id(m, 7, 3), id(m, 4, 7)), 7u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 4, 0)), 4u);
  EXPECT_EQ(m.distance(id(m, 2, 5), id(m, 5, 1)), 7u);
  expectDistancesArePaths(m); // the hexagon is convex

  EXPECT_EQ(m.usableCores(0), 16u);
  EXPECT_EQ(m.totalUsableCores(), 768u);
  SmallVector<unsigned, 18> cores = m.usableCoreIds(0);
  EXPECT_EQ(cores.size(), 16u);
  EXPECT_EQ(cores.front(), 2u); // core 1 is the reserved system core
  EXPECT_EQ(cores.back(), 17u);
  EXPECT_EQ(m.sdramBytes(), 123469792u);
  EXPECT_EQ(m.dtcmBytes(), 65536u);
  EXPECT_EQ(m.itcmBytes(), 32768u);
  EXPECT_EQ(m.routerEntries(), 1023u);
  EXPECT_TRUE(m.check().empty());
}

TEST(BuiltinTest, ThreeBoardsTileA12x12Torus) {
  Machine m = builtin("boards:3");
  EXPECT_EQ(m.numChips(), 144u);
  EXPECT_EQ(m.width(), 12u);
  EXPECT_EQ(m.height(), 12u);
  EXPECT_TRUE(m.isTorus());
  for (ChipId c = 0; c < m.numChips(); ++c)
    ASSERT_EQ(m.numLinks(c), 6u) << formatChip(m.coord(c));
  EXPECT_EQ(m.boards(),
            makeArrayRef(std::vector<ChipCoord>{{0, 0}, {8, 4}, {4, 8}}));
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 11, 11)), 1u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 6, 6)), 6u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 6, 0)), 6u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 4, 8)), 8u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 8, 4)), 8u);
  EXPECT_EQ(m.distance(id(m, 0, 0), id(m, 3, 9)), 6u); // (3, -3)
  expectDistancesArePaths(m);
  EXPECT_TRUE(m.check().empty());
}

TEST(BuiltinTest, MultiBoardSizes) {
  struct Case {
    const char *name;
    unsigned chips, width, height;
    bool torus;
  } cases[] = {
      {"boards:1", 48, 8, 8, false},
      {"boards:2", 96, 16, 16, false},
      {"boards:4", 192, 28, 16, false},
      {"boards:5", 240, 28, 16, false},
      {"boards:6", 288, 12, 24, true},
      {"boards:7", 336, 28, 28, false},
      {"boards:9", 432, 12, 36, true},
      {"boards:12", 576, 24, 24, true},
      {"boards:24", 1152, 24, 48, true},
      {"boards:69", 3312, 64, 64, false},
      {"boards:1200", 57600, 240, 240, true},
  };
  for (const Case &c : cases) {
    Machine m = builtin(c.name);
    EXPECT_EQ(m.numChips(), c.chips) << c.name;
    EXPECT_EQ(m.width(), c.width) << c.name;
    EXPECT_EQ(m.height(), c.height) << c.name;
    EXPECT_EQ(m.isTorus(), c.torus) << c.name;
    EXPECT_EQ(m.wrapsX() || m.wrapsY(), c.torus) << c.name;
    EXPECT_EQ(m.totalUsableCores(), uint64_t(c.chips) * 16) << c.name;
    EXPECT_TRUE(m.check().empty()) << c.name;
  }
  // On a torus of whole triads every chip has all six links.
  Machine m24 = builtin("boards:24");
  EXPECT_EQ(m24.numDirectedLinks(), 6u * 1152);
}

TEST(BuiltinTest, BoardLayoutRules) {
  // Whole triads: exact factorisation, as square as possible, taller.
  BoardLayout six = cantFail(boardLayout(6));
  EXPECT_EQ(six.triadsX, 1u);
  EXPECT_EQ(six.triadsY, 2u);
  EXPECT_TRUE(six.wrap);
  BoardLayout b36 = cantFail(boardLayout(36));
  EXPECT_EQ(b36.triadsX, 3u);
  EXPECT_EQ(b36.triadsY, 4u);
  // Otherwise: ceil(sqrt(triads)) wide, no wrap, +4 chips each way.
  BoardLayout four = cantFail(boardLayout(4));
  EXPECT_EQ(four.triadsX, 2u);
  EXPECT_EQ(four.triadsY, 1u);
  EXPECT_FALSE(four.wrap);
  EXPECT_EQ(four.origins,
            (std::vector<ChipCoord>{{0, 0}, {8, 4}, {4, 8}, {12, 0}}));
  // Every prefix of the board order is connected and boards never overlap.
  for (unsigned n = 1; n <= 40; ++n) {
    Machine m = builtin("boards:" + std::to_string(n));
    EXPECT_EQ(m.numChips(), 48 * n) << n;
    EXPECT_TRUE(m.check().empty()) << n;
  }
  EXPECT_TRUE(isBoardChip(0, 0));
  EXPECT_TRUE(isBoardChip(4, 0));
  EXPECT_FALSE(isBoardChip(5, 0));
  EXPECT_FALSE(isBoardChip(3, 7));
  EXPECT_TRUE(isBoardChip(7, 7));
}

TEST(BuiltinTest, VirtualToriDistances) {
  Machine m = builtin("8x8");
  EXPECT_EQ(m.numChips(), 64u);
  EXPECT_TRUE(m.isTorus());
  EXPECT_EQ(m.distance({0, 0}, {7, 7}), 1u);
  EXPECT_EQ(m.distance({0, 0}, {7, 0}), 1u);
  EXPECT_EQ(m.distance({0, 0}, {4, 4}), 4u);
  EXPECT_EQ(m.distance({0, 0}, {4, 0}), 4u);
  EXPECT_EQ(m.distance({0, 0}, {1, 7}), 2u); // (1, -1)
  EXPECT_EQ(m.distance({0, 0}, {3, 6}), 5u); // (-5, -2)
  EXPECT_EQ(m.distance({6, 1}, {1, 6}), 5u); // (-5, -3)
  EXPECT_EQ(m.distance({0, 0}, {3, 5}), 5u); // (3, 5) or (-5, -3)
  expectDistancesArePaths(m);

  Machine big = builtin("100x100");
  EXPECT_EQ(big.numChips(), 10000u);
  EXPECT_EQ(big.totalUsableCores(), 160000u);
  EXPECT_EQ(big.distance({0, 0}, {50, 50}), 50u);
  EXPECT_EQ(big.distance({0, 0}, {99, 0}), 1u);
  EXPECT_EQ(big.distance({10, 20}, {60, 30}), 50u);
  EXPECT_EQ(big.distance({0, 0}, {30, 70}), 60u); // (30, -30)
  EXPECT_EQ(big.hopDistances(0)[*big.chipAt(30, 70)], 60u);
  EXPECT_TRUE(big.check().empty());

  Machine strip = builtin("1x5");
  EXPECT_FALSE(strip.wrapsX()); // a chip is not its own neighbour
  EXPECT_TRUE(strip.wrapsY());
  EXPECT_EQ(strip.numLinks(0), 2u);
}

TEST(BuiltinTest, BadNames) {
  EXPECT_EQ(builtinError("spin5"), "unknown machine 'spin5'; did you mean "
                                   "'spinn5'?");
  EXPECT_EQ(builtinError("foo"), "unknown machine 'foo' (expected spinn3, "
                                 "spinn5, boards:N, WxH or a .json file)");
  EXPECT_EQ(builtinError("boards:0"),
            "invalid machine 'boards:0': expected boards:N with N a positive "
            "number of boards");
  EXPECT_EQ(builtinError("boards:x"),
            "invalid machine 'boards:x': expected boards:N with N a positive "
            "number of boards");
  EXPECT_EQ(builtinError("boards:1324"),
            "invalid machine 'boards:1324': 1324 boards need a 268x256 "
            "machine, larger than SpiNNaker's 256x256 chip coordinates");
  EXPECT_EQ(builtinError("0x4"),
            "invalid machine '0x4': width and height must be 1..256");
  EXPECT_EQ(builtinError("257x1"),
            "invalid machine '257x1': width and height must be 1..256");
  EXPECT_EQ(toString(boardLayout(0).takeError()),
            "a machine needs at least one board");
}

TEST(MachineTest, FaultsAndRenumbering) {
  Machine m = Machine::rectangle(3, 2, false, false);
  EXPECT_EQ(m.numChips(), 6u);
  m.removeChips({{1, 0}, {2, 2}}); // (2, 2) is off the grid: ignored
  EXPECT_EQ(m.numChips(), 5u);
  EXPECT_EQ(m.numDeadChips(), 1u);
  EXPECT_EQ(m.coord(1), (ChipCoord{2, 0}));
  EXPECT_EQ(*m.chipAt(0, 1), 2u);

  ChipId c = *m.chipAt(0, 0);
  m.setCoreDead(c, 5);
  m.setCoreDead(c, 1);
  EXPECT_EQ(m.numLiveCores(c), 16u);
  EXPECT_EQ(m.usableCores(c), 14u);
  EXPECT_EQ(m.usableCoreIds(c).front(), 3u); // 1 dead, 2 reserved
  EXPECT_EQ(m.numDeadCores(), 2u);
  m.setReservedCores(0);
  EXPECT_EQ(m.usableCores(c), 15u);
  EXPECT_EQ(m.totalUsableCores(), 15u + 4 * 17);

  // (0, 0) -- (0, 1) dies in both directions.
  EXPECT_TRUE(m.setLinkDead(c, LinkNorth));
  EXPECT_FALSE(m.hasLink(c, LinkNorth));
  EXPECT_FALSE(m.hasLink(*m.chipAt(0, 1), LinkSouth));
  EXPECT_EQ(m.numDeadLinks(), 1u);
  EXPECT_FALSE(m.setLinkDead(c, LinkEast)); // (1, 0) is gone
  EXPECT_FALSE(m.setLinkDead(c, LinkWest)); // edge
  // (0, 0) still reaches the rest through (1, 1).
  EXPECT_TRUE(m.check().empty());
  EXPECT_TRUE(m.setLinkDead(c, LinkNorthEast));
  std::vector<std::string> problems = m.check();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "4 chips are unreachable from (0, 0): (2, 0), "
                         "(0, 1), (1, 1), (2, 1)");
}

TEST(MachineTest, CheckReportsEveryProblem) {
  Machine m = Machine::rectangle(2, 1, false, false);
  m.setReservedCores(18);
  m.setRouterEntries(2000);
  m.setSDRAMBytes(0);
  m.setCoreDead(0, 0);
  std::vector<std::string> problems = m.check();
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "reserved_cores 18 exceeds the 17 non-monitor cores",
                          "chips have no SDRAM",
                          "router_entries 2000 is outside 1..1024",
                          "chip (0, 0): monitor core 0 is dead",
                          "machine has no usable cores",
                      }));
  Machine empty(4, 4, true, true, {});
  EXPECT_EQ(empty.check(), (std::vector<std::string>{"machine has no chips"}));

  // Without (0, 0), reachability counts from the first chip.
  Machine islands(4, 1, false, false, {{1, 0}, {3, 0}});
  EXPECT_EQ(islands.check(), (std::vector<std::string>{
                                 "1 chip is unreachable from (1, 0): (3, 0)"}));

  // Long lists are cut.
  std::vector<ChipCoord> dots;
  for (unsigned x = 0; x < 20; x += 2)
    dots.push_back({x, 0});
  Machine sparse(20, 1, false, false, dots);
  EXPECT_EQ(sparse.check(), (std::vector<std::string>{
                                "9 chips are unreachable from (0, 0): "
                                "(2, 0), (4, 0), (6, 0), (8, 0), (10, 0), "
                                "(12, 0), (14, 0), (16, 0) and 1 more"}));
}

TEST(MachineTest, Summary) {
  std::string s;
  raw_string_ostream os(s);
  printMachineSummary(builtin("spinn5"), "spinn5", os);
  printMachineSummary(builtin("1x1"), "1x1", os);
  Machine m = builtin("spinn3");
  m.removeChips({{1, 1}});
  m.setCoreDead(0, 4);
  m.setLinkDead(0, LinkEast);
  m.setRouterEntries(1);
  printMachineSummary(m, "x.json", os);
  EXPECT_EQ(os.str(),
            "machine spinn5: 48 chips (8x8, no wrap), 768 usable cores, "
            "1,023 routing entries per chip\n"
            "machine 1x1: 1 chip (1x1, no wrap), 16 usable cores, 1,023 "
            "routing entries per chip\n"
            "machine x.json: 3 chips (2x2, torus), 47 usable cores, 1 routing "
            "entry per chip\n"
            "dead: 1 chip, 1 core, 1 link\n");
}

} // namespace
