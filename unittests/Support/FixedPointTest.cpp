//===- FixedPointTest.cpp - S16.15 / u0.32 arithmetic and IF_curr_exp -----===//
#include "scnc/Support/FixedPoint.h"
#include "RandomNeurons.h"
#include "scnc/IR/Network.h"
#include "gtest/gtest.h"
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace scnc;

// FixedPointCoreTest.cpp: the same update compiled without FP registers.
int64_t countSpikesCoreOnly(const NeuronFixedParams &p, Accum excitatory,
                            int64_t ticks);

namespace {

Accum bits(int32_t b) { return Accum::fromBits(b); }
UFract32 fbits(uint32_t b) { return UFract32::fromBits(b); }

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

TEST(FixedPointTest, AccumFromDoubleExactValues) {
  bool overflow = false;
  EXPECT_EQ(accumFromDouble(0.5, &overflow).bits, 16384);
  EXPECT_EQ(accumFromDouble(1.0, &overflow).bits, 32768);
  EXPECT_EQ(accumFromDouble(-65.0, &overflow).bits, -2129920);
  EXPECT_EQ(uint32_t(accumFromDouble(-65.0).bits), 0xFFDF8000u);
  EXPECT_EQ(accumFromDouble(-50.0, &overflow).bits, -1638400);
  EXPECT_EQ(accumFromDouble(0.0, &overflow).bits, 0);
  EXPECT_EQ(accumFromDouble(std::ldexp(1.0, -15), &overflow).bits, 1);
  EXPECT_FALSE(overflow);
  // Every accum is a double: the round trip is exact.
  for (int32_t b : {INT32_MIN, -2129920, -1, 0, 1, 16384, INT32_MAX})
    EXPECT_EQ(accumFromDouble(toDouble(bits(b))).bits, b);
  EXPECT_EQ(toDouble(bits(-2129920)), -65.0);
  EXPECT_EQ(toDouble(Accum::max()), 65536.0 - std::ldexp(1.0, -15));
  EXPECT_EQ(toDouble(Accum::min()), -65536.0);
}

TEST(FixedPointTest, AccumFromDoubleRoundsHalfToEven) {
  double half = std::ldexp(1.0, -16); // half an LSB
  EXPECT_EQ(accumFromDouble(half).bits, 0);
  EXPECT_EQ(accumFromDouble(3 * half).bits, 2);
  EXPECT_EQ(accumFromDouble(5 * half).bits, 2);
  EXPECT_EQ(accumFromDouble(-half).bits, 0);
  EXPECT_EQ(accumFromDouble(-3 * half).bits, -2);
  EXPECT_EQ(accumFromDouble(0.7 * std::ldexp(1.0, -15)).bits, 1);
  EXPECT_EQ(accumFromDouble(-0.7 * std::ldexp(1.0, -15)).bits, -1);
  EXPECT_EQ(accumFromDouble(0.1).bits, 3277); // 3276.8
}

TEST(FixedPointTest, AccumFromDoubleSaturates) {
  bool overflow = false;
  EXPECT_EQ(accumFromDouble(65536.0 - std::ldexp(1.0, -15), &overflow).bits,
            INT32_MAX);
  EXPECT_FALSE(overflow);
  EXPECT_EQ(accumFromDouble(-65536.0, &overflow).bits, INT32_MIN);
  EXPECT_FALSE(overflow);

  for (double v :
       {65536.0, 65536.0 - std::ldexp(1.0, -17), 1e9, 1e300, HUGE_VAL}) {
    overflow = false;
    EXPECT_EQ(accumFromDouble(v, &overflow).bits, INT32_MAX) << v;
    EXPECT_TRUE(overflow) << v;
  }
  for (double v : {-65536.0 - std::ldexp(1.0, -15), -1e9, -HUGE_VAL}) {
    overflow = false;
    EXPECT_EQ(accumFromDouble(v, &overflow).bits, INT32_MIN) << v;
    EXPECT_TRUE(overflow) << v;
  }
  overflow = false;
  EXPECT_EQ(accumFromDouble(std::nan(""), &overflow).bits, 0);
  EXPECT_TRUE(overflow);
}

TEST(FixedPointTest, UFract32FromDouble) {
  bool overflow = false;
  EXPECT_EQ(ufract32FromDouble(0.5, &overflow).bits, 0x80000000u);
  EXPECT_EQ(ufract32FromDouble(0.0, &overflow).bits, 0u);
  // exp(-1/10) * 2^32 = 3886247118.6615269...
  EXPECT_EQ(ufract32FromDouble(std::exp(-1.0 / 10.0), &overflow).bits,
            3886247119u);
  EXPECT_FALSE(overflow);
  EXPECT_EQ(toDouble(fbits(0x80000000u)), 0.5);

  for (double v : {1.0, 1.5, 1.0 - std::ldexp(1.0, -34)}) {
    overflow = false;
    EXPECT_EQ(ufract32FromDouble(v, &overflow).bits, UINT32_MAX) << v;
    EXPECT_TRUE(overflow) << v;
  }
  overflow = false;
  EXPECT_EQ(ufract32FromDouble(-0.25, &overflow).bits, 0u);
  EXPECT_TRUE(overflow);
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

TEST(FixedPointTest, SaturatingAddSub) {
  EXPECT_EQ(addSat(bits(32768), bits(16384)).bits, 49152);
  EXPECT_EQ(addSat(Accum::max(), bits(1)), Accum::max());
  EXPECT_EQ(addSat(Accum::min(), bits(-1)), Accum::min());
  EXPECT_EQ(subSat(Accum::min(), bits(1)), Accum::min());
  EXPECT_EQ(subSat(Accum::max(), bits(-1)), Accum::max());
  EXPECT_EQ(subSat(bits(0), Accum::min()), Accum::max());
  EXPECT_EQ(negSat(Accum::min()), Accum::max());
  EXPECT_EQ(negSat(bits(5)).bits, -5);
  EXPECT_EQ(Accum::fromInt(-65).bits, -2129920);
  EXPECT_EQ(Accum::fromInt(-65536), Accum::min());
  EXPECT_EQ(Accum::fromInt(65536), Accum::max());
  EXPECT_EQ(Accum::fromInt(-70000), Accum::min());
}

TEST(FixedPointTest, AccumTimesAccumRoundsToNearestTiesUp) {
  // Exact products.
  EXPECT_EQ(mul(bits(16384), bits(16384)).bits, 8192); // 0.5 * 0.5
  EXPECT_EQ(mul(Accum::fromInt(20), bits(32768)).bits, 655360);
  EXPECT_EQ(mul(Accum::fromInt(-3), Accum::fromInt(7)), Accum::fromInt(-21));
  // 1 LSB * 0.5 = half an LSB: ties go toward +infinity.
  EXPECT_EQ(mul(bits(1), bits(16384)).bits, 1);
  EXPECT_EQ(mul(bits(-1), bits(16384)).bits, 0);
  EXPECT_EQ(mul(bits(3), bits(16384)).bits, 2);   // 1.5 LSB
  EXPECT_EQ(mul(bits(5), bits(16384)).bits, 3);   // 2.5 LSB (not even: 2)
  EXPECT_EQ(mul(bits(-3), bits(16384)).bits, -1); // -1.5 LSB
  // Just below and above half an LSB.
  EXPECT_EQ(mul(bits(1), bits(16383)).bits, 0);
  EXPECT_EQ(mul(bits(1), bits(16385)).bits, 1);
  EXPECT_EQ(mul(bits(-1), bits(16385)).bits, -1);
  // 1 LSB * 0.75 -> 1; 1 LSB * 0.25 -> 0.
  EXPECT_EQ(mul(bits(1), bits(24576)).bits, 1);
  EXPECT_EQ(mul(bits(1), bits(8192)).bits, 0);
  // Saturation.
  EXPECT_EQ(mul(Accum::fromInt(256), Accum::fromInt(256)), Accum::max());
  EXPECT_EQ(mul(Accum::fromInt(-256), Accum::fromInt(256)), Accum::min());
  EXPECT_EQ(mul(Accum::fromInt(-256), Accum::fromInt(257)), Accum::min());
  EXPECT_EQ(mul(Accum::min(), Accum::min()), Accum::max());
  EXPECT_EQ(mul(Accum::max(), bits(32768)), Accum::max());
}

TEST(FixedPointTest, AccumTimesUFract32) {
  EXPECT_EQ(mul(bits(32768), fbits(0x80000000u)).bits, 16384);
  // Half an LSB: ties toward +infinity.
  EXPECT_EQ(mul(bits(1), fbits(0x80000000u)).bits, 1);
  EXPECT_EQ(mul(bits(-1), fbits(0x80000000u)).bits, 0);
  EXPECT_EQ(mul(bits(3), fbits(0x80000000u)).bits, 2);
  EXPECT_EQ(mul(bits(-3), fbits(0x80000000u)).bits, -1);
  EXPECT_EQ(mul(bits(1), fbits(0x7FFFFFFFu)).bits, 0);
  EXPECT_EQ(mul(bits(1), fbits(0x80000001u)).bits, 1);
  // The extremes fit without saturation.
  EXPECT_EQ(mul(Accum::max(), fbits(UINT32_MAX)), Accum::max());
  EXPECT_EQ(mul(Accum::min(), fbits(UINT32_MAX)).bits, INT32_MIN + 1);
  EXPECT_EQ(mul(Accum::min(), fbits(0)).bits, 0);
  // -65 mV * exp(-1/10).
  UFract32 d = ufract32FromDouble(std::exp(-0.1));
  EXPECT_EQ(mul(Accum::fromInt(-65), d).bits, -1927231); // -1927231.31
  EXPECT_EQ(mul(d, Accum::fromInt(-65)).bits, -1927231);

  // Truncation (sPyNNaker decay_s1615) rounds toward -infinity instead.
  EXPECT_EQ(mulFloor(bits(1), fbits(0x80000000u)).bits, 0);
  EXPECT_EQ(mulFloor(bits(-1), fbits(0x80000000u)).bits, -1);
  EXPECT_EQ(mulFloor(bits(1), fbits(0xFFFFFFFFu)).bits, 0);
  EXPECT_EQ(mulFloor(Accum::fromInt(-65), d).bits, -1927232);
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

TEST(FixedPointTest, RefractoryTicks) {
  struct Case {
    double tauRefrac, dt;
    int32_t ticks;
  };
  const Case cases[] = {
      {2060, 1.0, 2060}, {2060, 0.1, 20600}, {1, 1.0, 1},   {1, 0.1, 10},
      {0.1, 1.0, 1},     {0.1, 0.1, 1},      {2.0, 1.0, 2}, {2.0, 0.1, 20},
      {0.3, 0.1, 3},     {0.7, 0.1, 7},      {1.5, 1.0, 2}, {0, 1.0, 0},
      {0, 0.1, 0},       {2.05, 0.1, 21},
  };
  for (const Case &c : cases)
    EXPECT_EQ(refractoryTicks(c.tauRefrac, c.dt), c.ticks)
        << c.tauRefrac << " / " << c.dt;
}

TEST(FixedPointTest, ToFixedDefaults) {
  NeuronParams p; // PyNN defaults: tau_m 20, cm 1, tau_syn 5, tau_refrac 0.1
  std::vector<std::string> overflows;
  NeuronFixedParams f = toFixed(p, 1.0, &overflows);
  EXPECT_TRUE(overflows.empty());
  EXPECT_EQ(f.vRest.bits, -2129920);
  EXPECT_EQ(f.vReset.bits, -2129920);
  EXPECT_EQ(f.vThresh.bits, -1638400);
  EXPECT_EQ(f.vInit.bits, -2129920);
  EXPECT_EQ(f.iOffset.bits, 0);
  EXPECT_EQ(f.rMembrane.bits, 655360);   // 20 MOhm
  EXPECT_EQ(f.expTC.bits, 4085499269u);  // exp(-1/20) * 2^32
  EXPECT_EQ(f.decayE.bits, 3516421809u); // exp(-1/5) * 2^32
  EXPECT_EQ(f.initE.bits, 3892727437u);  // 5 (1 - exp(-1/5)) * 2^32
  EXPECT_EQ(f.decayI, f.decayE);
  EXPECT_EQ(f.initI, f.initE);
  EXPECT_EQ(f.refracTicks, 1);

  NeuronFixedParams g = toFixed(p, 0.1);
  EXPECT_EQ(g.expTC.bits, 4273546057u);  // exp(-0.1/20)
  EXPECT_EQ(g.decayE.bits, 4209921245u); // exp(-0.1/5)
  EXPECT_EQ(g.initE.bits, 4252302528u);  // 50 (1 - exp(-0.1/5))
  EXPECT_EQ(g.refracTicks, 1);

  p.tau_m = 10;
  p.tau_syn_I = 10;
  NeuronFixedParams h = toFixed(p, 1.0);
  EXPECT_EQ(h.expTC.bits, 3886247119u);
  EXPECT_EQ(h.decayI.bits, 3886247119u);
  EXPECT_EQ(h.initI.bits, 4087201773u);
  EXPECT_EQ(h.rMembrane.bits, 327680);
}

TEST(FixedPointTest, ToFixedReportsOverflows) {
  NeuronParams p;
  p.cm = 1e-4; // R = 200000 MOhm
  p.v_thresh = -1e5;
  std::vector<std::string> overflows;
  NeuronFixedParams f = toFixed(p, 1.0, &overflows);
  ASSERT_EQ(overflows.size(), 2u);
  EXPECT_NE(overflows[0].find("v_thresh = -100000 mV does not fit S16.15"),
            std::string::npos)
      << overflows[0];
  EXPECT_NE(overflows[1].find("R = tau_m/cm = 200000"), std::string::npos)
      << overflows[1];
  EXPECT_EQ(f.vThresh, Accum::min());
  EXPECT_EQ(f.rMembrane, Accum::max());
  // Without a list the values saturate silently.
  EXPECT_EQ(toFixed(p, 1.0).rMembrane, Accum::max());
}

//===----------------------------------------------------------------------===//
// Ring buffers and weights
//===----------------------------------------------------------------------===//

TEST(FixedPointTest, RingBufferLeftShift) {
  struct Case {
    double max;
    unsigned shift;
  };
  const Case cases[] = {
      {0, 0},   {-1, 0},     {0.3, 0},    {0.999, 0},    {1.0, 1},
      {1.5, 1}, {2.0, 2},    {3.9, 2},    {4.0, 3},      {100, 7},
      {128, 8}, {32767, 15}, {32768, 16}, {65535.5, 16},
  };
  for (const Case &c : cases) {
    bool overflow = false;
    EXPECT_EQ(ringBufferLeftShift(c.max, &overflow), c.shift) << c.max;
    EXPECT_FALSE(overflow) << c.max;
    // The rule: the largest sum, scaled, stays below 2^15 (one bit of
    // headroom below the uint16 limit, as sPyNNaker).
    if (c.max > 0) {
      EXPECT_LT(c.max * weightScale(c.shift), 32768.0) << c.max;
    }
  }
  for (double big : {65536.0, 1e6, HUGE_VAL}) {
    bool overflow = false;
    EXPECT_EQ(ringBufferLeftShift(big, &overflow), MaxRingBufferLeftShift);
    EXPECT_TRUE(overflow) << big;
  }
  EXPECT_EQ(weightScale(0), 32768.0);
  EXPECT_EQ(weightScale(7), 256.0);
  EXPECT_EQ(weightScale(16), 0.5);
}

TEST(FixedPointTest, WeightsToRingBuffer) {
  EXPECT_EQ(weightToRingBuffer(0.3, 0), 9830);  // 9830.4
  EXPECT_EQ(weightToRingBuffer(-0.3, 0), 9830); // sign = synapse type
  EXPECT_EQ(weightToRingBuffer(0.3, 2), 2458);  // 2457.6
  bool overflow = false;
  EXPECT_EQ(weightToRingBuffer(3.0, 0, &overflow), 0xFFFF);
  EXPECT_TRUE(overflow);

  // The slot value back as a current: bits << shift.
  EXPECT_EQ(ringBufferToAccum(2458, 2).bits, 9832);
  EXPECT_EQ(ringBufferToAccum(9830, 0).bits, 9830);
  EXPECT_EQ(ringBufferToAccum(0xFFFF, 15).bits, 0x7FFF8000);
  EXPECT_EQ(ringBufferToAccum(0x7FFF, 16).bits, 0x7FFF0000);
  EXPECT_EQ(ringBufferToAccum(0xFFFF, 16), Accum::max());
  EXPECT_EQ(addSatU16(0xFFF0, 0x20), 0xFFFF);
  EXPECT_EQ(addSatU16(100, 28), 128);

  const double w[] = {0.3, -0.3, 0.04, 1e-6, 0.0};
  WeightQuantization q = quantizeWeights(w, 5, 2.0);
  EXPECT_EQ(q.leftShift, 2u);
  EXPECT_EQ(q.scale, 8192.0);
  EXPECT_EQ(q.weights, (std::vector<uint16_t>{2458, 2458, 328, 0, 0}));
  EXPECT_EQ(q.flushedToZero, 1u);
  EXPECT_EQ(q.saturated, 0u);
  EXPECT_FALSE(q.shiftOverflow);
  EXPECT_EQ(q.worstIndex, 3u);
  EXPECT_EQ(q.worstRelativeError, 1.0);

  const double v[] = {0.3, 0.04};
  WeightQuantization r = quantizeWeights(v, 2, 0.34);
  EXPECT_EQ(r.leftShift, 0u);
  EXPECT_EQ(r.weights, (std::vector<uint16_t>{9830, 1311})); // 1310.72
  EXPECT_EQ(r.worstIndex, 1u);
  EXPECT_NEAR(r.worstRelativeError, 0.28 / 1310.72, 1e-12);
}

//===----------------------------------------------------------------------===//
// IF_curr_exp
//===----------------------------------------------------------------------===//

NeuronParams neuron(double iOffset, double tauRefrac = 2.0) {
  NeuronParams p;
  p.tau_m = 20;
  p.cm = 1;
  p.v_rest = -65;
  p.v_reset = -65;
  p.v_thresh = -50;
  p.v_init = -65;
  p.tau_refrac = tauRefrac;
  p.i_offset = iOffset;
  return p;
}

/// Ticks at which the fixed-point model spikes; \p exc and \p inh (nA) are
/// the inputs each tick.
std::vector<int64_t> spikesFixed(const NeuronParams &np, double dt,
                                 int64_t ticks, double exc = 0,
                                 double inh = 0) {
  NeuronFixedParams p = toFixed(np, dt);
  NeuronFixedState s = initialState(p);
  Accum e = accumFromDouble(exc), i = accumFromDouble(inh);
  std::vector<int64_t> spikes;
  for (int64_t t = 0; t < ticks; ++t) {
    bool spiked = false;
    lifStep(s, p, e, i, spiked);
    if (spiked)
      spikes.push_back(t);
  }
  return spikes;
}

std::vector<int64_t> spikesDouble(const NeuronParams &np, double dt,
                                  int64_t ticks, double exc = 0,
                                  double inh = 0) {
  NeuronDoubleParams p = toDoubleParams(np, dt);
  NeuronDoubleState s = initialState(p);
  std::vector<int64_t> spikes;
  for (int64_t t = 0; t < ticks; ++t) {
    bool spiked = false;
    lifStepDouble(s, p, exc, inh, spiked);
    if (spiked)
      spikes.push_back(t);
  }
  return spikes;
}

TEST(FixedPointTest, OneStepMatchesTheEquation) {
  NeuronParams np = neuron(1.0);
  NeuronFixedParams p = toFixed(np, 1.0);
  NeuronFixedState s = initialState(p);
  bool spiked = true;
  lifStep(s, p, Accum(), Accum(), spiked);
  EXPECT_FALSE(spiked);
  // alpha = 1 * 20 - 65 = -45; V = -45 - exp(-1/20) * 20 = -64.024588...
  EXPECT_EQ(s.v.bits, accumFromDouble(-45 - std::exp(-0.05) * 20).bits);

  // An input enters with init, is seen by the membrane, then decays.
  NeuronFixedState t = initialState(p);
  Accum in = Accum::fromInt(1);
  lifStep(t, p, in, Accum(), spiked);
  EXPECT_EQ(t.iSynE, mul(mul(in, p.initE), p.decayE));
  EXPECT_EQ(t.iSynI, Accum());
}

TEST(FixedPointTest, RefractoryPeriodHoldsTheMembrane) {
  // A huge current makes the neuron fire on every tick it is allowed to:
  // spike, refracTicks ticks held at v_reset, spike, ...
  for (double tauRefrac : {0.0, 1.0, 2.0, 2.5}) {
    NeuronParams np = neuron(100.0, tauRefrac);
    int64_t period = refractoryTicks(tauRefrac, 1.0) + 1;
    std::vector<int64_t> f = spikesFixed(np, 1.0, 30);
    std::vector<int64_t> d = spikesDouble(np, 1.0, 30);
    std::vector<int64_t> expected;
    for (int64_t t = 0; t < 30; t += period)
      expected.push_back(t);
    EXPECT_EQ(f, expected) << tauRefrac;
    EXPECT_EQ(d, expected) << tauRefrac;
  }
}

TEST(FixedPointTest, SubthresholdTraceMatchesFloat64) {
  // Error bounds, in LSBs (2^-15), for a steady input: the synaptic current
  // takes two roundings a tick (input * init, then * decay), each at most
  // half an LSB, and forgets old errors by `decay`, so |dI| <= 1/(1-decay).
  // alpha = I*R + V_rest adds R |dI| + 1/2; V = (1-e) alpha + e V adds 1/2
  // a tick and forgets by e = exp_TC, so |dV| <= R |dI| + 1/2 + 1/2/(1-e).
  // The rounding of the constants (relative 2^-33) is far below these.
  for (double dt : {1.0, 0.1}) {
    NeuronParams np = neuron(0.5);
    NeuronFixedParams fp = toFixed(np, dt);
    NeuronDoubleParams dp = toDoubleParams(np, dt);
    NeuronFixedState fs = initialState(fp);
    NeuronDoubleState ds = initialState(dp);
    Accum e = accumFromDouble(0.01 * dt); // steady I_syn = 0.05 nA
    double lsb = std::ldexp(1.0, -15);
    double boundI = lsb / (1 - dp.decayE);
    double boundV = dp.rMembrane * boundI + lsb / 2 + lsb / 2 / (1 - dp.expTC);
    double worstI = 0, worstV = 0;
    for (int t = 0; t < 5000; ++t) {
      bool fSpiked = false, dSpiked = false;
      lifStep(fs, fp, e, Accum(), fSpiked);
      lifStepDouble(ds, dp, toDouble(e), 0, dSpiked);
      ASSERT_FALSE(fSpiked);
      ASSERT_FALSE(dSpiked);
      worstV = std::max(worstV, std::fabs(toDouble(fs.v) - ds.v));
      worstI = std::max(worstI, std::fabs(toDouble(fs.iSynE) - ds.iSynE));
    }
    EXPECT_LE(worstI, boundI) << "dt " << dt;
    EXPECT_LE(worstV, boundV) << "dt " << dt;
    // In absolute terms: below 4 uV at dt = 1 ms, 35 uV at dt = 0.1 ms.
    EXPECT_LT(worstV, dt == 1.0 ? 4e-3 : 3.5e-2) << "dt " << dt;
  }
}

TEST(FixedPointTest, ConstantCurrentSpikeCountsMatchFloat64) {
  for (double dt : {1.0, 0.1}) {
    for (double current : {0.76, 0.8, 1.0, 1.3, 1.5, 2.0, 3.0, 5.0, 10.0}) {
      NeuronParams np = neuron(current);
      size_t f = spikesFixed(np, dt, 1000).size();
      size_t d = spikesDouble(np, dt, 1000).size();
      EXPECT_LE(std::abs(int64_t(f) - int64_t(d)), 1)
          << "dt " << dt << " I " << current << ": " << f << " vs " << d;
      EXPECT_GT(d, 0u) << "dt " << dt << " I " << current;
    }
  }
  // The same through the excitatory and inhibitory synapses: a steady input
  // x per tick gives a current of x * tau_syn / dt.
  for (double dt : {1.0, 0.1}) {
    for (double exc : {0.2, 0.3, 0.5}) {
      NeuronParams np = neuron(0);
      double perTick = exc * dt / np.tau_syn_E;
      size_t f = spikesFixed(np, dt, 1000, 2 * perTick, perTick).size();
      size_t d = spikesDouble(np, dt, 1000, 2 * perTick, perTick).size();
      EXPECT_LE(std::abs(int64_t(f) - int64_t(d)), 1)
          << "dt " << dt << " exc " << exc << ": " << f << " vs " << d;
    }
  }
}

TEST(FixedPointTest, Float64RateMatchesAnalyticRate) {
  // For a constant current the closed-form update is exact at the ticks, so
  // the discrete inter-spike interval is refracTicks + ceil(t_c / dt) ticks
  // with t_c = tau_m ln((RI + V_rest - V_reset) / (RI + V_rest - V_thresh)):
  // never shorter than the analytic T = tau_refrac + t_c and at most one
  // tick longer (tau_refrac is a multiple of dt here). The rate error is
  // therefore below dt / T; with dt = 0.1 ms and T > 10 ms that is < 1%.
  const double dt = 0.1;
  for (double current : {0.8, 1.0, 1.5, 2.0}) {
    NeuronParams np = neuron(current);
    double r = np.tau_m / np.cm;
    double t = np.tau_refrac +
               np.tau_m * std::log((r * current + np.v_rest - np.v_reset) /
                                   (r * current + np.v_rest - np.v_thresh));
    std::vector<int64_t> spikes = spikesDouble(np, dt, 200000); // 20 s
    ASSERT_GT(spikes.size(), 100u);
    double meanIsi =
        double(spikes.back() - spikes.front()) * dt / (spikes.size() - 1);
    double relError = std::fabs(meanIsi - t) / t;
    EXPECT_LT(relError, 0.01)
        << "I " << current << ": " << meanIsi << " ms vs " << t << " ms";
    EXPECT_LE(relError, dt / t + 1e-9) << "I " << current;
    EXPECT_GE(meanIsi, t - 1e-9) << "I " << current;
  }
}

TEST(FixedPointTest, CoreOnlyBuildAgrees) {
  NeuronParams np = neuron(1.0);
  NeuronFixedParams p = toFixed(np, 1.0);
  Accum e = accumFromDouble(0.05);
  EXPECT_EQ(countSpikesCoreOnly(p, e, 1000),
            int64_t(spikesFixed(np, 1.0, 1000, 0.05).size()));
}

} // namespace

namespace {
/// lifStep without its shortcuts: every step of docs/fixed-point.md done
/// whatever the values.
void lifStepEveryStep(NeuronFixedState &s, const NeuronFixedParams &p,
                      Accum excitatoryInput, Accum inhibitoryInput,
                      bool &spiked) {
  s.iSynE = addSat(s.iSynE, mul(excitatoryInput, p.initE));
  s.iSynI = addSat(s.iSynI, mul(inhibitoryInput, p.initI));
  if (s.refracTimer <= 0) {
    Accum i = addSat(subSat(s.iSynE, s.iSynI), p.iOffset);
    Accum alpha = addSat(mul(i, p.rMembrane), p.vRest);
    s.v = subSat(alpha, mul(subSat(alpha, s.v), p.expTC));
  } else {
    --s.refracTimer;
  }
  spiked = s.v >= p.vThresh;
  if (spiked) {
    s.v = p.vReset;
    s.refracTimer = p.refracTicks;
  }
  s.iSynE = mul(s.iSynE, p.decayE);
  s.iSynI = mul(s.iSynI, p.decayI);
}
} // namespace

TEST(FixedPointTest, ShortcutsChangeNoBit) {
  // lifStep leaves out work that cannot change a value (zero inputs,
  // currents and offsets); on random and saturating parameters, states and
  // inputs, zeros frequent, it gives the bits of the full step.
  std::mt19937 rng(7);
  auto any = [&](int32_t lo, int32_t hi) {
    return int32_t(lo + int64_t(rng() % (uint64_t(int64_t(hi) - lo) + 1)));
  };
  auto maybeZero = [&](int32_t v) { return rng() % 3 == 0 ? 0 : v; };
  for (int round = 0; round < 200; ++round) {
    bool extreme = round % 4 == 3;
    NeuronFixedParams p;
    test::randomNeuronParams(
        rng, extreme,
        [&] {
          return maybeZero(extreme ? int32_t(rng())
                                   : any(-1 * 32768, 2 * 32768));
        },
        p);
    NeuronFixedState a;
    a.v = Accum::fromBits(extreme ? int32_t(rng())
                                  : any(-80 * 32768, -40 * 32768));
    a.iSynE = Accum::fromBits(
        maybeZero(extreme ? int32_t(rng()) : any(0, 50 * 32768)));
    a.iSynI = Accum::fromBits(
        maybeZero(extreme ? int32_t(rng()) : any(0, 50 * 32768)));
    a.refracTimer = any(0, p.refracTicks);
    NeuronFixedState b = a;
    for (int t = 0; t < 100; ++t) {
      Accum e = ringBufferToAccum(uint16_t(maybeZero(int32_t(rng()))),
                                  unsigned(any(0, 16)));
      Accum i = ringBufferToAccum(uint16_t(maybeZero(int32_t(rng()))),
                                  unsigned(any(0, 16)));
      bool spikedA, spikedB;
      lifStep(a, p, e, i, spikedA);
      lifStepEveryStep(b, p, e, i, spikedB);
      ASSERT_EQ(a.v, b.v) << round << " " << t;
      ASSERT_EQ(a.iSynE, b.iSynE) << round << " " << t;
      ASSERT_EQ(a.iSynI, b.iSynI) << round << " " << t;
      ASSERT_EQ(a.refracTimer, b.refracTimer) << round << " " << t;
      ASSERT_EQ(spikedA, spikedB) << round << " " << t;
    }
  }
}
