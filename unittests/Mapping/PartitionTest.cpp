//===- PartitionTest.cpp - Populations into core-sized slices -------------===//
#include "scnc/Mapping/Partition.h"
#include "PipelineHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/IRReader.h"
#include "scnc/Mapping/MappingState.h"
#include "scnc/Mapping/Resources.h"
#include "scnc/Mapping/SliceGraph.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>

using namespace scnc;
using scnc::test::DiagHarness;
using scnc::test::expandIR;
using scnc::test::expandScn;

namespace {

using U32s = std::vector<uint32_t>;

/// An example from examples/, compiled and expanded.
llvm::Optional<Network> expandExample(DiagHarness &h, llvm::StringRef name) {
  llvm::SmallString<256> path(SCNC_SOURCE_DIR);
  llvm::sys::path::append(path, "examples", name);
  unsigned buf = loadSourceFile(path, h.diag);
  if (!buf)
    return llvm::None;
  PassOptions opts;
  opts.threads = 2;
  return expand(h, parseNetwork(buf, h.diag), opts);
}

Partition run(const Network &n, PartitionerKind kind, uint64_t seed = 1,
              unsigned threads = 1) {
  PartitionConfig cfg;
  cfg.kind = kind;
  cfg.seed = seed;
  cfg.threads = threads;
  llvm::Expected<Partition> p = partitionNetwork(n, cfg);
  if (!p) {
    ADD_FAILURE() << llvm::toString(p.takeError());
    return Partition();
  }
  return std::move(*p);
}

std::string printed(const Network &n, const Partition &p) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printPartition(n, p, os);
  return os.str();
}

/// Builds the per-neuron tables of a hand-made partition.
void fillTables(const Network &n, Partition &p) {
  p.sliceOf.assign(n.populations.size(), {});
  p.localIndex.assign(n.populations.size(), {});
  p.limits.clear();
  for (unsigned q = 0; q < n.populations.size(); ++q) {
    p.sliceOf[q].assign(n.populations[q].shape.size(), UINT32_MAX);
    p.localIndex[q].assign(n.populations[q].shape.size(), UINT32_MAX);
    p.limits.push_back(effectiveNeuronLimit(n, q));
  }
  for (uint32_t s = 0; s < p.slices.size(); ++s)
    for (uint32_t i = 0; i < p.slices[s].neurons.size(); ++i) {
      p.sliceOf[p.slices[s].population][p.slices[s].neurons[i]] = s;
      p.localIndex[p.slices[s].population][p.slices[s].neurons[i]] = i;
    }
}

// 4x4 input -> 2x2 convolution (1 filter, stride 1) -> 3x3 output, four
// neurons per core. Output neuron (oy, ox) = oy*3 + ox reads input
// (oy..oy+1, ox..ox+1): 9 x 4 = 36 synapses.
const char *const kTiny = "simulation { neurons_per_core = 4; }\n"
                          "network tiny { input i { shape = 4 x 4 x 1; }\n"
                          "  conv c(i) { filters = 1; kernel = 2; "
                          "weights = 0.5 nA; } }";

//===----------------------------------------------------------------------===//
// The slices baseline and exact statistics
//===----------------------------------------------------------------------===//

TEST(PartitionTest, SlicesBaselineExact) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(h, kTiny);
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p = run(*n, PartitionerKind::Slices);
  ASSERT_EQ(p.slices.size(), 7u);
  std::vector<std::pair<unsigned, U32s>> expected = {{0, {0, 1, 2, 3}},
                                                     {0, {4, 5, 6, 7}},
                                                     {0, {8, 9, 10, 11}},
                                                     {0, {12, 13, 14, 15}},
                                                     {1, {0, 1, 2, 3}},
                                                     {1, {4, 5, 6, 7}},
                                                     {1, {8}}};
  for (size_t s = 0; s < expected.size(); ++s) {
    EXPECT_EQ(p.slices[s].population, expected[s].first) << s;
    EXPECT_EQ(p.slices[s].neurons, expected[s].second) << s;
  }
  EXPECT_EQ(p.sliceOf[1], (U32s{4, 4, 4, 4, 5, 5, 5, 5, 6}));
  EXPECT_EQ(p.localIndex[1], (U32s{0, 1, 2, 3, 0, 1, 2, 3, 0}));
  EXPECT_EQ(p.limits, (U32s{4, 4}));
  EXPECT_TRUE(verifyPartition(*n, p).empty());

  // Output slices A = {0..3}, B = {4..7}, C = {8}. Input (y, x) reaches the
  // outputs (y-1..y, x-1..x); the cores holding them, per input row:
  //   y=0: A A A A                     -> 1+1+1+1 = 4
  //   y=1: A, AB, AB, AB               -> 1+2+2+2 = 7
  //   y=2: AB, AB, BC, BC              -> 2+2+2+2 = 8
  //   y=3: B, B, BC, C                 -> 1+1+2+1 = 5
  // Every synapse crosses populations, so every one is cut.
  PartitionStats s = partitionStats(*n, p);
  EXPECT_EQ(s.cores, 7u);
  EXPECT_EQ(s.minNeurons, 1u);
  EXPECT_EQ(s.maxNeurons, 4u);
  EXPECT_DOUBLE_EQ(s.meanNeurons, 25.0 / 7.0);
  EXPECT_EQ(s.commVolume, 24u);
  EXPECT_EQ(s.edgeCut, 36u);
}

