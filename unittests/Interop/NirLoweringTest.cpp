//===- NirLoweringTest.cpp - NIR graphs to projections, exact values ------===//
//
// Graphs built in memory (no HDF5): what lowerNirGraph composes, checked
// against values worked out by hand.
//
//===----------------------------------------------------------------------===//
#include "scnc/Interop/Nir.h"
#include "scnc/Support/Npy.h"
#include "gtest/gtest.h"

using namespace scnc;

namespace {

NirValue nums(std::vector<double> v, std::vector<uint64_t> shape) {
  NirValue r;
  r.numbers = std::move(v);
  r.shape = std::move(shape);
  return r;
}

NirNode node(std::string name, std::string type,
             std::map<std::string, NirValue> params = {}) {
  NirNode n;
  n.name = std::move(name);
  n.type = std::move(type);
  n.params = std::move(params);
  return n;
}

NirNode ifNode(std::string name, std::vector<uint64_t> shape) {
  uint64_t n = 1;
  for (uint64_t d : shape)
    n *= d;
  return node(name, "IF",
              {{"r", nums(std::vector<double>(n, 1.0), shape)},
               {"v_threshold", nums(std::vector<double>(n, 1.0), shape)}});
}

NirGraph graph(std::vector<NirNode> nodes,
               std::vector<std::pair<std::string, std::string>> edges) {
  NirGraph g;
  g.root.type = "NIRGraph";
  g.root.nodes = std::move(nodes);
  g.root.edges = std::move(edges);
  return g;
}

const Projection *find(const Network &n, llvm::StringRef name) {
  for (const Projection &p : n.projections)
    if (p.name == name)
      return &p;
  return nullptr;
}

} // namespace

// SumPool2d 2x2/2 then a 1 -> 1 Conv2d 2x2 (weights 1, 2, 3, 4), no padding,
// on 1 x 8 x 8: one 4x4 window, stride 4, each conv tap a 2x2 block.
TEST(NirLowering, PoolThenConvIsOneWindow) {
  NirGraph g = graph({node("in", "Input", {{"shape", nums({1, 8, 8}, {3})}}),
                      ifNode("a", {1, 8, 8}),
                      node("one", "Scale", {{"scale", nums({1}, {1})}}),
                      node("pool", "SumPool2d",
                           {{"kernel_size", nums({2, 2}, {2})},
                            {"stride", nums({2, 2}, {2})},
                            {"padding", nums({0, 0}, {2})}}),
                      node("conv", "Conv2d",
                           {{"weight", nums({1, 2, 3, -4}, {1, 1, 2, 2})},
                            {"stride", nums({1, 1}, {2})},
                            {"padding", nums({0, 0}, {2})},
                            {"bias", nums({0}, {1})}}),
                      ifNode("b", {1, 3, 3})},
                     {{"in", "one"},
                      {"one", "a"},
                      {"a", "pool"},
                      {"pool", "conv"},
                      {"conv", "b"}});
  llvm::Expected<Network> n = lowerNirGraph(g, "t.nir");
  ASSERT_TRUE(bool(n)) << llvm::toString(n.takeError());
  const Projection *e = find(*n, "a.b"), *i = find(*n, "a.b.inh");
  ASSERT_TRUE(e && i);
  EXPECT_EQ(e->kind, Projection::Kind::Conv);
  EXPECT_EQ(e->kernel, (Pair{4, 4}));
  EXPECT_EQ(e->stride, (Pair{2, 2}));
  EXPECT_EQ(e->padding, (Pair{0, 0}));
  std::vector<double> exc = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 0, 0, 3, 3, 0, 0};
  std::vector<double> inh = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 0, 0, 4, 4};
  EXPECT_EQ(e->weights.array->data, exc);
  EXPECT_EQ(i->weights.array->data, inh);
  EXPECT_EQ(i->receptor, Projection::Receptor::Inhibitory);
  // Input -> a through Scale 1: one-to-one, weight 1, one tick.
  const Projection *o = find(*n, "in.a");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->kind, Projection::Kind::OneToOne);
  EXPECT_EQ(o->weights.value, 1.0);
  EXPECT_EQ(o->delay, 1.0);
}

// A pool whose last row it drops (5 rows, 2x2/2 covers 4) before a padded
// conv: the composed window would read row 4, which the conv sees as
// padding. Not one projection: an error naming the conv.
TEST(NirLowering, InexactCompositionIsAnError) {
  NirGraph g =
      graph({node("in", "Input", {{"shape", nums({1, 5, 5}, {3})}}),
             node("pool", "SumPool2d",
                  {{"kernel_size", nums({2, 2}, {2})},
                   {"stride", nums({2, 2}, {2})}}),
             node("conv", "Conv2d",
                  {{"weight", nums({1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 3, 3})},
                   {"stride", nums({1, 1}, {2})},
                   {"padding", nums({1, 1}, {2})}}),
             ifNode("b", {1, 2, 2})},
            {{"in", "pool"}, {"pool", "conv"}, {"conv", "b"}});
  llvm::Expected<Network> n = lowerNirGraph(g, "t.nir");
  ASSERT_FALSE(bool(n));
  EXPECT_EQ(llvm::toString(n.takeError()),
            "t.nir: node 'conv' (Conv2d): with the convolution or pooling "
            "before it, it would read input where it reads padding; scnc "
            "cannot express the pair as one projection");
}

