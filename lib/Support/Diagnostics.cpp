//===- Diagnostics.cpp ----------------------------------------------------===//
#include "scnc/Support/Diagnostics.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace scnc;
using namespace llvm;

bool DiagnosticEngine::countError() {
  ++numErrors;
  if (!errorLimit || numErrors <= errorLimit)
    return true;
  if (!limitReported) {
    WithColor::error(os) << "too many errors emitted, stopping now\n";
    limitReported = true;
  }
  return false;
}

void DiagnosticEngine::emit(SMLoc loc, SourceMgr::DiagKind kind,
                            const Twine &msg) {
  if (kind == SourceMgr::DK_Warning && warningsAsErrors)
    kind = SourceMgr::DK_Error;
  if (kind == SourceMgr::DK_Error) {
    if (!countError())
      return;
  } else if (kind == SourceMgr::DK_Warning) {
    ++numWarnings;
  }
  if (!loc.isValid()) {
    switch (kind) {
    case SourceMgr::DK_Error:
      WithColor::error(os) << msg << "\n";
      break;
    case SourceMgr::DK_Warning:
      WithColor::warning(os) << msg << "\n";
      break;
    default:
      WithColor::note(os) << msg << "\n";
      break;
    }
    return;
  }
  srcMgr.PrintMessage(os, loc, kind, msg);
}

void DiagnosticEngine::error(SMLoc loc, const Twine &msg) {
  emit(loc, SourceMgr::DK_Error, msg);
}
void DiagnosticEngine::warning(SMLoc loc, const Twine &msg) {
  emit(loc, SourceMgr::DK_Warning, msg);
}
void DiagnosticEngine::note(SMLoc loc, const Twine &msg) {
  // A note belongs to the error before it; drop it when that error was.
  if (errorLimit && numErrors > errorLimit)
    return;
  emit(loc, SourceMgr::DK_Note, msg);
}
void DiagnosticEngine::error(const Twine &msg) {
  emit(SMLoc(), SourceMgr::DK_Error, msg);
}

StringRef scnc::closestMatch(StringRef word, ArrayRef<StringRef> candidates) {
  StringRef best;
  unsigned bestDist = ~0u;
  for (StringRef c : candidates) {
    unsigned d = word.edit_distance(c, /*AllowReplacements=*/true,
                                    /*MaxEditDistance=*/bestDist);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  // Accept at most a third of the word's length as edits (at least one).
  unsigned limit = std::max<size_t>(1, (word.size() + 2) / 3);
  return bestDist <= limit ? best : StringRef();
}

void DiagnosticEngine::errorAt(StringRef file, unsigned line, unsigned col,
                               const Twine &msg) {
  if (!countError())
    return;
  os << file << ":" << line << ":" << col << ": ";
  WithColor::error(os, "") << msg << "\n";
}
