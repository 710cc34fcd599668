//===- PipelineFlags.h - Command-line flags of the pipeline -----*- C++ -*-===//
//
// The flags that set a CompileOptions, shared by the tools that run the
// pipeline (scncc, scnc-opt), in the manner of LLVM's
// codegen::RegisterCodeGenFlags: a tool registers them once, before parsing
// its command line, and applies them after.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_DRIVER_PIPELINEFLAGS_H
#define SCNC_DRIVER_PIPELINEFLAGS_H

#include "scnc/Driver/Pipeline.h"
#include "llvm/Support/CommandLine.h"

namespace scnc {

/// Registers -j, --max-memory, --partitioner, --seed, --verify-routes and
/// --verify-each in \p stages, --machine and --router-entries in
/// \p machine. Call once, before parsing the command line.
void registerPipelineFlags(llvm::cl::OptionCategory &stages,
                           llvm::cl::OptionCategory &machine);

/// Sets \p o's pass options and verification from the flags; false after
/// reporting a bad value as \p tool.
bool applyPipelineFlags(CompileOptions &o, llvm::StringRef tool);

/// Loads the --machine into \p cc when one was given (loadTarget); false
/// after reporting a bad one.
bool loadMachineFlag(CompilationContext &cc, DiagnosticEngine &diag);

/// --machine, and whether it was given.
llvm::StringRef machineFlag();
bool machineFlagGiven();
/// --verify-routes
bool verifyRoutesFlag();

} // namespace scnc

#endif
