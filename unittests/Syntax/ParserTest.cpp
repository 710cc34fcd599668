//===- ParserTest.cpp - Syntax trees and error recovery -------------------===//
#include "scnc/Syntax/Parser.h"
#include "TestHelpers.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

llvm::Optional<Module> parse(DiagHarness &h, llvm::StringRef text) {
  return parseModule(h.add(text), h.diag);
}

std::string printed(const Value &v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  v.print(os);
  return os.str();
}

void expectInteger(const Value &v, uint64_t magnitude, bool negative = false,
                   llvm::StringRef unit = "") {
  EXPECT_EQ(v.kind, Value::Number);
  EXPECT_TRUE(v.isInteger);
  EXPECT_EQ(v.negative, negative);
  EXPECT_EQ(v.intMagnitude, magnitude);
  EXPECT_EQ(v.real, negative ? -double(magnitude) : double(magnitude));
  EXPECT_EQ(v.unit.name, unit);
}

void expectReal(const Value &v, double value, llvm::StringRef unit = "") {
  EXPECT_EQ(v.kind, Value::Number);
  EXPECT_FALSE(v.isInteger);
  EXPECT_EQ(v.negative, value < 0);
  EXPECT_DOUBLE_EQ(v.real, value);
  EXPECT_EQ(v.unit.name, unit);
}

const char *const smallModule = R"(// a small module
const k = 3;
const v0 = -65 mV;
network net {
  input img { shape = 28x28x1; }
  conv c1(img, other) : special {
    kernel = 3 x 5;
    weights = normal(mean = 0.3 nA, sigma = 4e-2 nA, seed = 1);
    offset = -2.5 mV;
    w = constant(0.5 nA);
    path = "k.npy";
    list = [1, -2, 1.5 ms, [], "s"];
    mode = per_map;
    nested { a = k; }
  }
  dense d() { }
}
const late = 10ms;
)";

