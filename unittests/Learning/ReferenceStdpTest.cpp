//===- ReferenceStdpTest.cpp - STDP in the reference evaluator ------------===//
//
// Two plastic inputs into one neuron whose spike times a static "drive"
// input fixes; the learned weights are computed here independently, in
// doubles from the definitions of docs/execution.md (exact exponentials,
// each step rounded to whole ring-buffer units), and must agree within the
// traces' s4.11 quantisation (one unit).
//
//===----------------------------------------------------------------------===//
#include "PipelineHelpers.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/StdpRule.h"
#include "scnc/Runtime/Reference.h"
#include "gtest/gtest.h"
#include <cmath>

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

const char *kNet = R"(network stdp2 {
  simulation { timestep = 1 ms; presentation = 100 ms; input_window = 50 ms; neurons_per_core = 8; seed = 1; }
  neuron frozen : IF_curr_exp {
    tau_m = 20 ms; cm = 1 nF; v_rest = -65 mV; v_reset = -65 mV; v_thresh = -55 mV;
    tau_refrac = 1 ms; tau_syn_E = 5 ms; tau_syn_I = 5 ms; i_offset = 0 nA; v_init = -65 mV;
  }
  neuron train : frozen_copy_placeholder
  stdp r {
    rule = pair; tau_plus = 10 ms; tau_minus = 12 ms; A_plus = 0.1; A_minus = 0.05;
    weight_dependence = DEP; w_min = 0 nA; w_max = 1 nA;
    init = constant(value = 0.5 nA); wta_weight = 0 nA;
  }
  population in : input {
    layer = input; shape = 1 x 1 x 2; neurons_per_core = 8;
    encoding = rate(threshold = 80, factor = 10, max_spikes = 10);
  }
  population drive : input {
    layer = input; shape = 1 x 1 x 1; neurons_per_core = 8;
    encoding = rate(threshold = 80, factor = 10, max_spikes = 10);
  }
  population out : IF_curr_exp {
    layer = dense; shape = 1 x 1 x 1; neurons_per_core = 8;
    neuron = frozen; train_neuron = train;
  }
  projection in.out (in, out) : all_to_all {
    allow_self = true;
    weights = constant(value = 0.5 nA);
    delay = 1 ms; receptor = excitatory; stdp = r;
  }
  projection drive.out (drive, out) : all_to_all {
    allow_self = true;
    weights = constant(value = 20 nA);
    delay = 1 ms; receptor = excitatory; stdp = none;
  }
}
)";

std::string netText(bool multiplicative) {
  std::string s = kNet;
  auto put = [&](const std::string &from, const std::string &to) {
    s.replace(s.find(from), from.size(), to);
  };
  put("DEP", multiplicative ? "multiplicative" : "additive");
  // The training set: like `frozen` but refractory for the whole run, so
  // the neuron fires once per drive spike at most.
  put("neuron train : frozen_copy_placeholder",
      "neuron train : IF_curr_exp {\n    tau_m = 20 ms; cm = 1 nF; v_rest = "
      "-65 mV; v_reset = -65 mV; v_thresh = -55 mV;\n    tau_refrac = 25 ms; "
      "tau_syn_E = 5 ms; tau_syn_I = 5 ms; i_offset = 0 nA; v_init = -65 "
      "mV;\n  }");
  return s;
}

struct PlasticRun {
  Recording rec;
  LearnedWeights learned;
};

PlasticRun run(const Network &n, bool plastic, std::vector<Spike> in,
               std::vector<Spike> drive, uint32_t ticks = 80,
               std::vector<uint64_t> *progress = nullptr) {
  std::vector<std::vector<Spike>> inputs(n.populations.size());
  inputs[n.findPopulation("in")] = std::move(in);
  inputs[n.findPopulation("drive")] = std::move(drive);
  ReferenceOptions o;
  o.ticks = ticks;
  o.plastic = plastic;
  if (progress) {
    o.progressTicks = 7;
    o.progress = [progress, ticks](uint64_t done, uint64_t total) {
      EXPECT_EQ(total, ticks);
      progress->push_back(done);
    };
  }
  PlasticRun r;
  llvm::Expected<Recording> rec =
      runReference(n, inputs, o, nullptr, &r.learned);
  if (!rec) {
    ADD_FAILURE() << llvm::toString(rec.takeError());
    return r;
  }
  r.rec = std::move(*rec);
  return r;
}

