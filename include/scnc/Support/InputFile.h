//===- InputFile.h - Loading a source file into a SourceMgr -----*- C++ -*-===//
#ifndef SCNC_SUPPORT_INPUTFILE_H
#define SCNC_SUPPORT_INPUTFILE_H

#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ErrorOr.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>

namespace scnc {

/// Reads `path` ("-" is stdin) into the engine's SourceMgr; returns the
/// buffer id, or 0 after reporting why the file could not be read.
unsigned loadSourceFile(llvm::StringRef path, DiagnosticEngine &diag);

/// The contents of the input file \p path ("-": stdin when \p allowStdin).
/// Only regular files are read: a device, FIFO or socket (/dev/zero, a named
/// pipe) has no size to check an input against and could be endless, so it
/// fails with "not a regular file" (issue 17). Errors are error codes, as
/// MemoryBuffer::getFile's.
llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(llvm::StringRef path, bool allowStdin = false);

/// Gives back the resident pages of \p buf when it maps its file (a large
/// input that has been copied elsewhere, such as an image the emulator has
/// loaded): they are read again from the file if touched later. A buffer
/// in heap memory is left alone.
void releaseMappedPages(const llvm::MemoryBuffer &buf);

} // namespace scnc

#endif
