//===- ToolSupport.h - What every scnc tool's main() shares -----*- C++ -*-===//
#ifndef SCNC_SUPPORT_TOOLSUPPORT_H
#define SCNC_SUPPORT_TOOLSUPPORT_H

#include "llvm/Support/CommandLine.h"

namespace scnc {

/// Options shared by the tools, in the "Diagnostics" category.
llvm::cl::OptionCategory &diagnosticsCategory();
llvm::cl::OptionCategory &debuggingCategory();

/// Sets the version printer, registers -debug/-debug-only, moves LLVM's
/// -print-after-all, -print-after and -time-passes into the Debugging
/// category, hides LLVM's other options from --help, and parses argv.
void parseToolCommandLine(
    int argc, char **argv, const char *overview,
    llvm::ArrayRef<const llvm::cl::OptionCategory *> cats);

/// Parses "123", "64K", "512M", "8G", "1T" (powers of 1024) into bytes.
bool parseByteSize(llvm::StringRef text, uint64_t &bytes);
/// The machine's physical memory in bytes (0 when unknown).
uint64_t physicalMemory();

} // namespace scnc

#endif
