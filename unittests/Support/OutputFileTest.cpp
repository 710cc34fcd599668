//===- OutputFileTest.cpp - writeOutputAtomically -------------------------===//
#include "scnc/Support/OutputFile.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <string>
#include <vector>

using namespace scnc;
using namespace llvm;

namespace {

/// A fresh directory, removed with its contents at the end of the test.
class OutputFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("scnc-output-test", dir));
  }
  void TearDown() override {
    for (const std::string &f : entries())
      sys::fs::remove(f);
    sys::fs::remove(dir);
  }
  std::string path(StringRef name) const {
    SmallString<256> p(dir);
    sys::path::append(p, name);
    return std::string(p.str());
  }
  /// Full paths of the directory's entries.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      out.push_back(it->path());
    return out;
  }
  static std::string contents(StringRef p) {
    auto buf = MemoryBuffer::getFile(p);
    if (!buf)
      return "<unreadable>";
    return (*buf)->getBuffer().str();
  }
  static void writeFile(StringRef p, StringRef text) {
    std::error_code ec;
    raw_fd_ostream os(p, ec);
    ASSERT_FALSE(ec);
    os << text;
  }

  SmallString<256> dir;
};

TEST_F(OutputFileTest, WritesTheFile) {
  std::string out = path("net.scnir");
  Error err = writeOutputAtomically(out, [](raw_ostream &os) {
    os << "network n {\n}\n";
    return Error::success();
  });
  ASSERT_FALSE(bool(err)) << toString(std::move(err));
  EXPECT_EQ(contents(out), "network n {\n}\n");
  // Nothing else (no temporary file) is left in the directory.
  EXPECT_EQ(entries(), std::vector<std::string>{out});
}

TEST_F(OutputFileTest, ReplacesAnExistingFile) {
  std::string out = path("out.txt");
  writeFile(out, "old contents that are longer than the new ones\n");
  Error err = writeOutputAtomically(out, [](raw_ostream &os) {
    os << "new\n";
    return Error::success();
  });
  ASSERT_FALSE(bool(err)) << toString(std::move(err));
  EXPECT_EQ(contents(out), "new\n");
  EXPECT_EQ(entries(), std::vector<std::string>{out});
}

TEST_F(OutputFileTest, FailingWriterCreatesNothing) {
  std::string out = path("out.txt");
  Error err = writeOutputAtomically(out, [](raw_ostream &os) {
    os << "half of the output";
    return createStringError(inconvertibleErrorCode(), "writer failed");
  });
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(toString(std::move(err)), "writer failed");
  EXPECT_FALSE(sys::fs::exists(out));
  EXPECT_TRUE(entries().empty());
}

TEST_F(OutputFileTest, FailingWriterLeavesAnExistingFileUntouched) {
  std::string out = path("out.txt");
  writeFile(out, "previous run\n");
  Error err = writeOutputAtomically(out, [](raw_ostream &os) {
    os << "partial";
    return createStringError(inconvertibleErrorCode(), "writer failed");
  });
  ASSERT_TRUE(bool(err));
  consumeError(std::move(err));
  EXPECT_EQ(contents(out), "previous run\n");
  EXPECT_EQ(entries(), std::vector<std::string>{out});
}

TEST_F(OutputFileTest, MissingDirectoryIsAnError) {
  std::string out = path("no-such-dir/out.txt");
  bool called = false;
  Error err = writeOutputAtomically(out, [&](raw_ostream &) {
    called = true;
    return Error::success();
  });
  ASSERT_TRUE(bool(err));
  std::string msg = toString(std::move(err));
  EXPECT_NE(msg.find("cannot create a temporary file for '" + out + "'"),
            std::string::npos)
      << msg;
  EXPECT_FALSE(called);
  EXPECT_TRUE(entries().empty());
}

} // namespace

TEST_F(OutputFileTest, PendingOutputAppearsOnlyWhenCommitted) {
  std::string kept = path("kept.npy"), dropped = path("dropped.npy");
  writeFile(dropped, "old\n");
  {
    Expected<std::unique_ptr<PendingOutput>> a = PendingOutput::create(kept);
    Expected<std::unique_ptr<PendingOutput>> b = PendingOutput::create(dropped);
    ASSERT_TRUE(bool(a) && bool(b));
    (*a)->os() << "part 1, ";
    (*b)->os() << "never committed";
    (*a)->os() << "part 2\n";
    // Written in parts: nothing at the path until commit.
    EXPECT_EQ(entries().size(), 3u);
    EXPECT_EQ(contents(dropped), "old\n");
    Error err = (*a)->commit();
    ASSERT_FALSE(bool(err)) << toString(std::move(err));
  }
  // The uncommitted one's temporary file is gone, the old file untouched.
  std::vector<std::string> got = entries();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{dropped, kept}));
  EXPECT_EQ(contents(kept), "part 1, part 2\n");
  EXPECT_EQ(contents(dropped), "old\n");
}
