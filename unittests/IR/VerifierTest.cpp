//===- VerifierTest.cpp - IR invariants -----------------------------------===//
#include "scnc/IR/Verifier.h"
#include "TestHelpers.h"
#include "scnc/IR/Connections.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

/// in (4x4x1) -conv 3x3, 2 filters-> c (2x2x2) -dense 3-> d (1x1x3), all
/// valid.
Network validNetwork() {
  Network n;
  n.name = "v";
  n.neuronSets.emplace_back();
  n.neuronSets[0].name = "lif";
  Population in;
  in.name = "in";
  in.kind = Population::Kind::Input;
  in.shape = Shape{4, 4, 1};
  n.populations.push_back(in);
  Population c;
  c.name = "c";
  c.shape = Shape{2, 2, 2};
  c.neuron = c.trainNeuron = "lif";
  n.populations.push_back(c);
  Population d = c;
  d.name = "d";
  d.shape = Shape{1, 1, 3};
  n.populations.push_back(d);
  Projection conv;
  conv.name = "in.c";
  conv.kind = Projection::Kind::Conv;
  conv.pre = 0;
  conv.post = 1;
  conv.filters = 2;
  conv.kernel = Pair{3, 3};
  conv.stride = Pair{1, 1};
  n.projections.push_back(conv);
  Projection dense;
  dense.name = "c.d";
  dense.kind = Projection::Kind::Dense;
  dense.pre = 1;
  dense.post = 2;
  dense.units = 3;
  n.projections.push_back(dense);
  return n;
}

unsigned verifyErrors(const Network &n, std::string *text = nullptr) {
  DiagHarness h;
  bool ok = verifyNetwork(n, h.diag);
  EXPECT_EQ(ok, h.diag.getNumErrors() == 0);
  if (text)
    *text = h.text();
  return h.diag.getNumErrors();
}

TEST(VerifierTest, ValidNetworkPasses) {
  std::string text;
  EXPECT_EQ(verifyErrors(validNetwork(), &text), 0u) << text;
}

TEST(VerifierTest, BackwardsProjection) {
  Network n = validNetwork();
  // d -> c: goes from population 2 to population 1. Shapes are unknown so
  // that only the order is wrong.
  n.populations[1].shape = Shape();
  n.populations[2].shape = Shape();
  Projection back;
  back.name = "d.c";
  back.kind = Projection::Kind::OneToOne;
  back.pre = 2;
  back.post = 1;
  n.projections.push_back(back);
  std::string text;
  EXPECT_EQ(verifyErrors(n, &text), 1u) << text;
  EXPECT_EQ(text, "error: IR verifier: projection 'd.c' goes backwards from "
                  "'d' to 'c' (populations must be in topological order)\n");
}

TEST(VerifierTest, RecurrentProjectionIsNotBackwards) {
  Network n = validNetwork();
  Projection self;
  self.name = "d.d";
  self.kind = Projection::Kind::AllToAll;
  self.pre = self.post = 2;
  n.projections.push_back(self);
  std::string text;
  EXPECT_EQ(verifyErrors(n, &text), 0u) << text;
}

TEST(VerifierTest, MissingNeuronSet) {
  Network n = validNetwork();
  n.populations[1].neuron = "nope";
  std::string text;
  EXPECT_EQ(verifyErrors(n, &text), 1u) << text;
  EXPECT_EQ(text, "error: IR verifier: population 'c' uses undefined neuron "
                  "parameter set 'nope'\n");
  // Both references wrong: one error each.
  n.populations[2].neuron = n.populations[2].trainNeuron = "gone";
  EXPECT_EQ(verifyErrors(n), 3u);
}

TEST(VerifierTest, ShapeMismatch) {
  Network n = validNetwork();
  n.populations[1].shape = Shape{3, 3, 2};
  std::string text;
  // The conv gives 2x2x2; the dense after it still agrees (1x1x3).
  EXPECT_EQ(verifyErrors(n, &text), 1u) << text;
  EXPECT_EQ(text, "error: IR verifier: projection 'in.c' gives shape 2x2x2 "
                  "but population 'c' has shape 3x3x2\n");
  // A collapsing conv is reported with its reason.
  n = validNetwork();
  n.projections[0].kernel = Pair{5, 5};
  EXPECT_EQ(verifyErrors(n, &text), 1u) << text;
  EXPECT_NE(text.find("projection 'in.c': output height collapses to 0"),
            std::string::npos)
      << text;
}

TEST(VerifierTest, UnknownShapesAreNotChecked) {
  Network n = validNetwork();
  n.populations[1].shape = Shape();
  n.populations[2].shape = Shape();
  EXPECT_EQ(verifyErrors(n), 0u);
}

TEST(VerifierTest, SeveralViolationsAreAllReported) {
  Network n = validNetwork();
  n.populations.push_back(n.populations[2]); // duplicate 'd', no input
  n.projections[0].filters = 0;              // zero filters ...
  n.projections[0].delay = 0.5;              // ... and a delay below 1 ms
  n.projections[1].stdp = "missing";
  std::string text;
  // duplicate population, population without input, zero filters (and so
  // a collapsed depth: shape mismatch), delay, undefined STDP rule.
  EXPECT_EQ(verifyErrors(n, &text), 6u) << text;
}

