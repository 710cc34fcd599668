//===- PyNN.h - A PyNN script for the network --------------------*- C++
//-*-===//
//
// PyNN out (`scncc net.scn -emit=pynn -o DIR`): a directory holding a PyNN
// script (run.py) that builds the same network with PyNN's standard API
// (IF_curr_exp populations, SpikeSourceArray inputs read from spike files,
// FromListConnector projections over scnc's expanded connection lists), so
// that it runs unchanged on sPyNNaker (a real SpiNNaker machine), NEST or
// Brian2. docs/interop.md ("PyNN out") describes the directory and what
// differs between PyNN's backends and scnc's execution model.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_INTEROP_PYNN_H
#define SCNC_INTEROP_PYNN_H

#include "scnc/IR/Network.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>

namespace scnc {

struct PyNNOptions {
  /// The network's source file, named in the script's header.
  std::string source;
};

/// Why \p n cannot be written as a PyNN script (a neuron population whose
/// parameter set is not IF_curr_exp, naming the population and the model),
/// or success.
llvm::Error checkPyNNExportable(const Network &n);

/// Whether \p dir can receive the output: missing, an empty directory or an
/// earlier PyNN output (it has run.py and network.json); anything else (a
/// file, a directory with other contents) is an error naming it.
llvm::Error checkPyNNOutputDir(llvm::StringRef dir);

/// Writes the script, the connection lists (writeConnectionsNpy) and
/// network.json into \p dir. Everything is written into a temporary sibling
/// directory first and renamed to \p dir at the end (an earlier output is
/// replaced), so a failure leaves no half-written \p dir. The connections
/// must have been expanded.
llvm::Error writePyNN(const Network &n, llvm::StringRef dir,
                      const PyNNOptions &options = {});

} // namespace scnc

#endif
