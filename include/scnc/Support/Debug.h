//===- Debug.h - -debug / -debug-only for a release libLLVM -----*- C++ -*-===//
//
// Debian's libLLVM is a release build, so LLVM_DEBUG compiles to nothing in
// our NDEBUG builds. SCNC_DEBUG works in every build: it prints when the
// tool got `-debug`, or `-debug-only=<DEBUG_TYPE>`.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_DEBUG_H
#define SCNC_SUPPORT_DEBUG_H

#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

// In NDEBUG builds llvm/Support/Debug.h turns these into macros; libLLVM
// still exports the functions. The parentheses stop the macro expansion.
namespace llvm {
bool(isCurrentDebugType)(const char *type);
void(setCurrentDebugTypes)(const char **types, unsigned count);
} // namespace llvm

#define SCNC_DEBUG(X)                                                          \
  do {                                                                         \
    if (::llvm::DebugFlag && (::llvm::isCurrentDebugType)(DEBUG_TYPE)) {       \
      X;                                                                       \
    }                                                                          \
  } while (false)

namespace scnc {
/// Registers -debug and -debug-only=<types> (libLLVM release builds have
/// neither). Call before parsing the command line.
void registerDebugOptions();
} // namespace scnc

#endif
