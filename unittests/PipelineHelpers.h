//===- PipelineHelpers.h - Networks up to their connections -----*- C++ -*-===//
//
// For unit tests that need expanded connection lists: lower .scn text or read
// textual IR, then run infer-shapes and expand-connections.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_UNITTESTS_PIPELINEHELPERS_H
#define SCNC_UNITTESTS_PIPELINEHELPERS_H

#include "TestHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/IRReader.h"
#include "scnc/Transforms/PassManager.h"

namespace scnc {
namespace test {

/// Runs infer-shapes and expand-connections on a parsed network.
inline llvm::Optional<Network> expand(DiagHarness &h, llvm::Optional<Network> n,
                                      PassOptions opts = {}) {
  if (!n)
    return llvm::None;
  PassManager pm(h.diag, opts);
  buildDefaultPipeline(pm, /*expand=*/true);
  if (!pm.run(*n))
    return llvm::None;
  return n;
}

/// Lowers .scn text and expands its connections.
inline llvm::Optional<Network> expandScn(DiagHarness &h, llvm::StringRef text,
                                         PassOptions opts = {}) {
  return expand(h, parseNetwork(h.add(text), h.diag), opts);
}

/// Reads textual IR and expands its connections.
inline llvm::Optional<Network> expandIR(DiagHarness &h, llvm::StringRef text,
                                        PassOptions opts = {}) {
  return expand(h, readIR(h.add(text, "t.scnir"), h.diag), opts);
}

} // namespace test
} // namespace scnc

#endif
