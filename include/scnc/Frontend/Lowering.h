//===- Lowering.h - .scn syntax tree to IR ----------------------*- C++ -*-===//
#ifndef SCNC_FRONTEND_LOWERING_H
#define SCNC_FRONTEND_LOWERING_H

#include "scnc/IR/Network.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Syntax/AST.h"
#include "llvm/ADT/Optional.h"

namespace scnc {

/// Checks a parsed .scn module and lowers its layers to populations and
/// projections. Every attribute of the result is explicit (defaults filled
/// in); shapes other than the inputs' are left to infer-shapes. Reports all
/// errors; returns None when there was any.
llvm::Optional<Network> lowerModule(const Module &m, DiagnosticEngine &diag);

/// Reads and lowers a .scn buffer (parse + lower).
llvm::Optional<Network> parseNetwork(unsigned bufferId, DiagnosticEngine &diag);

/// The seed a `normal(...)` without one gets: a mix of the simulation seed
/// and the name of what it initialises, so layers draw different weights.
uint64_t deriveSeed(uint64_t simSeed, llvm::StringRef name);

} // namespace scnc

#endif
