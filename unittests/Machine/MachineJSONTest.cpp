//===- MachineJSONTest.cpp - JSON machine descriptions and their errors ---===//
#include "scnc/Machine/Machine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "gtest/gtest.h"

using namespace scnc;
using namespace llvm;

namespace {

Machine parse(StringRef text) {
  Expected<Machine> m = parseMachineJSON(text, "m.json");
  if (!m) {
    ADD_FAILURE() << toString(m.takeError());
    return Machine(1, 1, false, false, {});
  }
  return std::move(*m);
}

/// Every message of a description that must not load.
std::vector<std::string> errorsOf(StringRef text) {
  Expected<Machine> m = parseMachineJSON(text, "m.json");
  std::vector<std::string> out;
  if (m) {
    ADD_FAILURE() << "should not load: " << text.str();
    return out;
  }
  handleAllErrors(m.takeError(),
                  [&](const ErrorInfoBase &e) { out.push_back(e.message()); });
  return out;
}

using Msgs = std::vector<std::string>;

TEST(MachineJSONTest, DeadChipsCoresAndLinks) {
  Machine m = parse(R"({
    "description": "one board with faults",
    "base": "spinn5",
    "dead_chips": [[3, 3], [7, 7]],
    "dead_cores": [{"chip": [0, 0], "cores": [3, 4]},
                   {"chip": [1, 1], "cores": [17]}],
    "dead_links": [{"chip": [0, 0], "link": 2}, {"chip": [5, 1], "link": 4}]
  })");
  EXPECT_EQ(m.numChips(), 46u);
  EXPECT_EQ(m.numDeadChips(), 2u);
  EXPECT_FALSE(m.hasChip({3, 3}));
  EXPECT_EQ(*m.chipAt(4, 3), 21u); // (3, 3) no longer takes an id
  ChipId c00 = *m.chipAt(0, 0);
  EXPECT_EQ(m.usableCores(c00), 14u);
  EXPECT_FALSE(m.isCoreLive(c00, 3));
  EXPECT_EQ(m.usableCores(*m.chipAt(1, 1)), 15u);
  EXPECT_EQ(m.numDeadCores(), 3u);
  EXPECT_EQ(m.totalUsableCores(), 46u * 16 - 3);
  // Dead in both directions.
  EXPECT_FALSE(m.hasLink(c00, LinkNorth));
  EXPECT_FALSE(m.hasLink(*m.chipAt(0, 1), LinkSouth));
  EXPECT_FALSE(m.hasLink(*m.chipAt(5, 1), LinkSouthWest));
  EXPECT_FALSE(m.hasLink(*m.chipAt(4, 0), LinkNorthEast));
  EXPECT_EQ(m.numDeadLinks(), 2u);
  // Links into a dead chip are gone with it.
  EXPECT_FALSE(m.neighbour(*m.chipAt(3, 2), LinkNorth).hasValue());
  EXPECT_EQ(m.numLinks(*m.chipAt(3, 2)), 5u);
  EXPECT_TRUE(m.check().empty());
}

TEST(MachineJSONTest, GridAndConfiguration) {
  Machine m = parse(R"({"width": 4, "height": 3, "wrap": [true, false],
                        "reserved_cores": 0, "sdram_bytes": 1048576,
                        "router_entries": 16})");
  EXPECT_EQ(m.numChips(), 12u);
  EXPECT_TRUE(m.wrapsX());
  EXPECT_FALSE(m.wrapsY());
  EXPECT_EQ(m.usableCores(0), 17u);
  EXPECT_EQ(m.sdramBytes(), 1048576u);
  EXPECT_EQ(m.routerEntries(), 16u);
  EXPECT_EQ(m.neighbour(0, LinkWest), m.chipAt(3, 0));
  EXPECT_FALSE(m.neighbour(0, LinkSouth).hasValue());

  Machine open = parse(R"({"width": 2, "height": 2})");
  EXPECT_FALSE(open.wrapsX());
  EXPECT_FALSE(open.wrapsY());
  Machine torus = parse(R"({"width": 5, "height": 5, "wrap": true})");
  EXPECT_TRUE(torus.isTorus());
  Machine boards = parse(R"({"base": "boards:6"})");
  EXPECT_EQ(boards.numChips(), 288u);
}

TEST(MachineJSONTest, Spinn3WithSpiNNMachinesMissingWrapLinks) {
  // SpiNNMachine's 4-chip virtual board lacks these wrap links.
  Machine m = parse(R"({"base": "spinn3", "dead_links": [
    {"chip": [0, 0], "link": 3}, {"chip": [0, 0], "link": 4},
    {"chip": [0, 1], "link": 3}, {"chip": [0, 1], "link": 4}]})");
  EXPECT_EQ(m.numDeadLinks(), 4u);
  EXPECT_EQ(m.numDirectedLinks(), 16u);
  EXPECT_FALSE(m.hasLink(*m.chipAt(1, 0), LinkEast));
  EXPECT_FALSE(m.hasLink(*m.chipAt(1, 1), LinkNorthEast));
  EXPECT_TRUE(m.check().empty());
}

