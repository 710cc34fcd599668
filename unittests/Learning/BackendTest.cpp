//===- BackendTest.cpp - Where the training flow runs its networks --------===//
//
// PreparedNetwork on both backends: a small plastic network with
// winner-take-all inhibition and a frozen layer, many runs at once from
// several threads; the emulator (image compiled as scncc --plastic
// compiles it) gives the reference evaluator's spikes and learned weights
// bit for bit, run after run.
//
//===----------------------------------------------------------------------===//
#include "scnc/Learning/Backend.h"
#include "TestHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/Support/Parallel.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <random>

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

// Cores of 4 neurons: every layer takes several cores (17 in all, more
// than a chip has), so packets cross cores and routers.
constexpr const char *kNetwork = R"(
simulation { timestep = 1 ms; presentation = 50 ms; neurons_per_core = 4; seed = 5; }
neuron lif : IF_curr_exp { tau_m = 10 ms; tau_refrac = 2 ms; v_thresh = -55 mV; }
neuron lif_train : lif { tau_refrac = 5 ms; }
stdp s {
  tau_plus = 10 ms; tau_minus = 20 ms; A_plus = 0.1; A_minus = 0.12;
  weight_dependence = additive; w_min = 0 nA; w_max = 4 nA;
  init = normal(mean = 2 nA, sigma = 0.5 nA, seed = 2); wta_weight = 0 nA;
}
network small {
  input img { shape = 5 x 5 x 1; encoding = latency(t_max = 20 ms); }
  conv c(img) { filters = 3; kernel = 3 x 3; neuron = lif; train_neuron = lif_train; stdp = s; }
  dense d(c) { units = 9; weights = normal(mean = 2 nA, sigma = 0.5 nA, seed = 4); neuron = lif; }
}
)";

/// Sample i's input: every input neuron spikes with probability 0.3 in
/// each of the first 30 ticks.
std::vector<std::vector<Spike>> sampleInput(const Network &n, uint32_t i) {
  std::vector<std::vector<Spike>> in(n.populations.size());
  std::mt19937 rng(i + 1);
  for (uint32_t t = 0; t < 30; ++t)
    for (uint32_t k = 0; k < 25; ++k)
      if (rng() % 10 < 3)
        in[0].push_back({t, k});
  return in;
}

struct Runs {
  std::vector<Recording> rec;
  std::vector<LearnedSynapseSet> learned;
};

/// Every sample of \p net, 4 threads at a time.
Runs runAll(const PreparedNetwork &net, uint32_t samples) {
  Runs r;
  r.rec.resize(samples);
  r.learned.resize(samples);
  forEachTask(samples, 4, [&](size_t i) {
    llvm::Expected<Recording> rec =
        net.run(sampleInput(net.network(), uint32_t(i)), 50, &r.learned[i]);
    if (!rec) {
      ADD_FAILURE() << llvm::toString(rec.takeError());
      return;
    }
    r.rec[i] = std::move(*rec);
  });
  return r;
}

bool sameLearned(const LearnedSynapseSet &a, const LearnedSynapseSet &b) {
  if (a.size() != b.size())
    return false;
  for (size_t j = 0; j < a.size(); ++j) {
    if (a[j].pre != b[j].pre || a[j].post != b[j].post ||
        a[j].synapses.size() != b[j].synapses.size())
      return false;
    for (size_t k = 0; k < a[j].synapses.size(); ++k)
      if (a[j].synapses[k].pre != b[j].synapses[k].pre ||
          a[j].synapses[k].post != b[j].synapses[k].post ||
          a[j].synapses[k].weight != b[j].synapses[k].weight)
        return false;
  }
  return true;
}

} // namespace

