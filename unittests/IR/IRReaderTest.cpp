//===- IRReaderTest.cpp - Reading hand-written textual IR -----------------===//
#include "scnc/IR/IRReader.h"
#include "TestHelpers.h"
#include "scnc/IR/AttributeReader.h"
#include "scnc/IR/Printer.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;
using scnc::test::print;

namespace {

/// Hand-written IR in the printer's own layout, with the projection kinds
/// the front end never makes: one_to_one, all_to_all (also recurrent, with
/// self connections) and from_list.
const char *const handWritten =
    "network hand {\n"
    "  simulation { timestep = 0.5 ms; presentation = 100 ms; input_window "
    "= 50 ms; neurons_per_core = 256; seed = 9; }\n"
    "  neuron lif : IF_curr_exp {\n"
    "    tau_m = 10 ms; cm = 0.25 nF; v_rest = -65 mV; v_reset = -70 mV; "
    "v_thresh = -50 mV;\n"
    "    tau_refrac = 2 ms; tau_syn_E = 5 ms; tau_syn_I = 10 ms; i_offset = "
    "0.1 nA; v_init = -65 mV;\n"
    "  }\n"
    "  stdp s {\n"
    "    rule = pair; tau_plus = 20 ms; tau_minus = 20 ms; A_plus = 0.01; "
    "A_minus = 0.012;\n"
    "    weight_dependence = additive; w_min = 0 nA; w_max = 1 nA;\n"
    "    init = constant(value = 0.5 nA); wta_weight = 0 nA;\n"
    "  }\n"
    "  population in : input {\n"
    "    layer = input; shape = 4 x 4 x 2; neurons_per_core = 256;\n"
    "    encoding = latency(t_max = 49 ms);\n"
    "  }\n"
    "  population copy : IF_curr_exp {\n"
    "    layer = relay; shape = 4 x 4 x 2; neurons_per_core = 16;\n"
    "    neuron = lif; train_neuron = lif;\n"
    "  }\n"
    "  population all : IF_curr_exp {\n"
    "    layer = custom; shape = 1 x 1 x 5; neurons_per_core = 256;\n"
    "    neuron = lif; train_neuron = lif;\n"
    "  }\n"
    "  population listed : IF_curr_exp {\n"
    "    layer = custom; shape = unknown; neurons_per_core = 256;\n"
    "    neuron = lif; train_neuron = lif;\n"
    "  }\n"
    "  projection in.copy (in, copy) : one_to_one {\n"
    "    weights = constant(value = 2 nA);\n"
    "    delay = 0.5 ms; receptor = excitatory; stdp = none;\n"
    "  }\n"
    "  projection copy.all (copy, all) : all_to_all {\n"
    "    allow_self = false;\n"
    "    weights = normal(mean = 0.5 nA, sigma = 0.1 nA, seed = 3);\n"
    "    delay = 1.5 ms; receptor = excitatory; stdp = s;\n"
    "  }\n"
    "  projection all.all (all, all) : all_to_all {\n"
    "    allow_self = true;\n"
    "    weights = constant(value = -1.25 nA);\n"
    "    delay = 0.5 ms; receptor = inhibitory; stdp = none;\n"
    "  }\n"
    "  projection in.listed (in, listed) : from_list {\n"
    "    path = \"conns.csv\";\n"
    "    weights = file(path = \"w.npy\");\n"
    "    delay = 1 ms; receptor = excitatory; stdp = none;\n"
    "  }\n"
    "  classifier svm (all) : linear_svm { classes = 5; C = 0.25; }\n"
    "}\n";

TEST(IRReaderTest, HandWrittenIRRoundTrips) {
  DiagHarness h;
  llvm::Optional<Network> n = readIR(h.add(handWritten, "h.scnir"), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(h.text(), "");
  // Already in the printer's layout: printing gives the input back.
  std::string printed = print(*n);
  EXPECT_EQ(printed, handWritten);
  llvm::Optional<Network> again = readIR(h.add(printed, "p.scnir"), h.diag);
  ASSERT_TRUE(again.hasValue()) << h.text();
  EXPECT_EQ(print(*again), printed);
}

TEST(IRReaderTest, HandWrittenValues) {
  DiagHarness h;
  llvm::Optional<Network> n = readIR(h.add(handWritten, "h.scnir"), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(n->name, "hand");
  EXPECT_EQ(n->sim.timestep, 0.5);
  EXPECT_EQ(n->sim.seed, 9u);
  ASSERT_EQ(n->neuronSets.size(), 1u);
  EXPECT_EQ(n->neuronSets[0].v_reset, -70.0);
  EXPECT_EQ(n->neuronSets[0].tau_syn_I, 10.0);
  EXPECT_EQ(n->neuronSets[0].i_offset, 0.1);
  ASSERT_EQ(n->stdpRules.size(), 1u);
  EXPECT_EQ(n->stdpRules[0].aMinus, 0.012);

  ASSERT_EQ(n->populations.size(), 4u);
  EXPECT_EQ(n->populations[0].encoding.kind, "latency");
  EXPECT_EQ(n->populations[0].encoding.get("t_max"), 49.0);
  EXPECT_EQ(n->populations[1].layer, "relay");
  EXPECT_EQ(n->populations[1].neuronsPerCore, 16u);
  // Equal to the simulation's default: stored as "use the default".
  EXPECT_EQ(n->populations[2].neuronsPerCore, 0u);
  EXPECT_FALSE(n->populations[3].shape.isKnown());

  ASSERT_EQ(n->projections.size(), 4u);
  const Projection &oto = n->projections[0];
  EXPECT_EQ(oto.kind, Projection::Kind::OneToOne);
  EXPECT_EQ(oto.pre, 0u);
  EXPECT_EQ(oto.post, 1u);
  EXPECT_EQ(oto.weights.value, 2.0);
  const Projection &ata = n->projections[1];
  EXPECT_EQ(ata.kind, Projection::Kind::AllToAll);
  EXPECT_FALSE(ata.allowSelf);
  EXPECT_EQ(ata.weights.kind, WeightInit::Normal);
  EXPECT_EQ(ata.weights.seed, 3u);
  EXPECT_EQ(ata.delay, 1.5);
  EXPECT_EQ(ata.stdp, "s");
  const Projection &rec = n->projections[2];
  EXPECT_EQ(rec.pre, 2u);
  EXPECT_EQ(rec.post, 2u);
  EXPECT_TRUE(rec.allowSelf);
  EXPECT_EQ(rec.receptor, Projection::Receptor::Inhibitory);
  EXPECT_EQ(rec.weights.value, -1.25);
  const Projection &fl = n->projections[3];
  EXPECT_EQ(fl.kind, Projection::Kind::FromList);
  EXPECT_EQ(fl.listPath, "conns.csv");
  EXPECT_EQ(fl.weights.kind, WeightInit::File);
  EXPECT_EQ(fl.weights.path, "w.npy");
  ASSERT_TRUE(n->classifier.hasValue());
  EXPECT_EQ(n->classifier->sources, std::vector<unsigned>({2u}));
  EXPECT_EQ(n->classifier->classes, 5u);
  EXPECT_EQ(n->classifier->c, 0.25);
}

TEST(IRReaderTest, NumbersReadBackExactly) {
  // Values that need 17 significant digits print that way and read back to
  // the same double.
  Network n;
  n.name = "num";
  n.sim.timestep = 0.1 + 0.2; // 0.30000000000000004
  n.neuronSets.emplace_back();
  n.neuronSets[0].name = "p";
  n.neuronSets[0].cm = 330 * 1e-3;
  n.neuronSets[0].i_offset = -1e-7;
  n.neuronSets[0].v_init = -0.0; // printed as 0
  Population in;
  in.name = "i";
  in.kind = Population::Kind::Input;
  in.layer = "input";
  in.shape = Shape{1, 1, 1};
  for (const EncodingParam &p : encodingParams("rate"))
    in.encoding.params.push_back({p.name.str(), p.dflt});
  n.populations.push_back(in);
  std::string text = print(n);
  EXPECT_NE(text.find("timestep = 0.30000000000000004 ms"), std::string::npos)
      << text;
  EXPECT_NE(text.find("v_init = 0 mV"), std::string::npos) << text;
  DiagHarness h;
  llvm::Optional<Network> back = readIR(h.add(text), h.diag);
  ASSERT_TRUE(back.hasValue()) << h.text() << text;
  EXPECT_EQ(back->sim.timestep, 0.1 + 0.2);
  EXPECT_EQ(back->neuronSets[0].cm, 330 * 1e-3);
  EXPECT_EQ(back->neuronSets[0].i_offset, -1e-7);
  EXPECT_EQ(print(*back), text);
}

TEST(IRReaderTest, MissingAttributesAndUnknownNames) {
  DiagHarness h;
  llvm::Optional<Network> n = readIR(
      h.add("network bad {\n"
            "  simulation { }\n"
            "  population in : input {\n"
            "    layer = input; shape = 2 x 2 x 1; neurons_per_core = 256;\n"
            "  }\n"
            "  projection p (in, nowhere) : one_to_one {\n"
            "    weights = 1 nA; delay = 1 ms; receptor = excitatory; "
            "stdp = none;\n"
            "  }\n"
            "}\n"),
      h.diag);
  EXPECT_FALSE(n.hasValue());
  // The input's missing encoding and the undefined population.
  EXPECT_EQ(h.diag.getNumErrors(), 2u) << h.text();
  EXPECT_NE(h.text().find("missing parameter 'encoding' in population 'in'"),
            std::string::npos)
      << h.text();
  EXPECT_NE(h.text().find("use of undefined population 'nowhere'"),
            std::string::npos)
      << h.text();
}

TEST(IRReaderTest, NormalWeightsNeedASeed) {
  DiagHarness h;
  llvm::Optional<Network> n = readIR(
      h.add("network s {\n"
            "  simulation { }\n"
            "  neuron d : IF_curr_exp { }\n"
            "  population a : input { layer = input; shape = 1 x 1 x 1; "
            "neurons_per_core = 256; encoding = rate(); }\n"
            "  population b : IF_curr_exp { layer = dense; shape = 1 x 1 x 1; "
            "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
            "  projection a.b (a, b) : dense { units = 1;\n"
            "    weights = normal(mean = 1 nA, sigma = 0 nA);\n"
            "    delay = 1 ms; receptor = excitatory; stdp = none; }\n"
            "}\n"),
      h.diag);
  EXPECT_FALSE(n.hasValue());
  EXPECT_EQ(h.diag.getNumErrors(), 1u) << h.text();
  EXPECT_NE(h.text().find("error: missing argument 'seed' of 'normal'"),
            std::string::npos)
      << h.text();
}

} // namespace
