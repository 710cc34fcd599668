//===- LoweringTest.cpp - .scn source to IR values ------------------------===//
#include "scnc/Frontend/Lowering.h"
#include "TestHelpers.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

llvm::Optional<Network> lower(DiagHarness &h, llvm::StringRef text) {
  return parseNetwork(h.add(text), h.diag);
}

const char *const source = R"(
const nf = 4;
const w_dense = 250 pA;
const v0 = -65 mV;
simulation {
  timestep = 0.5 ms; presentation = 1 s; input_window = 500 ms;
  neurons_per_core = 128; seed = 7;
}
neuron a : IF_curr_exp {
  cm = 200 pF; v_rest = v0; v_thresh = -52 mV; tau_m = 10 ms;
  tau_refrac = 2000 us;
}
neuron b : a { v_thresh = -40 mV; v_reset = -66.5 mV; i_offset = 1500 pA; }
stdp learn {
  tau_plus = 7 ms; A_plus = 0.02; w_max = 1 nA;
  init = normal(mean = 0.3 nA, sigma = 0.05 nA);
  weight_dependence = multiplicative;
}
network t {
  input image { shape = 8x8x2; encoding = poisson(max_rate = 1 kHz); }
  conv conv1(image) {
    filters = nf; kernel = 3; padding = 1 x 0; mode = per_map;
    weights = normal(mean = 0.3 nA, sigma = 0.05 nA); neuron = b;
    train_neuron = a; neurons_per_core = 64;
  }
  pool pool1(conv1) { kernel = 2 x 4; op = average; weight = 4 nA; }
  conv conv2(pool1) { filters = 2; kernel = 1; stride = 2; stdp = learn; }
  dense fc(conv2, pool1) {
    units = 10; weights = w_dense; delay = 2 ms; receptor = inhibitory;
  }
  classifier svm(fc) { classes = 10; C = 0.5; }
}
)";

TEST(LoweringTest, DeriveSeedIsPinned) {
  // FNV-1a of the name mixed with the seed by splitmix64; pinned so that a
  // change of the derivation (which changes every derived weight) is seen.
  EXPECT_EQ(deriveSeed(1, "image.conv1"), 14942988376843783943ull);
  EXPECT_EQ(deriveSeed(1, "image.conv1"), deriveSeed(1, "image.conv1"));
  EXPECT_NE(deriveSeed(2, "image.conv1"), deriveSeed(1, "image.conv1"));
  EXPECT_NE(deriveSeed(1, "image.conv2"), deriveSeed(1, "image.conv1"));
}

TEST(LoweringTest, SimulationUnitsAreConverted) {
  DiagHarness h;
  llvm::Optional<Network> n = lower(h, source);
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(h.text(), "");
  EXPECT_EQ(n->name, "t");
  EXPECT_EQ(n->sim.timestep, 0.5);
  EXPECT_EQ(n->sim.presentation, 1000.0); // 1 s
  EXPECT_EQ(n->sim.inputWindow, 500.0);
  EXPECT_EQ(n->sim.neuronsPerCore, 128u);
  EXPECT_EQ(n->sim.seed, 7u);
}

TEST(LoweringTest, NeuronSetsAndInheritance) {
  DiagHarness h;
  llvm::Optional<Network> n = lower(h, source);
  ASSERT_TRUE(n.hasValue()) << h.text();
  // pool1 and fc name no set: "default" (PyNN's values) comes first.
  ASSERT_EQ(n->neuronSets.size(), 3u);
  const NeuronParams &d = n->neuronSets[0];
  EXPECT_EQ(d.name, "default");
  EXPECT_EQ(d.model, "IF_curr_exp");
  EXPECT_EQ(d.tau_m, 20.0);
  EXPECT_EQ(d.cm, 1.0);
  EXPECT_EQ(d.v_thresh, -50.0);
  EXPECT_EQ(d.tau_refrac, 0.1);

  const NeuronParams &a = n->neuronSets[1];
  EXPECT_EQ(a.name, "a");
  EXPECT_DOUBLE_EQ(a.cm, 0.2); // 200 pF
  EXPECT_EQ(a.v_rest, -65.0);  // through the constant v0
  EXPECT_EQ(a.v_thresh, -52.0);
  EXPECT_EQ(a.tau_m, 10.0);
  EXPECT_DOUBLE_EQ(a.tau_refrac, 2.0); // 2000 us
  EXPECT_EQ(a.i_offset, 0.0);
  EXPECT_EQ(a.v_reset, -65.0);

  // b starts from a and overrides three values.
  const NeuronParams &b = n->neuronSets[2];
  EXPECT_EQ(b.name, "b");
  EXPECT_DOUBLE_EQ(b.cm, 0.2);
  EXPECT_EQ(b.tau_m, 10.0);
  EXPECT_DOUBLE_EQ(b.tau_refrac, 2.0);
  EXPECT_EQ(b.v_thresh, -40.0);
  EXPECT_EQ(b.v_reset, -66.5);
  EXPECT_EQ(b.v_rest, -65.0);
  EXPECT_DOUBLE_EQ(b.i_offset, 1.5); // 1500 pA
  EXPECT_EQ(b.tau_syn_E, 5.0);
}