TEST(MachineJSONTest, SyntaxErrorsGiveTheByteOffset) {
  EXPECT_EQ(errorsOf("{\n  \"base\": \"spinn5\",\n}"),
            (Msgs{"m.json:3:1: invalid JSON at byte 22: syntax error while "
                  "parsing object key - unexpected '}'; expected string "
                  "literal"}));
  EXPECT_EQ(errorsOf(""),
            (Msgs{"m.json:1:1: invalid JSON at byte 0: syntax error while "
                  "parsing value - unexpected end of input; expected '[', "
                  "'{', or a literal"}));
  EXPECT_EQ(errorsOf("{\"base\": \"spinn5\"} x"),
            (Msgs{"m.json:1:20: invalid JSON at byte 19: syntax error while "
                  "parsing value - invalid literal; last read: "
                  "'\"spinn5\"} x'; expected end of input"}));
  EXPECT_EQ(errorsOf("[1, 2]"),
            (Msgs{"m.json: expected a JSON object at the top level"}));
}

TEST(MachineJSONTest, KeyErrors) {
  EXPECT_EQ(errorsOf(R"({"base": "spinn5", "dead_chip": [], "colour": 1,
                         "router_entries": 5, "router_entries": 6})"),
            (Msgs{"m.json: duplicate key 'router_entries'",
                  "m.json: unknown key 'dead_chip'; did you mean "
                  "'dead_chips'?",
                  "m.json: unknown key 'colour'"}));
  EXPECT_EQ(errorsOf(R"({"dead_chips": []})"),
            (Msgs{"m.json: missing 'base' (a built-in machine) or 'width' "
                  "and 'height'"}));
  EXPECT_EQ(errorsOf(R"({"base": "spinn5", "width": 8})"),
            (Msgs{"m.json: 'base' cannot be combined with 'width', 'height' "
                  "or 'wrap'"}));
  EXPECT_EQ(errorsOf(R"({"base": 5})"),
            (Msgs{"m.json: 'base' must be a string naming a built-in "
                  "machine"}));
  EXPECT_EQ(errorsOf(R"({"base": "spin5"})"),
            (Msgs{"m.json: base: unknown machine 'spin5'; did you mean "
                  "'spinn5'?"}));
  EXPECT_EQ(errorsOf(R"({"width": 8})"), (Msgs{"m.json: 'width' needs "
                                               "'height'"}));
  EXPECT_EQ(errorsOf(R"({"height": 8})"), (Msgs{"m.json: 'height' needs "
                                                "'width'"}));
  EXPECT_EQ(errorsOf(R"({"width": 0, "height": 300, "wrap": "yes"})"),
            (Msgs{"m.json: 'width' must be an integer in 1..256",
                  "m.json: 'height' must be an integer in 1..256",
                  "m.json: 'wrap' must be true, false or [x, y] with two "
                  "booleans"}));
  EXPECT_EQ(errorsOf(R"({"base": "spinn5", "reserved_cores": 18,
                         "sdram_bytes": -1, "router_entries": 1025,
                         "description": 3})"),
            (Msgs{"m.json: 'reserved_cores' must be an integer in 0..17",
                  "m.json: 'sdram_bytes' must be a positive integer",
                  "m.json: 'router_entries' must be an integer in 1..1024",
                  "m.json: 'description' must be a string"}));
  EXPECT_EQ(errorsOf(R"({"base": "spinn5", "router_entries": 2.5})"),
            (Msgs{"m.json: 'router_entries' must be an integer in 1..1024"}));
}

TEST(MachineJSONTest, DeadChipErrors) {
  EXPECT_EQ(
      errorsOf(R"({"base": "spinn5",
                   "dead_chips": [[9, 0], [7, 0], [1, 1], [1, 1], "x",
                                  [2, -1], [1, 2, 3]]})"),
      (Msgs{"m.json: dead_chips[0]: chip (9, 0) is outside the 8x8 machine",
            "m.json: dead_chips[1]: there is no chip at (7, 0)",
            "m.json: dead_chips[3]: chip (1, 1) is already dead_chips[2]",
            "m.json: dead_chips[4]: expected a chip as [x, y] with "
            "non-negative integers",
            "m.json: dead_chips[5]: expected a chip as [x, y] with "
            "non-negative integers",
            "m.json: dead_chips[6]: expected a chip as [x, y] with "
            "non-negative integers"}));
  EXPECT_EQ(errorsOf(R"({"base": "spinn5", "dead_chips": {"x": 1}})"),
            (Msgs{"m.json: 'dead_chips' must be an array of chips [x, y]"}));
}