TEST(PartitionTest, HandMadePartitionStats) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(h, kTiny);
  ASSERT_TRUE(n.hasValue()) << h.text();
  // Input in rows of four; the output in a 2x2 tile T = {0,1,3,4}, the rest
  // of the right column R = {2,5}, of the bottom row B = {6,7}, and C = {8}.
  Partition p;
  p.slices = {{0, {0, 1, 2, 3}},     {0, {4, 5, 6, 7}}, {0, {8, 9, 10, 11}},
              {0, {12, 13, 14, 15}}, {1, {0, 1, 3, 4}}, {1, {2, 5}},
              {1, {6, 7}},           {1, {8}}};
  fillTables(*n, p);
  ASSERT_TRUE(verifyPartition(*n, p).empty());
  // Per input row, the cores reached:
  //   y=0: T, T, TR, R          -> 5
  //   y=1: T, T, TR, R          -> 5
  //   y=2: TB, TB, TRBC, RC     -> 10
  //   y=3: B, B, BC, C          -> 5
  PartitionStats s = partitionStats(*n, p, 2);
  EXPECT_EQ(s.cores, 8u);
  EXPECT_EQ(s.commVolume, 25u);
  EXPECT_EQ(s.edgeCut, 36u);
  // T has 4 neurons x 4 synapses from 9 distinct inputs (rows 0-2, cols
  // 0-2): 16 synaptic words and 9 row headers of 2 words.
  EXPECT_EQ(s.resources[4].synapses, 16u);
  EXPECT_EQ(s.resources[4].rows, 9u);
  EXPECT_EQ(s.resources[4].sdramBytes, 16u * 4 + 9u * 8);
  // DTCM (runtime/kernel/Resources.h): the neuron program's 3488, the
  // tables' and row buffers' 2048 and the arrays: 4 neuron states of 16 bytes,
  // 2 x 2 x 4 ring slots of 2 bytes, 8-byte aligned quiet flags, keys, bitmap
  // and voltages.
  EXPECT_EQ(s.resources[4].dtcmBytes, 3488u + 2048 + 64 + 32 + 8 + 16 + 8 + 16);
  // Sources: the source program's 2160, next spike and key per neuron, the
  // bitmap.
  EXPECT_EQ(s.resources[0].dtcmBytes, 2160u + 16 + 16 + 8);
  EXPECT_EQ(s.resources[0].sdramBytes, 0u);
}

// Population b (3 neurons, 2 per core) is fed one-to-one by a and projects
// onto itself twice: all-to-all without and with self connections.
const char *const kSelf = R"(network self {
  simulation { timestep = 1 ms; presentation = 100 ms; input_window = 50 ms; neurons_per_core = 256; seed = 1; }
  neuron lif : IF_curr_exp {
    tau_m = 20 ms; cm = 1 nF; v_rest = -65 mV; v_reset = -65 mV; v_thresh = -50 mV;
    tau_refrac = 0.1 ms; tau_syn_E = 5 ms; tau_syn_I = 5 ms; i_offset = 0 nA; v_init = -65 mV;
  }
  population a : input {
    layer = input; shape = 1 x 1 x 3; neurons_per_core = 256;
    encoding = rate(threshold = 80, factor = 10, max_spikes = 10);
  }
  population b : IF_curr_exp {
    layer = one_to_one; shape = 1 x 1 x 3; neurons_per_core = 2;
    neuron = lif; train_neuron = lif;
  }
  projection a.b (a, b) : one_to_one {
    weights = constant(value = 0.5 nA);
    delay = 1 ms; receptor = excitatory; stdp = none;
  }
  projection b.b (b, b) : all_to_all {
    allow_self = false; weights = constant(value = 2 nA);
    delay = 1 ms; receptor = inhibitory; stdp = none;
  }
  projection b.self (b, b) : all_to_all {
    allow_self = true; weights = constant(value = 1 nA);
    delay = 1 ms; receptor = inhibitory; stdp = none;
  }
})";

TEST(PartitionTest, SelfProjectionsCountRemoteCoresOnce) {
  DiagHarness h;
  llvm::Optional<Network> n = expandIR(h, kSelf);
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p = run(*n, PartitionerKind::Slices);
  ASSERT_EQ(p.slices.size(), 3u);
  EXPECT_EQ(p.slices[1].neurons, (U32s{0, 1}));
  EXPECT_EQ(p.slices[2].neurons, (U32s{2}));
  PartitionStats s = partitionStats(*n, p);
  // a: each neuron reaches one core of b (3). b: every neuron reaches all
  // of b through b.b and b.self, on both cores, one of them its own: 1
  // remote core each (3), counted once although two projections lead there.
  EXPECT_EQ(s.commVolume, 6u);
  // a.b 3; b.b and b.self each cut the pairs between {0,1} and {2}: 4 + 4.
  EXPECT_EQ(s.edgeCut, 11u);
  EXPECT_DOUBLE_EQ(s.meanNeurons, 2.0);
  // Slice {0,1}: a.b 2 rows / 2 synapses, b.b 3 / 4, b.self 3 / 6.
  EXPECT_EQ(s.resources[1].rows, 8u);
  EXPECT_EQ(s.resources[1].synapses, 12u);
  EXPECT_EQ(s.resources[1].sdramBytes, 12u * 4 + 8 * 8);
  // Slice {2}: 1 / 1, 2 / 2, 3 / 3.
  EXPECT_EQ(s.resources[2].rows, 6u);
  EXPECT_EQ(s.resources[2].sdramBytes, 6u * 4 + 6 * 8);
  EXPECT_EQ(s.maxSDRAMBytes, 112u);
  EXPECT_EQ(s.maxDTCMBytes, 3488u + 2048 + 32 + 16 + 8 + 8 + 8 + 8);
}

