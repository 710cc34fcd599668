//===- DistributedTest.cpp - The emulated machine over several ranks ------===//
//
// The chips' assignment to ranks on tiny machines (exact), and runs split
// over 2 and 3 in-process ranks (makeThreadComms) with 1 and 2 threads
// each: the same spikes, voltages and counters as one process, on one
// board (chip by chip) and on three (board by board).
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/Distributed.h"
#include "PipelineHelpers.h"
#include "SmallNetwork.h"
#include "scnc/Image/Image.h"
#include "scnc/Runtime/Emulator.h"
#include "gtest/gtest.h"
#include <random>
#include <set>
#include <thread>

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

ImageSection coreSection(uint16_t x, uint16_t y, uint32_t bytes) {
  ImageSection s;
  s.type = image::CoreSection;
  s.x = x;
  s.y = y;
  s.core = 1;
  s.size = bytes;
  return s;
}

TEST(AssignChips, CutsChipsByWeightOnOneBoard) {
  // spinn3: 4 chips, one board: chip by chip in ChipId order.
  Machine m = llvm::cantFail(builtinMachine("spinn3"));
  ASSERT_EQ(m.numChips(), 4u);
  // No sections: every chip weighs 1; two ranks get two chips each.
  std::vector<unsigned> r = assignChips(m, {}, 2);
  EXPECT_EQ(r, (std::vector<unsigned>{0, 0, 1, 1}));
  // A heavy first chip (weights 1 + 97, 1, 1, 1: 101): the cut nearest
  // half the weight (50.5) is after it.
  ChipId c0 = 0;
  ChipCoord at = m.coord(c0);
  std::vector<ImageSection> secs = {coreSection(at.x, at.y, 97)};
  r = assignChips(m, secs, 2);
  EXPECT_EQ(r, (std::vector<unsigned>{0, 1, 1, 1}));
  // Four ranks: one chip each, whatever the weights.
  r = assignChips(m, secs, 4);
  EXPECT_EQ(r, (std::vector<unsigned>{0, 1, 2, 3}));
  // Three ranks: cut 1 nearest 33.7 is after chip 0 (98); cut 2, nearest
  // 67.3, would be there too but must leave rank 1 a chip: after chip 1.
  r = assignChips(m, secs, 3);
  EXPECT_EQ(r, (std::vector<unsigned>{0, 1, 2, 2}));
}

TEST(AssignChips, KeepsBoardsWhole) {
  Machine m = llvm::cantFail(builtinMachine("boards:3"));
  ASSERT_EQ(m.boards().size(), 3u);
  for (unsigned ranks : {2u, 3u}) {
    std::vector<unsigned> r = assignChips(m, {}, ranks);
    // Every board's 48 chips on one rank; every rank has a board.
    std::vector<unsigned> chipsOf(ranks, 0);
    for (ChipId c = 0; c < m.numChips(); ++c)
      ++chipsOf[r[c]];
    for (unsigned k = 0; k < ranks; ++k)
      EXPECT_EQ(chipsOf[k] % 48, 0u) << ranks << " ranks, rank " << k;
    // Two ranks: the cut at 72 of 144 chips is as near boards 1 and 2's
    // boundaries (48, 96): a tie goes to the later.
    EXPECT_EQ(chipsOf[0], ranks == 2 ? 96u : 48u) << ranks;
    EXPECT_EQ(chipsOf[ranks - 1], 48u) << ranks;
  }
}

// SmallNetwork.h's: about 22 cores, on two chips of spinn5.
constexpr const char *kNetwork = test::kSmallNetwork;

struct RankRun {
  std::string error;
  Recording rec;
  EmulatorStats stats;
  uint64_t wordsSent = 0;
};

