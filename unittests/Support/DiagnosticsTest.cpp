//===- DiagnosticsTest.cpp - DiagnosticEngine and closestMatch ------------===//
#include "scnc/Support/Diagnostics.h"
#include "TestHelpers.h"
#include "gtest/gtest.h"

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

/// A location `offset` bytes into buffer `id`.
llvm::SMLoc at(DiagHarness &h, unsigned id, size_t offset) {
  return llvm::SMLoc::getFromPointer(
      h.sm.getMemoryBuffer(id)->getBufferStart() + offset);
}

TEST(DiagnosticsTest, ErrorPrintsLocationSourceLineAndCaret) {
  DiagHarness h;
  unsigned id = h.add("network n {\n  conv c(a) { filtres = 4; }\n}\n");
  // "filtres" starts at line 2, column 15.
  h.diag.error(at(h, id, 12 + 14), "unknown parameter 'filtres'");
  EXPECT_EQ(h.text(), "t.scn:2:15: error: unknown parameter 'filtres'\n"
                      "  conv c(a) { filtres = 4; }\n"
                      "              ^\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
  EXPECT_EQ(h.diag.getNumWarnings(), 0u);
  EXPECT_TRUE(h.diag.hadError());
}

TEST(DiagnosticsTest, WarningAndNoteKinds) {
  DiagHarness h;
  unsigned id = h.add("abc def\n");
  h.diag.warning(at(h, id, 4), "something odd");
  h.diag.note(at(h, id, 0), "declared here");
  EXPECT_EQ(h.text(), "t.scn:1:5: warning: something odd\n"
                      "abc def\n"
                      "    ^\n"
                      "t.scn:1:1: note: declared here\n"
                      "abc def\n"
                      "^\n");
  EXPECT_EQ(h.diag.getNumErrors(), 0u);
  EXPECT_EQ(h.diag.getNumWarnings(), 1u);
  EXPECT_FALSE(h.diag.hadError());
}

TEST(DiagnosticsTest, ErrorsWithoutLocation) {
  DiagHarness h;
  h.diag.error("cannot read 'x.scn': No such file or directory");
  h.diag.warning(llvm::SMLoc(), "a warning");
  h.diag.note(llvm::SMLoc(), "a note");
  EXPECT_EQ(h.text(), "error: cannot read 'x.scn': No such file or directory\n"
                      "warning: a warning\n"
                      "note: a note\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
  EXPECT_EQ(h.diag.getNumWarnings(), 1u);
}

TEST(DiagnosticsTest, ErrorAtDoesNotEchoTheLine) {
  DiagHarness h;
  h.diag.errorAt("bin.scn", 3, 7, "not a text file");
  EXPECT_EQ(h.text(), "bin.scn:3:7: error: not a text file\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
}

TEST(DiagnosticsTest, ErrorLimitStopsPrintingButKeepsCounting) {
  DiagHarness h;
  unsigned id = h.add("x\n");
  h.diag.setErrorLimit(2);
  h.diag.error(at(h, id, 0), "first");
  EXPECT_FALSE(h.diag.tooManyErrors());
  h.diag.error(at(h, id, 0), "second");
  EXPECT_TRUE(h.diag.tooManyErrors());
  h.diag.error(at(h, id, 0), "third");
  h.diag.note(at(h, id, 0), "note of the third"); // dropped with its error
  h.diag.error(at(h, id, 0), "fourth");
  EXPECT_EQ(h.text(), "t.scn:1:1: error: first\nx\n^\n"
                      "t.scn:1:1: error: second\nx\n^\n"
                      "error: too many errors emitted, stopping now\n");
  EXPECT_EQ(h.diag.getNumErrors(), 4u);
}

TEST(DiagnosticsTest, DefaultErrorLimitIsTwenty) {
  DiagHarness h;
  for (int i = 0; i < 19; ++i)
    h.diag.error("e");
  EXPECT_FALSE(h.diag.tooManyErrors());
  h.diag.error("e");
  EXPECT_TRUE(h.diag.tooManyErrors());
}

TEST(DiagnosticsTest, ZeroErrorLimitMeansNoLimit) {
  DiagHarness h;
  h.diag.setErrorLimit(0);
  for (int i = 0; i < 30; ++i)
    h.diag.error("e");
  EXPECT_FALSE(h.diag.tooManyErrors());
  EXPECT_EQ(h.diag.getNumErrors(), 30u);
  EXPECT_EQ(h.text().find("too many"), std::string::npos);
}

TEST(DiagnosticsTest, WarningsAsErrors) {
  DiagHarness h;
  unsigned id = h.add("abc\n");
  h.diag.setWarningsAsErrors(true);
  h.diag.warning(at(h, id, 1), "odd");
  EXPECT_EQ(h.text(), "t.scn:1:2: error: odd\nabc\n ^\n");
  EXPECT_EQ(h.diag.getNumErrors(), 1u);
  EXPECT_EQ(h.diag.getNumWarnings(), 0u);
  EXPECT_TRUE(h.diag.hadError());
}

TEST(DiagnosticsTest, WarningsAsErrorsCountTowardsTheLimit) {
  DiagHarness h;
  h.diag.setErrorLimit(1);
  h.diag.setWarningsAsErrors(true);
  h.diag.warning(llvm::SMLoc(), "w1");
  h.diag.warning(llvm::SMLoc(), "w2");
  EXPECT_EQ(h.text(),
            "error: w1\nerror: too many errors emitted, stopping now\n");
  EXPECT_EQ(h.diag.getNumErrors(), 2u);
}

TEST(ClosestMatchTest, Misspellings) {
  const llvm::StringRef conv[] = {"filters", "kernel",  "stride", "padding",
                                  "mode",    "weights", "delay",  "receptor"};
  EXPECT_EQ(closestMatch("filtres", conv), "filters");
  EXPECT_EQ(closestMatch("kernal", conv), "kernel");
  EXPECT_EQ(closestMatch("strid", conv), "stride");
  EXPECT_EQ(closestMatch("paddding", conv), "padding");
  EXPECT_EQ(closestMatch("weight", conv), "weights");
  EXPECT_EQ(closestMatch("recepter", conv), "receptor");
  EXPECT_EQ(closestMatch("Delay", conv), "delay");
  EXPECT_EQ(closestMatch("mode", conv), "mode");
}

TEST(ClosestMatchTest, FarWordsGetNoSuggestion) {
  const llvm::StringRef conv[] = {"filters", "kernel", "stride", "padding"};
  EXPECT_EQ(closestMatch("xyz", conv), "");
  EXPECT_EQ(closestMatch("banana", conv), "");
  EXPECT_EQ(closestMatch("", conv), "");
  EXPECT_EQ(closestMatch("filters", {}), "");
}

TEST(ClosestMatchTest, EditLimitIsAThirdOfTheWord) {
  const llvm::StringRef units[] = {"ms", "mV", "nA", "Hz", "kHz"};
  // Two-letter words: at most one edit.
  EXPECT_EQ(closestMatch("mS", units), "ms");
  EXPECT_EQ(closestMatch("xy", units), "");
  // Three letters: (3 + 2) / 3 = 1 edit.
  EXPECT_EQ(closestMatch("khz", units), "kHz");
  // Six letters: (6 + 2) / 3 = 2 edits, three are too many.
  const llvm::StringRef words[] = {"kernel"};
  EXPECT_EQ(closestMatch("kxrnxl", words), "kernel");
  EXPECT_EQ(closestMatch("kxrxxl", words), "");
}

TEST(ClosestMatchTest, TiesGoToTheFirstCandidate) {
  const llvm::StringRef cands[] = {"ac", "ad"};
  EXPECT_EQ(closestMatch("ab", cands), "ac");
  const llvm::StringRef rev[] = {"ad", "ac"};
  EXPECT_EQ(closestMatch("ab", rev), "ad");
}

} // namespace