TEST(PartitionTest, PrintCompressesRanges) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(h, kTiny);
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p;
  p.slices = {{0, {0, 1, 2, 3, 8, 9}},
              {0, {4, 5, 6, 7}},
              {0, {10, 11, 13, 14}},
              {0, {12, 15}},
              {1, {0, 1, 2, 3}},
              {1, {4, 5, 6, 7}},
              {1, {8}}};
  fillTables(*n, p);
  EXPECT_EQ(printed(*n, p), "partition: 2 populations, 7 slices\n"
                            "population i: 16 neurons, at most 4 per core, "
                            "4 slices\n"
                            "  slice 0: 6 neurons: 0-3,8-9\n"
                            "  slice 1: 4 neurons: 4-7\n"
                            "  slice 2: 4 neurons: 10-11,13-14\n"
                            "  slice 3: 2 neurons: 12,15\n"
                            "population c: 9 neurons, at most 4 per core, "
                            "3 slices\n"
                            "  slice 4: 4 neurons: 0-3\n"
                            "  slice 5: 4 neurons: 4-7\n"
                            "  slice 6: 1 neurons: 8\n");
}

TEST(PartitionTest, VerifierFindsProblems) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(h, kTiny);
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p;
  p.slices = {{0, {0, 1, 2, 3, 4}}, {0, {4, 5, 6, 7}}, {0, {8, 9, 10, 11}},
              {1, {0, 1, 2, 3}},    {1, {4, 5, 6, 7}}, {1, {8}}};
  fillTables(*n, p);
  std::vector<std::string> problems = verifyPartition(*n, p);
  auto has = [&](llvm::StringRef text) {
    for (const std::string &s : problems)
      if (llvm::StringRef(s).contains(text))
        return true;
    return false;
  };
  EXPECT_TRUE(has("slice 0 (i) holds 5 neurons, over the limit of 4"));
  EXPECT_TRUE(has("i neuron 4 is in more than one slice"));
  EXPECT_TRUE(has("population 'i': 4 neurons in no slice"));
}

//===----------------------------------------------------------------------===//
// The graph partitioner: METIS wrapper and repair
//===----------------------------------------------------------------------===//

/// A path 0 - 1 - ... - (n-1) with unit vertex and edge weights.
PartitionGraph pathGraph(uint32_t n) {
  PartitionGraph g;
  g.weights.assign(n, 1);
  g.offsets.push_back(0);
  for (uint32_t v = 0; v < n; ++v) {
    if (v > 0)
      g.adjacency.push_back(v - 1), g.edgeWeights.push_back(1);
    if (v + 1 < n)
      g.adjacency.push_back(v + 1), g.edgeWeights.push_back(1);
    g.offsets.push_back(g.adjacency.size());
  }
  return g;
}

/// A w x h grid with 4-neighbour edges.
PartitionGraph gridGraph(uint32_t w, uint32_t h, uint32_t weight) {
  PartitionGraph g;
  g.weights.assign(w * h, weight);
  g.offsets.push_back(0);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      auto add = [&](uint32_t u) {
        g.adjacency.push_back(u);
        g.edgeWeights.push_back(1);
      };
      if (y > 0)
        add((y - 1) * w + x);
      if (x > 0)
        add(y * w + x - 1);
      if (x + 1 < w)
        add(y * w + x + 1);
      if (y + 1 < h)
        add((y + 1) * w + x);
      g.offsets.push_back(g.adjacency.size());
    }
  return g;
}

std::vector<uint64_t> loads(const PartitionGraph &g, const U32s &part) {
  std::vector<uint64_t> l;
  for (uint32_t v = 0; v < part.size(); ++v) {
    if (part[v] >= l.size())
      l.resize(part[v] + 1, 0);
    l[part[v]] += g.weights[v];
  }
  return l;
}

TEST(PartitionTest, MetisEdgeCases) {
  PartitionGraph empty;
  llvm::Expected<U32s> e = metisPartition(empty, 4, 10, 1, MetisObjective::Cut);
  ASSERT_TRUE(bool(e));
  EXPECT_TRUE(e->empty());
  // An empty population: nothing to do, no parts.
  llvm::Expected<U32s> eg = partitionGraph(empty, 4, 1, MetisObjective::Cut);
  ASSERT_TRUE(bool(eg));
  EXPECT_TRUE(eg->empty());

  PartitionGraph g = pathGraph(5);
  // One part: METIS 5.1 would divide by zero.
  llvm::Expected<U32s> one = metisPartition(g, 1, 5, 1, MetisObjective::Cut);
  ASSERT_TRUE(bool(one));
  EXPECT_EQ(*one, (U32s{0, 0, 0, 0, 0}));
  // More parts than vertices: METIS 5.1 returns nonsense; one each.
  for (uint32_t k : {5u, 9u}) {
    llvm::Expected<U32s> many =
        metisPartition(g, k, 1, 1, MetisObjective::Volume);
    ASSERT_TRUE(bool(many));
    EXPECT_EQ(*many, (U32s{0, 1, 2, 3, 4}));
  }
  llvm::Expected<U32s> zero = metisPartition(g, 0, 5, 1, MetisObjective::Cut);
  EXPECT_FALSE(bool(zero));
  llvm::consumeError(zero.takeError());
  // No edges: packed in order.
  PartitionGraph loose;
  loose.weights = {2, 2, 2, 2, 2};
  loose.offsets.assign(6, 0);
  llvm::Expected<U32s> packed =
      metisPartition(loose, 3, 4, 1, MetisObjective::Cut);
  ASSERT_TRUE(bool(packed));
  EXPECT_EQ(*packed, (U32s{0, 0, 1, 1, 2}));
  // A real call splits a path into contiguous halves.
  PartitionGraph path = pathGraph(8);
  for (MetisObjective obj : {MetisObjective::Cut, MetisObjective::Volume}) {
    llvm::Expected<U32s> two = partitionGraph(path, 4, 1, obj);
    ASSERT_TRUE(bool(two));
    EXPECT_EQ(*two, (U32s{0, 0, 0, 0, 1, 1, 1, 1}));
  }
}

