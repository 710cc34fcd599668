//===- Pipeline.cpp - The compile pipeline, source to image ---------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/IRReader.h"
#include "scnc/IR/Verifier.h"
#include "scnc/Interop/Nir.h"
#include "scnc/Syntax/Parser.h"
#include "llvm/Support/Path.h"

using namespace scnc;
using namespace llvm;

bool scnc::loadTarget(StringRef nameOrPath, CompilationContext &cc,
                      DiagnosticEngine &diag) {
  Expected<Machine> m = loadMachine(nameOrPath);
  if (!m) {
    handleAllErrors(m.takeError(),
                    [&](const ErrorInfoBase &e) { diag.error(e.message()); });
    return false;
  }
  cc.setMachine(std::move(*m), nameOrPath.str());
  return true;
}

void scnc::addPipelinePasses(PassManager &pm, Stage last) {
  static const std::pair<Stage, const char *> passes[] = {
      {Stage::Shapes, "infer-shapes"},
      {Stage::Connections, "expand-connections"},
      {Stage::Partition, "partition"},
      {Stage::Placement, "place"},
      {Stage::Routes, "allocate-keys"},
      {Stage::Routes, "route"},
      {Stage::Tables, "build-tables"},
      {Stage::Tables, "compress-tables"}};
  for (const auto &[stage, name] : passes)
    if (stage <= last)
      pm.add(lookupPass(name));
}

bool scnc::compileNetwork(Network &n, CompilationContext &cc,
                          const CompileOptions &o, DiagnosticEngine &diag,
                          ImageSink sink) {
  PassManager pm(diag, o.passes);
  pm.setVerifyEach(o.verifyEach);
  addPipelinePasses(pm, o.stopAfter);
  if (!pm.run(n, cc) || diag.hadError())
    return false;
  if (o.stopAfter < Stage::Image)
    return true;
  assert(sink && "Stage::Image needs an ImageSink");
  ImageOptions io = o.image;
  io.machineName = cc.machineName;
  io.threads = o.passes.threads;
  return sink([&](raw_pwrite_stream &os) {
           return writeImage(n, *cc.machine, cc.mapping, io, diag, os);
         }) &&
         !diag.hadError();
}

bool scnc::compileSource(unsigned buf, bool isIR, StringRef sourceDir,
                         const CompileOptions &o, DiagnosticEngine &diag,
                         Compilation &c, ImageSink sink) {
  if (o.stopAfter == Stage::Parse && !isIR) {
    c.ast = parseModule(buf, diag);
    return c.ast.hasValue();
  }
  c.net = isIR ? readIR(buf, diag) : parseNetwork(buf, diag);
  if (!c.net)
    return false;
  if (!isIR && o.verifyEach && !verifyNetwork(*c.net, diag))
    return false;
  c.net->sourceDir = sourceDir.str();
  if (o.stopAfter == Stage::Parse)
    return true;
  return compileNetwork(*c.net, c.context, o, diag, sink);
}

bool scnc::compileNirFile(StringRef path, const CompileOptions &o,
                          DiagnosticEngine &diag, Compilation &c,
                          ImageSink sink, const NirLoweringOptions &nir) {
  Expected<Network> n = importNir(path, nir);
  if (!n) {
    diag.error(toString(n.takeError()));
    return false;
  }
  c.net = std::move(*n);
  // The importer builds what the verifier checks; a failure here is ours.
  if (o.verifyEach && !verifyNetwork(*c.net, diag))
    return false;
  c.net->sourceDir = sys::path::parent_path(path).str();
  if (o.stopAfter == Stage::Parse)
    return true;
  return compileNetwork(*c.net, c.context, o, diag, sink);
}

Optional<Network> scnc::expandNetwork(const Network &n, DiagnosticEngine &diag,
                                      PassOptions options) {
  Network copy = n;
  copy.connections.reset();
  CompilationContext cc;
  CompileOptions o;
  o.stopAfter = Stage::Connections;
  o.passes = options;
  if (!compileNetwork(copy, cc, o, diag))
    return None;
  return copy;
}
