//===- ShapesTest.cpp - Output shapes and synapse counts ------------------===//
#include "scnc/IR/Shapes.h"
#include "gtest/gtest.h"

using namespace scnc;

namespace {

Projection conv(uint32_t filters, Pair k, Pair s, Pair p,
                Projection::ChannelMode mode = Projection::ChannelMode::Standard) {
  Projection pr;
  pr.kind = Projection::Kind::Conv;
  pr.filters = filters;
  pr.kernel = k;
  pr.stride = s;
  pr.padding = p;
  pr.mode = mode;
  return pr;
}

TEST(ShapesTest, OriginalLayerOne) {
  Shape out;
  std::string why;
  ASSERT_TRUE(computeOutputShape(Shape{28, 28, 1},
                                 conv(4, {4, 4}, {3, 3}, {0, 0},
                                      Projection::ChannelMode::PerMap),
                                 out, why));
  EXPECT_EQ(out, (Shape{9, 9, 4}));
}

TEST(ShapesTest, NonSquareWithPadding) {
  // 5x4 input, 3x2 kernel, stride 2, padding 1:
  // H: (5 + 2 - 3)/2 + 1 = 3, W: (4 + 2 - 2)/2 + 1 = 3.
  Shape out;
  std::string why;
  ASSERT_TRUE(computeOutputShape(Shape{5, 4, 2}, conv(3, {3, 2}, {2, 2}, {1, 1}),
                                 out, why));
  EXPECT_EQ(out, (Shape{3, 3, 3}));
}

TEST(ShapesTest, Collapse) {
  Shape out;
  std::string why;
  EXPECT_FALSE(computeOutputShape(Shape{3, 3, 1}, conv(1, {4, 4}, {1, 1}, {0, 0}),
                                  out, why));
  EXPECT_NE(why.find("collapses to 0"), std::string::npos) << why;
}

} // namespace
