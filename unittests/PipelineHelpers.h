//===- PipelineHelpers.h - Networks compiled for unit tests -----*- C++ -*-===//
//
// For unit tests that need expanded connection lists, a mapping or an image:
// lower .scn text or read textual IR, then run the pipeline of scnc/Driver
// as far as the test needs.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_UNITTESTS_PIPELINEHELPERS_H
#define SCNC_UNITTESTS_PIPELINEHELPERS_H

#include "TestHelpers.h"
#include "scnc/Driver/Pipeline.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/IRReader.h"
#include "llvm/ADT/SmallVector.h"

namespace scnc {
namespace test {

/// Runs infer-shapes and expand-connections on a parsed network.
inline llvm::Optional<Network> expand(DiagHarness &h, llvm::Optional<Network> n,
                                      PassOptions opts = {}) {
  if (!n)
    return llvm::None;
  return expandNetwork(*n, h.diag, opts);
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

/// Compiles the lowered network \p n for machine \p m (named \p name) up to
/// o.stopAfter; the mapping goes to \p cc and, at Stage::Image, the image to
/// \p image. False after errors (in \p h).
inline bool compileFor(DiagHarness &h, Network &n, CompilationContext &cc,
                       const Machine &m, llvm::StringRef name,
                       const CompileOptions &o, std::string *image = nullptr) {
  cc.setMachine(m, name.str());
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  auto toBuffer = [&](llvm::function_ref<bool(llvm::raw_pwrite_stream &)> w) {
    return w(os);
  };
  if (!compileNetwork(n, cc, o, h.diag, toBuffer))
    return false;
  if (image)
    image->assign(buf.begin(), buf.end());
  return true;
}

} // namespace test
} // namespace scnc

#endif