RankRun runOnce(const std::string &bytes, const Machine &m,
                llvm::StringRef name, const std::vector<std::vector<Spike>> &in,
                unsigned threads, RankComm *comm,
                uint64_t recordWindow = EmulatorOptions().recordWindow,
                SpikeSink *sink = nullptr) {
  RankRun out;
  Distribution dist;
  llvm::Expected<ImageReader> img = readImage(bytes, "t.scimg");
  if (comm) {
    // As scnc-run does: the section table, the chips' ranks, then this
    // rank's chips only.
    dist.comm = comm;
    dist.rankOfChip = assignChips(m, img->sections(), comm->size());
    img = readImage(bytes, "t.scimg",
                    [&](unsigned x, unsigned y) { return dist.owns(m, x, y); });
  }
  if (!img) {
    out.error = llvm::toString(img.takeError());
    return out;
  }
  auto em = Emulator::load(*img, m, name, threads, comm ? &dist : nullptr);
  if (!em) {
    out.error = llvm::toString(em.takeError());
    return out;
  }
  EmulatorOptions eo;
  eo.ticks = 50;
  eo.threads = threads;
  eo.recordWindow = recordWindow;
  eo.spikeSink = sink;
  eo.recordVoltages.assign(img->populations().size(), true);
  llvm::Expected<Recording> rec = (*em)->run(in, eo, &out.stats);
  if (!rec) {
    out.error = llvm::toString(rec.takeError());
    return out;
  }
  out.rec = std::move(*rec);
  if (comm)
    out.wordsSent = comm->wordsSent;
  return out;
}

/// Keeps what a SpikeSink is given.
struct KeptSpikes final : SpikeSink {
  std::vector<std::vector<Spike>> pops;
  std::vector<uint64_t> counts;
  size_t parts = 0, largestPart = 0;
  void begin(unsigned population, uint64_t count) override {
    EXPECT_EQ(population, pops.size());
    pops.emplace_back();
    counts.push_back(count);
  }
  void write(llvm::ArrayRef<Spike> spikes) override {
    pops.back().insert(pops.back().end(), spikes.begin(), spikes.end());
    ++parts;
    largestPart = std::max(largestPart, spikes.size());
  }
};

TEST(Distributed, SameResultsAsOneProcess) {
  for (const char *machine : {"spinn5", "boards:3"}) {
    DiagHarness h;
    Machine m = llvm::cantFail(builtinMachine(machine));
    llvm::Optional<Network> net = parseNetwork(h.add(kNetwork), h.diag);
    ASSERT_TRUE(net) << h.text();
    CompilationContext cc;
    CompileOptions o;
    // Spread the cores over the machine's chips so that most traffic
    // crosses ranks.
    o.passes.seed = 7;
    std::string bytes;
    ASSERT_TRUE(test::compileFor(h, *net, cc, m, machine, o, &bytes))
        << h.text();
    std::vector<std::vector<Spike>> in(net->populations.size());
    std::mt19937 rng(5);
    for (uint32_t t = 0; t < 40; ++t)
      for (uint32_t i = 0; i < 36; ++i)
        if (rng() % 100 < 15)
          in[0].push_back({t, i});
    RankRun one = runOnce(bytes, m, machine, in, 1, nullptr);
    ASSERT_EQ(one.error, "");
    uint64_t spikes = 0;
    for (const PopulationRecording &p : one.rec.populations)
      spikes += p.isInput ? 0 : p.spikes.size();
    EXPECT_GT(spikes, 100u) << machine;
    // Spikes recorded a few at a time (many windows, some a single tick
    // with more than the window) are the same.
    RankRun few = runOnce(bytes, m, machine, in, 1, nullptr, 5);
    ASSERT_EQ(few.error, "");
    for (size_t q = 0; q < few.rec.populations.size(); ++q)
      EXPECT_TRUE(few.rec.populations[q].spikes ==
                  one.rec.populations[q].spikes)
          << machine << ": " << few.rec.populations[q].name;
    // And given to a sink instead, by 2 ranks: the same spikes, in parts,
    // counted in the recording, none kept.
    {
      KeptSpikes kept;
      std::vector<std::unique_ptr<RankComm>> comms = makeThreadComms(2);
      std::vector<RankRun> runs(2);
      std::thread other([&] {
        runs[1] = runOnce(bytes, m, machine, in, 1, comms[1].get(), 20);
      });
      runs[0] = runOnce(bytes, m, machine, in, 1, comms[0].get(), 20, &kept);
      other.join();
      ASSERT_EQ(runs[0].error, "");
      ASSERT_EQ(kept.pops.size(), one.rec.populations.size());
      for (size_t q = 0; q < kept.pops.size(); ++q) {
        const PopulationRecording &p = runs[0].rec.populations[q];
        EXPECT_TRUE(kept.pops[q] == one.rec.populations[q].spikes) << p.name;
        EXPECT_EQ(kept.counts[q], kept.pops[q].size()) << p.name;
        EXPECT_TRUE(p.spikes.empty()) << p.name;
        EXPECT_EQ(p.spikeCount(), kept.pops[q].size()) << p.name;
      }
      EXPECT_GT(kept.parts, kept.pops.size()) << machine;
    }
    std::string wantStats = emulatorStatsJson(one.stats);
    for (unsigned ranks : {2u, 3u})
      for (unsigned threads : {1u, 2u}) {
        std::string what = std::string(machine) + ", " + std::to_string(ranks) +
                           " ranks, -j " + std::to_string(threads);
        std::vector<std::unique_ptr<RankComm>> comms = makeThreadComms(ranks);
        std::vector<RankRun> runs(ranks);
        std::vector<std::thread> pool;
        for (unsigned k = 0; k < ranks; ++k)
          pool.emplace_back([&, k] {
            runs[k] =
                runOnce(bytes, m, machine, in, threads, comms[k].get(),
                        threads == 1 ? 5 : EmulatorOptions().recordWindow);
          });
        for (std::thread &t : pool)
          t.join();
        for (unsigned k = 0; k < ranks; ++k)
          ASSERT_EQ(runs[k].error, "") << what << ", rank " << k;
        const Recording &got = runs[0].rec;
        ASSERT_EQ(got.populations.size(), one.rec.populations.size());
        for (size_t q = 0; q < got.populations.size(); ++q) {
          EXPECT_TRUE(got.populations[q].spikes ==
                      one.rec.populations[q].spikes)
              << what << ": " << got.populations[q].name;
          EXPECT_TRUE(got.populations[q].voltages ==
                      one.rec.populations[q].voltages)
              << what << ": " << got.populations[q].name;
        }
        // Only rank 0 keeps the recording.
        for (unsigned k = 1; k < ranks; ++k)
          for (const PopulationRecording &p : runs[k].rec.populations)
            EXPECT_TRUE(p.spikes.empty()) << what << ", rank " << k;
        EXPECT_EQ(got.synapticEvents, one.rec.synapticEvents) << what;
        EXPECT_EQ(got.neuronUpdates, one.rec.neuronUpdates) << what;
        EXPECT_EQ(emulatorStatsJson(runs[0].stats), wantStats) << what;
        // Keys crossed ranks (the test would pass vacuously otherwise).
        uint64_t words = 0;
        for (const RankRun &r : runs)
          words += r.wordsSent;
        EXPECT_GT(words, 0u) << what;
      }
  }
}

