//===- SpikeIOTest.cpp - Input spike files and recordings -----------------===//
//
// Input files: times to ticks (ties away from zero), duplicates merged,
// every error with its file and line or row. Writers: .npy files that read
// back, summary.json, the terminal table.
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/SpikeIO.h"
#include "scnc/Support/Npy.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"
#include <limits>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;

namespace {

/// A scratch directory, removed at the end of the test.
struct TempDir {
  SmallString<128> path;
  TempDir() {
    EXPECT_FALSE(sys::fs::createUniqueDirectory("scnc-spikeio", path));
  }
  ~TempDir() { sys::fs::remove_directories(path); }
  /// Writes \p text into file \p name; returns its path.
  std::string write(StringRef name, StringRef text) {
    SmallString<128> p(path);
    sys::path::append(p, name);
    std::error_code ec;
    raw_fd_ostream os(p, ec);
    EXPECT_FALSE(ec);
    os << text;
    return std::string(p.str());
  }
};

const RunSpan kRun{1.0, 100}; // 100 ticks of 1 ms

/// The error of reading \p text as CSV for layer 'digit' of 784 neurons
/// ("" on success), with the file's path replaced by "F".
std::string csvError(StringRef text, RunSpan run = kRun) {
  TempDir d;
  std::string path = d.write("in.csv", text);
  Expected<std::vector<Spike>> s = readSpikeFile(path, "digit", 784, run);
  if (s)
    return "";
  std::string msg = toString(s.takeError());
  size_t at = msg.find(path);
  if (at != std::string::npos)
    msg.replace(at, path.size(), "F");
  return msg;
}

/// A (K, 2) array as the .npy reader gives it (no line numbers).
NumArray npyArray(std::vector<double> data) {
  NumArray a;
  a.shape = {data.size() / 2, 2};
  a.data = std::move(data);
  return a;
}

std::string arrayError(const NumArray &a, uint64_t neurons = 4) {
  Expected<std::vector<Spike>> s =
      spikesFromArray(a, "s.npy", "in", neurons, kRun);
  return s ? "" : toString(s.takeError());
}

TEST(SpikeIO, TimesRoundToTicksTiesAwayFromZero) {
  // dt = 0.5: 0.25 ms is 0.5 ticks exactly, 0.75 is 1.5, 1.25 is 2.5.
  EXPECT_EQ(timeToTick(0.25, 0.5), 1);
  EXPECT_EQ(timeToTick(0.75, 0.5), 2);
  EXPECT_EQ(timeToTick(1.25, 0.5), 3);
  EXPECT_EQ(timeToTick(1.2, 0.5), 2);
  EXPECT_EQ(timeToTick(0.3, 0.1), 3); // 2.9999999999999996 rounds to 3
  EXPECT_EQ(timeToTick(0, 1), 0);
}

TEST(SpikeIO, CsvWithHeaderCommentsAndDuplicates) {
  TempDir d;
  std::string path = d.write("in.csv", "time_ms,neuron\n"
                                       "# a comment\n"
                                       "3.4, 7\n"
                                       "0,5\n"
                                       "\n"
                                       "2.6,7\n" // tick 3 again: merged
                                       "0.4,2\n"
                                       "99.4,783\n");
  Expected<std::vector<Spike>> s = readSpikeFile(path, "digit", 784, kRun);
  ASSERT_TRUE(bool(s)) << toString(s.takeError());
  std::vector<Spike> want = {{0, 2}, {0, 5}, {3, 7}, {99, 783}};
  EXPECT_EQ(*s, want);
}

TEST(SpikeIO, EmptyFilesAreSilent) {
  TempDir d;
  for (StringRef text : {"", "time_ms,neuron\n", "# nothing\n"}) {
    Expected<std::vector<Spike>> s =
        readSpikeFile(d.write("e.csv", text), "digit", 784, kRun);
    ASSERT_TRUE(bool(s)) << toString(s.takeError());
    EXPECT_TRUE(s->empty());
  }
  NumArray none;
  none.shape = {0, 2};
  EXPECT_EQ(arrayError(none), "");
}

TEST(SpikeIO, CsvErrorsNameFileAndLine) {
  EXPECT_EQ(csvError("t,n\n1,2\n1,x\n"),
            "'F': line 3: not a number list: '1,x'");
  EXPECT_EQ(csvError("1,2\n1,2,3\n"), "'F': line 2: 3 columns, expected 2");
  EXPECT_EQ(csvError("# three\n1,2,3\n"),
            "'F': line 2: 3 columns, expected 2 (time in ms, neuron)");
  EXPECT_EQ(csvError("1,2\n5,900\n"),
            "'F': line 2: neuron 900 does not exist: layer 'digit' has 784 "
            "neurons");
  EXPECT_EQ(csvError("1,-1\n"), "'F': line 1: neuron -1 does not exist: "
                                "layer 'digit' has 784 neurons");
  EXPECT_EQ(csvError("1,2.5\n"), "'F': line 1: neuron 2.5 is not a whole "
                                 "number");
  EXPECT_EQ(csvError("1,2\n-0.5,1\n"), "'F': line 2: negative time -0.5 ms");
  EXPECT_EQ(csvError("120,1\n"),
            "'F': line 1: time 120 ms is outside the run (0 to 100 ms)");
  EXPECT_EQ(csvError("100,1\n"),
            "'F': line 1: time 100 ms is outside the run (0 to 100 ms)");
  EXPECT_EQ(csvError("99.6,1\n"),
            "'F': line 1: time 99.6 ms rounds to tick 100, outside the run "
            "(ticks 0 to 99 of 1 ms)");
  EXPECT_EQ(csvError("1,2\nnan,1\n"), "'F': line 2: time is NaN");
  EXPECT_EQ(csvError("1,nan\n"), "'F': line 1: neuron is NaN");
  EXPECT_EQ(csvError("inf,1\n"),
            "'F': line 1: time inf ms is outside the run (0 to 100 ms)");
}

TEST(SpikeIO, NpyErrorsNameTheRow) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(arrayError(npyArray({0, 1, 2, 4})),
            "'s.npy': row 1: neuron 4 does not exist: layer 'in' has 4 "
            "neurons");
  EXPECT_EQ(arrayError(npyArray({0, 0}), 1), "");
  EXPECT_EQ(arrayError(npyArray({0, 1}), 1),
            "'s.npy': row 0: neuron 1 does not exist: layer 'in' has 1 "
            "neuron");
  EXPECT_EQ(arrayError(npyArray({0, 1, 2, 3, nan, 0})),
            "'s.npy': row 2: time is NaN");
  EXPECT_EQ(arrayError(npyArray({0, 1, 100, 3})),
            "'s.npy': row 1: time 100 ms is outside the run (0 to 100 ms)");
  NumArray flat;
  flat.shape = {3};
  flat.data = {1, 2, 3};
  EXPECT_EQ(arrayError(flat), "'s.npy': shape (3,) is not (K, 2): expected "
                              "rows of (time in ms, neuron)");
  NumArray wide = npyArray({0, 1, 2, 3, 4, 5});
  wide.shape = {2, 3};
  EXPECT_EQ(arrayError(wide), "'s.npy': shape (2, 3) is not (K, 2): expected "
                              "rows of (time in ms, neuron)");
}