TEST(VerifierTest, ProjectionIntoAnInput) {
  Network n = validNetwork();
  Population in2 = n.populations[0];
  in2.name = "in2";
  n.populations.push_back(in2);
  Projection p;
  p.name = "d.in2";
  p.kind = Projection::Kind::Dense;
  p.units = 16;
  p.pre = 2;
  p.post = 3;
  n.projections.push_back(p);
  std::string text;
  // Targets an input, and the dense shape 1x1x16 is not in2's 4x4x1.
  EXPECT_EQ(verifyErrors(n, &text), 2u) << text;
  EXPECT_NE(text.find("projection 'd.in2' targets input population 'in2'"),
            std::string::npos)
      << text;
}

} // namespace

namespace {

// Connection lists are checked unless the caller says they were (after a
// mapping pass, which leaves the IR as it was): a list that does not match
// the projections is an error only with `connections`.
TEST(VerifierTest, ConnectionListsCheckedOnRequest) {
  Network n = validNetwork();
  n.connections = std::make_shared<ConnectionSet>(); // no list at all
  DiagHarness h;
  EXPECT_FALSE(verifyNetwork(n, h.diag));
  EXPECT_NE(h.text().find("connection lists do not match the projections"),
            std::string::npos)
      << h.text();
  DiagHarness quiet;
  EXPECT_TRUE(verifyNetwork(n, quiet.diag, /*connections=*/false))
      << quiet.text();
}

TEST(VerifierTest, ZeroStrideIsReportedNotDividedBy) {
  Network n = validNetwork();
  n.projections[0].stride = Pair{0, 1};
  std::string text;
  EXPECT_EQ(verifyErrors(n, &text), 1u) << text;
  EXPECT_EQ(text, "error: IR verifier: projection 'in.c' has a zero kernel or "
                  "stride\n");
  n = validNetwork();
  n.projections[0].kernel = Pair{3, 0};
  EXPECT_EQ(verifyErrors(n, &text), 1u) << text;
}

} // namespace

namespace {

TEST(VerifierTest, NirNeuronModels) {
  // Valid sets of each NIR model; then one defect each.
  for (const char *model : {"IF", "LIF", "CubaLIF"}) {
    Network n = validNetwork();
    n.neuronSets[0].model = model;
    n.neuronSets[0].resetSubtract = true;
    std::string text;
    EXPECT_EQ(verifyErrors(n, &text), 0u) << model << text;
    n.neuronSets[0].r = 0;
    EXPECT_EQ(verifyErrors(n, &text), 1u) << model;
    EXPECT_NE(text.find("'lif' is out of range"), std::string::npos) << text;
  }
  Network n = validNetwork();
  n.neuronSets[0].model = "CubaLIF";
  n.neuronSets[0].tau_syn_I = 2;
  std::string text;
  EXPECT_EQ(verifyErrors(n, &text), 1u);
  EXPECT_NE(text.find("(CubaLIF) has tau_syn_E != tau_syn_I"),
            std::string::npos)
      << text;
  n.neuronSets[0].model = "AdEx";
  EXPECT_EQ(verifyErrors(n, &text), 1u);
  EXPECT_NE(text.find("has an unknown model 'AdEx'"), std::string::npos)
      << text;
  // A population's neuron and train_neuron sets run one model.
  n = validNetwork();
  n.neuronSets.push_back(n.neuronSets[0]);
  n.neuronSets[1].name = "nir";
  n.neuronSets[1].model = "LIF";
  n.populations[2].trainNeuron = "nir";
  EXPECT_EQ(verifyErrors(n, &text), 1u);
  EXPECT_NE(text.find("population 'd' uses neuron sets of two models ('lif' "
                      "is IF_curr_exp, 'nir' is LIF)"),
            std::string::npos)
      << text;
  // A LIF set's parameters that LIF does not take are not checked: a cm of
  // 0 is fine there.
  n = validNetwork();
  n.neuronSets[0].model = "LIF";
  n.neuronSets[0].cm = 0;
  EXPECT_EQ(verifyErrors(n, &text), 0u) << text;
}

TEST(VerifierTest, NeuronModelNames) {
  NeuronModelKind m = NeuronModelKind::IfCurrExp;
  EXPECT_TRUE(parseNeuronModel("CubaLIF", m));
  EXPECT_EQ(m, NeuronModelKind::CubaLif);
  EXPECT_FALSE(parseNeuronModel("lif", m));
  EXPECT_EQ(neuronModelName(NeuronModelKind::Lif), "LIF");
  EXPECT_TRUE(neuronModelTakes(NeuronModelKind::Lif, "r"));
  EXPECT_TRUE(neuronModelTakes(NeuronModelKind::Lif, "reset"));
  EXPECT_FALSE(neuronModelTakes(NeuronModelKind::Lif, "cm"));
  EXPECT_FALSE(neuronModelTakes(NeuronModelKind::Lif, "tau_syn_E"));
  EXPECT_FALSE(neuronModelTakes(NeuronModelKind::If, "tau_m"));
  EXPECT_FALSE(neuronModelTakes(NeuronModelKind::If, "v_rest"));
  EXPECT_TRUE(neuronModelTakes(NeuronModelKind::CubaLif, "w_in"));
  EXPECT_TRUE(neuronModelTakes(NeuronModelKind::CubaLif, "tau_syn_I"));
  EXPECT_FALSE(neuronModelTakes(NeuronModelKind::IfCurrExp, "r"));
  EXPECT_FALSE(neuronModelTakes(NeuronModelKind::IfCurrExp, "reset"));
  EXPECT_TRUE(neuronModelTakes(NeuronModelKind::IfCurrExp, "tau_refrac"));
}

} // namespace