TEST(ParserTest, SmallModuleStructure) {
  DiagHarness h;
  llvm::Optional<Module> m = parse(h, smallModule);
  ASSERT_TRUE(m.hasValue()) << h.text();
  EXPECT_EQ(h.text(), "");

  EXPECT_EQ(m->order, (std::vector<bool>{true, true, false, true}));
  ASSERT_EQ(m->constants.size(), 3u);
  EXPECT_EQ(m->constants[0].name.name, "k");
  expectInteger(m->constants[0].value, 3);
  EXPECT_EQ(m->constants[1].name.name, "v0");
  expectInteger(m->constants[1].value, 65, /*negative=*/true, "mV");
  EXPECT_EQ(m->constants[2].name.name, "late");
  expectInteger(m->constants[2].value, 10, false, "ms");

  ASSERT_EQ(m->blocks.size(), 1u);
  const Block &net = m->blocks[0];
  EXPECT_EQ(net.kind.name, "network");
  EXPECT_EQ(net.name.name, "net");
  EXPECT_FALSE(net.hasInputList);
  EXPECT_TRUE(net.inputs.empty());
  EXPECT_EQ(net.type.name, "");
  EXPECT_TRUE(net.attrs.empty());
  ASSERT_EQ(net.children.size(), 3u);

  const Block &img = net.children[0];
  EXPECT_EQ(img.kind.name, "input");
  EXPECT_EQ(img.name.name, "img");
  ASSERT_EQ(img.attrs.size(), 1u);
  EXPECT_EQ(img.attrs[0].name.name, "shape");
  const Value &shape = img.attrs[0].value;
  ASSERT_EQ(shape.kind, Value::Cross);
  ASSERT_EQ(shape.elements.size(), 3u);
  expectInteger(shape.elements[0], 28);
  expectInteger(shape.elements[1], 28);
  expectInteger(shape.elements[2], 1);

  const Block &c1 = net.children[1];
  EXPECT_EQ(c1.kind.name, "conv");
  EXPECT_EQ(c1.name.name, "c1");
  EXPECT_TRUE(c1.hasInputList);
  ASSERT_EQ(c1.inputs.size(), 2u);
  EXPECT_EQ(c1.inputs[0].name, "img");
  EXPECT_EQ(c1.inputs[1].name, "other");
  EXPECT_EQ(c1.type.name, "special");
  ASSERT_EQ(c1.attrs.size(), 7u);

  const Value &kernel = c1.attrs[0].value;
  ASSERT_EQ(kernel.kind, Value::Cross);
  ASSERT_EQ(kernel.elements.size(), 2u);
  expectInteger(kernel.elements[0], 3);
  expectInteger(kernel.elements[1], 5);

  const Value &weights = c1.attrs[1].value;
  ASSERT_EQ(weights.kind, Value::Call);
  EXPECT_EQ(weights.text, "normal");
  ASSERT_EQ(weights.elements.size(), 3u);
  ASSERT_EQ(weights.argNames.size(), 3u);
  EXPECT_EQ(weights.argNames[0].name, "mean");
  EXPECT_EQ(weights.argNames[1].name, "sigma");
  EXPECT_EQ(weights.argNames[2].name, "seed");
  expectReal(weights.elements[0], 0.3, "nA");
  expectReal(weights.elements[1], 0.04, "nA");
  expectInteger(weights.elements[2], 1);

  expectReal(c1.attrs[2].value, -2.5, "mV");

  const Value &w = c1.attrs[3].value;
  ASSERT_EQ(w.kind, Value::Call);
  EXPECT_EQ(w.text, "constant");
  ASSERT_EQ(w.argNames.size(), 1u);
  EXPECT_EQ(w.argNames[0].name, ""); // positional
  expectReal(w.elements[0], 0.5, "nA");

  EXPECT_EQ(c1.attrs[4].value.kind, Value::String);
  EXPECT_EQ(c1.attrs[4].value.text, "k.npy");

  const Value &list = c1.attrs[5].value;
  ASSERT_EQ(list.kind, Value::List);
  ASSERT_EQ(list.elements.size(), 5u);
  expectInteger(list.elements[0], 1);
  expectInteger(list.elements[1], 2, /*negative=*/true);
  expectReal(list.elements[2], 1.5, "ms");
  EXPECT_EQ(list.elements[3].kind, Value::List);
  EXPECT_TRUE(list.elements[3].elements.empty());
  EXPECT_EQ(list.elements[4].kind, Value::String);
  EXPECT_EQ(list.elements[4].text, "s");

  EXPECT_EQ(c1.attrs[6].value.kind, Value::Name);
  EXPECT_EQ(c1.attrs[6].value.text, "per_map");

  ASSERT_EQ(c1.children.size(), 1u);
  const Block &nested = c1.children[0];
  EXPECT_EQ(nested.kind.name, "nested");
  EXPECT_EQ(nested.name.name, "");
  EXPECT_FALSE(nested.hasInputList);
  ASSERT_EQ(nested.attrs.size(), 1u);
  EXPECT_EQ(nested.attrs[0].name.name, "a");
  EXPECT_EQ(nested.attrs[0].value.kind, Value::Name);
  EXPECT_EQ(nested.attrs[0].value.text, "k");

  const Block &d = net.children[2];
  EXPECT_EQ(d.kind.name, "dense");
  EXPECT_TRUE(d.hasInputList);
  EXPECT_TRUE(d.inputs.empty());
  EXPECT_TRUE(d.attrs.empty());
  EXPECT_TRUE(d.children.empty());
}

TEST(ParserTest, Locations) {
  DiagHarness h;
  llvm::Optional<Module> m = parse(h, smallModule);
  ASSERT_TRUE(m.hasValue()) << h.text();
  const Block &net = m->blocks[0];
  EXPECT_EQ(h.lineCol(net.loc), std::make_pair(4u, 1u));
  EXPECT_EQ(h.lineCol(net.name.loc), std::make_pair(4u, 9u));
  EXPECT_EQ(h.lineCol(net.endLoc), std::make_pair(17u, 1u));
  const Block &c1 = net.children[1];
  EXPECT_EQ(h.lineCol(c1.loc), std::make_pair(6u, 3u));
  EXPECT_EQ(h.lineCol(c1.inputs[1].loc), std::make_pair(6u, 16u));
  EXPECT_EQ(h.lineCol(c1.type.loc), std::make_pair(6u, 25u));
  // An attribute's value starts at its first token, the '-' of a negative.
  EXPECT_EQ(h.lineCol(c1.attrs[2].name.loc), std::make_pair(9u, 5u));
  EXPECT_EQ(h.lineCol(c1.attrs[2].value.loc), std::make_pair(9u, 14u));
  EXPECT_EQ(h.lineCol(c1.attrs[2].value.unit.loc), std::make_pair(9u, 19u));
  EXPECT_EQ(h.lineCol(m->constants[1].value.loc), std::make_pair(3u, 12u));
}