// SumPool2d 2x2/2 on 1 x 2 x 4, Flatten, Linear (2 x 2): a 2 x 8 matrix in
// which each input column takes the weight of its pooled unit.
TEST(NirLowering, LinearAfterPoolIsOneMatrix) {
  NirGraph g =
      graph({node("in", "Input", {{"shape", nums({1, 2, 4}, {3})}}),
             node("pool", "SumPool2d",
                  {{"kernel_size", nums({2, 2}, {2})},
                   {"stride", nums({2, 2}, {2})}}),
             node("flat", "Flatten",
                  {{"start_dim", nums({0}, {})}, {"end_dim", nums({-1}, {})}}),
             node("fc", "Affine",
                  {{"weight", nums({0.5, 1, 2, 4}, {2, 2})},
                   {"bias", nums({0.25, 0.25}, {2})}}),
             ifNode("b", {2})},
            {{"in", "pool"}, {"pool", "flat"}, {"flat", "fc"}, {"fc", "b"}});
  llvm::Expected<Network> n = lowerNirGraph(g, "t.nir");
  ASSERT_TRUE(bool(n)) << llvm::toString(n.takeError());
  const Projection *p = find(*n, "in.b");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Projection::Kind::Dense);
  // (pre, post): pre (y, x) in row-major order over the 2 x 4 input.
  std::vector<double> w = {0.5, 2, 0.5, 2, 1, 4, 1, 4,
                           0.5, 2, 0.5, 2, 1, 4, 1, 4};
  EXPECT_EQ(p->weights.array->shape, (std::vector<uint64_t>{8, 2}));
  EXPECT_EQ(p->weights.array->data, w);
  EXPECT_EQ(find(*n, "in.b.inh"), nullptr);
  // The bias is the population's constant current.
  ASSERT_EQ(n->neuronSets.size(), 1u);
  EXPECT_EQ(n->neuronSets[0].i_offset, 0.25);
  EXPECT_EQ(n->neuronSets[0].model, "IF");
}

// Parameters and biases that differ between neurons become the set's
// per-neuron arrays (C order = scnc's index; time constants in ms); equal
// ones stay scalars.
TEST(NirLowering, PerNeuronParametersAndBiases) {
  NirGraph g =
      graph({node("in", "Input", {{"shape", nums({3}, {1})}}),
             node("fc", "Affine",
                  {{"weight", nums({1, 0, 0, 0, 1, 0, 0, 0, 1}, {3, 3})},
                   {"bias", nums({0.25, 0.5, 0.25}, {3})}}),
             node("b", "LIF",
                  {{"r", nums({2, 2, 2}, {3})},
                   {"tau", nums({0.02, 0.01, 0.02}, {3})},
                   {"v_leak", nums({0, 0, 0}, {3})},
                   {"v_threshold", nums({1, 2, 1.5}, {3})}})},
            {{"in", "fc"}, {"fc", "b"}});
  llvm::Expected<Network> n = lowerNirGraph(g, "t.nir");
  ASSERT_TRUE(bool(n)) << llvm::toString(n.takeError());
  ASSERT_EQ(n->neuronSets.size(), 1u);
  const NeuronParams &s = n->neuronSets[0];
  EXPECT_EQ(s.perNeuronCount(), 3u);
  auto arr = [&](NeuronParamId id) {
    const auto &a = s.perNeuron[unsigned(id)];
    return a ? a->data : std::vector<double>();
  };
  EXPECT_EQ(arr(NeuronParamId::v_thresh), (std::vector<double>{1, 2, 1.5}));
  EXPECT_EQ(arr(NeuronParamId::tau_m),
            (std::vector<double>{0.02 * 1000, 0.01 * 1000, 0.02 * 1000}));
  EXPECT_EQ(arr(NeuronParamId::i_offset),
            (std::vector<double>{0.25, 0.5, 0.25}));
  EXPECT_FALSE(s.perNeuron[unsigned(NeuronParamId::r)]);
  EXPECT_EQ(s.r, 2);
  NeuronParams one = s.neuron(1);
  EXPECT_EQ(one.v_thresh, 2);
  EXPECT_EQ(one.tau_m, 10);
  EXPECT_EQ(one.i_offset, 0.5);
  EXPECT_FALSE(one.hasPerNeuron());
}
