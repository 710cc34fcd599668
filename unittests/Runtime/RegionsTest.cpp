//===- RegionsTest.cpp - A core section as the core decodes it ------------===//
#include "kernel/Regions.h"
#include "gtest/gtest.h"
#include <vector>

using namespace scnc;
using namespace scnc::kernel;

namespace {
/// A section: the region table, then the regions in the order given.
std::vector<uint32_t>
section(const std::vector<std::pair<uint32_t, std::vector<uint32_t>>> &rs) {
  std::vector<uint32_t> s = {uint32_t(rs.size())};
  uint32_t offset = uint32_t(4 * (1 + 3 * rs.size()));
  for (const auto &[id, data] : rs) {
    s.insert(s.end(), {id, offset, uint32_t(4 * data.size())});
    offset += uint32_t(4 * data.size());
  }
  for (const auto &r : rs)
    s.insert(s.end(), r.second.begin(), r.second.end());
  return s;
}
} // namespace

TEST(Regions, NeuronCore) {
  std::vector<uint32_t> params = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 2};
  std::vector<uint32_t> s = section({
      {region::System, {1000, 2, 1, 50, kSystemPlastic}},
      {region::NeuronKeys, {0x00010000, 0xFFFFFFFE}},
      {region::NeuronParams, params},
      {region::SynapseParams, {3, 4, 2, 1, 1}},
      {region::PopulationTable, {1, 0x00020000, 0xFFFFFFFE, 0, 4, 2}},
      {region::SynapticMatrix, {0, 0, 0, 0, 0, 0, 0, 0}},
      {region::StdpParams, {1, 10, 20, 30, 40, 2, 0xFFFFFFFF, 5, 1, 6}},
      {region::Recording, {3, 1}},
  });
  CoreRegions r;
  ASSERT_TRUE(findRegions(s.data(), uint32_t(s.size()), r));
  NeuronCoreConfig c;
  ASSERT_TRUE(decodeNeuronCore(r, c));
  EXPECT_EQ(c.numNeurons, 2u);
  EXPECT_TRUE(c.hasKey);
  EXPECT_EQ(c.key, 0x00010000u);
  EXPECT_EQ(c.params.vRest.bits, 1);
  EXPECT_EQ(c.params.rMembrane.bits, 6);
  EXPECT_EQ(c.params.initI.bits, 11u);
  EXPECT_EQ(c.params.refracTicks, 2);
  EXPECT_EQ(c.leftShift[0], 3u);
  EXPECT_EQ(c.leftShift[1], 4u);
  EXPECT_EQ(c.delayBits, 2u);
  EXPECT_EQ(c.indexBits, 1u);
  ASSERT_EQ(c.popTableSize, 1u);
  EXPECT_EQ(c.popTable[0].key, 0x00020000u);
  EXPECT_EQ(c.popTable[0].numRows, 2u);
  EXPECT_EQ(c.matrixWords, 8u);
  EXPECT_TRUE(c.recordVoltage);
  EXPECT_TRUE(c.plastic);
  EXPECT_TRUE(c.multiplicative);
  EXPECT_EQ(c.wMax.bits, 40);
  ASSERT_EQ(c.lenPlus, 2u);
  EXPECT_EQ(c.decayPlus[1].bits, 5u);
  ASSERT_EQ(c.lenMinus, 1u);
  EXPECT_EQ(c.decayMinus[0].bits, 6u);
  EXPECT_EQ(c.initialState, nullptr);
  // A source core's decoder refuses it.
  SourceCoreConfig sc;
  EXPECT_FALSE(decodeSourceCore(r, sc));
}

TEST(Regions, SourceCore) {
  // Encoder parameters (one: a 4-word name and a value) come before the
  // spike array: 2 neurons, spikes {3, 7} and {}.
  std::vector<uint32_t> s = section({
      {region::System, {1000, 2, 0, 50, kSystemInputCore}},
      {region::SpikeSource, {1, 1, 0x61, 0, 0, 0, 42, 2, 2, 0, 2, 2, 3, 7}},
  });
  CoreRegions r;
  ASSERT_TRUE(findRegions(s.data(), uint32_t(s.size()), r));
  SourceCoreConfig c;
  ASSERT_TRUE(decodeSourceCore(r, c));
  EXPECT_FALSE(c.hasKey);
  EXPECT_EQ(c.numNeurons, 2u);
  EXPECT_EQ(c.start[0], 0u);
  EXPECT_EQ(c.start[2], 2u);
  EXPECT_EQ(c.ticks[1], 7u);
}

TEST(Regions, DamagedSectionsAreRefused) {
  std::vector<uint32_t> ok = section({{region::System, {1000, 1, 0, 5, 0}}});
  CoreRegions r;
  EXPECT_TRUE(findRegions(ok.data(), uint32_t(ok.size()), r));
  // Past the section's end, a bad id, no system region, too many regions.
  std::vector<uint32_t> s = ok;
  s[3] = 4 * 100;
  EXPECT_FALSE(findRegions(s.data(), uint32_t(s.size()), r));
  s = ok;
  s[1] = region::Count;
  EXPECT_FALSE(findRegions(s.data(), uint32_t(s.size()), r));
  s = ok;
  s[1] = region::Recording;
  EXPECT_FALSE(findRegions(s.data(), uint32_t(s.size()), r));
  s = ok;
  s[0] = 1000;
  EXPECT_FALSE(findRegions(s.data(), uint32_t(s.size()), r));
  // A neuron core without its parameter regions, a population table whose
  // rows pass the matrix.
  ASSERT_TRUE(findRegions(ok.data(), uint32_t(ok.size()), r));
  NeuronCoreConfig c;
  EXPECT_FALSE(decodeNeuronCore(r, c));
  std::vector<uint32_t> bad = section({
      {region::System, {1000, 2, 1, 50, 0}},
      {region::NeuronParams, std::vector<uint32_t>(12, 0)},
      {region::SynapseParams, {0, 0, 1, 1, 1}},
      {region::PopulationTable, {1, 0x00020000, 0xFFFFFFFE, 0, 4, 3}},
      {region::SynapticMatrix, {0, 0, 0, 0, 0, 0, 0, 0}},
  });
  ASSERT_TRUE(findRegions(bad.data(), uint32_t(bad.size()), r));
  EXPECT_FALSE(decodeNeuronCore(r, c));
}