/// The rule in doubles: exact traces, each weight step rounded to whole
/// units (ties up), as docs/execution.md defines it.
struct Model {
  double aPlus, aMinus, wMin, wMax, tauPlus, tauMinus;
  bool multiplicative;
  double step(double amp, double trace, double room) const {
    double d = amp * trace;
    if (multiplicative)
      d *= room / (wMax - wMin);
    return std::floor(d + 0.5);
  }
  double clip(double w) const { return std::min(wMax, std::max(wMin, w)); }
  /// Weight of one synapse given its pre spikes and the post spikes.
  double learn(double w, const std::vector<uint32_t> &pre,
               const std::vector<uint32_t> &post) const {
    auto postTrace = [&](uint32_t t) {
      double y = 0;
      int last = -1;
      for (uint32_t tp : post)
        if (tp <= t) {
          y = (last < 0 ? 0 : y * std::exp(-double(tp - last) / tauMinus)) + 1;
          last = int(tp);
        }
      return last < 0 ? 0.0 : y * std::exp(-double(t - last) / tauMinus);
    };
    double x = 0;
    int t0 = -1;
    for (uint32_t t : pre) {
      if (t0 >= 0)
        for (uint32_t tp : post)
          if (int(tp) > t0 && tp <= t)
            w = clip(w + step(aPlus,
                              x * std::exp(-double(int(tp) - t0) / tauPlus),
                              wMax - w));
      w = clip(w - step(aMinus, postTrace(t), w - wMin));
      x = (t0 < 0 ? 0 : x * std::exp(-double(int(t) - t0) / tauPlus)) + 1;
      t0 = int(t);
    }
    for (uint32_t tp : post) // flush at read-back
      if (t0 >= 0 && int(tp) > t0)
        w = clip(w + step(aPlus, x * std::exp(-double(int(tp) - t0) / tauPlus),
                          wMax - w));
    return w;
  }
};

void checkPair(bool multiplicative) {
  DiagHarness h;
  llvm::Optional<Network> n = test::expandIR(h, netText(multiplicative));
  ASSERT_TRUE(n.hasValue()) << h.text();
  // a (neuron 0) at 10, 30, 52; b (neuron 1) at 20, 40, 44; the drive
  // makes `out` fire soon after 14 and 47.
  std::vector<Spike> in = {{10, 0}, {20, 1}, {30, 0},
                           {40, 1}, {44, 1}, {52, 0}};
  PlasticRun r = run(*n, true, in, {{14, 0}, {47, 0}});
  const std::vector<Spike> &out =
      r.rec.populations[n->findPopulation("out")].spikes;
  ASSERT_EQ(out.size(), 2u);
  std::vector<uint32_t> post = {out[0].tick, out[1].tick};
  EXPECT_GT(post[0], 14u);
  EXPECT_LT(post[0], 20u);
  EXPECT_GT(post[1], 47u);
  EXPECT_LT(post[1], 52u);

  // Ring-buffer units: 21 nA summed -> shift 5, 1024 units per nA.
  double scale = 1024;
  Model m{0.1 * scale, 0.05 * scale, 0, scale, 10, 12, multiplicative};
  unsigned j = 0; // in.out
  ASSERT_EQ(r.learned.size(), 2u);
  ASSERT_EQ(r.learned[j].size(), 2u);
  EXPECT_TRUE(r.learned[1].empty()); // drive.out does not learn
  const ConnectionList &l = n->connections->lists[j];
  for (unsigned i = 0; i < 2; ++i) {
    uint32_t pre = l.pre[i];
    std::vector<uint32_t> preTicks;
    for (const Spike &s : in)
      if (s.neuron == pre)
        preTicks.push_back(s.tick);
    double expected = m.learn(512, preTicks, post);
    EXPECT_NEAR(r.learned[j][i] * scale, expected, 1.0)
        << "synapse from input " << pre;
    EXPECT_EQ(r.learned[j][i] * scale, std::round(r.learned[j][i] * scale));
  }
  // The direction: a fires before each post spike (potentiated), b after
  // the first and before the second.
  double wa = l.pre[0] == 0 ? r.learned[j][0] : r.learned[j][1];
  EXPECT_GT(wa, 0.5);
}

TEST(ReferenceStdp, PairAdditive) { checkPair(false); }
TEST(ReferenceStdp, PairMultiplicative) { checkPair(true); }