TEST(PartitionTest, BinsNeeded) {
  EXPECT_EQ(binsNeeded({}, 4), 0u);
  EXPECT_EQ(binsNeeded({1, 1, 1, 1, 1}, 4), 2u);
  // Columns of 30 into 256: 8 per core.
  EXPECT_EQ(binsNeeded(U32s(576, 30), 256), 72u);
  // 100-neuron columns: 2 per core; 50-neuron groups: 5 per core.
  EXPECT_EQ(binsNeeded(U32s(64, 100), 256), 32u);
  EXPECT_EQ(binsNeeded(U32s(128, 50), 256), 26u);
  // Mixed: {3, 3, 2, 2} into 5: 3+2, 3+2.
  EXPECT_EQ(binsNeeded({3, 2, 3, 2}, 5), 2u);
}

TEST(PartitionTest, RepairMovesAlongAChain) {
  // Path 0-1-2-3-4-5 with parts {0,1,2,3} {4} {5} and a limit of 2: part 0
  // gives 3 to part 1 (its only neighbour with room), then 4 moves on to
  // part 2 so that 2 can follow into part 1.
  PartitionGraph g = pathGraph(6);
  U32s part = {0, 0, 0, 0, 1, 2};
  llvm::Expected<uint64_t> moves = repairPartition(g, 2, part);
  ASSERT_TRUE(bool(moves));
  EXPECT_EQ(*moves, 3u);
  EXPECT_EQ(part, (U32s{0, 0, 1, 1, 2, 2}));
}

TEST(PartitionTest, RepairOpensNewPartsWhenFull) {
  PartitionGraph g = pathGraph(3);
  U32s part = {0, 0, 0};
  llvm::Expected<uint64_t> moves = repairPartition(g, 1, part);
  ASSERT_TRUE(bool(moves));
  EXPECT_EQ(*moves, 2u);
  EXPECT_EQ(part, (U32s{1, 2, 0}));
}

TEST(PartitionTest, RepairFailsOnlyForHeavyVertices) {
  PartitionGraph g = pathGraph(3);
  g.weights[1] = 5;
  U32s part = {0, 0, 1};
  llvm::Expected<uint64_t> moves = repairPartition(g, 4, part);
  ASSERT_FALSE(bool(moves));
  EXPECT_EQ(llvm::toString(moves.takeError()),
            "vertex 1 holds 5 neurons, more than the limit of 4 per core");
  llvm::Expected<U32s> p = partitionGraph(g, 4, 1, MetisObjective::Cut);
  ASSERT_FALSE(bool(p));
  llvm::consumeError(p.takeError());
}

TEST(PartitionTest, RepairFixesAForcedOverLimitPart) {
  // A 6x6 grid of 4-neuron vertices, 16 neurons per core (4 vertices): put
  // the first 8 vertices in one part (32 neurons) and the rest in parts of
  // 4 (one of them a part of 0 is missing): repair must bring every part
  // to at most 16 by moving boundary vertices.
  PartitionGraph g = gridGraph(6, 6, 4);
  U32s part(36);
  for (uint32_t v = 0; v < 36; ++v)
    part[v] = v < 8 ? 0 : 1 + (v - 8) / 4; // parts 1..7
  part[35] = 8;                            // part 8 holds one vertex
  ASSERT_EQ(loads(g, part)[0], 32u);
  llvm::Expected<uint64_t> moves = repairPartition(g, 16, part);
  ASSERT_TRUE(bool(moves));
  EXPECT_GE(*moves, 4u);
  for (uint64_t l : loads(g, part))
    EXPECT_LE(l, 16u);
  // 144 neurons in 9 parts of at most 16: every part is full.
  EXPECT_EQ(loads(g, part).size(), 9u);
}

TEST(PartitionTest, PartitionGraphRespectsTheLimit) {
  // 64 vertices of 64 neurons, 256 per core: 16 full parts; METIS alone
  // leaves some parts at 5 vertices, the repair fixes them.
  PartitionGraph g = gridGraph(8, 8, 64);
  for (uint64_t seed : {1, 2, 3}) {
    uint64_t moves = 0;
    llvm::Expected<U32s> p =
        partitionGraph(g, 256, seed, MetisObjective::Cut, &moves);
    ASSERT_TRUE(bool(p));
    std::vector<uint64_t> l = loads(g, *p);
    EXPECT_EQ(l.size(), 16u);
    for (uint64_t x : l)
      EXPECT_EQ(x, 256u);
    // Parts are numbered in order of their first vertex.
    EXPECT_EQ((*p)[0], 0u);
  }
}

//===----------------------------------------------------------------------===//
// Networks
//===----------------------------------------------------------------------===//

TEST(PartitionTest, MetisOnTinyNetwork) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(h, kTiny);
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p = run(*n, PartitionerKind::Metis);
  EXPECT_TRUE(verifyPartition(*n, p).empty());
  // 9 output neurons, 4 per core: 3 cores.
  unsigned outputSlices = 0;
  for (const Slice &s : p.slices)
    outputSlices += s.population == 1;
  EXPECT_EQ(outputSlices, 3u);
  PartitionStats s = partitionStats(*n, p);
  Partition base = run(*n, PartitionerKind::Slices);
  EXPECT_LE(s.commVolume, partitionStats(*n, base).commVolume);
}

TEST(PartitionTest, DeterministicForASeed) {
  DiagHarness h;
  llvm::Optional<Network> n = expandExample(h, "mnist.scn");
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition a = run(*n, PartitionerKind::Metis, 5, 1);
  for (unsigned threads : {1u, 2u, 4u}) {
    Partition b = run(*n, PartitionerKind::Metis, 5, threads);
    ASSERT_EQ(a.slices.size(), b.slices.size()) << threads;
    for (size_t s = 0; s < a.slices.size(); ++s) {
      EXPECT_EQ(a.slices[s].population, b.slices[s].population);
      EXPECT_EQ(a.slices[s].neurons, b.slices[s].neurons) << s;
    }
    EXPECT_EQ(a.sliceOf, b.sliceOf);
    EXPECT_EQ(a.localIndex, b.localIndex);
  }
  PartitionStats s1 = partitionStats(*n, a, 1), s2 = partitionStats(*n, a, 3);
  EXPECT_EQ(s1.commVolume, s2.commVolume);
  EXPECT_EQ(s1.edgeCut, s2.edgeCut);
}

