//===- Summary.h - Keras-style tables of a network --------------*- C++ -*-===//
#ifndef SCNC_IR_SUMMARY_H
#define SCNC_IR_SUMMARY_H

#include "scnc/IR/Network.h"
#include "scnc/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace scnc {

/// `-emit=shapes`: one line per layer with its output shape.
void printShapes(const Network &n, llvm::raw_ostream &os);
/// `--summary`: layer, kind, output shape, neurons, incoming synapses
/// (computed analytically, without expanding), parameter set; totals.
void printSummary(const Network &n, llvm::raw_ostream &os);

} // namespace scnc

#endif