TEST(LoweringTest, StdpRule) {
  DiagHarness h;
  llvm::Optional<Network> n = lower(h, source);
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_EQ(n->stdpRules.size(), 1u);
  const StdpRule &r = n->stdpRules[0];
  EXPECT_EQ(r.name, "learn");
  EXPECT_EQ(r.tauPlus, 7.0);
  EXPECT_EQ(r.tauMinus, 20.0);
  EXPECT_EQ(r.aPlus, 0.02);
  EXPECT_EQ(r.aMinus, 0.01);
  EXPECT_EQ(r.dependence, StdpRule::WeightDependence::Multiplicative);
  EXPECT_EQ(r.wMin, 0.0);
  EXPECT_EQ(r.wMax, 1.0);
  EXPECT_EQ(r.init.kind, WeightInit::Normal);
  EXPECT_EQ(r.init.mean, 0.3);
  EXPECT_EQ(r.init.sigma, 0.05);
  // No seed of its own: derived from the simulation seed and the rule name.
  EXPECT_EQ(r.init.seed, deriveSeed(7, "learn"));
}

TEST(LoweringTest, Populations) {
  DiagHarness h;
  llvm::Optional<Network> n = lower(h, source);
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_EQ(n->populations.size(), 5u);
  const Population &image = n->populations[0];
  EXPECT_EQ(image.name, "image");
  EXPECT_EQ(image.kind, Population::Kind::Input);
  EXPECT_EQ(image.layer, "input");
  EXPECT_EQ(image.shape, (Shape{8, 8, 2}));
  EXPECT_EQ(image.encoding.kind, "poisson");
  ASSERT_EQ(image.encoding.params.size(), 1u);
  EXPECT_EQ(image.encoding.params[0].first, "max_rate");
  EXPECT_EQ(image.encoding.get("max_rate"), 1000.0); // 1 kHz

  const Population &conv1 = n->populations[1];
  EXPECT_EQ(conv1.name, "conv1");
  EXPECT_EQ(conv1.kind, Population::Kind::Neurons);
  EXPECT_EQ(conv1.layer, "conv");
  EXPECT_FALSE(conv1.shape.isKnown()); // left to infer-shapes
  EXPECT_EQ(conv1.neuron, "b");
  EXPECT_EQ(conv1.trainNeuron, "a");
  EXPECT_EQ(conv1.neuronsPerCore, 64u);
  EXPECT_EQ(n->neuronsPerCore(conv1), 64u);

  const Population &pool1 = n->populations[2];
  EXPECT_EQ(pool1.layer, "pool");
  EXPECT_EQ(pool1.neuron, "default");
  EXPECT_EQ(pool1.trainNeuron, "default");
  EXPECT_EQ(pool1.neuronsPerCore, 0u);
  EXPECT_EQ(n->neuronsPerCore(pool1), 128u);

  EXPECT_EQ(n->populations[3].name, "conv2");
  EXPECT_EQ(n->populations[4].name, "fc");
  EXPECT_EQ(n->populations[4].layer, "dense");

  ASSERT_TRUE(n->classifier.hasValue());
  EXPECT_EQ(n->classifier->name, "svm");
  EXPECT_EQ(n->classifier->sources, std::vector<unsigned>({4u}));
  EXPECT_EQ(n->classifier->kind, "linear_svm");
  EXPECT_EQ(n->classifier->classes, 10u);
  EXPECT_EQ(n->classifier->c, 0.5);
}