TEST(PartitionTest, EveryExampleCoveredWithinLimits) {
  for (const char *name :
       {"original.scn", "original-3layer.scn", "mnist.scn", "dvs-large.scn"}) {
    DiagHarness h;
    llvm::Optional<Network> n = expandExample(h, name);
    ASSERT_TRUE(n.hasValue()) << name << ": " << h.text();
    uint64_t volume[4];
    for (PartitionerKind kind :
         {PartitionerKind::Slices, PartitionerKind::Metis,
          PartitionerKind::Tiles, PartitionerKind::Best}) {
      Partition p = run(*n, kind, n->sim.seed, 2);
      std::vector<std::string> problems = verifyPartition(*n, p);
      EXPECT_TRUE(problems.empty())
          << name << ": " << (problems.empty() ? "" : problems[0]);
      for (const Slice &s : p.slices)
        EXPECT_LE(s.neurons.size(),
                  n->neuronsPerCore(n->populations[s.population]));
      PartitionStats st = partitionStats(*n, p, 2);
      EXPECT_LE(st.maxDTCMBytes, resources::kDTCMBytes);
      volume[unsigned(kind)] = st.commVolume;
    }
    // The objective of the whole exercise (docs/mapping.md).
    EXPECT_LE(double(volume[unsigned(PartitionerKind::Metis)]),
              0.6 * double(volume[unsigned(PartitionerKind::Slices)]))
        << name;
    // Best never moves more packets than the best box tiling, and meets
    // the same objective (it runs METIS only where a box might lose by
    // half, so it may move a few more packets than METIS's k-way).
    EXPECT_LE(volume[unsigned(PartitionerKind::Best)],
              volume[unsigned(PartitionerKind::Tiles)])
        << name;
    EXPECT_LE(double(volume[unsigned(PartitionerKind::Best)]),
              0.6 * double(volume[unsigned(PartitionerKind::Slices)]))
        << name;
  }
}

// A 3x3 convolution of a 4x4 image into 2x2x4, 4 neurons per core: every
// box needs 4 cores; the volume of a box is, summed over the 16 pixels, the
// tiles their window outputs fall in. Along an axis the pixels reach
// outputs {0}, {0,1}, {0,1}, {1}: 6 positions, 4 tiles of 2. Boxes (bh x bw
// x bc): 1x1x4 reaches 6 x 6 x 1 = 36 tiles (a core per position, all
// channels); 2x1x2 4 x 6 x 2 = 48; 2x2x1 4 x 4 x 4 = 64, as contiguous
// slices (a channel's plane per core) do.
TEST(PartitionTest, TilesCostBoxesFromTheWindows) {
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "simulation { neurons_per_core = 4; }\n"
                   "network t {\n"
                   "  input img { shape = 4 x 4 x 1; }\n"
                   "  conv c(img) { filters = 4; kernel = 3 x 3; weights = "
                   "1 nA; }\n"
                   "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition tiles = run(*n, PartitionerKind::Tiles);
  ASSERT_TRUE(verifyPartition(*n, tiles).empty());
  std::vector<U32s> conv;
  for (const Slice &s : tiles.slices)
    if (s.population == 1)
      conv.push_back(s.neurons);
  // Neuron c * 4 + y * 2 + x: one position's four channels per core.
  EXPECT_EQ(conv,
            (std::vector<U32s>{
                {0, 4, 8, 12}, {1, 5, 9, 13}, {2, 6, 10, 14}, {3, 7, 11, 15}}));
  EXPECT_EQ(partitionStats(*n, tiles).commVolume, 36u);
  EXPECT_EQ(partitionStats(*n, run(*n, PartitionerKind::Slices)).commVolume,
            64u);
  Partition best = run(*n, PartitionerKind::Best);
  EXPECT_LE(partitionStats(*n, best).commVolume, 36u);
}

TEST(PartitionTest, SourcesAndPoolsAlignWithTheirTargetsBoxes) {
  // test/Mapping/Inputs/conv-pool.scn: img 8x8 -> conv 3x3 (6x6x2) -> pool
  // 2x2 (3x3x2), 4 neurons per core. conv's box is 2x1x2; pool's volume is
  // the same for every box and 2x1x2 pairs each conv tile with one pool
  // tile; img's 4x1 box reaches 72 conv tiles, the fewest.
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "simulation { neurons_per_core = 4; }\n"
                   "network t {\n"
                   "  input img { shape = 8 x 8 x 1; }\n"
                   "  conv conv(img) { filters = 2; kernel = 3 x 3; weights "
                   "= 1 nA; }\n"
                   "  pool pool(conv) { kernel = 2 x 2; weight = 2 nA; }\n"
                   "}\n");
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p = run(*n, PartitionerKind::Tiles);
  ASSERT_TRUE(verifyPartition(*n, p).empty());
  std::vector<U32s> first(3);
  std::vector<U32s> numbers(3);
  for (size_t i = 0; i < p.slices.size(); ++i) {
    unsigned q = p.slices[i].population;
    if (first[q].empty())
      first[q] = p.slices[i].neurons;
    numbers[q].push_back(p.numbers[i]);
  }
  EXPECT_EQ(first[0], (U32s{0, 8, 16, 24}));
  EXPECT_EQ(first[1], (U32s{0, 6, 36, 42}));
  EXPECT_EQ(first[2], (U32s{0, 3, 9, 12}));
  // Morton codes of (tile row, tile column): conv's 3 x 6 tiles in an 8 x 8
  // square; pool's 2 x 3 tiles (the last row of 1) in a 4 x 4 one.
  EXPECT_EQ(numbers[1], (U32s{0, 1, 4, 5, 16, 17, 2, 3, 6, 7, 18, 19, 8, 9, 12,
                              13, 24, 25}));
  EXPECT_EQ(numbers[2], (U32s{0, 1, 4, 2, 3, 6}));
  // With METIS every number is the slice's rank.
  Partition m = run(*n, PartitionerKind::Metis);
  std::vector<uint32_t> ranks;
  for (size_t i = 0; i < m.slices.size(); ++i)
    if (m.slices[i].population == 1)
      ranks.push_back(m.numbers[i]);
  std::vector<uint32_t> want(ranks.size());
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(ranks, want);
}

