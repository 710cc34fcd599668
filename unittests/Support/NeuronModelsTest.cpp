//===- NeuronModelsTest.cpp - NIR's IF, LIF and CubaLIF in fixed point ----===//
//
// One neuron of each NIR model (kernel/Lif.h, docs/execution.md) over a few
// ticks at dt = 1 ms, against values computed by hand from the equations
// with docs/fixed-point.md's rounding: the constants toFixed builds, strict
// thresholds, reset to a value and by subtraction, the offset's bias,
// negative net input, CubaLIF's current and its decay; and the float64 twin.
//
//===----------------------------------------------------------------------===//
#include "scnc/IR/Network.h"
#include "scnc/Support/FixedPoint.h"
#include "gtest/gtest.h"
#include <cmath>

using namespace scnc;

namespace {

Accum bits(int32_t b) { return Accum::fromBits(b); }

NeuronParams set(const char *model) {
  NeuronParams p;
  p.model = model;
  p.v_rest = 0;
  p.v_reset = 0;
  p.v_thresh = 1;
  p.v_init = 0;
  return p;
}

/// One step of the parameters' model; returns whether it spiked.
bool step(NeuronFixedState &s, const NeuronFixedParams &p, int32_t e,
          int32_t i) {
  bool spiked;
  neuronModelStep(s, p, bits(e), bits(i), spiked);
  return spiked;
}

TEST(NeuronModelsTest, ModelIds) {
  EXPECT_EQ(neuronModelId("IF"), NeuronModelIf);
  EXPECT_EQ(neuronModelId("LIF"), NeuronModelLif);
  EXPECT_EQ(neuronModelId("CubaLIF"), NeuronModelCubaLif);
  EXPECT_EQ(neuronModelId("IF_curr_exp"), NeuronModelIfCurrExp);
}

TEST(NeuronModelsTest, InputFactors) {
  NeuronParams p = set("IF");
  p.r = 2;
  EXPECT_EQ(inputFactor(p), 2.0);
  p.model = "LIF";
  p.tau_m = 10; // 0.01 s: r / tau = 200 mV per nA
  EXPECT_DOUBLE_EQ(inputFactor(p), 200.0);
  p.model = "CubaLIF";
  p.w_in = 0.5;
  p.tau_syn_E = p.tau_syn_I = 5; // 0.5 / 0.005 s = 100 nA per nA
  EXPECT_DOUBLE_EQ(inputFactor(p), 100.0);
  p.model = "IF_curr_exp";
  EXPECT_EQ(inputFactor(p), 1.0);
}

TEST(NeuronModelsTest, IfStrictThresholdBiasAndResets) {
  // r = 2, i_offset = 0.5 nA: bias = 2 * 0.5 * 0.001 = 0.001 mV = 32.768
  // LSB, rounded to 33. Threshold 1 mV = 32768.
  NeuronParams np = set("IF");
  np.r = 2;
  np.i_offset = 0.5;
  NeuronFixedParams p = toFixed(np, 1.0);
  EXPECT_EQ(p.model, NeuronModelIf);
  EXPECT_EQ(p.bias.bits, 33);
  EXPECT_EQ(p.refracTicks, 0);
  NeuronFixedState s = initialState(p);
  // v = 0 + 32735 + 33 = 32768: at the threshold, not above: no spike.
  EXPECT_FALSE(step(s, p, 32735, 0));
  EXPECT_EQ(s.v.bits, 32768);
  // No input: 32768 + 33 = 32801 > 32768: spike, reset to 0.
  EXPECT_TRUE(step(s, p, 0, 0));
  EXPECT_EQ(s.v.bits, 0);
  // Net negative input: 0 + (100 - 32868) + 33 = -32735.
  EXPECT_FALSE(step(s, p, 100, 32868));
  EXPECT_EQ(s.v.bits, -32735);
  // Reset by subtraction: -32735 + 65535 + 33 = 32833 -> 32833 - 32768.
  p.resetSubtract = 1;
  EXPECT_TRUE(step(s, p, 65535, 0));
  EXPECT_EQ(s.v.bits, 65);
  // IF_curr_exp's >= would have spiked at 32768; the float64 twin agrees
  // with the strict comparison too.
  NeuronDoubleParams d = toDoubleParams(np, 1.0);
  EXPECT_DOUBLE_EQ(d.bias, 0.001);
  EXPECT_EQ(d.inputFactor, 2.0);
  NeuronDoubleState ds = initialState(d);
  bool spiked;
  // 0.25 nA x r = 0.5 mV, + 0.001; then + 1.001 > 1: spike, reset to 0.
  lifStepDouble(ds, d, 0.25, 0, spiked);
  EXPECT_FALSE(spiked);
  EXPECT_DOUBLE_EQ(ds.v, 0.501);
  lifStepDouble(ds, d, 0.5, 0, spiked);
  EXPECT_TRUE(spiked);
  EXPECT_EQ(ds.v, 0.0);
}

TEST(NeuronModelsTest, LifLeakBiasAndReset) {
  // tau_m = 10 ms, r = 2, v_rest = -1 mV, i_offset = 2 nA, dt = 1 ms:
  // e = exp(-0.1) = 3886247119 / 2^32; bias = 2 * 2 * (1 - e) =
  // 0.38065 mV = 12473 LSB.
  NeuronParams np = set("LIF");
  np.tau_m = 10;
  np.r = 2;
  np.v_rest = -1;
  np.i_offset = 2;
  NeuronFixedParams p = toFixed(np, 1.0);
  EXPECT_EQ(p.model, NeuronModelLif);
  EXPECT_EQ(p.expTC.bits, 3886247119u);
  EXPECT_EQ(p.bias.bits, 12473);
  NeuronFixedState s = initialState(p);
  // -32768 + round(32768 e) = -32768 + 29650, + 12473 = 9355.
  EXPECT_FALSE(step(s, p, 0, 0));
  EXPECT_EQ(s.v.bits, 9355);
  // -32768 + round(42123 e = 38114.6) + 12473 + 16384 = 34203 > 32768.
  EXPECT_TRUE(step(s, p, 16384, 0));
  EXPECT_EQ(s.v.bits, 0);
  EXPECT_FALSE(step(s, p, 0, 0));
  EXPECT_EQ(s.v.bits, 9355);
  // Inhibition: -32768 + round(42123 e) + 12473 - 40000 = -22181.
  EXPECT_FALSE(step(s, p, 0, 40000));
  EXPECT_EQ(s.v.bits, -22181);
  // float64: the same equation without rounding.
  NeuronDoubleParams d = toDoubleParams(np, 1.0);
  NeuronDoubleState ds = initialState(d);
  bool spiked;
  lifStepDouble(ds, d, 0.001, 0, spiked); // x = 0.001 nA * 2 / 0.01 s
  double e = std::exp(-0.1);
  EXPECT_NEAR(ds.v, -1 + e + 4 * (1 - e) + 0.2, 1e-12);
  EXPECT_FALSE(spiked);
}

TEST(NeuronModelsTest, CubaLifCurrentDecayAndSubtractReset) {
  // tau_m = 10 ms, tau_syn = 5 ms, r = 2, i_offset = 0.25 nA, reset by
  // subtraction, threshold 1 mV: exp(-0.1) = 3886247119, exp(-0.2) =
  // 3516421809 (u0.32).
  NeuronParams np = set("CubaLIF");
  np.tau_m = 10;
  np.tau_syn_E = np.tau_syn_I = 5;
  np.r = 2;
  np.i_offset = 0.25;
  np.resetSubtract = true;
  NeuronFixedParams p = toFixed(np, 1.0);
  EXPECT_EQ(p.model, NeuronModelCubaLif);
  EXPECT_EQ(p.rMembrane.bits, 65536);
  EXPECT_EQ(p.expTC.bits, 3886247119u);
  EXPECT_EQ(p.decayE.bits, 3516421809u);
  EXPECT_EQ(p.iOffset.bits, 8192);
  EXPECT_EQ(p.resetSubtract, 1);
  NeuronFixedState s = initialState(p);
  // I = 4 nA; i = 4.25; alpha = 8.5 mV = 278528; v = 278528 -
  // round(278528 e) = 278528 - 252023 = 26505; I decays to
  // round(131072 * exp(-0.2)) = 107313.
  EXPECT_FALSE(step(s, p, 4 * 32768, 0));
  EXPECT_EQ(s.v.bits, 26505);
  EXPECT_EQ(s.iSynE.bits, 107313);
  // i = 115505, alpha = 231010, v = 231010 - round(204505 e) = 45966 >
  // 32768: spike, v = 45966 - 32768 = 13198; I -> 87860.
  EXPECT_TRUE(step(s, p, 0, 0));
  EXPECT_EQ(s.v.bits, 13198);
  EXPECT_EQ(s.iSynE.bits, 87860);
  EXPECT_FALSE(step(s, p, 0, 0));
  EXPECT_EQ(s.v.bits, 30223);
  EXPECT_EQ(s.iSynE.bits, 71934);
  // Inhibition drives the current negative: I = 71934 - 262144 = -190210;
  // v = -7296; I -> -155731 (rounded to nearest, ties up).
  EXPECT_FALSE(step(s, p, 0, 8 * 32768));
  EXPECT_EQ(s.iSynE.bits, -155731);
  EXPECT_EQ(s.v.bits, -7296);
  EXPECT_FALSE(step(s, p, 0, 0));
  EXPECT_EQ(s.v.bits, -34682);
  EXPECT_EQ(s.iSynE.bits, -127502);
  // float64: the current jump is w_in x / tau_syn (x in nA, tau in s).
  NeuronDoubleParams d = toDoubleParams(np, 1.0);
  EXPECT_DOUBLE_EQ(d.inputFactor, 200.0);
  NeuronDoubleState ds = initialState(d);
  bool spiked;
  lifStepDouble(ds, d, 0.02, 0, spiked); // I = 4 nA
  double e = std::exp(-0.1);
  EXPECT_NEAR(ds.v, 8.5 * (1 - e), 1e-12);
  EXPECT_NEAR(ds.iSynE, 4 * std::exp(-0.2), 1e-12);
}

TEST(NeuronModelsTest, ZeroInputShortcutsChangeNoBit) {
  // The steps skip work for a zero input or bias; the same bits as adding
  // zero, which the quiet-neuron skipping of the kernel relies on: a state
  // the step leaves alone without input stays alone.
  for (const char *model : {"IF", "LIF", "CubaLIF"}) {
    NeuronParams np = set(model);
    np.tau_syn_E = np.tau_syn_I = 5;
    NeuronFixedParams p = toFixed(np, 1.0);
    NeuronFixedState s = initialState(p);
    for (int t = 0; t < 3; ++t) {
      EXPECT_FALSE(step(s, p, 0, 0)) << model;
      EXPECT_EQ(s.v.bits, 0) << model;
      EXPECT_EQ(s.iSynE.bits, 0) << model;
    }
  }
}

} // namespace
