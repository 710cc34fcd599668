//===- Fuzzscn.cpp - libFuzzer target: the .scn front end -----------------===//
//
// Parses, lowers, verifies, infers shapes and expands connections (the
// pipeline to Stage::Connections) with a 64 MiB cap on the connection lists,
// as `scncc --max-memory=64M -emit=connections` would. Diagnostics are
// discarded; the target only looks for crashes, leaks, undefined behaviour,
// and time or memory out of proportion.
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace scnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  SourceMgr sm;
  DiagnosticEngine diag(sm, nulls());
  unsigned buf = sm.AddNewSourceBuffer(
      MemoryBuffer::getMemBufferCopy(
          StringRef(reinterpret_cast<const char *>(data), size), "fuzz.scn"),
      SMLoc());
  CompileOptions o;
  o.stopAfter = Stage::Connections;
  o.passes.maxMemory = uint64_t(64) << 20;
  Compilation c;
  // Relative file names (weights, lists) resolve to nothing.
  compileSource(buf, /*isIR=*/false, "/nonexistent-scnc-fuzz", o, diag, c);
  return 0;
}
