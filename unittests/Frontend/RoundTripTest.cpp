//===- RoundTripTest.cpp - .scn -> IR text -> IR -> IR text ---------------===//
#include "TestHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/IRReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Transforms/PassManager.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;
using scnc::test::print;

namespace {

/// Every projection kind the front end makes (conv standard and per-map,
/// pool sum and average, dense with two inputs), every encoding, STDP rules
/// with derived and explicit seeds, several neuron sets and a classifier.
const char *const source = R"(
simulation { timestep = 0.1 ms; presentation = 250 ms; input_window = 0.2 s;
             neurons_per_core = 100; seed = 12345; }
neuron base { tau_m = 12.5 ms; cm = 330 pF; v_thresh = -52.25 mV;
              tau_refrac = 1.5 ms; i_offset = -0.125 nA; }
neuron train : base { tau_refrac = 1e3 ms; }
stdp s1 { tau_plus = 7 ms; tau_minus = 9 ms; A_plus = 0.004; A_minus = 3e-3;
          weight_dependence = multiplicative; w_min = 0.01 nA; w_max = 2 nA;
          init = normal(mean = 0.8 nA, sigma = 0.05 nA); wta_weight = 50 nA; }
stdp s2 { init = file(path = "init.npy"); }
network rt {
  input image { shape = 28 x 28 x 1; encoding = rate(threshold = 70); }
  input events { shape = 14 x 14 x 6; encoding = latency(t_max = 30 ms); }
  input noise { shape = 1 x 1 x 7; encoding = poisson(max_rate = 2.5 kHz); }
  conv conv1(image) { filters = 6; kernel = 5; padding = 2; neuron = base;
                      train_neuron = train; stdp = s1; neurons_per_core = 64; }
  pool pool1(conv1) { kernel = 2; weight = 3 nA; neuron = base; }
  conv conv2(pool1, events) { filters = 3; kernel = 3 x 3; stride = 1;
                              padding = 1 x 1; mode = per_map; stdp = s2;
                              delay = 0.3 ms; }
  pool pool2(conv2) { kernel = 2 x 4; stride = 2 x 4; op = average; }
  dense fc(pool2, noise) { units = 10; receptor = inhibitory;
                           weights = normal(mean = 0.01 nA, sigma = 0.005 nA); }
  classifier svm(fc) { classes = 10; C = 0.01; }
}
)";

TEST(RoundTripTest, LoweredNetwork) {
  DiagHarness h;
  llvm::Optional<Network> n = parseNetwork(h.add(source, "rt.scn"), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  // Shapes are unknown here (printed `unknown`); then again after
  // infer-shapes.
  for (int stage = 0; stage < 2; ++stage) {
    SCOPED_TRACE(stage ? "after infer-shapes" : "as lowered");
    if (stage) {
      PassManager pm(h.diag);
      ASSERT_TRUE(pm.add("infer-shapes"));
      ASSERT_TRUE(pm.run(*n)) << h.text();
    }
    std::string first = print(*n);
    llvm::Optional<Network> back = readIR(h.add(first, "rt.scnir"), h.diag);
    ASSERT_TRUE(back.hasValue()) << h.text() << first;
    std::string second = print(*back);
    EXPECT_EQ(first, second);
    // The read network has the same contents, not just the same text.
    EXPECT_EQ(back->projections.size(), n->projections.size());
    for (size_t i = 0; i < n->projections.size(); ++i) {
      EXPECT_EQ(back->projections[i].name, n->projections[i].name);
      EXPECT_EQ(back->projections[i].kind, n->projections[i].kind);
      EXPECT_TRUE(back->projections[i].weights == n->projections[i].weights);
      EXPECT_EQ(back->projections[i].delay, n->projections[i].delay);
    }
    for (size_t i = 0; i < n->populations.size(); ++i)
      EXPECT_EQ(back->populations[i].shape, n->populations[i].shape);
  }
  EXPECT_FALSE(h.diag.hadError()) << h.text();
  // pool2: (14 - 4) % 4 = 2 columns of conv2 never covered.
  EXPECT_EQ(h.diag.getNumWarnings(), 1u) << h.text();
}

TEST(RoundTripTest, PrintedLoweredNetwork) {
  DiagHarness h;
  llvm::Optional<Network> n =
      parseNetwork(h.add("simulation { seed = 3; }\n"
                         "network small {\n"
                         "  input in { shape = 4 x 4 x 1; }\n"
                         "  conv c(in) { filters = 2; kernel = 3; weights = "
                         "normal(mean = 0.5 nA, sigma = 0.1 nA); }\n"
                         "  pool p(c) { kernel = 2; op = average; }\n"
                         "  dense d(p) { units = 3; weights = 200 pA; }\n"
                         "  classifier svm(d) { classes = 3; }\n"
                         "}\n"),
                   h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  PassManager pm(h.diag);
  pm.add("infer-shapes");
  ASSERT_TRUE(pm.run(*n)) << h.text();
  std::string seed = std::to_string(deriveSeed(3, "in.c"));
  EXPECT_EQ(print(*n),
            "network small {\n"
            "  simulation { timestep = 1 ms; presentation = 100 ms; "
            "input_window = 50 ms; neurons_per_core = 256; seed = 3; }\n"
            "  neuron default : IF_curr_exp {\n"
            "    tau_m = 20 ms; cm = 1 nF; v_rest = -65 mV; v_reset = -65 mV; "
            "v_thresh = -50 mV;\n"
            "    tau_refrac = 0.1 ms; tau_syn_E = 5 ms; tau_syn_I = 5 ms; "
            "i_offset = 0 nA; v_init = -65 mV;\n"
            "  }\n"
            "  population in : input {\n"
            "    layer = input; shape = 4 x 4 x 1; neurons_per_core = 256;\n"
            "    encoding = rate(threshold = 80, factor = 10, max_spikes = "
            "10);\n"
            "  }\n"
            "  population c : IF_curr_exp {\n"
            "    layer = conv; shape = 2 x 2 x 2; neurons_per_core = 256;\n"
            "    neuron = default; train_neuron = default;\n"
            "  }\n"
            "  population p : IF_curr_exp {\n"
            "    layer = pool; shape = 1 x 1 x 2; neurons_per_core = 256;\n"
            "    neuron = default; train_neuron = default;\n"
            "  }\n"
            "  population d : IF_curr_exp {\n"
            "    layer = dense; shape = 1 x 1 x 3; neurons_per_core = 256;\n"
            "    neuron = default; train_neuron = default;\n"
            "  }\n"
            "  projection in.c (in, c) : conv {\n"
            "    filters = 2; kernel = 3 x 3; stride = 1 x 1; padding = 0 x 0; "
            "mode = standard;\n"
            "    weights = normal(mean = 0.5 nA, sigma = 0.1 nA, seed = " +
                seed +
                ");\n"
                "    delay = 1 ms; receptor = excitatory; stdp = none;\n"
                "  }\n"
                "  projection c.p (c, p) : pool {\n"
                "    op = average; kernel = 2 x 2; stride = 2 x 2; padding = "
                "0 x 0;\n"
                "    weights = constant(value = 0.25 nA);\n"
                "    delay = 1 ms; receptor = excitatory; stdp = none;\n"
                "  }\n"
                "  projection p.d (p, d) : dense {\n"
                "    units = 3;\n"
                "    weights = constant(value = 0.2 nA);\n"
                "    delay = 1 ms; receptor = excitatory; stdp = none;\n"
                "  }\n"
                "  classifier svm (d) : linear_svm { classes = 3; C = 1; }\n"
                "}\n");
}

} // namespace
