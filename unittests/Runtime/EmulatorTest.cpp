//===- EmulatorTest.cpp - Images on the emulated machine ------------------===//
//
// Small networks through the real passes into an image, run on the emulated
// machine and by the reference evaluator with the same input: the same
// spikes and voltages, bit for bit, for both partitioners, several seeds,
// two machines and any thread count; the machine checks at load time.
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/Emulator.h"
#include "PipelineHelpers.h"
#include "SmallNetwork.h"
#include "scnc/Image/Image.h"
#include "scnc/Runtime/Reference.h"
#include "llvm/ADT/SmallVector.h"
#include "gtest/gtest.h"
#include <random>

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

constexpr const char *kNetwork = test::kSmallNetwork;

struct Compiled {
  DiagHarness h;
  llvm::Optional<Network> net;
  CompilationContext cc;
  Machine m;
  std::string machineName, bytes;

  Compiled(llvm::StringRef machine, PartitionerKind kind, uint64_t seed,
           unsigned neuronsPerCore = 5)
      : m(llvm::cantFail(builtinMachine(machine))), machineName(machine) {
    std::string text = kNetwork;
    text.replace(text.find("neurons_per_core = 5"), 20,
                 "neurons_per_core = " + std::to_string(neuronsPerCore));
    net = parseNetwork(h.add(text), h.diag);
    CompileOptions o;
    o.passes.partitioner = kind;
    o.passes.seed = seed;
    if (!net || !test::compileFor(h, *net, cc, m, machineName, o, &bytes))
      ADD_FAILURE() << h.text();
  }
};

/// Random input: each input neuron spikes in a tick with probability 0.15
/// during the first 40 ticks.
std::vector<std::vector<Spike>> randomInput(const Network &n, uint32_t seed) {
  std::vector<std::vector<Spike>> in(n.populations.size());
  std::mt19937 rng(seed);
  for (size_t q = 0; q < n.populations.size(); ++q) {
    if (n.populations[q].kind != Population::Kind::Input)
      continue;
    for (uint32_t t = 0; t < 40; ++t)
      for (uint32_t i = 0; i < n.populations[q].shape.size(); ++i)
        if (rng() % 100 < 15)
          in[q].push_back({t, i});
  }
  return in;
}

void expectSame(const Recording &a, const Recording &b,
                const std::string &what) {
  ASSERT_EQ(a.populations.size(), b.populations.size()) << what;
  for (size_t q = 0; q < a.populations.size(); ++q) {
    const PopulationRecording &x = a.populations[q], &y = b.populations[q];
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.neurons, y.neurons) << what;
    EXPECT_TRUE(x.spikes == y.spikes) << what << ": spikes of " << x.name;
    EXPECT_TRUE(x.voltages == y.voltages) << what << ": voltages of " << x.name;
  }
  EXPECT_EQ(a.synapticEvents, b.synapticEvents) << what;
  EXPECT_EQ(a.neuronUpdates, b.neuronUpdates) << what;
}

} // namespace

