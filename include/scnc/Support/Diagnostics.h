//===- Diagnostics.h - Source-located errors and warnings -------*- C++ -*-===//
//
// Every diagnostic a user sees goes through DiagnosticEngine: it prints
// `file:line:col: error: message`, the source line and a caret (LLVM style),
// counts errors, and stops printing after a limit.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_DIAGNOSTICS_H
#define SCNC_SUPPORT_DIAGNOSTICS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace scnc {

/// Collects and prints diagnostics against the buffers of a SourceMgr.
class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &srcMgr,
                            llvm::raw_ostream &os = llvm::errs())
      : srcMgr(srcMgr), os(os) {}

  void error(llvm::SMLoc loc, const llvm::Twine &msg);
  void warning(llvm::SMLoc loc, const llvm::Twine &msg);
  void note(llvm::SMLoc loc, const llvm::Twine &msg);
  /// An error at a position whose line must not be echoed (binary input).
  void errorAt(llvm::StringRef file, unsigned line, unsigned col,
               const llvm::Twine &msg);
  /// An error that is not tied to a place in the source (e.g. a missing file).
  void error(const llvm::Twine &msg);

  unsigned getNumErrors() const { return numErrors; }
  unsigned getNumWarnings() const { return numWarnings; }
  bool hadError() const { return numErrors != 0; }
  /// True once the error limit is reached; parsers use it to stop early.
  bool tooManyErrors() const { return errorLimit && numErrors >= errorLimit; }
  void setErrorLimit(unsigned limit) { errorLimit = limit; }
  void setWarningsAsErrors(bool v) { warningsAsErrors = v; }
  llvm::SourceMgr &getSourceMgr() { return srcMgr; }

private:
  /// Counts an error; false once past the limit (after saying so once).
  bool countError();
  void emit(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
            const llvm::Twine &msg);

  llvm::SourceMgr &srcMgr;
  llvm::raw_ostream &os;
  unsigned numErrors = 0;
  unsigned numWarnings = 0;
  unsigned errorLimit = 20;
  bool warningsAsErrors = false;
  bool limitReported = false;
};

/// Returns the candidate closest to `word` by edit distance, or "" when none
/// is close enough to be a plausible misspelling.
llvm::StringRef closestMatch(llvm::StringRef word,
                             llvm::ArrayRef<llvm::StringRef> candidates);

} // namespace scnc

#endif
