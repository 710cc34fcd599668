//===- RedundancyTest.cpp - How alike learned kernels are -----------------===//
#include "scnc/Learning/Training.h"
#include "gtest/gtest.h"

using namespace scnc;

namespace {

TEST(KernelRedundancyTest, GroupsFlatKernelsAndCorrelations) {
  // k0 and k1 identical, k4 within 0.001 of both (one group of three), k2
  // another stroke, k3 flat. Correlations of the four that are not flat:
  // 1 within the group (k4 is 1.0005 k0), and, centred, k0 . k2 =
  // -0.25 / 0.75 = -1/3 for each of the group with k2. Mean (3 - 1) / 6.
  std::vector<double> k = {1,      0,   0,   0,   //
                           1,      0,   0,   0,   //
                           0,      1,   0,   0,   //
                           0.5,    0.5, 0.5, 0.5, //
                           1.0005, 0,   0,   0};
  KernelRedundancy r = kernelRedundancy(k, 5);
  EXPECT_EQ(r.kernels, 5u);
  EXPECT_EQ(r.distinct, 3u);
  EXPECT_EQ(r.groups, std::vector<unsigned>{3});
  EXPECT_EQ(r.flat, 1u);
  EXPECT_EQ(r.pairs, 6u);
  EXPECT_EQ(r.pairsAbove, 3u);
  EXPECT_DOUBLE_EQ(r.maxCorrelation, 1.0);
  EXPECT_DOUBLE_EQ(r.meanCorrelation, 1.0 / 3.0);
  EXPECT_EQ(describeRedundancy(r),
            "3 distinct of 5 within 0.001 nA (groups of 3), 1 flat; "
            "correlation mean 0.33, max 1.00; 3 of 6 pairs above 0.9");
  // A tighter tolerance splits k4 off.
  KernelRedundancy tight = kernelRedundancy(k, 5, 1e-4);
  EXPECT_EQ(tight.distinct, 4u);
  EXPECT_EQ(tight.groups, std::vector<unsigned>{2});
}

TEST(KernelRedundancyTest, DistinctAndDegenerateSets) {
  // Two anti-correlated kernels: correlation -1, nothing above 0.9.
  KernelRedundancy r = kernelRedundancy({1, 0, 0, 1}, 2);
  EXPECT_EQ(r.distinct, 2u);
  EXPECT_TRUE(r.groups.empty());
  EXPECT_EQ(r.pairs, 1u);
  EXPECT_EQ(r.pairsAbove, 0u);
  EXPECT_DOUBLE_EQ(r.meanCorrelation, -1.0);
  EXPECT_DOUBLE_EQ(r.maxCorrelation, -1.0);
  // One kernel, or all flat: no pair to correlate.
  KernelRedundancy one = kernelRedundancy({0.2, 0.7}, 1);
  EXPECT_EQ(one.distinct, 1u);
  EXPECT_EQ(one.pairs, 0u);
  EXPECT_EQ(describeRedundancy(kernelRedundancy({0.3, 0.3, 0.6, 0.6}, 2)),
            "2 distinct of 2 within 0.001 nA, 2 flat; correlation undefined "
            "(fewer than two kernels that are not flat)");
  // Weights that do not divide into the count: nothing measured.
  EXPECT_EQ(kernelRedundancy({1, 2, 3}, 2).distinct, 0u);
}

} // namespace