TEST(Emulator, MatchesTheReference) {
  const uint32_t ticks = 60;
  for (const char *machine : {"spinn3", "spinn5"})
    for (PartitionerKind kind :
         {PartitionerKind::Metis, PartitionerKind::Slices})
      for (uint64_t seed : {1, 2}) {
        std::string what = std::string(machine) + " " + toString(kind).str() +
                           " seed " + std::to_string(seed);
        Compiled c(machine, kind, seed);
        ASSERT_FALSE(c.bytes.empty()) << what;
        llvm::Expected<ImageReader> img = readImage(c.bytes, "t.scimg");
        ASSERT_TRUE(bool(img)) << llvm::toString(img.takeError());
        std::vector<std::vector<Spike>> in = randomInput(*c.net, 5);
        ReferenceOptions ro;
        ro.ticks = ticks;
        ro.recordVoltages.assign(c.net->populations.size(), true);
        llvm::Expected<Recording> want = runReference(*c.net, in, ro);
        ASSERT_TRUE(bool(want)) << llvm::toString(want.takeError());
        uint64_t spikes = 0;
        for (const PopulationRecording &p : want->populations)
          if (!p.isInput)
            spikes += p.spikes.size();
        EXPECT_GT(spikes, 100u) << what; // the network is not silent

        llvm::Expected<std::unique_ptr<Emulator>> em =
            Emulator::load(*img, c.m, machine, 2);
        ASSERT_TRUE(bool(em)) << llvm::toString(em.takeError());
        EXPECT_EQ((*em)->imageTicks(), 60u);
        for (unsigned threads : {1u, 3u}) {
          EmulatorOptions eo;
          eo.ticks = ticks;
          eo.threads = threads;
          eo.recordVoltages.assign(c.net->populations.size(), true);
          EmulatorStats stats;
          llvm::Expected<Recording> got = (*em)->run(in, eo, &stats);
          ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
          expectSame(*got, *want, what + " -j " + std::to_string(threads));
          EXPECT_EQ(got->mode, "emulator");
          // Every packet a core sends arrives; the board's counters add
          // up.
          ChipStats t = stats.total();
          EXPECT_EQ(t.droppedLink + t.toIdleCore, 0u);
          uint64_t sent = 0, received = 0, events = 0;
          for (const CoreStats &cs : stats.cores) {
            // Cores of a layer without targets have no key: they send
            // nothing.
            const ImageCore *ic = img->findCore(cs.chip.x, cs.chip.y, cs.core);
            ASSERT_TRUE(ic);
            if (ic->hasKey)
              sent += cs.spikes;
            received += cs.packets;
            events += cs.synapticEvents;
            EXPECT_EQ(cs.invalidRows, 0u);
          }
          EXPECT_EQ(t.sent, sent) << what;
          EXPECT_EQ(t.delivered, received) << what;
          EXPECT_EQ(events, got->synapticEvents);
        }
      }
}

TEST(Emulator, ReplaysTheImagesSpikeArrayWithoutInput) {
  // The writer stores no spikes: without --input the network only follows
  // its i_offset, and both ways of running agree on that too.
  Compiled c("spinn3", PartitionerKind::Slices, 1);
  ASSERT_FALSE(c.bytes.empty());
  llvm::Expected<ImageReader> img = readImage(c.bytes, "t.scimg");
  ASSERT_TRUE(bool(img));
  std::vector<std::vector<Spike>> none(c.net->populations.size());
  ReferenceOptions ro;
  ro.ticks = 30;
  llvm::Expected<Recording> want = runReference(*c.net, none, ro);
  ASSERT_TRUE(bool(want));
  llvm::Expected<std::unique_ptr<Emulator>> em =
      Emulator::load(*img, c.m, "spinn3");
  ASSERT_TRUE(bool(em));
  EmulatorOptions eo;
  eo.ticks = 30;
  llvm::Expected<Recording> got = (*em)->run(none, eo);
  ASSERT_TRUE(bool(got));
  expectSame(*got, *want, "no input");
}

/// The test network compiled for spinn3 (METIS, seed 1), its image read
/// back and loaded onto an emulated spinn3; `em` is null when a step failed
/// (the failure is reported).
struct LoadedSpinn3 {
  Compiled c{"spinn3", PartitionerKind::Metis, 1};
  llvm::Optional<ImageReader> img;
  std::unique_ptr<Emulator> em;
  LoadedSpinn3() {
    if (c.bytes.empty())
      return;
    llvm::Expected<ImageReader> r = readImage(c.bytes, "t.scimg");
    if (!r) {
      ADD_FAILURE() << llvm::toString(r.takeError());
      return;
    }
    img.emplace(std::move(*r));
    llvm::Expected<std::unique_ptr<Emulator>> e =
        Emulator::load(*img, c.m, "spinn3");
    if (!e) {
      ADD_FAILURE() << llvm::toString(e.takeError());
      return;
    }
    em = std::move(*e);
  }
};

