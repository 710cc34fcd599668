//===- RunFolderTest.cpp - The run folder's files and the features --------===//
#include "scnc/Learning/RunFolder.h"
#include "scnc/Learning/Features.h"
#include "scnc/Plot/Confusion.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

using namespace scnc;
using namespace llvm;

namespace {

TEST(FeaturesTest, SpikeCountsPerNeuron) {
  std::vector<Spike> s = {{0, 1}, {3, 1}, {4, 0}, {5, 7}};
  // Neuron 7 is outside the layer: not counted; counts add to the row.
  std::vector<double> row = {0, 0, 0};
  addSpikeCounts(s, row);
  EXPECT_EQ(row, (std::vector<double>{1, 2, 0}));
  addSpikeCounts(s, row);
  EXPECT_EQ(row, (std::vector<double>{2, 4, 0}));
  std::vector<double> none = {0, 0};
  addSpikeCounts({}, none);
  EXPECT_EQ(none, (std::vector<double>{0, 0}));
}

TEST(SetLayerWeightsTest, ReplacesWeightsAndRebasesPaths) {
  std::string src = "input image(shape = 4x4x1, data = file(path = "
                    "\"d/x.npy\"));\n"
                    "conv c1(image) {\n    weights = random(seed = 1);\n"
                    "    kernel = 3x3;\n}\n";
  Expected<std::string> same =
      setLayerWeights(src, "c1", "layer1.weights.npy", "/a", "/a");
  ASSERT_TRUE(bool(same)) << toString(same.takeError());
  EXPECT_NE(same->find("weights = file(path = \"layer1.weights.npy\");  "
                       "// scnc-train layer"),
            std::string::npos)
      << *same;
  EXPECT_EQ(same->find("random("), std::string::npos) << *same;
  EXPECT_NE(same->find("path = \"d/x.npy\""), std::string::npos) << *same;
  Expected<std::string> moved = setLayerWeights(src, "c1", "w.npy", "/a", "/b");
  ASSERT_TRUE(bool(moved)) << toString(moved.takeError());
  EXPECT_NE(moved->find("path = \"/a/d/x.npy\""), std::string::npos) << *moved;
  Expected<std::string> none = setLayerWeights(src, "c2", "w.npy", "/a", "/a");
  ASSERT_FALSE(bool(none));
  EXPECT_EQ(toString(none.takeError()),
            "no 'conv c2(...)' layer in the network's text to set its weights");
}

/// A run folder in a temporary directory, removed at the end.
class RunFolderFiles : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("scnc-runfolder-test", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }
  std::string read(const RunFolder &f, StringRef name) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> b =
        MemoryBuffer::getFile(f.path(name));
    return b ? (*b)->getBuffer().str() : "";
  }
  SmallString<128> dir;
};

TEST_F(RunFolderFiles, ResultsAreWhatScncPlotConfusionReads) {
  SmallString<128> sub(dir);
  sys::path::append(sub, "run", "one");
  RunFolder f(sub.str().str());
  ASSERT_FALSE(bool(f.create()));
  EXPECT_TRUE(sys::fs::is_directory(sub));
  Network n;
  n.name = "net";
  RunProtocol p;
  p.command = "test";
  p.classes = {0, 1};
  p.trainPerClass = Selection::kAll;
  TestReport r;
  r.truth = {0, 0, 1, 1};
  r.predictions = {0, 1, 1, 1};
  r.evaluation = evaluate(r.truth, r.predictions);
  r.fileIndex = {4, 5, 6, 7};
  r.model = "svm.json";
  ASSERT_FALSE(bool(f.writeResultsJson(n, p, r)));
  std::string text = read(f, "results.json");
  EXPECT_NE(text.find("\"train_per_class\": \"all\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("\"test_per_class\": 10"), std::string::npos) << text;
  Expected<plot::Confusion> m = plot::parseConfusionJson(text, "results.json");
  ASSERT_TRUE(bool(m)) << toString(m.takeError());
  EXPECT_EQ(m->k, 2u);
  EXPECT_EQ(m->labels, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(m->counts, (std::vector<double>{1, 1, 0, 2}));
}

TEST_F(RunFolderFiles, LogAppendsCommandAndText) {
  RunFolder f(dir.str().str());
  ASSERT_FALSE(bool(f.appendLog("scnc-train svm a.scn", "one\n")));
  ASSERT_FALSE(bool(f.appendLog("scnc-train test a.scn", "two\n")));
  EXPECT_EQ(read(f, "log.txt"),
            "$ scnc-train svm a.scn\none\n$ scnc-train test a.scn\ntwo\n");
}

TEST_F(RunFolderFiles, CopyNetworkRebasesRelativePaths) {
  RunFolder f(dir.str().str());
  SmallString<128> elsewhere(dir);
  sys::path::append(elsewhere, "src", "net.scn");
  ASSERT_FALSE(bool(f.copyNetwork(elsewhere, "x = file(path = \"w.npy\");")));
  SmallString<128> expected(dir);
  sys::fs::make_absolute(expected);
  sys::path::append(expected, "src", "w.npy");
  EXPECT_EQ(read(f, "net.scn"),
            "x = file(path = \"" + expected.str().str() + "\");");
  // The folder's own net.scn is left alone.
  ASSERT_FALSE(bool(f.copyNetwork(f.path("net.scn"), "changed")));
  EXPECT_NE(read(f, "net.scn"), "changed");
}

} // namespace