TEST(SpikeIO, NpyFilesOfIntegers) {
  // A (3, 2) int64 .npy as numpy writes it.
  std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (3, "
                     "2), }";
  dict.append((64 - (10 + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += char(dict.size());
  bytes += char(0);
  bytes += dict;
  for (int64_t v : {5, 1, 0, 3, 5, 1})
    bytes.append(reinterpret_cast<const char *>(&v), 8); // little-endian host
  TempDir d;
  Expected<std::vector<Spike>> s =
      readSpikeFile(d.write("s.npy", bytes), "in", 4, kRun);
  ASSERT_TRUE(bool(s)) << toString(s.takeError());
  std::vector<Spike> want = {{0, 3}, {5, 1}};
  EXPECT_EQ(*s, want);
}

TEST(SpikeIO, InputSpikesChecked) {
  std::vector<SpikeTarget> pops = {{"in", true, 4}, {"out", false, 2}};
  auto check = [&](const std::vector<std::vector<Spike>> &in) {
    return llvm::toString(checkInputSpikes(in, pops, 10));
  };
  EXPECT_EQ(check({{{0, 3}, {9, 0}}, {}}), "");
  EXPECT_EQ(check({}), "");
  // Past the populations, empty lists are no spikes.
  EXPECT_EQ(check({{}, {}, {}}), "");
  // A missing neuron is found before a late tick.
  EXPECT_EQ(check({{{10, 0}, {0, 4}}}),
            "input spike of neuron 4 in layer 'in', which has 4 neurons");
  EXPECT_EQ(check({{{10, 0}, {11, 1}}}),
            "input spike at tick 10 in layer 'in', after the run's 10 ticks");
  EXPECT_EQ(check({{}, {{0, 0}}}),
            "layer 'out' is not an input layer: it cannot be given spikes");
  EXPECT_EQ(check({{}, {}, {{0, 0}}}),
            "input spikes for population 2, but the network has 2 "
            "populations");
}

TEST(SpikeIO, SpikesAndVoltagesReadBack) {
  std::string bytes;
  raw_string_ostream os(bytes);
  writeSpikesNpy(os, {{0, 3}, {7, 1}}, 0.5);
  os.flush();
  Expected<NumArray> a = parseNpy(bytes, "s.npy");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(a->data, (std::vector<double>{0, 3, 3.5, 1}));

  bytes.clear();
  writeVoltagesNpy(os, {-65, -64.5, -63, -65.25, -50, -70}, 3, 2);
  os.flush();
  a = parseNpy(bytes, "v.npy");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(a->data, (std::vector<double>{-65, -64.5, -63, -65.25, -50, -70}));
}

Recording sampleRecording() {
  Recording r;
  r.network = "net";
  r.mode = "reference";
  r.span = {0.5, 40}; // 20 ms
  PopulationRecording in;
  in.name = "digit";
  in.isInput = true;
  in.neurons = 1000;
  in.spikes.assign(1500, Spike{});
  PopulationRecording c;
  c.name = "c";
  c.neurons = 4;
  c.spikes = {{1, 0}, {2, 3}};
  c.voltages.assign(40 * 4, -65.0);
  r.populations = {in, c};
  r.synapticEvents = 12345;
  r.neuronUpdates = 160;
  r.wallSeconds = 0.25;
  return r;
}

TEST(SpikeIO, SummaryJson) {
  std::string s;
  raw_string_ostream os(s);
  writeSummaryJson(os, sampleRecording());
  nlohmann::json j = nlohmann::json::parse(os.str());
  EXPECT_EQ(j["network"], "net");
  EXPECT_EQ(j["mode"], "reference");
  EXPECT_EQ(j["dt_ms"], 0.5);
  EXPECT_EQ(j["ticks"], 40);
  EXPECT_EQ(j["duration_ms"], 20.0);
  EXPECT_EQ(j["synaptic_events"], 12345);
  EXPECT_EQ(j["neuron_updates"], 160);
  // The wall time only when asked for: without it the file is the same for
  // every run.
  EXPECT_FALSE(j.contains("wall_seconds"));
  ASSERT_EQ(j["layers"].size(), 2u);
  EXPECT_EQ(j["layers"][0]["name"], "digit");
  EXPECT_EQ(j["layers"][0]["kind"], "input");
  EXPECT_EQ(j["layers"][0]["neurons"], 1000);
  EXPECT_EQ(j["layers"][0]["spikes"], 1500);
  EXPECT_EQ(j["layers"][0]["rate_hz"], 75.0); // 1.5 spikes / 20 ms
  EXPECT_EQ(j["layers"][0]["voltages_recorded"], false);
  EXPECT_EQ(j["layers"][1]["kind"], "neurons");
  EXPECT_EQ(j["layers"][1]["rate_hz"], 25.0); // 0.5 spikes / 20 ms
  EXPECT_EQ(j["layers"][1]["voltages_recorded"], true);

  std::string timed;
  raw_string_ostream tos(timed);
  writeSummaryJson(tos, sampleRecording(), /*wallTime=*/true);
  EXPECT_EQ(nlohmann::json::parse(tos.str())["wall_seconds"], 0.25);
}

TEST(SpikeIO, SummaryTable) {
  std::string s;
  raw_string_ostream os(s);
  printSummaryTable(sampleRecording(), os);
  EXPECT_EQ(os.str(), "layer  neurons  spikes  rate (Hz)\n"
                      "digit    1,000   1,500      75.00\n"
                      "c            4       2      25.00\n"
                      "40 ticks of 0.5 ms (20 ms), reference\n");
  s.clear();
  printRunStats(sampleRecording(), os);
  EXPECT_EQ(os.str(), "synaptic events 12,345, neuron updates 160 in 0.250 s "
                      "(0.0 M events/s, 0.0 M updates/s)\n");
}

TEST(SpikeIO, WriteRecordingSelectsFiles) {
  TempDir d;
  SmallString<128> dir(d.path);
  sys::path::append(dir, "out", "deeper");
  OutputSelection sel;
  sel.spikes = true;
  sel.voltages = true;
  sel.layers = {false, true};
  ASSERT_FALSE(bool(writeRecording(sampleRecording(), dir, sel)));
  auto exists = [&](StringRef f) {
    SmallString<128> p(dir);
    sys::path::append(p, f);
    return sys::fs::exists(p);
  };
  EXPECT_TRUE(exists("summary.json"));
  EXPECT_TRUE(exists("c.spikes.npy"));
  EXPECT_TRUE(exists("c.v.npy"));
  EXPECT_FALSE(exists("digit.spikes.npy"));
  EXPECT_FALSE(exists("digit.v.npy"));
  // No temporary files are left behind.
  std::error_code ec;
  unsigned files = 0;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    ++files;
  EXPECT_EQ(files, 3u);
}

} // namespace