TEST(Emulator, ProgressCallbackChangesNothing) {
  // (0, ticks), every 7 ticks and after the last, from one thread at a
  // time, for any thread count; the run is the same as without.
  LoadedSpinn3 l;
  ASSERT_TRUE(l.em);
  const Compiled &c = l.c;
  Emulator *em = l.em.get();
  std::vector<std::vector<Spike>> in = randomInput(*c.net, 7);
  EmulatorOptions eo;
  eo.ticks = 60;
  llvm::Expected<Recording> without = em->run(in, eo);
  ASSERT_TRUE(bool(without));
  for (unsigned threads : {1u, 3u}) {
    std::vector<uint64_t> calls;
    eo.threads = threads;
    eo.progressTicks = 7;
    eo.progress = [&](uint64_t done, uint64_t total) {
      EXPECT_EQ(total, 60u);
      calls.push_back(done);
    };
    llvm::Expected<Recording> with = em->run(in, eo);
    ASSERT_TRUE(bool(with));
    expectSame(*with, *without, "-j " + std::to_string(threads));
    std::vector<uint64_t> want = {0, 7, 14, 21, 28, 35, 42, 49, 56, 60};
    EXPECT_EQ(calls, want) << "-j " << threads;
  }
}

TEST(Emulator, ChecksTheMachine) {
  // One neuron per core: more cores than spinn3's 64.
  Compiled c("spinn5", PartitionerKind::Slices, 1, 1);
  ASSERT_FALSE(c.bytes.empty());
  llvm::Expected<ImageReader> img = readImage(c.bytes, "t.scimg");
  ASSERT_TRUE(bool(img));
  // spinn3 has 4 chips: the image's cores beyond them are reported.
  Machine small = llvm::cantFail(builtinMachine("spinn3"));
  llvm::Expected<std::unique_ptr<Emulator>> em =
      Emulator::load(*img, small, "spinn3");
  ASSERT_FALSE(bool(em));
  std::string msg = llvm::toString(em.takeError());
  EXPECT_NE(msg.find("the image needs cores 2-17 of chip (2, 0) but the "
                     "emulated machine 'spinn3' (2x2) has no chip (2, 0)"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("the emulated machine 'spinn3' (2x2) has 64 application "
                     "cores"),
            std::string::npos)
      << msg;
  // A dead core the image uses.
  Machine dead = c.m;
  const ImageCore &first = img->cores().front();
  dead.setCoreDead(*dead.chipAt(first.x, first.y), first.core);
  em = Emulator::load(*img, dead, "dead");
  ASSERT_FALSE(bool(em));
  msg = llvm::toString(em.takeError());
  EXPECT_NE(msg.find("is dead"), std::string::npos) << msg;
  // More reserved cores than the image expects.
  Machine reserved = c.m;
  reserved.setReservedCores(16);
  em = Emulator::load(*img, reserved, "reserved");
  ASSERT_FALSE(bool(em));
  msg = llvm::toString(em.takeError());
  EXPECT_NE(msg.find("for the system"), std::string::npos) << msg;
}

TEST(Emulator, RefusesBadInputAsTheReferenceDoes) {
  // One check (checkInputSpikes) with one message per error, whichever way
  // the network runs.
  LoadedSpinn3 l;
  ASSERT_TRUE(l.em);
  const Compiled &c = l.c;
  Emulator *em = l.em.get();
  size_t pops = c.net->populations.size();
  auto expectError = [&](const std::vector<std::vector<Spike>> &in,
                         const std::string &want) {
    EmulatorOptions eo;
    eo.ticks = 10;
    llvm::Expected<Recording> r = em->run(in, eo);
    ASSERT_FALSE(bool(r));
    EXPECT_EQ(llvm::toString(r.takeError()), want);
    ReferenceOptions ro;
    ro.ticks = 10;
    r = runReference(*c.net, in, ro);
    ASSERT_FALSE(bool(r));
    EXPECT_EQ(llvm::toString(r.takeError()), want);
  };
  std::vector<std::vector<Spike>> in(pops);
  in[0] = {{1, 0}, {1, 36}};
  expectError(in, "input spike of neuron 36 in layer 'img', which has 36 "
                  "neurons");
  in[0] = {{10, 0}};
  expectError(in, "input spike at tick 10 in layer 'img', after the run's 10 "
                  "ticks");
  in[0].clear();
  in[1] = {{0, 0}};
  expectError(in, "layer 'c' is not an input layer: it cannot be given spikes");
  in.assign(pops + 1, {});
  in[pops] = {{0, 0}};
  expectError(in, "input spikes for population " + std::to_string(pops) +
                      ", but the network has " + std::to_string(pops) +
                      " populations");
}
