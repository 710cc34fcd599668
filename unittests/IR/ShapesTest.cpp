//===- ShapesTest.cpp - Output shapes and synapse counts ------------------===//
#include "scnc/IR/Shapes.h"
#include "gtest/gtest.h"
#include <random>

using namespace scnc;

namespace {

Projection
conv(uint32_t filters, Pair k, Pair s, Pair p,
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

Projection pool(Pair k, Pair s, Pair p = {0, 0}) {
  Projection pr;
  pr.kind = Projection::Kind::Pool;
  pr.kernel = k;
  pr.stride = s;
  pr.padding = p;
  return pr;
}

Projection simple(Projection::Kind kind, uint32_t units = 0) {
  Projection pr;
  pr.kind = kind;
  pr.units = units;
  return pr;
}

/// The output shape, or the error text prefixed with "error: ".
std::string shapeOf(const Shape &in, const Projection &p) {
  Shape out;
  std::string why;
  if (!computeOutputShape(in, p, out, why))
    return "error: " + why;
  EXPECT_TRUE(why.empty());
  return out.isKnown() ? std::to_string(out.h) + "x" + std::to_string(out.w) +
                             "x" + std::to_string(out.c)
                       : "unknown";
}

TEST(ShapesTest, OriginalLayerOne) {
  Shape out;
  std::string why;
  ASSERT_TRUE(computeOutputShape(
      Shape{28, 28, 1},
      conv(4, {4, 4}, {3, 3}, {0, 0}, Projection::ChannelMode::PerMap), out,
      why));
  EXPECT_EQ(out, (Shape{9, 9, 4}));
}

TEST(ShapesTest, NonSquareWithPadding) {
  // 5x4 input, 3x2 kernel, stride 2, padding 1:
  // H: (5 + 2 - 3)/2 + 1 = 3, W: (4 + 2 - 2)/2 + 1 = 3.
  Shape out;
  std::string why;
  ASSERT_TRUE(computeOutputShape(Shape{5, 4, 2},
                                 conv(3, {3, 2}, {2, 2}, {1, 1}), out, why));
  EXPECT_EQ(out, (Shape{3, 3, 3}));
}

TEST(ShapesTest, Collapse) {
  Shape out;
  std::string why;
  EXPECT_FALSE(computeOutputShape(Shape{3, 3, 1},
                                  conv(1, {4, 4}, {1, 1}, {0, 0}), out, why));
  EXPECT_NE(why.find("collapses to 0"), std::string::npos) << why;
}

TEST(ShapesTest, StandardVersusPerMapDepth) {
  // 10x10x3, 4 filters 3x3 stride 1: standard sums over the 3 channels
  // (depth 4), per-map applies each kernel to each map (depth 12).
  EXPECT_EQ(shapeOf({10, 10, 3}, conv(4, {3, 3}, {1, 1}, {0, 0})), "8x8x4");
  EXPECT_EQ(shapeOf({10, 10, 3}, conv(4, {3, 3}, {1, 1}, {0, 0},
                                      Projection::ChannelMode::PerMap)),
            "8x8x12");
  // One input channel: both modes agree.
  EXPECT_EQ(shapeOf({28, 28, 1}, conv(4, {4, 4}, {3, 3}, {0, 0})), "9x9x4");
}

TEST(ShapesTest, Pool) {
  // Depth unchanged; 2x2 windows with stride 2.
  EXPECT_EQ(shapeOf({24, 24, 30}, pool({2, 2}, {2, 2})), "12x12x30");
  // Odd size: the last row and column are dropped.
  EXPECT_EQ(shapeOf({9, 7, 2}, pool({2, 2}, {2, 2})), "4x3x2");
  // Overlapping 3x3 windows, stride 2, padding 1.
  EXPECT_EQ(shapeOf({8, 8, 5}, pool({3, 3}, {2, 2}, {1, 1})), "4x4x5");
}

TEST(ShapesTest, DenseAndOneToOne) {
  EXPECT_EQ(shapeOf({12, 12, 8}, simple(Projection::Kind::Dense, 10)),
            "1x1x10");
  EXPECT_EQ(shapeOf({12, 7, 8}, simple(Projection::Kind::OneToOne)), "12x7x8");
  EXPECT_EQ(shapeOf({1, 1, UINT32_MAX}, simple(Projection::Kind::OneToOne)),
            "1x1x4294967295");
  EXPECT_EQ(shapeOf({3, 3, 3}, simple(Projection::Kind::Dense, UINT32_MAX)),
            "1x1x4294967295");
}

TEST(ShapesTest, AllToAllAndFromListGiveNoShape) {
  EXPECT_EQ(shapeOf({3, 3, 3}, simple(Projection::Kind::AllToAll)), "unknown");
  EXPECT_EQ(shapeOf({3, 3, 3}, simple(Projection::Kind::FromList)), "unknown");
}

TEST(ShapesTest, Padding) {
  // "Same" padding: 5x5 kernel, padding 2, stride 1 keeps 28x28.
  EXPECT_EQ(shapeOf({28, 28, 1}, conv(6, {5, 5}, {1, 1}, {2, 2})), "28x28x6");
  // Padding lets a kernel larger than the input fit: (3 + 4 - 5)/1 + 1 = 3.
  EXPECT_EQ(shapeOf({3, 3, 1}, conv(1, {5, 5}, {1, 1}, {2, 2})), "3x3x1");
  // Different padding per dimension: H (6 + 2 - 3)/1 + 1 = 6,
  // W (6 + 0 - 3)/1 + 1 = 4.
  EXPECT_EQ(shapeOf({6, 6, 1}, conv(2, {3, 3}, {1, 1}, {1, 0})), "6x4x2");
}

TEST(ShapesTest, NonSquare) {
  // H (32 - 5)/3 + 1 = 10, W (20 - 3)/1 + 1 = 18.
  EXPECT_EQ(shapeOf({32, 20, 2}, conv(7, {5, 3}, {3, 1}, {0, 0})), "10x18x7");
  // W only one window wide.
  EXPECT_EQ(shapeOf({10, 4, 1}, conv(1, {2, 4}, {2, 2}, {0, 0})), "5x1x1");
}

TEST(ShapesTest, CollapseOfHeightMessage) {
  EXPECT_EQ(shapeOf({3, 8, 1}, conv(2, {4, 2}, {1, 1}, {0, 0})),
            "error: output height collapses to 0: input 3x8x1, kernel 4x2, "
            "stride 1x1, padding 0x0 give floor((3 + 2*0 - 4)/1) + 1 = 0");
  // A more negative numerator is floored, not truncated: (1 - 6)/2 = -3.
  EXPECT_EQ(shapeOf({1, 9, 1}, conv(2, {6, 6}, {2, 2}, {0, 0})),
            "error: output height collapses to -2: input 1x9x1, kernel 6x6, "
            "stride 2x2, padding 0x0 give floor((1 + 2*0 - 6)/2) + 1 = -2");
}

TEST(ShapesTest, CollapseOfWidthMessage) {
  EXPECT_EQ(shapeOf({8, 2, 3}, pool({2, 5}, {2, 2}, {0, 1})),
            "error: output width collapses to 0: input 8x2x3, kernel 2x5, "
            "stride 2x2, padding 0x1 give floor((2 + 2*1 - 5)/2) + 1 = 0");
  // Both collapse: the height is reported.
  EXPECT_EQ(shapeOf({1, 1, 1}, conv(1, {2, 2}, {1, 1}, {0, 0})),
            "error: output height collapses to 0: input 1x1x1, kernel 2x2, "
            "stride 1x1, padding 0x0 give floor((1 + 2*0 - 2)/1) + 1 = 0");
}

TEST(ShapesTest, TooManyNeurons) {
  // 65536 x 65536 = 2^32 neurons: one too many.
  EXPECT_EQ(shapeOf({65536, 65536, 1}, conv(1, {1, 1}, {1, 1}, {0, 0})),
            "error: output shape 65536x65536x1 has too many neurons (the "
            "limit is 2^32 - 1)");
  // Per-map depth overflows 32 bits: 2 maps x 2^31 filters.
  EXPECT_EQ(shapeOf({1, 1, 2}, conv(1u << 31, {1, 1}, {1, 1}, {0, 0},
                                    Projection::ChannelMode::PerMap)),
            "error: output shape 1x1x4294967296 has too many neurons (the "
            "limit is 2^32 - 1)");
  // Padding grows a big input past the limit: 65535 x 65539 x 1.
  EXPECT_EQ(shapeOf({65535, 65535, 1}, conv(1, {1, 3}, {1, 1}, {0, 3})),
            "error: output shape 65535x65539x1 has too many neurons (the "
            "limit is 2^32 - 1)");
  // Just at the limit is fine: 65535 x 65537 = 2^32 - 1.
  EXPECT_EQ(shapeOf({65535, 65537, 1}, conv(1, {1, 1}, {1, 1}, {0, 0})),
            "65535x65537x1");
  // Huge padding does not wrap around.
  EXPECT_EQ(
      shapeOf({1, 1, 1}, conv(1, {1, 1}, {1, 1}, {UINT32_MAX, UINT32_MAX})),
      "error: output shape 8589934591x8589934591x1 has too many neurons "
      "(the limit is 2^32 - 1)");
}

TEST(ShapesTest, UncoveredInput) {
  // (10 - 3) % 2 = 1 row and column left over at the far edge.
  EXPECT_EQ(uncoveredInput({10, 10, 1}, conv(1, {3, 3}, {2, 2}, {0, 0})),
            (Pair{1, 1}));
  // Exact division: nothing left over.
  EXPECT_EQ(uncoveredInput({28, 28, 1}, conv(1, {4, 4}, {3, 3}, {0, 0})),
            (Pair{0, 0}));
  // H: (29 - 4) % 3 = 1, W: (30 - 4) % 3 = 2.
  EXPECT_EQ(uncoveredInput({29, 30, 1}, conv(1, {4, 4}, {3, 3}, {0, 0})),
            (Pair{1, 2}));
  // Padding absorbs the remainder: (10 + 2 - 3) % 2 = 1 <= padding 1.
  EXPECT_EQ(uncoveredInput({10, 10, 1}, conv(1, {3, 3}, {2, 2}, {1, 1})),
            (Pair{0, 0}));
  // Stride 4 > kernel 2, padding 1: windows cover rows [0,1) [3,5) [7,9)
  // [11,13): 7 of 13 rows (6 uncovered) and 7 of 15 columns (8 uncovered),
  // gaps between windows included.
  EXPECT_EQ(uncoveredInput({13, 15, 1}, pool({2, 2}, {4, 4}, {1, 1})),
            (Pair{6, 8}));
  // Kernel 1, stride 4 on 11 rows: rows 0, 4, 8 covered, 8 never.
  EXPECT_EQ(uncoveredInput({11, 11, 1}, conv(1, {1, 1}, {4, 4}, {0, 0})),
            (Pair{8, 8}));
  // Pool with its default stride: 9x7 with 2x2 windows leaves one each.
  EXPECT_EQ(uncoveredInput({9, 7, 4}, pool({2, 2}, {2, 2})), (Pair{1, 1}));
  // Collapsed and non-windowed projections: nothing to report.
  EXPECT_EQ(uncoveredInput({2, 2, 1}, conv(1, {3, 3}, {1, 1}, {0, 0})),
            (Pair{0, 0}));
  EXPECT_EQ(uncoveredInput({9, 9, 1}, simple(Projection::Kind::Dense, 3)),
            (Pair{0, 0}));
}

TEST(ShapesTest, ValidTaps) {
  // No padding: every tap of every window is inside: out * k.
  EXPECT_EQ(validTaps(28, 9, 4, 3, 0), 36u);
  // in 5, k 3, stride 2, pad 1: windows [-1,1], [1,3], [3,5] hold 2 + 3 + 2.
  EXPECT_EQ(validTaps(5, 3, 3, 2, 1), 7u);
  // "Same" 5-tap kernel on 5 inputs: 3 + 4 + 5 + 4 + 3.
  EXPECT_EQ(validTaps(5, 5, 5, 1, 2), 19u);
  // in 3, k 5, pad 2 (kernel larger than input): 3 + 3 + 3.
  EXPECT_EQ(validTaps(3, 3, 5, 1, 2), 9u);
  // in 2, k 2, stride 3, pad 3: out = (2 + 6 - 2)/3 + 1 = 3 windows
  // [-3,-2], [0,1], [3,4] hold 0 + 2 + 0.
  EXPECT_EQ(validTaps(2, 3, 2, 3, 3), 2u);
  EXPECT_EQ(validTaps(7, 0, 3, 1, 0), 0u);
}

TEST(ShapesTest, CountSynapsesByKind) {
  Network n;
  n.populations.resize(2);
  n.populations[0].shape = Shape{5, 5, 2};
  // Counts projection `p` from population 0 to population 1 of shape `out`.
  auto count = [&](Projection p, Shape out) {
    p.pre = 0;
    p.post = 1;
    n.populations[1].shape = out;
    return countSynapses(n, p);
  };

  // Standard conv 3 filters 3x3, padding 1: taps per dimension
  // 2 + 3 + 3 + 3 + 2 = 13, so 13 * 13 * 2 channels * 3 filters.
  Projection c = conv(3, {3, 3}, {1, 1}, {1, 1});
  EXPECT_EQ(count(c, Shape{5, 5, 3}), 13u * 13 * 2 * 3);
  // Per-map: 6 output maps each see one channel: the same count.
  c.mode = Projection::ChannelMode::PerMap;
  EXPECT_EQ(count(c, Shape{5, 5, 6}), 13u * 13 * 2 * 3);
  // Pool 2x2 stride 2: 2 windows x 2 taps per dimension, 2 channels.
  EXPECT_EQ(count(pool({2, 2}, {2, 2}), Shape{2, 2, 2}), 4u * 4 * 2);
  // Pool 3x3 stride 2 padding 1 on 5: windows [-1,1], [1,3], [3,5] hold
  // 2 + 3 + 2 = 7 taps per dimension.
  EXPECT_EQ(count(pool({3, 3}, {2, 2}, {1, 1}), Shape{3, 3, 2}), 7u * 7 * 2);
  // Dense: every pair.
  EXPECT_EQ(count(simple(Projection::Kind::Dense, 7), Shape{1, 1, 7}), 50u * 7);
  // One-to-one.
  EXPECT_EQ(count(simple(Projection::Kind::OneToOne), Shape{5, 5, 2}), 50u);
  // All-to-all between two populations.
  EXPECT_EQ(count(simple(Projection::Kind::AllToAll), Shape{1, 1, 4}), 200u);
  // From a list: unknown until the list is read.
  EXPECT_EQ(count(simple(Projection::Kind::FromList), Shape{1, 1, 4}), 0u);
  // All-to-all onto itself, without and with self connections.
  Projection self = simple(Projection::Kind::AllToAll);
  self.pre = self.post = 0;
  EXPECT_EQ(countSynapses(n, self), 50u * 49);
  self.allowSelf = true;
  EXPECT_EQ(countSynapses(n, self), 50u * 50);
}

//===----------------------------------------------------------------------===//
// Property test: the analytic formulas against brute-force enumeration.
//===----------------------------------------------------------------------===//

/// Window positions along one dimension whose window lies inside the padded
/// input, counted one by one.
uint32_t bruteOutDim(uint32_t in, uint32_t k, uint32_t s, uint32_t pad) {
  uint32_t count = 0;
  for (uint32_t o = 0; uint64_t(o) * s + k <= uint64_t(in) + 2 * pad; ++o)
    ++count;
  return count;
}

/// Whether a kernel tap of output position `o` lands on a real input.
bool tapInside(uint32_t o, uint32_t kk, uint32_t s, uint32_t pad, uint32_t in) {
  int64_t i = int64_t(o) * s + kk - int64_t(pad);
  return i >= 0 && i < int64_t(in);
}

/// Every (output neuron, input neuron) pair a windowed projection connects,
/// enumerated over output positions, kernel taps and channels.
uint64_t bruteSynapses(const Shape &in, const Shape &out, const Projection &p) {
  uint64_t count = 0;
  for (uint32_t oc = 0; oc < out.c; ++oc)
    for (uint32_t oy = 0; oy < out.h; ++oy)
      for (uint32_t ox = 0; ox < out.w; ++ox)
        for (uint32_t ky = 0; ky < p.kernel.h; ++ky)
          for (uint32_t kx = 0; kx < p.kernel.w; ++kx) {
            if (!tapInside(oy, ky, p.stride.h, p.padding.h, in.h) ||
                !tapInside(ox, kx, p.stride.w, p.padding.w, in.w))
              continue;
            bool standard = p.kind == Projection::Kind::Conv &&
                            p.mode == Projection::ChannelMode::Standard;
            // Standard conv: every input channel; per-map and pooling: the
            // one channel the output map belongs to.
            count += standard ? in.c : 1;
          }
  return count;
}

/// Input rows at the far edge after the last window's last real tap.
uint32_t bruteUncovered(uint32_t in, uint32_t out, uint32_t k, uint32_t s,
                        uint32_t pad) {
  // Rows under no window at all: gaps and the far edge alike.
  uint32_t uncovered = 0;
  for (int64_t r = 0; r < int64_t(in); ++r) {
    bool covered = false;
    for (int64_t o = 0; o < int64_t(out) && !covered; ++o) {
      int64_t start = o * s - int64_t(pad);
      covered = start <= r && r < start + int64_t(k);
    }
    uncovered += !covered;
  }
  return uncovered;
}

TEST(ShapesPropertyTest, AnalyticCountsMatchBruteForce) {
  std::mt19937 rng(20240611);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  unsigned checked = 0, collapsed = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    Shape in{pick(1, 12), pick(1, 12), pick(1, 4)};
    Projection p;
    int kind = iter % 3;
    p.kind = kind == 2 ? Projection::Kind::Pool : Projection::Kind::Conv;
    p.mode = kind == 1 ? Projection::ChannelMode::PerMap
                       : Projection::ChannelMode::Standard;
    p.filters = kind == 2 ? 0 : pick(1, 3);
    p.kernel = Pair{pick(1, 6), pick(1, 6)};
    p.stride = Pair{pick(1, 4), pick(1, 4)};
    p.padding = Pair{pick(0, 3), pick(0, 3)};
    SCOPED_TRACE(testing::Message()
                 << "iteration " << iter << ": in " << in.h << "x" << in.w
                 << "x" << in.c << ", kind " << kind << ", filters "
                 << p.filters << ", kernel " << p.kernel.h << "x" << p.kernel.w
                 << ", stride " << p.stride.h << "x" << p.stride.w
                 << ", padding " << p.padding.h << "x" << p.padding.w);

    uint32_t oh = bruteOutDim(in.h, p.kernel.h, p.stride.h, p.padding.h);
    uint32_t ow = bruteOutDim(in.w, p.kernel.w, p.stride.w, p.padding.w);
    Shape out;
    std::string why;
    bool ok = computeOutputShape(in, p, out, why);
    if (oh == 0 || ow == 0) {
      EXPECT_FALSE(ok);
      EXPECT_NE(why.find(oh == 0 ? "output height collapses"
                                 : "output width collapses"),
                std::string::npos)
          << why;
      ++collapsed;
      continue;
    }
    ASSERT_TRUE(ok) << why;
    uint32_t depth = kind == 0   ? p.filters
                     : kind == 1 ? p.filters * in.c
                                 : in.c;
    EXPECT_EQ(out, (Shape{oh, ow, depth}));

    Network n;
    n.populations.resize(2);
    n.populations[0].shape = in;
    n.populations[1].shape = out;
    p.pre = 0;
    p.post = 1;
    EXPECT_EQ(countSynapses(n, p), bruteSynapses(in, out, p));

    EXPECT_EQ(
        uncoveredInput(in, p),
        (Pair{bruteUncovered(in.h, oh, p.kernel.h, p.stride.h, p.padding.h),
              bruteUncovered(in.w, ow, p.kernel.w, p.stride.w, p.padding.w)}));
    ++checked;
  }
  // The generator exercises both outcomes.
  EXPECT_GT(checked, 1000u);
  EXPECT_GT(collapsed, 50u);
}

} // namespace
