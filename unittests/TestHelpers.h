//===- TestHelpers.h - Shared scaffolding of the unit tests -----*- C++ -*-===//
//
// A SourceMgr, a DiagnosticEngine that prints into a string, and helpers to
// add in-memory buffers, parse, lower and read textual IR.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_UNITTESTS_TESTHELPERS_H
#define SCNC_UNITTESTS_TESTHELPERS_H

#include "scnc/IR/Printer.h"
#include "scnc/Support/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace scnc {
namespace test {

/// Diagnostics printed into `text()` instead of stderr.
struct DiagHarness {
  llvm::SourceMgr sm;
  std::string out;
  llvm::raw_string_ostream os{out};
  DiagnosticEngine diag{sm, os};

  /// Adds a copy of `text` as a buffer named `name`; returns its id.
  unsigned add(llvm::StringRef text, llvm::StringRef name = "t.scn") {
    return sm.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, name), llvm::SMLoc());
  }
  /// Everything printed so far.
  const std::string &text() { return os.str(); }
  /// 1-based line and column of a location.
  std::pair<unsigned, unsigned> lineCol(llvm::SMLoc loc) const {
    return sm.getLineAndColumn(loc);
  }
};

/// The textual IR of a network.
inline std::string print(const Network &n) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printNetwork(n, os);
  return os.str();
}

} // namespace test
} // namespace scnc

#endif
