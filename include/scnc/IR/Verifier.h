//===- Verifier.h - IR invariants -------------------------------*- C++ -*-===//
#ifndef SCNC_IR_VERIFIER_H
#define SCNC_IR_VERIFIER_H

#include "scnc/IR/Network.h"
#include "scnc/Support/Diagnostics.h"

namespace scnc {

/// Checks the IR's invariants: unique names, references that resolve,
/// populations in topological order, parameters in range, and, where shapes
/// are known, shapes that agree with every projection. Reports each
/// violation at the entity's location; returns true when there was none.
bool verifyNetwork(const Network &n, DiagnosticEngine &diag);

} // namespace scnc

#endif
