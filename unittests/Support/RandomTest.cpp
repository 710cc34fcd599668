//===- RandomTest.cpp - The portable, addressable normal stream -----------===//
#include "scnc/Support/Random.h"
#include "gtest/gtest.h"
#include <cmath>

using namespace scnc;

namespace {

TEST(RandomTest, SplitMix64MatchesTheReference) {
  // The published splitmix64 sequence for seed 1 starts 0x910a2dec89025cc1.
  EXPECT_EQ(splitmix64(1, 0), 0x910a2dec89025cc1ull);
  EXPECT_EQ(splitmix64(1, 0), 10451216379200822465ull);
}

TEST(RandomTest, FirstDrawsOfSeedOne) {
  // Pinned from the implementation: weights drawn by one build must be
  // drawn by every other. (log and cos may differ in the last bit between
  // maths libraries, hence DOUBLE_EQ's 4 ulps.)
  NormalStream g(1, 0, 1);
  EXPECT_DOUBLE_EQ(g.at(0), -0.028249746095854695);
  EXPECT_DOUBLE_EQ(g.at(1), -0.22791952286763478);
  EXPECT_DOUBLE_EQ(g.at(2), 0.10309095168574085);
  EXPECT_DOUBLE_EQ(g.at(3), -0.50620407451131844);
  EXPECT_EQ(unitInterval(splitmix64(1, 0)), 0.56656157517228101);
  EXPECT_EQ(unitInterval(splitmix64(1, 1)), 0.74578175726270124);
}

TEST(RandomTest, DrawsAreAddressable) {
  // Draw i does not depend on which draws were made before it.
  NormalStream g(5, 0, 1);
  double later = g.at(1000);
  for (uint64_t i = 0; i < 1000; ++i)
    (void)g.at(i);
  EXPECT_EQ(g.at(1000), later);
}

TEST(RandomTest, UniformIsInHalfOpenUnitInterval) {
  EXPECT_EQ(unitInterval(0), 0x1.0p-53);
  EXPECT_EQ(unitInterval(~0ull), 1.0);
  for (uint64_t k = 0; k < 100000; ++k) {
    double u = unitInterval(splitmix64(12345, k));
    ASSERT_GT(u, 0.0);
    ASSERT_LE(u, 1.0);
  }
}

TEST(RandomTest, MeanAndStandardDeviation) {
  NormalStream g(1, 0, 1);
  const int n = 100000;
  double sum = 0, sumSq = 0;
  for (int i = 0; i < n; ++i) {
    double v = g.at(i);
    ASSERT_TRUE(std::isfinite(v));
    sum += v;
    sumSq += v * v;
  }
  double mean = sum / n;
  double sd = std::sqrt(sumSq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(sd, 1.0, 0.01);
}

TEST(RandomTest, MeanAndSigmaScaleTheStandardStream) {
  NormalStream unit(99, 0, 1), scaled(99, 0.3, 0.04);
  for (int i = 0; i < 1000; ++i)
    ASSERT_DOUBLE_EQ(scaled.at(i), 0.3 + 0.04 * unit.at(i)) << "draw " << i;
}

TEST(RandomTest, SeedsGiveReproducibleDistinctStreams) {
  NormalStream a(7, 0, 1), b(7, 0, 1), c(8, 0, 1);
  unsigned differ = 0;
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.at(i), b.at(i)) << "draw " << i;
    differ += a.at(i) != c.at(i);
  }
  EXPECT_EQ(differ, 100u);
}

} // namespace
