//===- Parser.h - Recursive-descent parser for the block syntax -*- C++ -*-===//
#ifndef SCNC_SYNTAX_PARSER_H
#define SCNC_SYNTAX_PARSER_H

#include "scnc/Support/Diagnostics.h"
#include "scnc/Syntax/AST.h"
#include "llvm/ADT/Optional.h"

namespace scnc {

/// Parses the main buffer of `diag`'s SourceMgr with the given id. Reports
/// every syntax error (up to the engine's limit); returns None when there was
/// any. `fileName` names the buffer in messages that have no source line.
llvm::Optional<Module> parseModule(unsigned bufferId, DiagnosticEngine &diag);

} // namespace scnc

#endif
