//===- IRReader.h - Reading the textual IR back -----------------*- C++ -*-===//
//
// The textual IR (what printNetwork writes, docs/ir.md) read back into a
// Network. The attribute language it shares with the .scn front end is
// scnc/IR/AttributeReader.h.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_IR_IRREADER_H
#define SCNC_IR_IRREADER_H

#include "scnc/IR/Network.h"
#include "scnc/Support/Diagnostics.h"
#include "llvm/ADT/Optional.h"

namespace scnc {

/// Parses a textual-IR buffer (as printed by printNetwork) into a Network.
llvm::Optional<Network> readIR(unsigned bufferId, DiagnosticEngine &diag);

} // namespace scnc

#endif
