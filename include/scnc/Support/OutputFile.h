//===- OutputFile.h - Outputs written atomically ----------------*- C++ -*-===//
#ifndef SCNC_SUPPORT_OUTPUTFILE_H
#define SCNC_SUPPORT_OUTPUTFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <functional>

namespace scnc {

/// Writes an output through `writer`: to stdout for "-", otherwise to a
/// temporary file beside `path` that is renamed over `path` only when the
/// writer succeeds, so a failed run never leaves a half-written file.
llvm::Error writeOutputAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> writer);

/// The same for writers that seek (pwrite) in their output, e.g. to fill in
/// a header last: a file is written in place; "-" is buffered in memory and
/// copied to stdout when the writer succeeds.
llvm::Error writeSeekableOutputAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> writer);

} // namespace scnc

#endif
