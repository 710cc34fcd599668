//===- Printer.h - Textual form of the IR -----------------------*- C++ -*-===//
#ifndef SCNC_IR_PRINTER_H
#define SCNC_IR_PRINTER_H

#include "scnc/IR/Network.h"
#include "llvm/Support/raw_ostream.h"

namespace scnc {

/// Prints the network with every attribute explicit; readIR reads it back
/// to an equal network, and printing that gives the same text.
void printNetwork(const Network &n, llvm::raw_ostream &os);

/// Prints a quantity so that it reads back to the same double.
void printNumber(llvm::raw_ostream &os, double v);
/// The same as a string.
std::string formatNumber(double v);
void printWeightInit(llvm::raw_ostream &os, const WeightInit &w);
void printEncoding(llvm::raw_ostream &os, const Encoding &e);
/// `9x9x4`, or `unknown`.
std::string formatShape(const Shape &s);

} // namespace scnc

#endif
