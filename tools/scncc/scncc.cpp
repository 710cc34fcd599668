//===- scncc.cpp - The scnc compiler driver -------------------------------===//
//
// .scn (or textual IR) in; -emit= stops after a stage and prints it. The
// options become one CompileOptions for the pipeline (scnc/Driver); what is
// left here is printing the stage asked for.
//
//===----------------------------------------------------------------------===//
#include "scnc/Driver/Pipeline.h"
#include "scnc/Driver/PipelineFlags.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/IRReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Summary.h"
#include "scnc/Interop/Nir.h"
#include "scnc/Interop/PyNN.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/Report.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace scnc;
using namespace llvm;

namespace {
enum class Emit {
  AST,
  IR,
  Shapes,
  Connections,
  PyNN,
  Partition,
  Placement,
  Routes,
  Tables,
  Image,
  Nir
};
enum class InputKind { Auto, Scn, IR, Nir };

cl::OptionCategory ioCat("Input and output");
cl::OptionCategory stageCat("Compilation stages");
cl::OptionCategory machineCat("Target machine");

cl::opt<std::string> inputFile(cl::Positional,
                               cl::desc("<input .scn, IR or .nir>"),
                               cl::init("-"), cl::cat(ioCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(ioCat));
cl::opt<InputKind> inputKind(
    "x",
    cl::desc("Input language (default: from the extension; .scnir is IR, "
             ".nir a NIR graph)"),
    cl::init(InputKind::Auto),
    cl::values(clEnumValN(InputKind::Scn, "scn", "network description"),
               clEnumValN(InputKind::IR, "ir", "textual IR"),
               clEnumValN(InputKind::Nir, "nir", "NIR graph (HDF5)")),
    cl::cat(ioCat));
cl::opt<Emit> emit(
    "emit",
    cl::desc("Stop after this stage and print its result (default: image)"),
    cl::init(Emit::Image),
    cl::values(clEnumValN(Emit::AST, "ast", "syntax tree of the .scn file"),
               clEnumValN(Emit::IR, "ir", "IR after shape inference"),
               clEnumValN(Emit::Shapes, "shapes", "inferred layer shapes"),
               clEnumValN(Emit::Connections, "connections",
                          "expanded connection lists"),
               clEnumValN(Emit::PyNN, "pynn",
                          "a PyNN script with its connection lists, neuron "
                          "parameters and input spike sources, into the "
                          "directory -o (docs/interop.md)"),
               clEnumValN(Emit::Partition, "partition",
                          "populations split into core-sized slices"),
               clEnumValN(Emit::Placement, "placement",
                          "slices placed onto (chip, core)"),
               clEnumValN(Emit::Routes, "routes",
                          "keys and multicast trees per slice"),
               clEnumValN(Emit::Tables, "tables",
                          "compressed routing tables per chip"),
               clEnumValN(Emit::Image, "image",
                          "binary load image (.scimg): the whole pipeline"),
               clEnumValN(Emit::Nir, "nir",
                          "the network as a NIR graph (HDF5, -o FILE)")),
    cl::cat(stageCat));
cl::opt<uint64_t>
    maxPrint("max-print",
             cl::desc("With -emit=connections: synapses printed per projection "
                      "(0: all)"),
             cl::init(50), cl::cat(stageCat));
cl::opt<std::string> connectionsNpyDir(
    "emit-connections-npy",
    cl::desc("Write one .npy per projection (pre, post, weight, delay; "
             "PyNN FromListConnector order) into this directory"),
    cl::value_desc("dir"), cl::cat(ioCat));
cl::opt<bool> report("report",
                     cl::desc("Print a mapping report: cores and chips used, "
                              "routing entries per chip, communication "
                              "volume, busiest links"),
                     cl::cat(stageCat));
cl::opt<bool> summary("summary",
                      cl::desc("Print a Keras-style summary of the network"),
                      cl::cat(stageCat));
cl::opt<unsigned> errorLimit("error-limit",
                             cl::desc("Stop after this many errors (0: none)"),
                             cl::init(20), cl::cat(diagnosticsCategory()));
cl::opt<bool> warningsAsErrors("Werror", cl::desc("Treat warnings as errors"),
                               cl::cat(diagnosticsCategory()));
cl::opt<bool> plastic(
    "plastic",
    cl::desc("Compile the training configuration: projections with an STDP "
             "rule learn (plastic rows, their layers' train_neuron set); "
             "default: the frozen network"),
    cl::cat(stageCat));
cl::opt<bool> recordVoltage(
    "record-v",
    cl::desc("Record membrane voltages as well as spikes (image recording "
             "region)"),
    cl::cat(stageCat));
cl::opt<bool> corePrograms(
    "core-programs",
    cl::desc("Put the board's core programs (APLX) into the image, one per "
             "core kind (default on; off: an image for the emulator only)"),
    cl::init(true), cl::cat(stageCat));
cl::opt<double> nirTimestep(
    "nir-timestep",
    cl::desc("NIR input: the timestep (ms) its continuous-time neurons are "
             "run at (default 1; a graph scncc wrote keeps its own)"),
    cl::init(1.0), cl::cat(ioCat));
cl::opt<bool> nirResetSubtract(
    "nir-reset-subtract",
    cl::desc("NIR input: reset IF, LIF and CubaLIF neurons by subtracting "
             "the threshold (Sinabs' default) instead of NIR's reset to "
             "v_reset"),
    cl::cat(ioCat));
cl::opt<bool> machineCheck(
    "machine-check",
    cl::desc("Summarise and check the --machine (default spinn5), then exit "
             "(no input file)"),
    cl::cat(machineCat));
} // namespace

/// The pipeline stage each -emit= value needs, in Emit's order.
static Stage stageOf(Emit e) {
  static const Stage stages[] = {
      Stage::Parse,       Stage::Shapes,      Stage::Shapes,
      Stage::Connections, Stage::Connections, Stage::Partition,
      Stage::Placement,   Stage::Routes,      Stage::Tables,
      Stage::Image,       Stage::Connections};
  static_assert(sizeof(stages) / sizeof(stages[0]) == size_t(Emit::Nir) + 1,
                "one stage per -emit value");
  return stages[size_t(e)];
}

/// --machine-check: the machine's summary and `check: ok`, or its problems.
static int runMachineCheck(DiagnosticEngine &diag) {
  if (inputFile.getNumOccurrences()) {
    diag.error("--machine-check takes no input file");
    return 1;
  }
  // Without --machine, the single board most users have.
  std::string name = machineFlagGiven() ? machineFlag().str() : "spinn5";
  CompilationContext cc;
  if (!loadTarget(name, cc, diag))
    return 1;
  printMachineSummary(*cc.machine, name, outs());
  std::vector<std::string> problems = cc.machine->check();
  if (problems.empty()) {
    outs() << "check: ok\n";
    return 0;
  }
  outs().flush();
  for (const std::string &p : problems)
    diag.error("machine check: " + p);
  return 1;
}

/// The command line's pipeline settings; false after reporting a bad one.
static bool compileOptions(Emit stage, CompileOptions &o) {
  bool mapping = (stage >= Emit::Placement && stage != Emit::Nir) || report ||
                 verifyRoutesFlag();
  bool expand =
      stage >= Emit::Connections || !connectionsNpyDir.empty() || mapping;
  o.stopAfter = stageOf(stage);
  if (mapping)
    o.stopAfter = std::max(o.stopAfter, Stage::Tables);
  else if (expand)
    o.stopAfter = std::max(o.stopAfter, Stage::Connections);
  o.image.plastic = plastic;
  o.image.recordVoltage = recordVoltage;
  o.image.corePrograms = corePrograms;
  return applyPipelineFlags(o, "scncc");
}

/// Writes the image to -o atomically; false after reporting why not.
static bool writeImageFile(DiagnosticEngine &diag,
                           function_ref<bool(raw_pwrite_stream &)> write) {
  Error e = writeSeekableOutputAtomically(
      outputFile, [&](raw_pwrite_stream &os) -> Error {
        if (write(os))
          return Error::success();
        return make_error<StringError>("image not written",
                                       inconvertibleErrorCode());
      });
  if (!e)
    return true;
  // Problems with the network were reported where they are; what is left is
  // the file's.
  if (diag.hadError())
    consumeError(std::move(e));
  else
    WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
  return false;
}

/// Prints -emit=\p stage's result of \p c.
static void printStage(Emit stage, const Compilation &c,
                       const SourceMgr &srcMgr, raw_ostream &os) {
  const CompilationContext &cc = c.context;
  switch (stage) {
  case Emit::AST:
    dumpAST(*c.ast, os, &srcMgr);
    break;
  case Emit::IR:
    printNetwork(*c.net, os);
    break;
  case Emit::Shapes:
    printShapes(*c.net, os);
    break;
  case Emit::Connections:
    printConnections(*c.net, *c.net->connections, os, maxPrint);
    break;
  case Emit::Partition:
    printPartition(*c.net, cc.mapping.partition, os);
    break;
  case Emit::Placement:
    printPlacementReport(*c.net, *cc.machine, cc.mapping, os);
    break;
  case Emit::Routes:
    printRoutes(*c.net, *cc.machine, cc.mapping, os);
    break;
  case Emit::Tables:
    printTables(*cc.machine, cc.mapping, os);
    break;
  case Emit::Image:
  case Emit::Nir:
  case Emit::PyNN:
    llvm_unreachable("file and directory outputs are written apart");
  }
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  // libLLVM registers -stats; it is ours to use (release libLLVM has no
  // statistics of its own to print).
  registerPipelineFlags(stageCat, machineCat);
  if (cl::Option *o = cl::getRegisteredOptions().lookup("stats")) {
    o->setDescription("With -emit=partition: print cores used, neurons per "
                      "core, communication volume and edge cut");
    o->addCategory(stageCat);
    o->setHiddenFlag(cl::NotHidden);
  }
  parseToolCommandLine(argc, argv,
                       "scncc: compile spiking convolutional networks for "
                       "SpiNNaker\n",
                       {&ioCat, &stageCat, &machineCat});
  SourceMgr srcMgr;
  DiagnosticEngine diag(srcMgr);
  diag.setErrorLimit(errorLimit);
  diag.setWarningsAsErrors(warningsAsErrors);
  if (machineCheck)
    return runMachineCheck(diag);
  // A bad --machine fails before any work.
  Compilation c;
  if (!loadMachineFlag(c.context, diag))
    return 1;

  bool isNir = inputKind == InputKind::Nir ||
               (inputKind == InputKind::Auto &&
                sys::path::extension(inputFile) == ".nir");
  if (isNir && inputFile == "-") {
    WithColor::error(errs(), "scncc")
        << "a NIR graph is an HDF5 file: give its name, not standard input\n";
    return 1;
  }
  unsigned buf = isNir ? 0 : loadSourceFile(inputFile, diag);
  if (!isNir && !buf)
    return 1;
  bool isIR = inputKind == InputKind::IR ||
              (inputKind == InputKind::Auto &&
               sys::path::extension(inputFile) == ".scnir");

  // --summary, --report and --verify-routes print instead of the IR unless
  // an -emit or -o asks for it too.
  bool emitExplicit = emit.getNumOccurrences() > 0 ||
                      outputFile.getNumOccurrences() > 0 ||
                      !(summary || report || verifyRoutesFlag());
  // Without -emit and -o, --summary & co. stop after shape inference.
  Emit stage = emitExplicit ? Emit(emit) : Emit::IR;

  // A binary image goes to stdout only when asked for with -o -; without
  // -o it is written beside the working directory as <input stem>.scimg
  // (as cc writes a.out).
  if (stage == Emit::Image && emitExplicit && !outputFile.getNumOccurrences()) {
    if (inputFile == "-") {
      WithColor::error(errs(), "scncc")
          << "the load image of standard input needs -o FILE (or -o - for "
             "stdout)\n";
      return 1;
    }
    outputFile = (sys::path::stem(inputFile) + ".scimg").str();
  }

  // -emit=pynn writes a directory: it needs one, and the network as a file
  // (the script names it; relative list and weight paths resolve against
  // its directory).
  if (stage == Emit::PyNN) {
    if (!outputFile.getNumOccurrences() || outputFile == "-") {
      WithColor::error(errs(), "scncc")
          << "-emit=pynn needs -o DIR: the directory for the script and its "
             "files\n";
      return 1;
    }
    if (inputFile == "-") {
      WithColor::error(errs(), "scncc")
          << "-emit=pynn needs the network as a file, not standard input\n";
      return 1;
    }
    if (Error e = checkPyNNOutputDir(outputFile)) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
  }

  bool stats = AreStatisticsEnabled();
  if (stage == Emit::Nir && !outputFile.getNumOccurrences()) {
    WithColor::error(errs(), "scncc")
        << "-emit=nir needs -o FILE (or -o - for stdout)\n";
    return 1;
  }
  if (stats && (stage < Emit::Partition || stage == Emit::Nir)) {
    WithColor::error(errs(), "scncc") << "--stats needs -emit=partition\n";
    return 1;
  }
  if (stage == Emit::AST && (isIR || isNir || summary)) {
    WithColor::error(errs(), "scncc")
        << (isIR || isNir ? "-emit=ast needs a .scn input"
                          : "--summary needs at least -emit=shapes")
        << "\n";
    return 1;
  }

  CompileOptions options;
  if (!compileOptions(stage, options))
    return 1;
  std::string sourceDir =
      inputFile == "-" ? "" : sys::path::parent_path(inputFile).str();
  auto toFile = [&](function_ref<bool(raw_pwrite_stream &)> write) {
    return writeImageFile(diag, write);
  };
  NirLoweringOptions nirOptions;
  nirOptions.timestep = nirTimestep;
  nirOptions.resetSubtract = nirResetSubtract;
  if (!(nirTimestep > 0) || nirTimestep > 1e6) {
    WithColor::error(errs(), "scncc")
        << "--nir-timestep must be a positive number of ms\n";
    return 1;
  }
  if (isNir ? !compileNirFile(inputFile, options, diag, c, toFile, nirOptions)
            : !compileSource(buf, isIR, sourceDir, options, diag, c, toFile))
    return 1;

  if (stage == Emit::Nir) {
    if (Error e = writeNir(*c.net, outputFile)) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
  } else if (stage == Emit::PyNN) {
    PyNNOptions po;
    po.source = inputFile;
    if (Error e = writePyNN(*c.net, outputFile, po)) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
  } else if (emitExplicit && stage != Emit::Image) {
    if (Error e = writeOutputAtomically(outputFile, [&](raw_ostream &os) {
          printStage(stage, c, srcMgr, os);
          return Error::success();
        })) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
  }
  if (stage == Emit::AST)
    return 0;
  if (!connectionsNpyDir.empty()) {
    if (Error e = writeConnectionsNpy(*c.net, connectionsNpyDir)) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
  }
  const CompilationContext &cc = c.context;
  if (summary)
    printSummary(*c.net, outs());
  if (stats) {
    const Partition &p = cc.mapping.partition;
    printPartitionStats(
        *c.net, p, partitionStats(*c.net, p, options.passes.threads), outs());
  }
  if (report)
    printMappingReport(*c.net, *cc.machine, cc.mapping, cc.machineName, outs());
  if (verifyRoutesFlag() && !(emitExplicit && outputFile == "-"))
    outs() << "routes verified: " << cc.mapping.trees.size()
           << " multicast trees reach exactly their cores\n";
  return 0;
}