/// partitionStats' counts, its slice graph and split routes' per-neuron
/// target slices (from the window geometry where it applies) against brute
/// force over the lists, under three partitioners.
void expectGeometryMatchesLists(const Network &net) {
  const Network *n = &net;
  for (PartitionerKind kind : {PartitionerKind::Metis, PartitionerKind::Tiles,
                               PartitionerKind::Slices}) {
    Partition p = run(*n, kind);
    ASSERT_TRUE(verifyPartition(*n, p).empty());
    SliceGraph g;
    PartitionStats got = partitionStats(*n, p, 2, &g);
    // Brute force: per slice, per source population, the distinct sources
    // (volume), per projection the distinct sources (rows) and synapses.
    uint64_t volume = 0, cut = 0;
    std::vector<uint64_t> rows(p.slices.size(), 0), syn(p.slices.size(), 0);
    std::vector<std::set<uint32_t>> targets(p.slices.size());
    std::map<std::pair<uint32_t, unsigned>, std::set<uint32_t>> bySource;
    for (size_t pi = 0; pi < n->projections.size(); ++pi) {
      const Projection &pr = n->projections[pi];
      const ConnectionList &l = n->connections->lists[pi];
      std::map<uint32_t, std::set<uint32_t>> perSlice;
      for (uint64_t i = 0; i < l.size(); ++i) {
        uint32_t d = p.sliceOf[pr.post][l.post[i]];
        uint32_t from = p.sliceOf[pr.pre][l.pre[i]];
        perSlice[d].insert(l.pre[i]);
        bySource[{d, pr.pre}].insert(l.pre[i]);
        ++syn[d];
        cut += from != d;
        targets[from].insert(d);
      }
      for (auto &[d, srcs] : perSlice)
        rows[d] += srcs.size();
    }
    for (auto &[key, srcs] : bySource)
      for (uint32_t src : srcs)
        volume += p.sliceOf[key.second][src] != key.first;
    EXPECT_EQ(got.commVolume, volume) << toString(kind).str();
    EXPECT_EQ(got.edgeCut, cut) << toString(kind).str();
    for (size_t i = 0; i < p.slices.size(); ++i) {
      EXPECT_EQ(got.resources[i].rows, rows[i]) << toString(kind).str() << i;
      EXPECT_EQ(got.resources[i].synapses, syn[i]) << toString(kind).str() << i;
      EXPECT_EQ(g.targets[i], U32s(targets[i].begin(), targets[i].end()))
          << toString(kind).str() << i;
    }
    EXPECT_EQ(
        g.targets,
        buildSliceGraph(*n, p.sliceOf, uint32_t(p.slices.size())).targets);
    // Split routes' per-neuron target slices, from the geometry where it
    // applies, against the lists.
    std::vector<std::pair<unsigned, llvm::ArrayRef<uint32_t>>> refs;
    for (const Slice &sl : p.slices)
      refs.push_back({sl.population, sl.neurons});
    std::vector<NeuronTargets> nt =
        buildNeuronTargets(*n, p.sliceOf, p.localIndex, refs);
    std::vector<std::vector<std::set<uint32_t>>> want(p.slices.size());
    for (size_t i = 0; i < p.slices.size(); ++i)
      want[i].resize(p.slices[i].neurons.size());
    for (size_t pi = 0; pi < n->projections.size(); ++pi) {
      const Projection &pr = n->projections[pi];
      const ConnectionList &l = n->connections->lists[pi];
      for (uint64_t i = 0; i < l.size(); ++i)
        want[p.sliceOf[pr.pre][l.pre[i]]][p.localIndex[pr.pre][l.pre[i]]]
            .insert(p.sliceOf[pr.post][l.post[i]]);
    }
    for (size_t i = 0; i < p.slices.size(); ++i)
      for (uint32_t k = 0; k < p.slices[i].neurons.size(); ++k)
        EXPECT_EQ(nt[i].of(k).vec(), U32s(want[i][k].begin(), want[i][k].end()))
            << toString(kind).str() << " slice " << i << " neuron " << k;
  }
}

TEST(PartitionTest, GeometricCountsEqualTheLists) {
  // partitionStats counts a lone convolution or pool from another
  // population from its window geometry. Brute force on the lists must
  // agree, with padding, stride over kernel (inputs no window reads),
  // per-map channels, a pool, two projections from one source (counted on
  // the lists) and a self-projection.
  DiagHarness h;
  llvm::Optional<Network> parsed = parseNetwork(
      h.add("simulation { neurons_per_core = 7; }\n"
            "network t {\n"
            "  input img { shape = 9 x 9 x 3; }\n"
            "  conv a(img) { filters = 4; kernel = 3 x 3; stride = 2; "
            "padding = 1; weights = 1 nA; }\n"
            "  conv b(img) { filters = 2; kernel = 2 x 2; stride = 3; mode = "
            "per_map; weights = 1 nA; }\n"
            "  pool c(a) { kernel = 2 x 2; weight = 1 nA; }\n"
            "}\n"),
      h.diag);
  ASSERT_TRUE(parsed.hasValue()) << h.text();
  // A second pool from a into c, and c onto itself, all to all.
  Projection again = parsed->projections.back();
  again.name = "again";
  parsed->projections.push_back(again);
  Projection self = again;
  self.name = "self";
  self.kind = Projection::Kind::AllToAll;
  self.pre = self.post = again.post;
  parsed->projections.push_back(self);
  llvm::Optional<Network> n = expand(h, parsed);
  ASSERT_TRUE(n.hasValue()) << h.text();
  expectGeometryMatchesLists(*n);
}

