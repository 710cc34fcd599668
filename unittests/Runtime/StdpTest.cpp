//===- StdpTest.cpp - The pair rule's integer arithmetic ------------------===//
//
// Tiny cases with hand-computed values: traces halve every tick (a table
// of 1, 1/2, 1/4, 1/8), A+ w_max = 100 and A- w_max = 50 ring-buffer units,
// weights in [0, 1000].
//
//===----------------------------------------------------------------------===//
#include "kernel/Stdp.h"
#include "gtest/gtest.h"

using namespace scnc;
using namespace scnc::stdp;

namespace {

const UFract32 kHalving[] = {
    UFract32::fromBits(0xffffffffu), UFract32::fromBits(0x80000000u),
    UFract32::fromBits(0x40000000u), UFract32::fromBits(0x20000000u)};

Rule rule(bool multiplicative) {
  Rule r;
  r.multiplicative = multiplicative;
  r.aPlus = Accum::fromInt(100);
  r.aMinus = Accum::fromInt(50);
  r.wMin = 0;
  r.wMax = 1000;
  r.decayPlus = r.decayMinus = kHalving;
  r.lenPlus = r.lenMinus = 4;
  return r;
}

TEST(Stdp, Traces) {
  EXPECT_EQ(decayTrace(2048, 1, kHalving, 4), 1024);
  EXPECT_EQ(decayTrace(2048, 3, kHalving, 4), 256);
  EXPECT_EQ(decayTrace(2048, 4, kHalving, 4), 0); // past the table
  EXPECT_EQ(decayTrace(3, 1, kHalving, 4), 2);    // 1.5 rounds up
  EXPECT_EQ(bumpTrace(2048, 1, kHalving, 4), 3072);
  EXPECT_EQ(bumpTrace(32000, 0, kHalving, 4), kTraceMax); // saturates
}

TEST(Stdp, PostHistory) {
  Rule r = rule(false);
  PostHistory h;
  h.record(11, r);
  h.record(12, r); // 1024 + 2048
  EXPECT_EQ(h.traceAt(10, r), 0);
  EXPECT_EQ(h.traceAt(11, r), 2048);
  EXPECT_EQ(h.traceAt(12, r), 3072);
  EXPECT_EQ(h.traceAt(13, r), 1536);
  // Only the last kHistory spikes are kept, oldest dropped.
  for (uint32_t t = 20; t < 20 + kHistory; ++t)
    h.record(t, r);
  EXPECT_EQ(h.count, kHistory);
  EXPECT_EQ(h.ticks[0], 20u);
  EXPECT_EQ(h.ticks[kHistory - 1], 20 + kHistory - 1);
}

// Pre at 10, post at 11, pre at 12: the second pre spike applies the
// deferred potentiation (pre trace 1 decayed 1 tick: 1/2, +100 * 1/2 = 50)
// and its own depression (post trace at 12: 1/2, -50 * 1/2 = 25).
TEST(Stdp, AdditivePair) {
  Rule r = rule(false);
  PostHistory post;
  uint16_t w = onPreSpike(500, 10, false, 0, 0, post, r);
  EXPECT_EQ(w, 500); // nothing to pair with yet
  post.record(11, r);
  w = onPreSpike(w, 12, true, 10, kTraceOne, post, r);
  EXPECT_EQ(w, 500 + 50 - 25);
}

// The same with the multiplicative dependence: potentiation scaled by
// (1000 - 500) / 1000 -> +25 = 525; depression by 525 / 1000: 13.125 -> 13.
TEST(Stdp, MultiplicativePair) {
  Rule r = rule(true);
  PostHistory post;
  post.record(11, r);
  uint16_t w = onPreSpike(500, 12, true, 10, kTraceOne, post, r);
  EXPECT_EQ(w, 512);
}

TEST(Stdp, ClippedAndFlushed) {
  Rule r = rule(false);
  PostHistory post;
  post.record(11, r);
  // Potentiation of +50 from 990 stops at w_max; depression -25: 975.
  EXPECT_EQ(onPreSpike(990, 12, true, 10, kTraceOne, post, r), 975);
  // Depression below w_min stops at 0: post trace 1 at the same tick.
  EXPECT_EQ(onPreSpike(10, 11, false, 0, 0, post, r), 0);
  // Post spikes after the last pre spike are applied at read-back.
  PostHistory later;
  later.record(12, r);
  later.record(13, r);
  // Pre at 11 with trace 1: +100 * 1/2 at 12, +100 * 1/4 at 13.
  EXPECT_EQ(flush(500, 11, kTraceOne, later, r), 500 + 50 + 25);
  EXPECT_EQ(flush(500, 13, kTraceOne, later, r), 500); // nothing after 13
}

} // namespace
