//===- InferShapesTest.cpp ------------------------------------------------===//
#include "TestHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/IRReader.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

TEST(InferShapesTest, ConvThenPool) {
  const char *src = R"(
    network t {
      input in { shape = 10 x 12 x 3; }
      conv c(in) { filters = 8; kernel = 3 x 5; stride = 1 x 2; weights = 1 nA; }
      pool p(c) { kernel = 2; }
    })";
  llvm::SourceMgr sm;
  std::string err;
  llvm::raw_string_ostream os(err);
  DiagnosticEngine diag(sm, os);
  unsigned buf = sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(src, "t.scn"), llvm::SMLoc());
  llvm::Optional<Network> n = parseNetwork(buf, diag);
  ASSERT_TRUE(n.hasValue()) << os.str();
  PassManager pm(diag);
  pm.add("infer-shapes");
  ASSERT_TRUE(pm.run(*n)) << os.str();
  // conv: H (10-3)/1+1 = 8, W (12-5)/2+1 = 4, C 8; pool 2x2: 4x2x8.
  EXPECT_EQ(n->populations[1].shape, (Shape{8, 4, 8}));
  EXPECT_EQ(n->populations[2].shape, (Shape{4, 2, 8}));
}

namespace {

llvm::Optional<Network> lower(DiagHarness &h, llvm::StringRef text) {
  return parseNetwork(h.add(text), h.diag);
}

bool inferShapes(DiagHarness &h, Network &n) {
  const PassInfo *p = lookupPass("infer-shapes");
  EXPECT_NE(p, nullptr);
  if (!p)
    return false;
  PassOptions opts;
  CompilationContext cc;
  PassContext ctx{h.diag, opts, cc};
  return p->run(n, ctx);
}

TEST(PassManagerTest, LookupPass) {
  const PassInfo *p = lookupPass("infer-shapes");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "infer-shapes");
  EXPECT_EQ(p->run, &runInferShapes);
  EXPECT_FALSE(p->description.empty());
  EXPECT_EQ(lookupPass("no-such-pass"), nullptr);
  EXPECT_EQ(lookupPass(""), nullptr);
  EXPECT_EQ(lookupPass("Infer-Shapes"), nullptr);
  // Every registered pass can be looked up by its name.
  ASSERT_FALSE(allPasses().empty());
  for (const PassInfo &info : allPasses())
    EXPECT_EQ(lookupPass(info.name), &info);
}

TEST(PassManagerTest, AddByName) {
  DiagHarness h;
  PassManager pm(h.diag);
  EXPECT_TRUE(pm.add("infer-shapes"));
  EXPECT_FALSE(pm.add("no-such-pass"));
  EXPECT_FALSE(h.diag.hadError());
}

TEST(PassManagerTest, EmptyPipelineDoesNothing) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n { input i { shape = 2 x 2 x 1; }\n"
               "  conv c(i) { filters = 1; kernel = 1; weights = 1 nA; } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  PassManager pm(h.diag);
  EXPECT_TRUE(pm.run(*n));
  EXPECT_FALSE(n->populations[1].shape.isKnown());
}