TEST(PartitionTest, GeometricCountsEqualTheListsOnRandomWindows) {
  // Random convolutions (padding, strides over and under the kernel, both
  // channel modes) followed by random pools, at random core sizes.
  std::mt19937 rng(21);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int tried = 0;
  for (int k = 0; k < 40; ++k) {
    int h = pick(3, 12), w = pick(3, 12), c = pick(1, 3);
    int kh = pick(1, 4), kw = pick(1, 4), sh = pick(1, 3), pad = pick(0, 2);
    int pk = pick(1, 3);
    std::string text =
        "simulation { neurons_per_core = " + std::to_string(pick(3, 20)) +
        "; }\nnetwork r {\n  input img { shape = " + std::to_string(h) + " x " +
        std::to_string(w) + " x " + std::to_string(c) +
        "; }\n  conv a(img) { filters = " + std::to_string(pick(1, 4)) +
        "; kernel = " + std::to_string(kh) + " x " + std::to_string(kw) +
        "; stride = " + std::to_string(sh) +
        "; padding = " + std::to_string(pad) +
        "; mode = " + (pick(0, 1) ? "per_map" : "standard") +
        "; weights = 1 nA; }\n  pool p(a) { kernel = " + std::to_string(pk) +
        " x " + std::to_string(pk) + "; weight = 1 nA; }\n}\n";
    DiagHarness dh;
    llvm::Optional<Network> n = expandScn(dh, text);
    if (!n)
      continue; // a window larger than its input: the front end says so
    ++tried;
    SCOPED_TRACE(text);
    expectGeometryMatchesLists(*n);
  }
  EXPECT_GT(tried, 20);
}

TEST(PartitionTest, ChannelGroupsKeepCoreCountsNearIdeal) {
  DiagHarness h;
  llvm::Optional<Network> n = expandExample(h, "mnist.scn");
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition p = run(*n, PartitionerKind::Metis, n->sim.seed);
  std::vector<unsigned> cores(n->populations.size(), 0);
  for (const Slice &s : p.slices)
    ++cores[s.population];
  // Ideal core counts (neurons / 256) and the channel groups that reach
  // them within 5%: digit 784 -> 4; conv1 24x24x30: whole 30-channel
  // columns (8 per core) would need 72 cores for the ideal 68, two groups
  // of 15 (17 per core) need 68; pool1 12x12x30 likewise 17; conv2 8x8x100:
  // columns 32 cores (ideal 25), two groups of 50 (5 per core) 26; pool2
  // 4x4x100 -> 7.
  EXPECT_EQ(cores, (std::vector<unsigned>{4, 68, 17, 26, 7}));
  for (const Slice &s : p.slices) {
    if (s.population == 3) {
      EXPECT_EQ(s.neurons.size() % 50, 0u);
    }
  }
}

TEST(PartitionTest, ExplicitListsGiveNets) {
  // b (8 neurons, 4 per core) reads an explicit list: source i reaches
  // b neurons pi(i) and pi(i+1 mod 8), pi = 5 2 7 0 3 6 1 4, a ring in pi
  // order. Two cores cut the ring at least twice: 8 + 2 = 10 (core, source)
  // pairs at best; index ranges {0..3} {4..7} cut it 6 times (14).
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("partition-test", dir));
  llvm::SmallString<128> csv(dir);
  llvm::sys::path::append(csv, "ring.csv");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(csv, ec);
    ASSERT_FALSE(ec);
    unsigned pi[8] = {5, 2, 7, 0, 3, 6, 1, 4};
    for (unsigned i = 0; i < 8; ++i)
      os << i << "," << pi[i] << "\n" << i << "," << pi[(i + 1) % 8] << "\n";
  }
  std::string ir = R"(network ring {
  simulation { timestep = 1 ms; presentation = 100 ms; input_window = 50 ms; neurons_per_core = 4; seed = 1; }
  neuron lif : IF_curr_exp {
    tau_m = 20 ms; cm = 1 nF; v_rest = -65 mV; v_reset = -65 mV; v_thresh = -50 mV;
    tau_refrac = 0.1 ms; tau_syn_E = 5 ms; tau_syn_I = 5 ms; i_offset = 0 nA; v_init = -65 mV;
  }
  population a : input {
    layer = input; shape = 1 x 1 x 8; neurons_per_core = 4;
    encoding = rate(threshold = 80, factor = 10, max_spikes = 10);
  }
  population b : IF_curr_exp {
    layer = from_list; shape = 1 x 1 x 8; neurons_per_core = 4;
    neuron = lif; train_neuron = lif;
  }
  projection a.b (a, b) : from_list {
    path = "ring.csv"; weights = constant(value = 1 nA);
    delay = 1 ms; receptor = excitatory; stdp = none;
  }
})";
  DiagHarness h;
  llvm::Optional<Network> n = readIR(h.add(ir, "t.scnir"), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  n->sourceDir = std::string(dir.str());
  n = expand(h, std::move(n));
  ASSERT_TRUE(n.hasValue()) << h.text();
  Partition base = run(*n, PartitionerKind::Slices);
  EXPECT_EQ(partitionStats(*n, base).commVolume, 14u);
  Partition p = run(*n, PartitionerKind::Metis);
  EXPECT_TRUE(verifyPartition(*n, p).empty());
  EXPECT_EQ(partitionStats(*n, p).commVolume, 10u);
  // a has no inputs: its outputs group it. b neuron pi(i) reads sources
  // i - 1 and i, a ring 0-1-...-7 over a: two arcs of 4.
  ASSERT_EQ(p.slices.size(), 4u);
  for (unsigned s = 0; s < 2; ++s) {
    const U32s &v = p.slices[s].neurons;
    unsigned breaks = 0;
    for (unsigned i = 0; i < 4; ++i)
      breaks += std::find(v.begin(), v.end(), (v[i] + 1) % 8) == v.end();
    EXPECT_EQ(breaks, 1u) << "slice " << s << " is not an arc of the ring";
  }
  llvm::sys::fs::remove(csv);
  llvm::sys::fs::remove(dir);
}