TEST(ParserTest, CrossWithSpacesAndUpperCase) {
  DiagHarness h;
  llvm::Optional<Module> m =
      parse(h, "b { s = 2 x 3 X 4; t = 2X3; u = -1 x 2.5; }");
  ASSERT_TRUE(m.hasValue()) << h.text();
  const Block &b = m->blocks[0];
  ASSERT_EQ(b.attrs.size(), 3u);
  EXPECT_EQ(printed(b.attrs[0].value), "2 x 3 x 4");
  EXPECT_EQ(b.attrs[0].value.elements.size(), 3u);
  EXPECT_EQ(printed(b.attrs[1].value), "2 x 3");
  EXPECT_EQ(printed(b.attrs[2].value), "-1 x 2.5");
  EXPECT_TRUE(b.attrs[2].value.elements[0].negative);
}

TEST(ParserTest, UnitVersusNextAttribute) {
  DiagHarness h;
  // `4 kernel = 3` is a missing ';', not a unit named 'kernel'.
  llvm::Optional<Module> m = parse(h, "b {\n  filters = 4\n  kernel = 3;\n}");
  EXPECT_FALSE(m.hasValue());
  EXPECT_EQ(h.text(), "t.scn:2:14: error: expected ';' after value, found "
                      "identifier\n"
                      "  filters = 4\n"
                      "             ^\n");
  DiagHarness h2;
  // On one line it is the same.
  EXPECT_FALSE(parse(h2, "b { filters = 4 kernel = 3; }").hasValue());
  EXPECT_EQ(h2.diag.getNumErrors(), 1u);
}

TEST(ParserTest, PrintValueRoundTrips) {
  DiagHarness h;
  llvm::Optional<Module> m = parse(
      h, "b { a = normal(mean = 0.3 nA, sigma = 0.04 nA); b = [1, \"x\", n]; "
         "c = -65 mV; d = 1.5e-3 s; e = 10ms; }");
  ASSERT_TRUE(m.hasValue()) << h.text();
  const Block &b = m->blocks[0];
  EXPECT_EQ(printed(b.attrs[0].value),
            "normal(mean = 0.3 nA, sigma = 0.04 nA)");
  EXPECT_EQ(printed(b.attrs[1].value), "[1, \"x\", n]");
  EXPECT_EQ(printed(b.attrs[2].value), "-65 mV");
  EXPECT_EQ(printed(b.attrs[3].value), "0.0015 s");
  EXPECT_EQ(printed(b.attrs[4].value), "10 ms");
}

TEST(ParserTest, TwoIndependentErrorsAreBothReported) {
  DiagHarness h;
  llvm::Optional<Module> m =
      parse(h, "network n {\n"
               "  input a { shape = 28 x 28 x 1 }\n"
               "  conv c(a) { filters = ; kernel = 3; }\n"
               "}\n");
  EXPECT_FALSE(m.hasValue());
  EXPECT_EQ(h.diag.getNumErrors(), 2u);
  EXPECT_EQ(h.text(), "t.scn:2:32: error: expected ';' after value, found '}'\n"
                      "  input a { shape = 28 x 28 x 1 }\n"
                      "                               ^\n"
                      "t.scn:3:25: error: expected a value, found ';'\n"
                      "  conv c(a) { filters = ; kernel = 3; }\n"
                      "                        ^\n");
}

