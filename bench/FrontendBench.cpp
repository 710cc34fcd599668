//===- FrontendBench.cpp - Front-end speed on the examples ----------------===//
//
// Parses, lowers and infers the shapes of each example network; the figures
// go to docs/performance.md. Run: build/bin/scnc-bench-frontend
// (the examples directory comes from SCNC_EXAMPLES or the source tree).
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/IRReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Support/InputFile.h"
#include "llvm/Support/SourceMgr.h"
#include <benchmark/benchmark.h>
#include <cstdlib>
#include <string>

using namespace scnc;

static std::string examplePath(const char *name) {
  const char *dir = std::getenv("SCNC_EXAMPLES");
  return std::string(dir ? dir : SCNC_SOURCE_DIR "/examples") + "/" + name;
}

/// The pipeline up to shape inference.
static CompileOptions shapesOnly() {
  CompileOptions o;
  o.stopAfter = Stage::Shapes;
  return o;
}

static void compileToShapes(benchmark::State &state, const char *name) {
  std::string path = examplePath(name);
  for (auto _ : state) {
    llvm::SourceMgr sm;
    DiagnosticEngine diag(sm);
    unsigned buf = loadSourceFile(path, diag);
    llvm::Optional<Network> n = buf ? parseNetwork(buf, diag) : llvm::None;
    if (!n) {
      state.SkipWithError("example does not compile");
      return;
    }
    CompilationContext cc;
    if (!compileNetwork(*n, cc, shapesOnly(), diag)) {
      state.SkipWithError("pipeline failed");
      return;
    }
    benchmark::DoNotOptimize(n->populations.back().shape);
  }
}

static void irRoundTrip(benchmark::State &state, const char *name) {
  llvm::SourceMgr sm;
  DiagnosticEngine diag(sm);
  unsigned buf = loadSourceFile(examplePath(name), diag);
  llvm::Optional<Network> n = buf ? parseNetwork(buf, diag) : llvm::None;
  CompilationContext cc;
  if (!n || !compileNetwork(*n, cc, shapesOnly(), diag)) {
    state.SkipWithError("example does not compile");
    return;
  }
  std::string text;
  llvm::raw_string_ostream(text) << "";
  {
    llvm::raw_string_ostream os(text);
    printNetwork(*n, os);
  }
  for (auto _ : state) {
    llvm::SourceMgr sm2;
    DiagnosticEngine diag2(sm2);
    unsigned b = sm2.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, "ir"), llvm::SMLoc());
    llvm::Optional<Network> back = readIR(b, diag2);
    benchmark::DoNotOptimize(back);
  }
}

BENCHMARK_CAPTURE(compileToShapes, original, "original.scn");
BENCHMARK_CAPTURE(compileToShapes, mnist, "mnist.scn");
BENCHMARK_CAPTURE(compileToShapes, xl, "xl.scn");
BENCHMARK_CAPTURE(irRoundTrip, mnist, "mnist.scn");
BENCHMARK_MAIN();