//===----------------------------------------------------------------------===//
// Resources and the pass
//===----------------------------------------------------------------------===//

TEST(PartitionTest, DTCMLowersTheLimit) {
  DiagHarness h;
  llvm::Optional<Network> n =
      expandScn(h, "simulation { neurons_per_core = 600; }\n"
                   "stdp r { w_max = 1 nA; init = 0.5 nA; }\n"
                   "network big { input i { shape = 40 x 40 x 1; }\n"
                   "  conv c(i) { filters = 1; kernel = 1; stdp = r; }\n"
                   "  conv d(c) { filters = 1; kernel = 1; weights = 1 nA; "
                   "delay = 10 ms; } }");
  ASSERT_TRUE(n.hasValue()) << h.text();
  // The model of runtime/kernel/Resources.h: c learns (post-spike
  // histories), d's 10-tick delays need 4 delay bits.
  CoreKind i = coreKindOf(*n, 0), c = coreKindOf(*n, 1), d = coreKindOf(*n, 2);
  EXPECT_TRUE(i.input);
  EXPECT_TRUE(c.plastic);
  EXPECT_EQ(c.delayBits, 1u);
  EXPECT_FALSE(d.plastic);
  EXPECT_EQ(d.delayBits, 4u);
  // Sources: 2160 (the source program) + 2 x 2400 (next spike, key) + 80
  // (bitmap) = 7040.
  EXPECT_EQ(sliceDTCMBytes(i, 600), 7040u);
  // c at 355: 3488 (the neuron program) + 2048 + 5680 (state) + 4096
  // (rings, 2^(1+1+9) x 2) + 46864 (histories) + 360 + 1424 + 48 + 1424
  // (quiet, keys, bitmap, voltages) = 65432; 356 would need 65576.
  EXPECT_EQ(sliceDTCMBytes(c, 355), 65432u);
  EXPECT_EQ(sliceDTCMBytes(c, 356), 65576u);
  EXPECT_GT(sliceDTCMBytes(d, 513), resources::kDTCMBytes);
  EXPECT_EQ(effectiveNeuronLimit(*n, 0), 600u);
  EXPECT_EQ(effectiveNeuronLimit(*n, 1), 355u);
  EXPECT_EQ(effectiveNeuronLimit(*n, 2), 512u);
  for (PartitionerKind kind :
       {PartitionerKind::Slices, PartitionerKind::Metis}) {
    Partition p = run(*n, kind);
    EXPECT_EQ(p.limits, (U32s{600, 355, 512}));
    EXPECT_TRUE(verifyPartition(*n, p).empty());
    PartitionStats s = partitionStats(*n, p);
    EXPECT_LE(s.maxDTCMBytes, resources::kDTCMBytes);
    std::string text;
    llvm::raw_string_ostream os(text);
    printPartitionStats(*n, p, s, os);
    EXPECT_NE(os.str().find("limit lowered: c: 600 -> 355 neurons per core "
                            "(DTCM: 65432 bytes at 355 neurons, 3488 of them "
                            "the core program's and 2048 for its tables and "
                            "row buffers; 65536 available)\n"),
              std::string::npos)
        << text;
  }
}

TEST(PartitionTest, PassStoresThePartition) {
  DiagHarness h;
  llvm::Optional<Network> n = expandScn(h, kTiny);
  ASSERT_TRUE(n.hasValue()) << h.text();
  PassManager pm(h.diag);
  ASSERT_TRUE(pm.add("partition"));
  CompilationContext cc;
  ASSERT_TRUE(pm.run(*n, cc)) << h.text();
  EXPECT_TRUE(cc.mapping.partitioned);
  EXPECT_EQ(cc.mapping.partitionConfig.seed, n->sim.seed);
  EXPECT_TRUE(verifyPartition(*n, cc.mapping.partition).empty());
  // The options choose the partitioner.
  PassOptions opts;
  opts.partitioner = PartitionerKind::Slices;
  PassManager slices(h.diag, opts);
  ASSERT_TRUE(slices.add("partition"));
  ASSERT_TRUE(slices.run(*n, cc)) << h.text();
  EXPECT_EQ(cc.mapping.partitionConfig.kind, PartitionerKind::Slices);
  EXPECT_EQ(cc.mapping.partition.slices.size(), 7u);
  EXPECT_EQ(cc.mapping.partition.slices[6].neurons, (U32s{8}));
}

TEST(PartitionTest, PassNeedsConnections) {
  DiagHarness h;
  llvm::Optional<Network> n = parseNetwork(h.add(kTiny), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  PassManager pm(h.diag);
  pm.add("infer-shapes");
  pm.add("partition");
  EXPECT_FALSE(pm.run(*n));
  EXPECT_NE(h.text().find("error: partition: the connection lists are "
                          "missing (run expand-connections first)"),
            std::string::npos)
      << h.text();
  llvm::Expected<Partition> p = partitionNetwork(*n, PartitionConfig());
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(llvm::toString(p.takeError()),
            "partitioning needs the expanded connection lists (run "
            "expand-connections first)");
}

} // namespace
