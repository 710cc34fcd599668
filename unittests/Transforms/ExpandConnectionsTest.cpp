//===- ExpandConnectionsTest.cpp - Projections to connection lists --------===//
#include "PipelineHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Shapes.h"
#include "scnc/Support/Random.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <cstring>
#include <random>
#include <tuple>

using namespace scnc;
using scnc::test::DiagHarness;
using scnc::test::expandIR;
using scnc::test::expandScn;

namespace {

using U32s = std::vector<uint32_t>;

U32s vec(const RawArray<uint32_t> &a) { return U32s(a.begin(), a.end()); }

/// The kernel element of every synapse.
U32s elements(const ConnectionList &l) {
  U32s e;
  for (uint64_t i = 0; i < l.size(); ++i)
    e.push_back(l.element(i));
  return e;
}

const ConnectionList &list(const Network &n, unsigned i) {
  return n.connections->lists[i];
}

//===----------------------------------------------------------------------===//
// Tiny exact cases
//===----------------------------------------------------------------------===//

TEST(ExpandConnectionsTest, Conv3x3Kernel2x2) {
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "network n { input i { shape = 3 x 3 x 1; }\n"
                   "  conv c(i) { filters = 1; kernel = 2; weights = 0.5 nA; "
                   "} }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(h.text(), "");
  ASSERT_TRUE(n->connections);
  ASSERT_EQ(n->connections->lists.size(), 1u);
  const ConnectionList &l = list(*n, 0);
  // Output 2x2; post (oy, ox) reads the 2x2 window at (oy, ox).
  EXPECT_EQ(vec(l.post),
            (U32s{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));
  EXPECT_EQ(vec(l.pre), (U32s{0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8}));
  EXPECT_EQ(elements(l),
            (U32s{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(l.weightIndex.size(), 16u);
  EXPECT_EQ(l.weights, (std::vector<float>(4, 0.5f)));
  EXPECT_TRUE(l.delays.empty());
  EXPECT_EQ(l.bytes(), 16u * 12 + 4 * 4);
  EXPECT_EQ(n->connections->synapses(), 16u);
}

TEST(ExpandConnectionsTest, NonSquareStrideAndPadding) {
  // 5x4 input, 3x2 kernel, stride 2, padding 1: output 3x3. Rows: oy 0
  // taps ky 1..2 (iy 0..1), oy 1 ky 0..2 (iy 1..3), oy 2 ky 0..1 (iy 3..4).
  // Columns: ox 0 tap kx 1 (ix 0), ox 1 kx 0..1 (ix 1..2), ox 2 kx 0 (ix 3).
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(
      h, "network n { input i { shape = 5 x 4 x 1; }\n"
         "  conv c(i) { filters = 1; kernel = 3 x 2; stride = 2; padding = 1; "
         "weights = 1 nA; } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(n->populations[1].shape, (Shape{3, 3, 1}));
  const ConnectionList &l = list(*n, 0);
  EXPECT_EQ(vec(l.post), (U32s{0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4,
                               4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7, 7, 8, 8}));
  EXPECT_EQ(vec(l.pre),
            (U32s{0,  4,  1,  2, 5,  6,  3,  7,  4,  8,  12, 5,  6,  9,
                  10, 13, 14, 7, 11, 15, 12, 16, 13, 14, 17, 18, 15, 19}));
  // Element ky*2 + kx.
  EXPECT_EQ(elements(l), (U32s{3, 5, 2, 3, 4, 5, 2, 4, 1, 3, 5, 0, 1, 2,
                               3, 4, 5, 0, 2, 4, 1, 3, 0, 1, 2, 3, 0, 2}));
  EXPECT_EQ(l.weights.size(), 6u);
  // validTaps: (2 + 3 + 2) x (1 + 2 + 1).
  EXPECT_EQ(l.size(), 28u);
  EXPECT_EQ(l.size(), countSynapses(*n, n->projections[0]));
}

TEST(ExpandConnectionsTest, StandardVersusPerMap) {
  // 2x2x2 input, 2 filters 2x1: output 1x2 per map. Input index
  // c*4 + y*2 + x.
  const char *fmt = "network n { input i { shape = 2 x 2 x 2; }\n"
                    "  conv c(i) { filters = 2; kernel = 2 x 1; mode = %s; "
                    "weights = 1 nA; } }";
  char src[256];
  {
    snprintf(src, sizeof src, fmt, "standard");
    DiagHarness h;
    llvm::Optional<Network> n = expandScn(h, src);
    ASSERT_TRUE(n.hasValue()) << h.text();
    EXPECT_EQ(n->populations[1].shape, (Shape{1, 2, 2}));
    const ConnectionList &l = list(*n, 0);
    // Output f reads both channels; element ((f*2 + c)*2 + ky).
    EXPECT_EQ(vec(l.post),
              (U32s{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));
    EXPECT_EQ(vec(l.pre),
              (U32s{0, 2, 4, 6, 1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7}));
    EXPECT_EQ(elements(l),
              (U32s{0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7}));
    EXPECT_EQ(l.weights.size(), 8u);
  }
  {
    snprintf(src, sizeof src, fmt, "per_map");
    DiagHarness h;
    llvm::Optional<Network> n = expandScn(h, src);
    ASSERT_TRUE(n.hasValue()) << h.text();
    EXPECT_EQ(n->populations[1].shape, (Shape{1, 2, 4}));
    const ConnectionList &l = list(*n, 0);
    // Output map f*2 + c reads channel c only; element f*2 + ky.
    EXPECT_EQ(vec(l.post),
              (U32s{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7}));
    EXPECT_EQ(vec(l.pre),
              (U32s{0, 2, 1, 3, 4, 6, 5, 7, 0, 2, 1, 3, 4, 6, 5, 7}));
    EXPECT_EQ(elements(l),
              (U32s{0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3}));
    EXPECT_EQ(l.weights.size(), 4u);
  }
}

TEST(ExpandConnectionsTest, Pool2x2) {
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "network n { input i { shape = 4 x 4 x 2; }\n"
                   "  pool p(i) { kernel = 2; op = average; weight = 1 nA; } "
                   "}");
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(n->populations[1].shape, (Shape{2, 2, 2}));
  const ConnectionList &l = list(*n, 0);
  U32s post, pre, elem;
  // post c*4 + oy*2 + ox reads c*16 + (2*oy + ky)*4 + 2*ox + kx.
  for (uint32_t c = 0; c < 2; ++c)
    for (uint32_t oy = 0; oy < 2; ++oy)
      for (uint32_t ox = 0; ox < 2; ++ox)
        for (uint32_t ky = 0; ky < 2; ++ky)
          for (uint32_t kx = 0; kx < 2; ++kx) {
            post.push_back(c * 4 + oy * 2 + ox);
            pre.push_back(c * 16 + (2 * oy + ky) * 4 + 2 * ox + kx);
            elem.push_back(ky * 2 + kx);
          }
  EXPECT_EQ(vec(l.post), post);
  EXPECT_EQ(vec(l.pre), pre);
  EXPECT_EQ(elements(l), elem);
  EXPECT_EQ(vec(l.pre).front(), 0u);
  EXPECT_EQ(U32s(l.pre.begin(), l.pre.begin() + 8),
            (U32s{0, 1, 4, 5, 2, 3, 6, 7}));
  // Average: 1 nA over 4 taps, one table entry per kernel element.
  EXPECT_EQ(l.weights, (std::vector<float>(4, 0.25f)));
}

TEST(ExpandConnectionsTest, Dense2To3) {
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "network n { input i { shape = 1 x 2 x 1; }\n"
                   "  dense d(i) { units = 3; weights = 2 nA; } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  const ConnectionList &l = list(*n, 0);
  EXPECT_EQ(vec(l.post), (U32s{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(vec(l.pre), (U32s{0, 1, 0, 1, 0, 1}));
  // One weight per synapse, no index array.
  EXPECT_TRUE(l.weightIndex.empty());
  EXPECT_EQ(elements(l), (U32s{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(l.weights, (std::vector<float>(6, 2.0f)));
  EXPECT_EQ(l.bytes(), 6u * 12);
}

/// Kernels as a CSV file in a directory of its own, removed with it; by
/// default one 2 x 2 kernel, 0.2, 1, 0, 0.5 nA.
struct KernelCsv {
  llvm::SmallString<128> dir;
  std::string path;
  explicit KernelCsv(llvm::StringRef name,
                     llvm::StringRef rows = "0.2,1,0,0.5\n") {
    if (llvm::sys::fs::createUniqueDirectory(name, dir))
      return;
    path = (dir + "/k.csv").str();
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << rows;
  }
  ~KernelCsv() {
    if (!dir.empty())
      llvm::sys::fs::remove_directories(dir);
  }
};

/// n has the layer's projection and a second one derived from it (kind),
/// named `name`, inhibitory, not learning, over the same synapses: pre,
/// post and kernel element, one for one.
void expectDerivedInhibition(const Network &n, llvm::StringRef name,
                             WeightInit::Kind kind) {
  ASSERT_EQ(n.projections.size(), 2u);
  const Projection &q = n.projections[1];
  EXPECT_EQ(q.name, name);
  EXPECT_EQ(q.receptor, Projection::Receptor::Inhibitory);
  EXPECT_TRUE(q.stdp.empty());
  EXPECT_EQ(q.weights.kind, kind);
  EXPECT_EQ(q.weights.of, n.projections[0].name);
  ASSERT_EQ(n.connections->lists.size(), 2u);
  EXPECT_EQ(vec(list(n, 1).pre), vec(list(n, 0).pre));
  EXPECT_EQ(vec(list(n, 1).post), vec(list(n, 0).post));
  EXPECT_EQ(elements(list(n, 1)), elements(list(n, 0)));
}

TEST(ExpandConnectionsTest, InhibitUnmatchedIsTheKernelsComplement) {
  // A 2 x 2 kernel with weights 0.2, 1, 0, 0.5 nA (a CSV file, clipped to
  // the rule's [0, 0.8]: 1 -> 0.8) and inhibit_unmatched = 0.5: a second,
  // inhibitory projection over the same synapses with 0.5 * (0.8 - w).
  KernelCsv k("complement");
  const std::string &csv = k.path;
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "stdp s { w_min = 0 nA; w_max = 0.8 nA; }\n"
                   "network n { input i { shape = 3 x 3 x 1; }\n"
                   "  conv c(i) { filters = 1; kernel = 2; stdp = s; "
                   "inhibit_unmatched = 0.5;\n"
                   "    weights = file(path = \"" +
                       csv + "\"); } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  expectDerivedInhibition(*n, "i.c.unmatched", WeightInit::Complement);
  ASSERT_EQ(n->connections->lists.size(), 2u);
  EXPECT_EQ(list(*n, 0).weights, (std::vector<float>{0.2f, 0.8f, 0.0f, 0.5f}));
  const std::vector<float> &c = list(*n, 1).weights;
  ASSERT_EQ(c.size(), 4u);
  EXPECT_FLOAT_EQ(c[0], 0.3f);
  EXPECT_FLOAT_EQ(c[1], 0.0f);
  EXPECT_FLOAT_EQ(c[2], 0.4f);
  EXPECT_FLOAT_EQ(c[3], 0.15f);
}

TEST(ExpandConnectionsTest, InhibitMeanIsTheKernelsMean) {
  // Two 2 x 2 kernels, 0.2, 1, 0, 0.5 and 0.6, 0.2, 0.4, 0.1 nA, and
  // inhibit_mean = 0.5: a second, inhibitory projection over the same
  // synapses whose table holds 0.5 x the mean of the two kernels, element
  // by element (0.4, 0.6, 0.2, 0.3 halved), for either filter.
  KernelCsv k("mean", "0.2,1,0,0.5\n0.6,0.2,0.4,0.1\n");
  const std::string &csv = k.path;
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "network n { input i { shape = 3 x 3 x 1; }\n"
                   "  conv c(i) { filters = 2; kernel = 2; "
                   "inhibit_mean = 0.5;\n"
                   "    weights = file(path = \"" +
                       csv + "\"); } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  expectDerivedInhibition(*n, "i.c.mean", WeightInit::Mean);
  ASSERT_EQ(n->connections->lists.size(), 2u);
  const std::vector<float> &m = list(*n, 1).weights;
  ASSERT_EQ(m.size(), 8u);
  const float expect[] = {0.2f, 0.3f, 0.1f, 0.15f};
  for (unsigned i = 0; i < 8; ++i)
    EXPECT_FLOAT_EQ(m[i], expect[i % 4]) << i;
}

TEST(ExpandConnectionsTest, SharesIsTheOtherLayersKernel) {
  // conv d shares conv c's 2 x 2 kernel (0.2, 1, 0, 0.5 nA, clipped to c's
  // rule's [0, 0.8]): its projection has c's weights, element for element,
  // over its own synapses (the same pre-synaptic neurons and elements, the
  // same post-synaptic indices in d).
  KernelCsv k("shared");
  const std::string &csv = k.path;
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(
      h, "stdp s { w_min = 0 nA; w_max = 0.8 nA; }\n"
         "network n { input i { shape = 3 x 3 x 1; }\n"
         "  conv c(i) { filters = 1; kernel = 2; stdp = s;\n"
         "    weights = file(path = \"" +
             csv +
             "\"); }\n"
             "  conv d(i) { filters = 1; kernel = 2; shares = c; } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  ASSERT_EQ(n->projections.size(), 2u);
  const Projection &q = n->projections[1];
  EXPECT_EQ(q.name, "i.d");
  EXPECT_EQ(q.weights.kind, WeightInit::Shared);
  EXPECT_EQ(q.weights.of, "i.c");
  EXPECT_TRUE(q.stdp.empty());
  ASSERT_EQ(n->connections->lists.size(), 2u);
  EXPECT_EQ(list(*n, 0).weights, (std::vector<float>{0.2f, 0.8f, 0.0f, 0.5f}));
  EXPECT_EQ(list(*n, 1).weights, list(*n, 0).weights);
  EXPECT_EQ(vec(list(*n, 1).pre), vec(list(*n, 0).pre));
  EXPECT_EQ(vec(list(*n, 1).post), vec(list(*n, 0).post));
  EXPECT_EQ(elements(list(*n, 1)), elements(list(*n, 0)));
}

const char *irPrelude =
    "network u {\n"
    "  simulation { timestep = 1 ms; presentation = 100 ms; input_window "
    "= 50 ms; neurons_per_core = 256; seed = 1; }\n"
    "  neuron d : IF_curr_exp { }\n"
    "  population in : input { layer = input; shape = 1 x 3 x 1; "
    "neurons_per_core = 256; encoding = rate(); }\n"
    "  population r : IF_curr_exp { layer = relay; shape = unknown; "
    "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
    "  projection in.r (in, r) : one_to_one {\n"
    "    weights = 3 nA; delay = 1 ms; receptor = excitatory; stdp = none; "
    "}\n";

TEST(ExpandConnectionsTest, OneToOneAndAllToAllWithoutSelf) {
  DiagHarness h;
  std::string ir = std::string(irPrelude) +
                   "  projection r.r (r, r) : all_to_all { allow_self = "
                   "false;\n"
                   "    weights = 1 nA; delay = 1 ms; receptor = inhibitory; "
                   "stdp = none; }\n"
                   "}\n";
  llvm::Optional<Network> n = expandIR(h, ir);
  ASSERT_TRUE(n.hasValue()) << h.text();
  EXPECT_EQ(h.text(), "");
  ASSERT_EQ(n->connections->lists.size(), 2u);
  const ConnectionList &one = list(*n, 0);
  EXPECT_EQ(vec(one.pre), (U32s{0, 1, 2}));
  EXPECT_EQ(vec(one.post), (U32s{0, 1, 2}));
  EXPECT_TRUE(one.weightIndex.empty());
  EXPECT_EQ(one.weights, (std::vector<float>(3, 3.0f)));
  const ConnectionList &all = list(*n, 1);
  EXPECT_EQ(vec(all.post), (U32s{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(vec(all.pre), (U32s{1, 2, 0, 2, 0, 1}));
  EXPECT_EQ(elements(all), (U32s{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(all.weights.size(), 6u);
  EXPECT_EQ(n->connections->synapses(), 9u);
}

TEST(ExpandConnectionsTest, AllToAllWithSelf) {
  DiagHarness h;
  std::string ir = std::string(irPrelude) +
                   "  projection r.r (r, r) : all_to_all { allow_self = true;\n"
                   "    weights = 1 nA; delay = 1 ms; receptor = inhibitory; "
                   "stdp = none; }\n"
                   "}\n";
  llvm::Optional<Network> n = expandIR(h, ir);
  ASSERT_TRUE(n.hasValue()) << h.text();
  const ConnectionList &all = list(*n, 1);
  EXPECT_EQ(vec(all.post), (U32s{0, 0, 0, 1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(vec(all.pre), (U32s{0, 1, 2, 0, 1, 2, 0, 1, 2}));
  ProjectionStats a = analyzeProjection(*n, n->projections[1]);
  ProjectionStats m = measureProjection(*n, n->projections[1], all);
  EXPECT_EQ(a.synapses, 9u);
  EXPECT_EQ(m.synapses, 9u);
  EXPECT_EQ(m.fanIn.min, 3u);
  EXPECT_EQ(a.fanIn.min, 3u);
  EXPECT_EQ(m.fanOut.max, a.fanOut.max);
}

TEST(ExpandConnectionsTest, AllToAllBetweenTwoPopulations) {
  // Different populations: allow_self does not matter.
  DiagHarness h;
  std::string ir =
      "network u {\n"
      "  simulation { timestep = 1 ms; presentation = 100 ms; input_window "
      "= 50 ms; neurons_per_core = 256; seed = 1; }\n"
      "  neuron d : IF_curr_exp { }\n"
      "  population in : input { layer = input; shape = 1 x 2 x 1; "
      "neurons_per_core = 256; encoding = rate(); }\n"
      "  population x : IF_curr_exp { layer = custom; shape = 1 x 1 x 2; "
      "neurons_per_core = 256; neuron = d; train_neuron = d; }\n"
      "  projection in.x (in, x) : all_to_all { allow_self = false;\n"
      "    weights = 1 nA; delay = 1 ms; receptor = excitatory; stdp = none; "
      "}\n"
      "}\n";
  llvm::Optional<Network> n = expandIR(h, ir);
  ASSERT_TRUE(n.hasValue()) << h.text();
  const ConnectionList &l = list(*n, 0);
  EXPECT_EQ(vec(l.post), (U32s{0, 0, 1, 1}));
  EXPECT_EQ(vec(l.pre), (U32s{0, 1, 0, 1}));
}

//===----------------------------------------------------------------------===//
// Property test: random windowed projections against brute force.
//===----------------------------------------------------------------------===//

struct Synapse {
  uint32_t post, pre, element;
  bool operator==(const Synapse &o) const {
    return post == o.post && pre == o.pre && element == o.element;
  }
};

void PrintTo(const Synapse &s, std::ostream *os) {
  *os << "(post " << s.post << ", pre " << s.pre << ", element " << s.element
      << ")";
}

enum class Mode { Standard, PerMap, Pool };

/// Every (post, pre) pair tested one by one: connected when the channel
/// relation of the mode holds and the offset of the input position from the
/// window origin is a kernel tap.
std::vector<Synapse> bruteForce(const Shape &in, const Shape &out,
                                const Projection &p, Mode mode) {
  std::vector<Synapse> v;
  uint64_t planeIn = uint64_t(in.h) * in.w, planeOut = uint64_t(out.h) * out.w;
  for (uint64_t q = 0; q < out.size(); ++q) {
    uint64_t m = q / planeOut, oy = q % planeOut / out.w, ox = q % out.w;
    for (uint64_t s = 0; s < in.size(); ++s) {
      uint64_t c = s / planeIn, iy = s % planeIn / in.w, ix = s % in.w;
      uint64_t f = 0;
      switch (mode) {
      case Mode::Standard:
        f = m;
        break;
      case Mode::PerMap:
        if (c != m % in.c)
          continue;
        f = m / in.c;
        break;
      case Mode::Pool:
        if (c != m)
          continue;
        break;
      }
      int64_t ky = int64_t(iy) - (int64_t(oy) * p.stride.h - p.padding.h);
      int64_t kx = int64_t(ix) - (int64_t(ox) * p.stride.w - p.padding.w);
      if (ky < 0 || ky >= p.kernel.h || kx < 0 || kx >= p.kernel.w)
        continue;
      uint64_t kernel = mode == Mode::Standard ? f * in.c + c : f;
      uint64_t e = (kernel * p.kernel.h + ky) * p.kernel.w + kx;
      v.push_back(Synapse{uint32_t(q), uint32_t(s), uint32_t(e)});
    }
  }
  return v;
}

/// A network of one input population and one projection onto a population
/// of the inferred shape; false when the shape collapses.
bool makeNetwork(const Shape &in, const Projection &proto, Network &n) {
  Shape out;
  std::string why;
  if (!computeOutputShape(in, proto, out, why))
    return false;
  n.name = "prop";
  n.neuronSets.emplace_back();
  n.neuronSets[0].name = "default";
  n.populations.resize(2);
  n.populations[0].name = "i";
  n.populations[0].kind = Population::Kind::Input;
  n.populations[0].shape = in;
  n.populations[1].name = "o";
  n.populations[1].neuron = n.populations[1].trainNeuron = "default";
  n.populations[1].shape = out;
  Projection p = proto;
  p.name = "i.o";
  p.pre = 0;
  p.post = 1;
  p.weights = WeightInit::constant(1);
  n.projections.push_back(p);
  return true;
}

TEST(ExpandConnectionsPropertyTest, WindowedMatchesBruteForce) {
  std::mt19937 rng(4242);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  unsigned checked = 0, collapsed = 0;
  uint64_t totalSynapses = 0;
  for (int iter = 0; checked < 500; ++iter) {
    ASSERT_LT(iter, 5000);
    Shape in{pick(1, 10), pick(1, 10), pick(1, 3)};
    Mode mode = Mode(iter % 3);
    Projection p;
    p.kind =
        mode == Mode::Pool ? Projection::Kind::Pool : Projection::Kind::Conv;
    p.mode = mode == Mode::PerMap ? Projection::ChannelMode::PerMap
                                  : Projection::ChannelMode::Standard;
    p.filters = mode == Mode::Pool ? 0 : pick(1, 3);
    p.kernel = Pair{pick(1, 5), pick(1, 5)};
    p.stride = Pair{pick(1, 4), pick(1, 4)};
    p.padding = Pair{pick(0, 2), pick(0, 2)};
    unsigned threads = pick(1, 4);
    SCOPED_TRACE(testing::Message()
                 << "iteration " << iter << ": in " << in.h << "x" << in.w
                 << "x" << in.c << ", mode " << int(mode) << ", filters "
                 << p.filters << ", kernel " << p.kernel.h << "x" << p.kernel.w
                 << ", stride " << p.stride.h << "x" << p.stride.w
                 << ", padding " << p.padding.h << "x" << p.padding.w
                 << ", threads " << threads);
    Network n;
    if (!makeNetwork(in, p, n)) {
      ++collapsed;
      continue;
    }
    ++checked;
    const Shape &out = n.populations[1].shape;
    DiagHarness h;
    PassOptions opts;
    opts.threads = threads;
    CompilationContext cc;
    PassContext ctx{h.diag, opts, cc};
    ASSERT_TRUE(runExpandConnections(n, ctx)) << h.text();
    EXPECT_EQ(h.text(), "");
    ASSERT_TRUE(n.connections);
    const ConnectionList &l = list(n, 0);
    const Projection &pr = n.projections[0];

    // Sizes: every synapse indexed, one weight per kernel element.
    ASSERT_EQ(l.pre.size(), l.size());
    ASSERT_EQ(l.post.size(), l.size());
    ASSERT_EQ(l.weightIndex.size(), l.size());
    EXPECT_TRUE(l.delays.empty());
    uint64_t table = uint64_t(p.kernel.h) * p.kernel.w *
                     (mode == Mode::Pool       ? 1
                      : mode == Mode::Standard ? p.filters * in.c
                                               : p.filters);
    EXPECT_EQ(l.weights.size(), table);

    // Geometry of every synapse, recomputed from its indices.
    uint64_t planeIn = uint64_t(in.h) * in.w,
             planeOut = uint64_t(out.h) * out.w;
    unsigned bad = 0;
    for (uint64_t i = 0; i < l.size() && bad < 5; ++i) {
      uint64_t q = l.post[i], s = l.pre[i], e = l.element(i);
      bool ok = q < out.size() && s < in.size() && e < table;
      uint64_t m = q / planeOut, oy = q % planeOut / out.w, ox = q % out.w;
      uint64_t c = s / planeIn, iy = s % planeIn / in.w, ix = s % in.w;
      uint64_t kx = e % p.kernel.w, ky = e / p.kernel.w % p.kernel.h;
      uint64_t kernel = e / (uint64_t(p.kernel.w) * p.kernel.h);
      ok &= int64_t(iy) == int64_t(oy * p.stride.h) - p.padding.h + int64_t(ky);
      ok &= int64_t(ix) == int64_t(ox * p.stride.w) - p.padding.w + int64_t(kx);
      switch (mode) {
      case Mode::Standard: // kernel = f*Cin + c, f = output map
        ok &= kernel / in.c == m && kernel % in.c == c;
        break;
      case Mode::PerMap: // output map f*Cin + c reads c with kernel f
        ok &= m == kernel * in.c + c;
        break;
      case Mode::Pool:
        ok &= m == c && kernel == 0;
        break;
      }
      if (!ok) {
        ++bad;
        ADD_FAILURE() << "synapse " << i << ": pre " << s << " (c " << c
                      << ", y " << iy << ", x " << ix << "), post " << q
                      << " (map " << m << ", y " << oy << ", x " << ox
                      << "), element " << e << " (kernel " << kernel << ", ky "
                      << ky << ", kx " << kx << ")";
      }
    }

    // Sorted by (post, pre), no duplicates.
    for (uint64_t i = 1; i < l.size(); ++i)
      if (std::make_pair(l.post[i - 1], l.pre[i - 1]) >=
          std::make_pair(l.post[i], l.pre[i])) {
        ADD_FAILURE() << "synapses " << i - 1 << " and " << i
                      << " out of order: (" << l.post[i - 1] << ", "
                      << l.pre[i - 1] << ") then (" << l.post[i] << ", "
                      << l.pre[i] << ")";
        break;
      }

    // Counts and fan-in/fan-out against the analytic figures.
    ProjectionStats a = analyzeProjection(n, pr);
    ProjectionStats ms = measureProjection(n, pr, l);
    EXPECT_TRUE(a.known);
    EXPECT_EQ(l.size(), countSynapses(n, pr));
    EXPECT_EQ(l.size(), a.synapses);
    EXPECT_EQ(ms.synapses, a.synapses);
    EXPECT_EQ(ms.fanIn.min, a.fanIn.min);
    EXPECT_EQ(ms.fanIn.max, a.fanIn.max);
    EXPECT_DOUBLE_EQ(ms.fanIn.mean, a.fanIn.mean);
    EXPECT_EQ(ms.fanOut.min, a.fanOut.min);
    EXPECT_EQ(ms.fanOut.max, a.fanOut.max);
    EXPECT_DOUBLE_EQ(ms.fanOut.mean, a.fanOut.mean);

    // Exactly the brute-force set, in the same order.
    std::vector<Synapse> got;
    got.reserve(l.size());
    for (uint64_t i = 0; i < l.size(); ++i)
      got.push_back(Synapse{l.post[i], l.pre[i], l.element(i)});
    std::vector<Synapse> want = bruteForce(in, out, pr, mode);
    ASSERT_EQ(got.size(), want.size());
    auto mismatch = std::mismatch(got.begin(), got.end(), want.begin());
    if (mismatch.first != got.end())
      ADD_FAILURE() << "first difference at synapse "
                    << (mismatch.first - got.begin()) << ": got "
                    << testing::PrintToString(*mismatch.first)
                    << ", brute force "
                    << testing::PrintToString(*mismatch.second);
    totalSynapses += l.size();
    if (HasFailure())
      return;
  }
  EXPECT_EQ(checked, 500u);
  EXPECT_GT(collapsed, 20u);
  EXPECT_GT(totalSynapses, 10000u);
}

//===----------------------------------------------------------------------===//
// Determinism and weights
//===----------------------------------------------------------------------===//

const char *midSize =
    "network mid {\n"
    "  input in { shape = 40 x 40 x 2; }\n"
    "  conv c(in) { filters = 8; kernel = 5; padding = 1;\n"
    "    weights = normal(mean = 0.3 nA, sigma = 0.1 nA, seed = %u); }\n"
    "  dense o(c) { units = 10;\n"
    "    weights = normal(mean = 0.01 nA, sigma = 0.005 nA); }\n"
    "}\n";

llvm::Optional<Network> expandMid(DiagHarness &h, unsigned seed,
                                  unsigned threads) {
  char src[512];
  snprintf(src, sizeof src, midSize, seed);
  PassOptions opts;
  opts.threads = threads;
  return expandScn(h, src, opts);
}

template <typename T>
bool sameBytes(const RawArray<T> &a, const RawArray<T> &b) {
  return a.size() == b.size() &&
         (a.empty() ||
          std::memcmp(a.begin(), b.begin(), a.size() * sizeof(T)) == 0);
}

bool sameBytes(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         (a.empty() ||
          std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

TEST(ExpandConnectionsTest, ThreadCountDoesNotChangeTheResult) {
  DiagHarness h1;
  llvm::Optional<Network> ref = expandMid(h1, 7, 1);
  ASSERT_TRUE(ref.hasValue()) << h1.text();
  EXPECT_EQ(ref->populations[1].shape, (Shape{38, 38, 8}));
  ASSERT_EQ(ref->connections->lists.size(), 2u);
  // 8 filters x 2 channels x (sum of row taps)^2: 4 + 5*36 + 4 = 188.
  EXPECT_EQ(list(*ref, 0).size(), 188u * 188 * 2 * 8);
  EXPECT_EQ(list(*ref, 1).size(), 38u * 38 * 8 * 10);
  for (unsigned threads : {2u, 3u, 7u}) {
    SCOPED_TRACE(testing::Message() << threads << " threads");
    DiagHarness h;
    llvm::Optional<Network> n = expandMid(h, 7, threads);
    ASSERT_TRUE(n.hasValue()) << h.text();
    for (unsigned i = 0; i < 2; ++i) {
      const ConnectionList &a = list(*ref, i), &b = list(*n, i);
      EXPECT_TRUE(sameBytes(a.pre, b.pre)) << "projection " << i;
      EXPECT_TRUE(sameBytes(a.post, b.post)) << "projection " << i;
      EXPECT_TRUE(sameBytes(a.weightIndex, b.weightIndex))
          << "projection " << i;
      EXPECT_TRUE(sameBytes(a.weights, b.weights)) << "projection " << i;
      EXPECT_TRUE(sameBytes(a.delays, b.delays)) << "projection " << i;
    }
  }
}

TEST(ExpandConnectionsTest, NormalWeightsFollowTheSeed) {
  DiagHarness h1, h2, h3;
  llvm::Optional<Network> a = expandMid(h1, 7, 1), b = expandMid(h2, 7, 2),
                          c = expandMid(h3, 8, 1);
  ASSERT_TRUE(a && b && c) << h1.text() << h2.text() << h3.text();
  EXPECT_TRUE(sameBytes(list(*a, 0).weights, list(*b, 0).weights));
  EXPECT_FALSE(sameBytes(list(*a, 0).weights, list(*c, 0).weights));
  // The dense layer's derived seed does not depend on the conv's.
  EXPECT_TRUE(sameBytes(list(*a, 1).weights, list(*c, 1).weights));
  // Element i of the conv table is draw i of the stream, clipped at 0 (no
  // STDP rule).
  const std::vector<float> &w = list(*a, 0).weights;
  ASSERT_EQ(w.size(), 8u * 2 * 5 * 5);
  NormalStream stream(7, 0.3, 0.1);
  for (size_t i = 0; i < w.size(); ++i)
    ASSERT_EQ(w[i], float(std::max(0.0, stream.at(i)))) << "element " << i;
}

TEST(ExpandConnectionsTest, NormalWeightsClippedToTheStdpBounds) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(
      h, "stdp s { w_min = 0.25 nA; w_max = 0.35 nA; }\n"
         "network n {\n"
         "  input i { shape = 12 x 12 x 1; }\n"
         "  conv c(i) { filters = 20; kernel = 5; stdp = s;\n"
         "    weights = normal(mean = 0.3 nA, sigma = 0.1 nA, seed = 3); }\n"
         "  dense d(c) { units = 4; weights = normal(mean = 0 nA, "
         "sigma = 1 nA, seed = 4); }\n"
         "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  // With the rule: inside [w_min, w_max], both bounds reached.
  const std::vector<float> &w = list(*n, 0).weights;
  ASSERT_EQ(w.size(), 20u * 25);
  float lo = float(0.25), hi = float(0.35);
  unsigned atLo = 0, atHi = 0, inside = 0;
  for (float v : w) {
    EXPECT_GE(v, lo);
    EXPECT_LE(v, hi);
    atLo += v == lo;
    atHi += v == hi;
    inside += v > lo && v < hi;
  }
  EXPECT_GT(atLo, 50u);
  EXPECT_GT(atHi, 50u);
  EXPECT_GT(inside, 100u);
  // Without a rule: clipped at 0 from below only.
  const std::vector<float> &d = list(*n, 1).weights;
  ASSERT_EQ(d.size(), 8u * 8 * 20 * 4);
  unsigned zero = 0, above1 = 0;
  for (float v : d) {
    EXPECT_GE(v, 0.0f);
    zero += v == 0;
    above1 += v > 1;
  }
  EXPECT_GT(zero, d.size() / 3);
  EXPECT_LT(zero, d.size() * 2 / 3);
  EXPECT_GT(above1, 0u);
}

//===----------------------------------------------------------------------===//
// --max-memory
//===----------------------------------------------------------------------===//

TEST(ExpandConnectionsTest, MaxMemory) {
  // What the lists hold with no limit.
  uint64_t need = 0;
  {
    DiagHarness h;
    llvm::Optional<Network> n = expandMid(h, 7, 1);
    ASSERT_TRUE(n.hasValue()) << h.text();
    for (const ConnectionList &l : n->connections->lists)
      need += l.bytes();
  }
  // Exactly enough: fine.
  {
    DiagHarness h;
    PassOptions opts;
    opts.maxMemory = need;
    char src[512];
    snprintf(src, sizeof src, midSize, 7u);
    llvm::Optional<Network> n = expandScn(h, src, opts);
    ASSERT_TRUE(n.hasValue()) << h.text();
    EXPECT_TRUE(n->connections);
  }
  // One byte less: an error, and no connections.
  for (uint64_t limit : {need - 1, uint64_t(1000)}) {
    SCOPED_TRACE(testing::Message() << "limit " << limit);
    DiagHarness h;
    char src[512];
    snprintf(src, sizeof src, midSize, 7u);
    llvm::Optional<Network> n = parseNetwork(h.add(src), h.diag);
    ASSERT_TRUE(n.hasValue()) << h.text();
    PassOptions opts;
    opts.maxMemory = limit;
    PassManager pm(h.diag, opts);
    pm.add("infer-shapes");
    pm.add("expand-connections");
    EXPECT_FALSE(pm.run(*n));
    EXPECT_FALSE(n->connections);
    EXPECT_EQ(h.diag.getNumErrors(), 1u) << h.text();
    EXPECT_NE(h.text().find("max-memory"), std::string::npos) << h.text();
  }
}

} // namespace