TEST(LoweringTest, Projections) {
  DiagHarness h;
  llvm::Optional<Network> n = lower(h, source);
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_EQ(n->projections.size(), 5u);

  const Projection &c1 = n->projections[0];
  EXPECT_EQ(c1.name, "image.conv1");
  EXPECT_EQ(c1.pre, 0u);
  EXPECT_EQ(c1.post, 1u);
  EXPECT_EQ(c1.kind, Projection::Kind::Conv);
  EXPECT_EQ(c1.filters, 4u); // the constant nf
  EXPECT_EQ(c1.kernel, (Pair{3, 3}));
  EXPECT_EQ(c1.stride, (Pair{1, 1})); // default
  EXPECT_EQ(c1.padding, (Pair{1, 0}));
  EXPECT_EQ(c1.mode, Projection::ChannelMode::PerMap);
  EXPECT_EQ(c1.weights.kind, WeightInit::Normal);
  EXPECT_EQ(c1.weights.mean, 0.3);
  EXPECT_EQ(c1.weights.sigma, 0.05);
  // normal() without a seed: derived from the simulation seed and the
  // projection's name.
  EXPECT_EQ(c1.weights.seed, deriveSeed(7, "image.conv1"));
  EXPECT_EQ(c1.delay, 0.5); // the timestep
  EXPECT_EQ(c1.receptor, Projection::Receptor::Excitatory);
  EXPECT_EQ(c1.stdp, "");

  const Projection &p1 = n->projections[1];
  EXPECT_EQ(p1.name, "conv1.pool1");
  EXPECT_EQ(p1.kind, Projection::Kind::Pool);
  EXPECT_EQ(p1.kernel, (Pair{2, 4}));
  EXPECT_EQ(p1.stride, (Pair{2, 4})); // defaults to the kernel
  EXPECT_EQ(p1.padding, (Pair{0, 0}));
  EXPECT_EQ(p1.poolOp, Projection::PoolOp::Average);
  EXPECT_EQ(p1.weights.kind, WeightInit::Constant);
  EXPECT_EQ(p1.weights.value, 0.5); // 4 nA over a 2x4 window

  const Projection &c2 = n->projections[2];
  EXPECT_EQ(c2.name, "pool1.conv2");
  EXPECT_EQ(c2.stride, (Pair{2, 2}));
  EXPECT_EQ(c2.mode, Projection::ChannelMode::Standard);
  EXPECT_EQ(c2.stdp, "learn");
  // No `weights`: the rule's initial weights; the rule's init has no seed of
  // its own, so the layer draws from its projection's derived seed.
  WeightInit expected = n->stdpRules[0].init;
  expected.seed = deriveSeed(7, "pool1.conv2");
  EXPECT_EQ(c2.weights, expected);
  EXPECT_NE(c2.weights.seed, n->stdpRules[0].init.seed);

  // One projection per input of fc, with the same parameters.
  const Projection &f1 = n->projections[3];
  const Projection &f2 = n->projections[4];
  EXPECT_EQ(f1.name, "conv2.fc");
  EXPECT_EQ(f2.name, "pool1.fc");
  EXPECT_EQ(f1.pre, 3u);
  EXPECT_EQ(f2.pre, 2u);
  EXPECT_EQ(f1.post, 4u);
  EXPECT_EQ(f2.post, 4u);
  for (const Projection *f : {&f1, &f2}) {
    EXPECT_EQ(f->kind, Projection::Kind::Dense);
    EXPECT_EQ(f->units, 10u);
    EXPECT_EQ(f->weights.kind, WeightInit::Constant);
    EXPECT_DOUBLE_EQ(f->weights.value, 0.25); // 250 pA
    EXPECT_EQ(f->delay, 2.0);
    EXPECT_EQ(f->receptor, Projection::Receptor::Inhibitory);
  }
}

TEST(LoweringTest, Defaults) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n {\n"
               "  input i { shape = 4 x 4 x 1; }\n"
               "  pool p(i) { kernel = 2; op = average; }\n"
               "  conv c(p) { filters = 1; kernel = 1; weights = "
               "normal(0.5 nA, 0.1 nA, 42); }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  // Simulation defaults.
  EXPECT_EQ(n->sim.timestep, 1.0);
  EXPECT_EQ(n->sim.presentation, 100.0);
  EXPECT_EQ(n->sim.inputWindow, 50.0);
  EXPECT_EQ(n->sim.neuronsPerCore, 256u);
  EXPECT_EQ(n->sim.seed, 1u);
  // The default rate encoding with all its parameters.
  const Encoding &e = n->populations[0].encoding;
  EXPECT_EQ(e.kind, "rate");
  ASSERT_EQ(e.params.size(), 3u);
  EXPECT_EQ(e.get("threshold"), 80.0);
  EXPECT_EQ(e.get("factor"), 10.0);
  EXPECT_EQ(e.get("max_spikes"), 10.0);
  // Average pooling with the default weight of 1 nA over 2x2.
  EXPECT_EQ(n->projections[0].weights.value, 0.25);
  EXPECT_EQ(n->projections[0].stride, (Pair{2, 2}));
  // Positional normal() arguments, with an explicit seed kept as is.
  const WeightInit &w = n->projections[1].weights;
  EXPECT_EQ(w.kind, WeightInit::Normal);
  EXPECT_EQ(w.mean, 0.5);
  EXPECT_EQ(w.sigma, 0.1);
  EXPECT_EQ(w.seed, 42u);
  ASSERT_EQ(n->neuronSets.size(), 1u);
  EXPECT_EQ(n->neuronSets[0].name, "default");
}