TEST(ReferenceStdp, HandComputedAdditive) {
  // Exact values by hand, additive: post spike P (from the run), pre a at
  // 10 and 30. At 10 nothing (no post trace); at 30: + round(102.4 *
  // e^{-(P-10)/10}) - round(51.2 * e^{-(30-P)/12}).
  DiagHarness h;
  llvm::Optional<Network> n = test::expandIR(h, netText(false));
  ASSERT_TRUE(n.hasValue()) << h.text();
  PlasticRun r = run(*n, true, {{10, 0}, {30, 0}}, {{14, 0}});
  const std::vector<Spike> &out =
      r.rec.populations[n->findPopulation("out")].spikes;
  ASSERT_EQ(out.size(), 1u);
  uint32_t p = out[0].tick;
  ASSERT_EQ(p, 15u); // the drive at 14 arrives at 15, the neuron fires
  // P = 15: 102.4 * e^-0.5 = 62.11 -> 62; 51.2 * e^-1.25 = 14.67 -> 15.
  EXPECT_EQ(r.learned[0][0] * 1024, 512 + 62 - 15);
  EXPECT_EQ(r.learned[0][1] * 1024, 512); // b never spiked
}

TEST(ReferenceStdp, StaticWhenNotPlastic) {
  DiagHarness h;
  llvm::Optional<Network> n = test::expandIR(h, netText(false));
  ASSERT_TRUE(n.hasValue()) << h.text();
  PlasticRun r = run(*n, false, {{10, 0}, {30, 0}}, {{14, 0}});
  EXPECT_TRUE(r.learned.empty());
}

TEST(ReferenceStdp, SameWithProgressCallback) {
  // A progress callback (every 7 ticks) changes neither spikes nor learned
  // weights of a plastic run.
  DiagHarness h;
  llvm::Optional<Network> n = test::expandIR(h, netText(true));
  ASSERT_TRUE(n.hasValue()) << h.text();
  std::vector<Spike> in = {{10, 0}, {20, 1}, {30, 0},
                           {40, 1}, {44, 1}, {52, 0}};
  std::vector<Spike> drive = {{14, 0}, {47, 0}};
  std::vector<uint64_t> progress;
  PlasticRun with = run(*n, true, in, drive, 80, &progress);
  PlasticRun without = run(*n, true, in, drive, 80);
  std::vector<uint64_t> want = {0,  7,  14, 21, 28, 35, 42,
                                49, 56, 63, 70, 77, 80};
  EXPECT_EQ(progress, want);
  ASSERT_EQ(with.rec.populations.size(), without.rec.populations.size());
  for (size_t q = 0; q < with.rec.populations.size(); ++q)
    EXPECT_EQ(with.rec.populations[q].spikes,
              without.rec.populations[q].spikes);
  EXPECT_EQ(with.rec.populations[n->findPopulation("out")].spikes.size(), 2u);
  EXPECT_EQ(with.learned, without.learned);
  ASSERT_EQ(with.learned.size(), 2u);
  ASSERT_EQ(with.learned[0].size(), 2u);
  // The run learned something.
  EXPECT_TRUE(with.learned[0][0] != 0.5f || with.learned[0][1] != 0.5f);
}

TEST(ReferenceStdp, DerivedRule) {
  StdpRule r;
  r.aPlus = 0.1;
  r.aMinus = 0.05;
  r.wMin = 0;
  r.wMax = 1;
  r.tauPlus = 10;
  r.tauMinus = 7;
  FixedStdpRule f = deriveStdpRule(r, 1.0, 5);
  EXPECT_EQ(f.aPlus.bits, int32_t(std::lround(102.4 * 32768)));
  EXPECT_EQ(f.aMinus.bits, int32_t(std::lround(51.2 * 32768)));
  EXPECT_EQ(f.wMin, 0);
  EXPECT_EQ(f.wMax, 1024);
  // exp(-k/10) >= 2^-11 for k <= 76 (e^-7.6 = 5.0e-4 > 4.88e-4; e^-7.7 <).
  EXPECT_EQ(f.decayPlus.size(), 77u);
  // exp(-k/7) >= 2^-11 for k <= 53.
  EXPECT_EQ(f.decayMinus.size(), 54u);
  EXPECT_EQ(f.decayPlus[0].bits, 0xffffffffu);
}

TEST(ReferenceStdp, Float64Rejected) {
  DiagHarness h;
  llvm::Optional<Network> n = test::expandIR(h, netText(false));
  ASSERT_TRUE(n.hasValue()) << h.text();
  ReferenceOptions o;
  o.ticks = 10;
  o.plastic = true;
  o.float64 = true;
  llvm::Expected<Recording> rec = runReference(*n, {}, o);
  ASSERT_FALSE(bool(rec));
  EXPECT_NE(llvm::toString(rec.takeError()).find("fixed point"),
            std::string::npos);
}

} // namespace
