//===- scnc-opt.cpp - Run named passes on textual IR ----------------------===//
//
// Reads textual IR, runs the passes named on the command line in that order
// (IR passes and mapping passes alike: the mapping results stay in the
// compilation beside the IR, -print-after=<pass> shows them) and prints the
// IR.
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/Driver/PipelineFlags.h"
#include "scnc/IR/IRReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "scnc/Transforms/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace scnc;
using namespace llvm;

namespace {
cl::OptionCategory optCat("scnc-opt options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input IR>"),
                               cl::init("-"), cl::cat(optCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(optCat));
cl::list<const scnc::PassInfo *, bool, cl::parser<const scnc::PassInfo *>>
    passList(cl::desc("Passes to run, in order:"), cl::cat(optCat));
cl::opt<unsigned> errorLimit("error-limit",
                             cl::desc("Stop after this many errors (0: none)"),
                             cl::init(20), cl::cat(diagnosticsCategory()));
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  for (const scnc::PassInfo &p : allPasses())
    passList.getParser().addLiteralOption(p.name, &p, p.description);
  // The mapping passes' settings and target, as scncc takes them.
  registerPipelineFlags(optCat, optCat);
  parseToolCommandLine(
      argc, argv, "scnc-opt: read scnc IR, run passes, print IR\n", {&optCat});
  SourceMgr srcMgr;
  DiagnosticEngine diag(srcMgr);
  diag.setErrorLimit(errorLimit);
  unsigned buf = loadSourceFile(inputFile, diag);
  if (!buf)
    return 1;
  CompileOptions options;
  if (!applyPipelineFlags(options, "scnc-opt"))
    return 1;
  CompilationContext cc;
  if (!loadMachineFlag(cc, diag))
    return 1;
  Optional<Network> net = readIR(buf, diag);
  if (!net)
    return 1;
  if (inputFile != "-")
    net->sourceDir = sys::path::parent_path(inputFile).str();
  PassManager pm(diag, options.passes);
  pm.setVerifyEach(options.verifyEach);
  for (const scnc::PassInfo *p : passList)
    pm.add(p);
  if (!pm.run(*net, cc))
    return 1;
  if (Error e = writeOutputAtomically(outputFile, [&](raw_ostream &os) {
        printNetwork(*net, os);
        return Error::success();
      })) {
    WithColor::error(errs(), "scnc-opt") << toString(std::move(e)) << "\n";
    return 1;
  }
  return 0;
}