TEST(LoweringTest, NoDefaultSetWhenEveryLayerNamesOne) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "neuron lif { }\n"
               "network n {\n"
               "  input i { shape = 1 x 1 x 3; }\n"
               "  dense d(i) { units = 2; weights = 1 nA; neuron = lif; }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_EQ(n->neuronSets.size(), 1u);
  EXPECT_EQ(n->neuronSets[0].name, "lif");
}

TEST(LoweringTest, AnExplicitDefaultSetIsUsedAsIs) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "neuron default { tau_m = 5 ms; }\n"
               "network n {\n"
               "  input i { shape = 1 x 1 x 3; }\n"
               "  dense d(i) { units = 2; weights = 1 nA; }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_EQ(n->neuronSets.size(), 1u);
  EXPECT_EQ(n->neuronSets[0].name, "default");
  EXPECT_EQ(n->neuronSets[0].tau_m, 5.0);
}

TEST(LoweringTest, ConstantsNamingConstants) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "const base = 3;\n"
               "const k = base;\n"
               "const shape = 6 x 6 x 1;\n"
               "network n {\n"
               "  input i { shape = shape; }\n"
               "  conv c(i) { filters = k; kernel = k x base; weights = 1 nA; "
               "}\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(n->populations[0].shape, (Shape{6, 6, 1}));
  EXPECT_EQ(n->projections[0].filters, 3u);
  EXPECT_EQ(n->projections[0].kernel, (Pair{3, 3}));
}

TEST(LoweringTest, SeedsDependOnTheSimulationSeed) {
  const char *fmt = "simulation { seed = %d; }\n"
                    "network n {\n"
                    "  input image { shape = 3 x 3 x 1; }\n"
                    "  conv conv1(image) { filters = 1; kernel = 1;\n"
                    "    weights = normal(mean = 1 nA, sigma = 0 nA); }\n"
                    "}\n";
  for (int seed : {1, 99}) {
    char text[512];
    snprintf(text, sizeof(text), fmt, seed);
    DiagHarness h;
    llvm::Optional<Network> n = lower(h, text);
    ASSERT_TRUE(n.hasValue()) << h.text();
    EXPECT_EQ(n->projections[0].weights.seed,
              deriveSeed(uint64_t(seed), "image.conv1"));
  }
}

TEST(LoweringTest, ErrorsAreCounted) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "network n {\n"
               "  input i { shape = 3 x 3 x 1; }\n"
               "  conv c(i) { filters = 1; kernel = 1; weights = 1 mV; }\n"
               "  dense d(nope) { units = 2; weights = 1 nA; }\n"
               "}\n");
  EXPECT_FALSE(n.hasValue());
  EXPECT_EQ(h.diag.getNumErrors(), 2u) << h.text();
}

TEST(LoweringTest, ConstantsAsPositionalArguments) {
  DiagHarness h;
  llvm::Optional<Network> n =
      lower(h, "const m = 300 pA;\n"
               "const s = 0.05 nA;\n"
               "const w = 2 nA;\n"
               "network n {\n"
               "  input i { shape = 3 x 3 x 1; }\n"
               "  conv c(i) { filters = 1; kernel = 1; weights = normal(m, s); "
               "}\n"
               "  dense d(c) { units = 1; weights = constant(w); }\n"
               "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  const WeightInit &nw = n->projections[0].weights;
  EXPECT_EQ(nw.kind, WeightInit::Normal);
  EXPECT_DOUBLE_EQ(nw.mean, 0.3);
  EXPECT_EQ(nw.sigma, 0.05);
  EXPECT_EQ(nw.seed, deriveSeed(1, "i.c"));
  EXPECT_EQ(n->projections[1].weights.kind, WeightInit::Constant);
  EXPECT_EQ(n->projections[1].weights.value, 2.0);
}

TEST(LoweringTest, InfiniteQuantitiesAreRejected) {
  // Beyond the range of a double, or scaled beyond it by the unit: the IR
  // would print `inf`, which does not read back.
  DiagHarness h;
  llvm::Optional<Network> n = lower(
      h, "neuron p { tau_m = 1e400 ms; }\n"
         "network n {\n"
         "  input i { shape = 3 x 3 x 1; encoding = poisson(max_rate = 1e306 "
         "kHz); }\n"
         "  conv c(i) { filters = 1; kernel = 1; weights = 1e400 nA; }\n"
         "  dense d(c) { units = 1; weights = normal(mean = 1e306 uA, sigma = "
         "1 nA); }\n"
         "}\n");
  EXPECT_FALSE(n.hasValue());
  EXPECT_EQ(h.diag.getNumErrors(), 4u) << h.text();
  for (const char *what : {"'tau_m' must be finite",
                           "'max_rate' must be "
                           "finite",
                           "'weights' must be finite", "'mean' must be finite"})
    EXPECT_NE(h.text().find(what), std::string::npos) << what << h.text();
}

} // namespace
