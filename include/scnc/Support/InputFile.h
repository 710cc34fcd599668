//===- InputFile.h - Loading a source file into a SourceMgr -----*- C++ -*-===//
#ifndef SCNC_SUPPORT_INPUTFILE_H
#define SCNC_SUPPORT_INPUTFILE_H

#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/StringRef.h"

namespace scnc {

/// Reads `path` ("-" is stdin) into the engine's SourceMgr; returns the
/// buffer id, or 0 after reporting why the file could not be read.
unsigned loadSourceFile(llvm::StringRef path, DiagnosticEngine &diag);

} // namespace scnc

#endif