TEST(Backend, EmulatorMatchesTheReference) {
  for (bool plastic : {false, true}) {
    DiagHarness h;
    llvm::Optional<Network> n = parseNetwork(h.add(kNetwork), h.diag);
    ASSERT_TRUE(n.hasValue()) << h.text();
    BackendOptions ref, emu;
    emu.kind = BackendKind::Emulator;
    llvm::Expected<std::unique_ptr<PreparedNetwork>> r =
        PreparedNetwork::prepare(*n, ref, plastic, 2, h.diag);
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError()) << h.text();
    llvm::Expected<std::unique_ptr<PreparedNetwork>> e =
        PreparedNetwork::prepare(*n, emu, plastic, 2, h.diag);
    ASSERT_TRUE(bool(e)) << llvm::toString(e.takeError()) << h.text();
    EXPECT_EQ((*r)->description(), "reference (fixed point)");
    EXPECT_EQ((*e)->description(), "emulator (spinn3)");
    EXPECT_EQ((*e)->machineName(), "spinn3");
    EXPECT_TRUE((*r)->network().connections);
    EXPECT_TRUE((*e)->network().connections);

    const uint32_t samples = 12;
    Runs want = runAll(**r, samples), got = runAll(**e, samples);
    uint64_t spikes = 0, moved = 0;
    for (uint32_t i = 0; i < samples; ++i) {
      ASSERT_EQ(want.rec[i].populations.size(), 3u);
      ASSERT_EQ(got.rec[i].populations.size(), 3u);
      for (size_t q = 0; q < 3; ++q) {
        EXPECT_TRUE(want.rec[i].populations[q].spikes ==
                    got.rec[i].populations[q].spikes)
            << "sample " << i << " population " << q;
        if (q)
          spikes += want.rec[i].populations[q].spikes.size();
      }
      EXPECT_TRUE(sameLearned(want.learned[i], got.learned[i]))
          << "sample " << i;
      EXPECT_EQ(want.learned[i].empty(), !plastic);
      moved += !sameLearned(want.learned[i], want.learned[0]);
    }
    EXPECT_GT(spikes, 100u); // not silent
    if (plastic) {
      EXPECT_GT(moved, 0u); // each sample learns from its own input
    }
  }
}

TEST(Backend, KeepOnlyOnePopulationForCounting) {
  // run(..., keepOnly): the emulator keeps that population's spikes only,
  // unsorted; sorted, they are the full run's. The reference keeps all.
  DiagHarness h;
  llvm::Optional<Network> n = parseNetwork(h.add(kNetwork), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  BackendOptions emu;
  emu.kind = BackendKind::Emulator;
  llvm::Expected<std::unique_ptr<PreparedNetwork>> e =
      PreparedNetwork::prepare(*n, emu, /*plastic=*/false, 2, h.diag);
  ASSERT_TRUE(bool(e)) << llvm::toString(e.takeError()) << h.text();
  uint64_t unordered = 0;
  for (uint32_t i = 0; i < 6; ++i) {
    auto in = sampleInput((*e)->network(), i);
    llvm::Expected<Recording> all = (*e)->run(in, 50);
    ASSERT_TRUE(bool(all));
    for (int keep : {1, 2}) {
      llvm::Expected<Recording> one = (*e)->run(in, 50, nullptr, {}, keep);
      ASSERT_TRUE(bool(one));
      for (int q = 0; q < 3; ++q) {
        std::vector<Spike> got = one->populations[q].spikes;
        if (q != keep) {
          EXPECT_TRUE(got.empty()) << "population " << q;
          continue;
        }
        std::vector<Spike> sorted = got;
        std::sort(
            sorted.begin(), sorted.end(), [](const Spike &a, const Spike &b) {
              return a.tick != b.tick ? a.tick < b.tick : a.neuron < b.neuron;
            });
        unordered += !(sorted == got);
        EXPECT_TRUE(sorted == all->populations[q].spikes)
            << "sample " << i << " population " << q;
      }
      EXPECT_EQ(one->synapticEvents, all->synapticEvents);
    }
  }
  // Cores of 4 neurons: some tick's spikes come core by core, not sorted.
  EXPECT_GT(unordered, 0u);
}

TEST(Backend, EmulatorErrors) {
  DiagHarness h;
  llvm::Optional<Network> n = parseNetwork(h.add(kNetwork), h.diag);
  ASSERT_TRUE(n.hasValue()) << h.text();
  BackendOptions emu;
  emu.kind = BackendKind::Emulator;
  emu.machine = "nosuch";
  llvm::Expected<std::unique_ptr<PreparedNetwork>> p =
      PreparedNetwork::prepare(*n, emu, false, 1, h.diag);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(llvm::toString(p.takeError()),
            "machine 'nosuch': unknown machine 'nosuch' (expected spinn3, "
            "spinn5, boards:N, WxH or a .json file)");
  // 25 + 27 + 9 neurons, 4 per core: 17 cores; a 1x1 machine has 16.
  emu.machine = "1x1";
  p = PreparedNetwork::prepare(*n, emu, false, 1, h.diag);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(llvm::toString(p.takeError()), "network 'small' does not compile");
  EXPECT_NE(h.text().find("the network needs 17 cores (one per slice) but "
                          "machine '1x1' has 16 usable cores"),
            std::string::npos)
      << h.text();
  EXPECT_EQ(parseBackendKind("emulator"), BackendKind::Emulator);
  EXPECT_EQ(parseBackendKind("reference"), BackendKind::Reference);
  EXPECT_FALSE(parseBackendKind("board").hasValue());
}