TEST(MachineJSONTest, DeadCoreErrors) {
  EXPECT_EQ(
      errorsOf(R"({"base": "spinn5", "dead_chips": [[2, 2]], "dead_cores": [
        {"chip": [0, 0], "cores": [0, 18, 3, 3, "4"]},
        {"chip": [1, 1], "core": [2]},
        {"cores": [2]},
        {"chip": [2, 2], "cores": [2]},
        {"chip": [0, 0], "cores": [3]},
        {"chip": [0, 0], "cores": 3},
        [0, 0]]})"),
      (Msgs{"m.json: dead_cores[0]: core 0 is the monitor; mark the chip "
            "dead instead",
            "m.json: dead_cores[0]: core 18 is outside 1..17",
            "m.json: dead_cores[0]: core 3 is listed twice",
            "m.json: dead_cores[0]: core numbers must be integers in 1..17",
            "m.json: dead_cores[1]: unknown key 'core'; did you mean "
            "'cores'?",
            "m.json: dead_cores[1]: missing 'cores'",
            "m.json: dead_cores[2]: missing 'chip'",
            "m.json: dead_cores[3]: chip (2, 2) is dead (dead_chips[0])",
            "m.json: dead_cores[4]: core 3 of chip (0, 0) is already "
            "dead_cores[0]",
            "m.json: dead_cores[5]: 'cores' must be an array of core numbers",
            "m.json: dead_cores[6]: expected an object with 'chip' and "
            "'cores'"}));
  EXPECT_EQ(errorsOf(R"({"base": "spinn5", "dead_cores": 1})"),
            (Msgs{"m.json: 'dead_cores' must be an array of {\"chip\": [x, "
                  "y], \"cores\": [...]}"}));
}

TEST(MachineJSONTest, DeadLinkErrors) {
  EXPECT_EQ(
      errorsOf(R"({"base": "spinn5", "dead_links": [
        {"chip": [0, 0], "link": 6},
        {"chip": [0, 0], "link": "north"},
        {"chip": [0, 0], "link": 3},
        {"chip": [4, 0], "link": 0},
        {"chip": [0, 0], "link": 0},
        {"chip": [1, 0], "link": 3},
        {"chip": [0, 0], "link": 0},
        {"chip": [0, 0], "lnk": 1},
        {"chip": [8, 8], "link": 1},
        7]})"),
      (Msgs{"m.json: dead_links[0]: link 6 is outside 0..5 (0 east, 1 "
            "north-east, 2 north, 3 west, 4 south-west, 5 south)",
            "m.json: dead_links[1]: 'link' must be a link number in 0..5 (0 "
            "east, 1 north-east, 2 north, 3 west, 4 south-west, 5 south)",
            "m.json: dead_links[2]: chip (0, 0) has no link 3 (west): it is "
            "on the edge of the machine",
            "m.json: dead_links[3]: chip (4, 0) has no link 0 (east): there "
            "is no chip at (5, 0)",
            "m.json: dead_links[5]: link 3 (west) of chip (1, 0) is already "
            "dead_links[4] (a link is dead in both directions)",
            "m.json: dead_links[6]: link 0 (east) of chip (0, 0) is already "
            "dead_links[4]",
            "m.json: dead_links[7]: unknown key 'lnk'; did you mean 'link'?",
            "m.json: dead_links[7]: missing 'link'",
            "m.json: dead_links[8]: chip (8, 8) is outside the 8x8 machine",
            "m.json: dead_links[9]: expected an object with 'chip' and "
            "'link'"}));
}

TEST(MachineJSONTest, LoadMachineByNameOrPath) {
  Expected<Machine> b = loadMachine("spinn3");
  ASSERT_TRUE(bool(b)) << toString(b.takeError());
  EXPECT_EQ(b->numChips(), 4u);

  Expected<Machine> missing = loadMachine("/nonexistent/m.json");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(toString(missing.takeError()),
            "cannot read '/nonexistent/m.json': No such file or directory");

  SmallString<128> path;
  int fd;
  ASSERT_FALSE(sys::fs::createTemporaryFile("machine", "json", fd, path));
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << R"({"base": "spinn5", "dead_chips": [[0, 0]]})";
  }
  Expected<Machine> m = loadMachine(path);
  sys::fs::remove(path);
  ASSERT_TRUE(bool(m)) << toString(m.takeError());
  EXPECT_EQ(m->numChips(), 47u);
}

} // namespace