TEST(Distributed, RefusesTracesAndWeightReadBack) {
  DiagHarness h;
  Machine m = llvm::cantFail(builtinMachine("spinn5"));
  llvm::Optional<Network> net = parseNetwork(h.add(kNetwork), h.diag);
  ASSERT_TRUE(net) << h.text();
  CompilationContext cc;
  std::string bytes;
  ASSERT_TRUE(test::compileFor(h, *net, cc, m, "spinn5", {}, &bytes));
  std::vector<std::unique_ptr<RankComm>> comms = makeThreadComms(2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> pool;
  for (unsigned k = 0; k < 2; ++k)
    pool.emplace_back([&, k] {
      llvm::Expected<ImageReader> all = readImage(bytes, "t.scimg");
      Distribution dist;
      dist.comm = comms[k].get();
      dist.rankOfChip = assignChips(m, all->sections(), 2);
      llvm::Expected<ImageReader> img =
          readImage(bytes, "t.scimg",
                    [&](unsigned x, unsigned y) { return dist.owns(m, x, y); });
      auto em = Emulator::load(*img, m, "spinn5", 1, &dist);
      if (!em) {
        errors[k] = llvm::toString(em.takeError());
        return;
      }
      EmulatorOptions eo;
      eo.ticks = 5;
      LearnedSynapseSet learned;
      llvm::Expected<Recording> r = (*em)->run({}, eo, nullptr, &learned);
      errors[k] = r ? "" : llvm::toString(r.takeError());
    });
  for (std::thread &t : pool)
    t.join();
  for (unsigned k = 0; k < 2; ++k)
    EXPECT_EQ(errors[k], "tracing cores and reading learned weights back "
                         "need a run in one process");
}

} // namespace
