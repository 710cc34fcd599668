//===- Fuzzir.cpp - libFuzzer target: the textual IR reader ---------------===//
//
// Reads textual IR (`scnc-opt`'s input), verifies it and infers its shapes;
// a network that reads is printed back (the printer must take whatever the
// reader accepted).
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/IR/Printer.h"
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
          StringRef(reinterpret_cast<const char *>(data), size), "fuzz.scnir"),
      SMLoc());
  CompileOptions o;
  o.stopAfter = Stage::Shapes;
  o.passes.maxMemory = uint64_t(64) << 20;
  Compilation c;
  if (compileSource(buf, /*isIR=*/true, "/nonexistent-scnc-fuzz", o, diag, c) &&
      c.net) {
    std::string text;
    raw_string_ostream os(text);
    printNetwork(*c.net, os);
  }
  return 0;
}
