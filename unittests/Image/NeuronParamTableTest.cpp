//===- NeuronParamTableTest.cpp - A core's distinct parameter sets --------===//
//
// buildNeuronParamTable: the sets of a core whose neurons have their own
// parameters, in order of first appearance, and each neuron's index; the
// words encodeNeuronParams writes.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "gtest/gtest.h"

using namespace scnc;
using namespace scnc::image;

namespace {
NeuronFixedParams nir(int32_t threshBits, int32_t biasBits) {
  NeuronFixedParams p;
  p.model = NeuronModelLif;
  p.vThresh = Accum::fromBits(threshBits);
  p.bias = Accum::fromBits(biasBits);
  return p;
}
} // namespace

TEST(NeuronParamTable, DistinctSetsInFirstSeenOrder) {
  NeuronFixedParams a = nir(32768, 0), b = nir(65536, 0), c = nir(32768, 7);
  NeuronParamTable t = buildNeuronParamTable({b, a, b, c, a, c, b});
  ASSERT_EQ(t.sets.size(), 3u);
  EXPECT_EQ(t.sets[0].vThresh.bits, 65536);
  EXPECT_EQ(t.sets[1].vThresh.bits, 32768);
  EXPECT_EQ(t.sets[1].bias.bits, 0);
  EXPECT_EQ(t.sets[2].bias.bits, 7);
  EXPECT_EQ(t.index, (std::vector<uint16_t>{0, 1, 0, 2, 1, 2, 0}));
  // One set when every neuron has the same bits.
  NeuronParamTable one = buildNeuronParamTable({a, a, a});
  EXPECT_EQ(one.sets.size(), 1u);
  EXPECT_EQ(one.index, (std::vector<uint16_t>{0, 0, 0}));
}

TEST(NeuronParamTable, Words) {
  // 16 words for a NIR model: v_thresh is word 2, model 12, flags 13, bias
  // 14; IF_curr_exp keeps its 12.
  NeuronFixedParams p = nir(-98304, 5);
  p.resetSubtract = 1;
  std::string w = encodeNeuronParams(p);
  ASSERT_EQ(w.size(), 64u);
  auto word = [&](unsigned i) {
    return uint32_t(uint8_t(w[4 * i])) | uint32_t(uint8_t(w[4 * i + 1])) << 8 |
           uint32_t(uint8_t(w[4 * i + 2])) << 16 |
           uint32_t(uint8_t(w[4 * i + 3])) << 24;
  };
  EXPECT_EQ(word(2), uint32_t(-98304));
  EXPECT_EQ(word(12), uint32_t(NeuronModelLif));
  EXPECT_EQ(word(13), 1u);
  EXPECT_EQ(word(14), 5u);
  EXPECT_EQ(word(15), 0u);
  NeuronFixedParams ice;
  EXPECT_EQ(encodeNeuronParams(ice).size(), 48u);
}
