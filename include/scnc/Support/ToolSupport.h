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

} // namespace scnc

#endif
