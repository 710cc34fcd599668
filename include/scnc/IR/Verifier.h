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
/// \p connections: also check the expanded connection lists (every synapse:
/// O(synapses)).
bool verifyNetwork(const Network &n, DiagnosticEngine &diag,
                   bool connections = true);

} // namespace scnc

#endif