TEST(PassManagerTest, InferShapesFillsUnknownShapes) {
  // Textual IR with every neuron population's shape unknown.
  DiagHarness h;
  const char *ir =
      "network u {\n"
      "  simulation { timestep = 1 ms; presentation = 100 ms; input_window "
      "= 50 ms; neurons_per_core = 256; seed = 1; }\n"
      "  neuron d : IF_curr_exp { }\n"
      "  population in : input { layer = input; shape = 9 x 9 x 2; "
      "neurons_per_core = 256; encoding = rate(); }\n"
      "  population c : IF_curr_exp { layer = conv; shape = unknown; "
      "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
      "  population r : IF_curr_exp { layer = relay; shape = unknown; "
      "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
      "  population f : IF_curr_exp { layer = dense; shape = unknown; "
      "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
      "  population x : IF_curr_exp { layer = custom; shape = 2 x 3 x 1; "
      "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
      "  projection in.c (in, c) : conv { filters = 3; kernel = 3 x 3; "
      "stride = 2 x 2; padding = 1 x 1; mode = per_map;\n"
      "    weights = 1 nA; delay = 1 ms; receptor = excitatory; stdp = none; "
      "}\n"
      "  projection c.r (c, r) : one_to_one {\n"
      "    weights = 1 nA; delay = 1 ms; receptor = excitatory; stdp = none; "
      "}\n"
      "  projection r.r (r, r) : all_to_all { allow_self = false;\n"
      "    weights = 1 nA; delay = 1 ms; receptor = inhibitory; stdp = none; "
      "}\n"
      "  projection r.f (r, f) : dense { units = 5;\n"
      "    weights = 1 nA; delay = 1 ms; receptor = excitatory; stdp = none; "
      "}\n"
      "  projection f.x (f, x) : all_to_all { allow_self = false;\n"
      "    weights = 1 nA; delay = 1 ms; receptor = excitatory; stdp = none; "
      "}\n"
      "}\n";
  llvm::Optional<Network> n = readIR(h.add(ir, "u.scnir"), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_FALSE(n->populations[1].shape.isKnown());
  PassManager pm(h.diag);
  ASSERT_TRUE(pm.add("infer-shapes"));
  ASSERT_TRUE(pm.run(*n)) << h.text();
  EXPECT_EQ(h.text(), "");
  // (9 + 2 - 3)/2 + 1 = 5; per-map depth 3 x 2.
  EXPECT_EQ(n->populations[1].shape, (Shape{5, 5, 6}));
  // one_to_one keeps it; the recurrent all_to_all adds nothing.
  EXPECT_EQ(n->populations[2].shape, (Shape{5, 5, 6}));
  EXPECT_EQ(n->populations[3].shape, (Shape{1, 1, 5}));
  // all_to_all determines no shape: the explicit one stays.
  EXPECT_EQ(n->populations[4].shape, (Shape{2, 3, 1}));
}

TEST(InferShapesTest, UncoveredInputWarning) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n {\n"
               "  input i { shape = 10 x 9 x 1; }\n"
               "  conv c(i) { filters = 1; kernel = 3; stride = 2 x 3; "
               "weights = 1 nA; }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_TRUE(inferShapes(h, *n)) << h.text();
  // H: (10 - 3) % 2 = 1 row; W: (9 - 3) % 3 = 0.
  EXPECT_EQ(n->populations[1].shape, (Shape{4, 3, 1}));
  EXPECT_EQ(h.diag.getNumWarnings(), 1u);
  EXPECT_EQ(h.text(), "t.scn:3:3: warning: layer 'c': 1 input row of 'i' "
                      "(10x9x1) never covered by a window: kernel 3x3, "
                      "stride 2x3, padding 0x0\n"
                      "  conv c(i) { filters = 1; kernel = 3; stride = 2 x 3; "
                      "weights = 1 nA; }\n"
                      "  ^\n");
}

TEST(InferShapesTest, CollapseIsAnErrorAtTheLayer) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n {\n"
               "  input i { shape = 4 x 4 x 1; }\n"
               "  pool p(i) { kernel = 5 x 2; }\n"
               "  dense d(p) { units = 2; weights = 1 nA; }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_FALSE(inferShapes(h, *n));
  // Reported once, at the pool; the dense after it stays silent.
  EXPECT_EQ(h.diag.getNumErrors(), 1u) << h.text();
  EXPECT_EQ(h.text(),
            "t.scn:3:3: error: layer 'p': output height collapses to 0: "
            "input 4x4x1, kernel 5x2, stride 5x2, padding 0x0 give "
            "floor((4 + 2*0 - 5)/5) + 1 = 0\n"
            "  pool p(i) { kernel = 5 x 2; }\n"
            "  ^\n");
  EXPECT_FALSE(n->populations[1].shape.isKnown());
  EXPECT_FALSE(n->populations[2].shape.isKnown());
}

TEST(InferShapesTest, InputsMustAgree) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n {\n"
               "  input a { shape = 8 x 8 x 1; }\n"
               "  input b { shape = 6 x 6 x 1; }\n"
               "  conv c(a, b) { filters = 2; kernel = 3; weights = 1 nA; }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_FALSE(inferShapes(h, *n));
  EXPECT_EQ(h.diag.getNumErrors(), 1u) << h.text();
  EXPECT_NE(h.text().find("error: layer 'c': inputs disagree on its shape: "
                          "'a' gives 6x6x2, 'b' gives 4x4x2"),
            std::string::npos)
      << h.text();
}

TEST(InferShapesTest, AgreeingInputs) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n {\n"
               "  input a { shape = 8 x 8 x 3; }\n"
               "  input b { shape = 8 x 8 x 5; }\n"
               "  conv c(a, b) { filters = 2; kernel = 3 x 3; stride = 1 x 1;\n"
               "    padding = 1 x 1; weights = 1 nA; }\n"
               "  conv c2(b) { filters = 2; kernel = 1; weights = 1 nA; }\n"
               "  dense d(c, c2) { units = 4; weights = 1 nA; }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  // Standard convolutions: the depth is the filters whatever the input
  // depth, so a and b both give (8 + 2 - 3)/1 + 1 = 8: 8x8x2.
  ASSERT_TRUE(inferShapes(h, *n)) << h.text();
  EXPECT_EQ(h.text(), "");
  EXPECT_EQ(n->populations[2].shape, (Shape{8, 8, 2}));
  EXPECT_EQ(n->populations[3].shape, (Shape{8, 8, 2}));
  EXPECT_EQ(n->populations[4].shape, (Shape{1, 1, 4}));
}

TEST(InferShapesTest, NoInputDeterminesTheShape) {
  DiagHarness h;
  Network n;
  n.name = "n";
  n.neuronSets.emplace_back();
  n.neuronSets[0].name = "d";
  Population in;
  in.name = "i";
  in.kind = Population::Kind::Input;
  in.shape = Shape{2, 2, 1};
  n.populations.push_back(in);
  Population p;
  p.name = "p";
  p.neuron = p.trainNeuron = "d";
  n.populations.push_back(p);
  Projection a;
  a.name = "i.p";
  a.kind = Projection::Kind::AllToAll;
  a.pre = 0;
  a.post = 1;
  n.projections.push_back(a);
  EXPECT_FALSE(inferShapes(h, n));
  EXPECT_EQ(h.text(), "error: layer 'p': no input determines its shape\n");
}

TEST(PassManagerTest, VerifiesAfterEachPass) {
  DiagHarness h;
  // A dense population whose neuron set does not exist: infer-shapes
  // succeeds, the verifier after it does not.
  llvm::Optional<Network> n =
      lower(h, "network n { input i { shape = 2 x 2 x 1; }\n"
               "  dense d(i) { units = 3; weights = 1 nA; } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  n->populations[1].neuron = "gone";
  PassManager pm(h.diag);
  ASSERT_TRUE(pm.add("infer-shapes"));
  EXPECT_FALSE(pm.run(*n));
  EXPECT_EQ(h.diag.getNumErrors(), 2u) << h.text();
  EXPECT_NE(h.text().find("error: the IR is invalid after pass "
                          "'infer-shapes'"),
            std::string::npos)
      << h.text();
  // Without verification the pass runs through.
  DiagHarness h2;
  PassManager quiet(h2.diag);
  quiet.setVerifyEach(false);
  ASSERT_TRUE(quiet.add("infer-shapes"));
  EXPECT_TRUE(quiet.run(*n));
  EXPECT_EQ(n->populations[1].shape, (Shape{1, 1, 3}));
}

} // namespace