TEST(ParserTest, ErrorsInSeparateTopLevelBlocks) {
  DiagHarness h;
  llvm::Optional<Module> m =
      parse(h, "neuron a { tau_m = 10 ms }\n"
               "const = 3;\n"
               "neuron b { cm = 1 nF; }\n"
               "network n { input i { shape = 1x1x1 } }\n");
  EXPECT_FALSE(m.hasValue());
  EXPECT_EQ(h.diag.getNumErrors(), 3u) << h.text();
}

TEST(ParserTest, UnclosedBody) {
  DiagHarness h;
  EXPECT_FALSE(parse(h, "network n {\n  input i { }\n").hasValue());
  EXPECT_EQ(h.text(), "t.scn:3:1: error: expected '}' to close the body of "
                      "'network'\n"
                      "\n"
                      "^\n"
                      "t.scn:1:11: note: the body opens here\n"
                      "network n {\n"
                      "          ^\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
}

TEST(ParserTest, EmptyFile) {
  for (const char *text : {"", "  // nothing\n"}) {
    DiagHarness h;
    EXPECT_FALSE(parse(h, text).hasValue());
    EXPECT_EQ(h.diag.getNumErrors(), 1u);
    EXPECT_NE(h.text().find(": expected a 'network' block"), std::string::npos)
        << h.text();
  }
}

TEST(ParserTest, BinaryInputIsRejectedBeforeParsing) {
  DiagHarness h;
  std::string text("network n {\0}", 13);
  EXPECT_FALSE(parse(h, text).hasValue());
  EXPECT_EQ(h.text(),
            "t.scn:1:12: error: not a text file (byte 0x00 at offset 11)\n");
}

TEST(ParserTest, ErrorLimitStopsTheParser) {
  DiagHarness h;
  h.diag.setErrorLimit(3);
  std::string text = "network n {\n";
  for (int i = 0; i < 10; ++i)
    text += "  a = ;\n";
  text += "}\n";
  EXPECT_FALSE(parse(h, text).hasValue());
  EXPECT_TRUE(h.diag.tooManyErrors());
  EXPECT_EQ(h.diag.getNumErrors(), 3u) << h.text();
}

TEST(ParserTest, DeepNestingIsAnError) {
  DiagHarness h;
  std::string text;
  for (int i = 0; i < 70; ++i)
    text += "b {";
  for (int i = 0; i < 70; ++i)
    text += "}";
  EXPECT_FALSE(parse(h, text).hasValue());
  EXPECT_NE(h.text().find("error: blocks nested too deeply"), std::string::npos)
      << h.text();
}

TEST(ParserTest, IntegerTooLarge) {
  DiagHarness h;
  EXPECT_FALSE(parse(h, "b { seed = 18446744073709551616; }").hasValue());
  EXPECT_NE(h.text().find("error: integer literal '18446744073709551616' is "
                          "too large (more than 64 bits)"),
            std::string::npos)
      << h.text();
}

TEST(ParserTest, PositionalArgumentsThatStartWithAName) {
  DiagHarness h;
  llvm::Optional<Module> m =
      parse(h, "b { w = normal(m, s, 3); c = f(k x k, g(1), n = v); }");
  ASSERT_TRUE(m.hasValue()) << h.text();
  const Value &w = m->blocks[0].attrs[0].value;
  ASSERT_EQ(w.kind, Value::Call);
  ASSERT_EQ(w.elements.size(), 3u);
  EXPECT_EQ(w.argNames[0].name, "");
  EXPECT_EQ(w.elements[0].kind, Value::Name);
  EXPECT_EQ(w.elements[0].text, "m");
  EXPECT_EQ(w.argNames[1].name, "");
  EXPECT_EQ(w.elements[1].text, "s");
  expectInteger(w.elements[2], 3);
  const Value &c = m->blocks[0].attrs[1].value;
  ASSERT_EQ(c.elements.size(), 3u);
  EXPECT_EQ(c.elements[0].kind, Value::Cross);
  EXPECT_EQ(c.elements[1].kind, Value::Call);
  EXPECT_EQ(c.argNames[2].name, "n");
  EXPECT_EQ(printed(c), "f(k x k, g(1), n = v)");
  EXPECT_EQ(h.lineCol(w.elements[1].loc), std::make_pair(1u, 19u));
}

} // namespace
