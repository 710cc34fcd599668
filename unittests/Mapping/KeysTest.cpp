//===- KeysTest.cpp - Zoned key allocation --------------------------------===//
#include "scnc/Mapping/Keys.h"
#include "gtest/gtest.h"

using namespace scnc;

namespace {

TEST(KeysTest, FieldsAndKeys) {
  // Population 0: slices of 100 and 56 neurons; population 1: 3 slices of
  // 200, 200, 17; population 2: one slice of 1.
  // Neuron bits: ceil(log2 200) = 8; slice bits: ceil(log2 3) = 2;
  // population bits: ceil(log2 3) = 2.
  std::vector<SliceRef> s = {{0, 100}, {0, 56}, {1, 200},
                             {1, 200}, {1, 17}, {2, 1}};
  llvm::Expected<KeyAllocation> a = allocateKeys(3, s);
  ASSERT_TRUE(bool(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->neuronBits, 8u);
  EXPECT_EQ(a->sliceBits, 2u);
  EXPECT_EQ(a->populationBits, 2u);
  // key = population << 10 | slice << 8
  std::vector<uint32_t> keys;
  for (const KeySpace &k : a->slices) {
    keys.push_back(k.key);
    EXPECT_EQ(k.mask, 0xFFFFFF00u);
  }
  EXPECT_EQ(keys,
            (std::vector<uint32_t>{0x000, 0x100, 0x400, 0x500, 0x600, 0x800}));
  EXPECT_EQ(a->populations[1].key, 0x400u);
  EXPECT_EQ(a->populations[1].mask, 0xFFFFFC00u);
  EXPECT_EQ(a->slices[3].neuronKey(5), 0x505u);
  EXPECT_TRUE(verifyKeys(*a, s).empty());
}

TEST(KeysTest, GivenNumbersLeaveGaps) {
  // Population 0's three slices numbered 0, 5, 2 (a Morton order with a
  // gap), population 1's one slice 0: slice bits ceil(log2 6) = 3, neuron
  // bits 4 (16 neurons), population bits 1; key = p << 7 | number << 4.
  std::vector<SliceRef> s = {{0, 16}, {0, 16}, {0, 9}, {1, 3}};
  llvm::Expected<KeyAllocation> a = allocateKeys(2, s, {0, 5, 2, 0});
  ASSERT_TRUE(bool(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->sliceBits, 3u);
  std::vector<uint32_t> keys;
  for (const KeySpace &k : a->slices)
    keys.push_back(k.key);
  EXPECT_EQ(keys, (std::vector<uint32_t>{0x00, 0x50, 0x20, 0x80}));
  EXPECT_TRUE(verifyKeys(*a, s).empty());
  // Repeated numbers overlap; the verifier says so.
  llvm::Expected<KeyAllocation> b = allocateKeys(2, s, {0, 2, 2, 0});
  ASSERT_TRUE(bool(b));
  EXPECT_FALSE(verifyKeys(*b, s).empty());
  llvm::Expected<KeyAllocation> c = allocateKeys(2, s, {0, 1});
  ASSERT_FALSE(bool(c));
  EXPECT_EQ(llvm::toString(c.takeError()), "2 slice numbers for 4 slices");
}

TEST(KeysTest, GapsPastThirtyTwoBitsFallBackToRanks) {
  // 2^14-neuron slices (14 bits), two populations (1 bit): numbers up to
  // 2^17 + 3 would take 18 slice bits (33 in all); ranked densely in the
  // numbers' order (3, 1, 0, 2 for population 0) they take 2.
  std::vector<SliceRef> s = {
      {0, 1u << 14}, {0, 1u << 14}, {0, 1u << 14}, {0, 1u << 14}, {1, 1}};
  llvm::Expected<KeyAllocation> a =
      allocateKeys(2, s, {(1u << 17) + 3, 5, 0, 1u << 17, 0});
  ASSERT_TRUE(bool(a)) << llvm::toString(a.takeError());
  EXPECT_EQ(a->sliceBits, 2u);
  EXPECT_EQ(a->neuronBits, 14u);
  std::vector<uint32_t> slice;
  for (size_t i = 0; i < 4; ++i)
    slice.push_back(a->slices[i].key >> 14 & 3);
  EXPECT_EQ(slice, (std::vector<uint32_t>{3, 1, 0, 2}));
  EXPECT_TRUE(verifyKeys(*a, s).empty());
}

TEST(KeysTest, OneNeuronSlicesUseFullMasks) {
  std::vector<SliceRef> s = {{0, 1}};
  llvm::Expected<KeyAllocation> a = allocateKeys(1, s);
  ASSERT_TRUE(bool(a));
  EXPECT_EQ(a->slices[0].key, 0u);
  EXPECT_EQ(a->slices[0].mask, 0xFFFFFFFFu);
  EXPECT_EQ(a->slices[0].size(), 1u);
  EXPECT_TRUE(verifyKeys(*a, s).empty());
}

TEST(KeysTest, TooManyBits) {
  // 2^20 slices of 2^13 neurons in 2 populations: 20 + 13 + 1 = 34 bits.
  std::vector<SliceRef> s(1u << 20, SliceRef{0, 1u << 13});
  s.push_back({1, 1});
  llvm::Expected<KeyAllocation> a = allocateKeys(2, s);
  ASSERT_FALSE(bool(a));
  EXPECT_EQ(llvm::toString(a.takeError()),
            "keys need 34 bits (1 for 2 populations, 20 for up to 1048576 "
            "slices per population, 13 for up to 8192 neurons per slice), more "
            "than the 32 of a multicast key; use more neurons per core or "
            "fewer populations");
}

TEST(KeysTest, VerifierFindsOverlapsAndMisfits) {
  std::vector<SliceRef> s = {{0, 16}, {0, 16}, {1, 40}};
  KeyAllocation a;
  a.slices = {KeySpace{0x00, 0xFFFFFFF0}, KeySpace{0x10, 0xFFFFFFF0},
              KeySpace{0x18, 0xFFFFFFF8}};
  std::vector<std::string> p = verifyKeys(a, s);
  // Slice 2 overlaps slice 1 (0x18 lies in 0x10-0x1F) and its 40 neurons do
  // not fit 8 keys.
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "slice 2: 40 neurons do not fit 8 keys");
  EXPECT_EQ(p[1], "slices 1 and 2 have overlapping key spaces");
  // A key with bits outside its mask, and a non-prefix mask.
  a.slices = {KeySpace{0x01, 0xFFFFFFF0}, KeySpace{0x20, 0xFFFF0FF0},
              KeySpace{0x40, 0xFFFFFFC0}};
  p = verifyKeys(a, s);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "slice 0: key has bits outside its mask");
  EXPECT_EQ(p[1], "slice 1: mask is not a prefix mask");
}

} // namespace
