//===- scncc.cpp - The scnc compiler driver -------------------------------===//
//
// .scn (or textual IR) in; -emit= stops after a stage and prints it.
// Stages are listed in pipeline order, so `emit >= X` means "at least X".
//
//===----------------------------------------------------------------------===//
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/IRReader.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Summary.h"
#include "scnc/IR/Verifier.h"
#include "scnc/Image/Image.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Mapping/MappingState.h"
#include "scnc/Mapping/Report.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "scnc/Syntax/Parser.h"
#include "scnc/Transforms/PassManager.h"
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
  Partition,
  Placement,
  Routes,
  Tables,
  Image
};
enum class InputKind { Auto, Scn, IR };

cl::OptionCategory ioCat("Input and output");
cl::OptionCategory stageCat("Compilation stages");
cl::OptionCategory machineCat("Target machine");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .scn or IR>"),
                               cl::init("-"), cl::cat(ioCat));
cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(ioCat));
cl::opt<InputKind> inputKind(
    "x", cl::desc("Input language (default: from the extension; .scnir is IR)"),
    cl::init(InputKind::Auto),
    cl::values(clEnumValN(InputKind::Scn, "scn", "network description"),
               clEnumValN(InputKind::IR, "ir", "textual IR")),
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
               clEnumValN(Emit::Partition, "partition",
                          "populations split into core-sized slices"),
               clEnumValN(Emit::Placement, "placement",
                          "slices placed onto (chip, core)"),
               clEnumValN(Emit::Routes, "routes",
                          "keys and multicast trees per slice"),
               clEnumValN(Emit::Tables, "tables",
                          "compressed routing tables per chip"),
               clEnumValN(Emit::Image, "image",
                          "binary load image (.scimg): the whole pipeline")),
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
cl::opt<unsigned> threads("j", cl::desc("Host threads for parallel passes"),
                          cl::init(1), cl::cat(stageCat));
cl::opt<std::string> maxMemory(
    "max-memory",
    cl::desc("Memory the connection lists may take, e.g. 512M, 8G (default: "
             "the machine's physical memory; 0: no limit)"),
    cl::value_desc("size"), cl::cat(stageCat));
cl::opt<PartitionerKind> partitioner(
    "partitioner", cl::desc("How populations are split into cores"),
    cl::init(PartitionerKind::Metis),
    cl::values(clEnumValN(PartitionerKind::Metis, "metis",
                          "METIS on groups of neurons that share inputs "
                          "(default)"),
               clEnumValN(PartitionerKind::Slices, "slices",
                          "contiguous index ranges (sPyNNaker's split)")),
    cl::cat(stageCat));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of the partitioner (default: the "
                                "network's simulation seed)"),
                       cl::cat(stageCat));
cl::opt<bool> report("report",
                     cl::desc("Print a mapping report: cores and chips used, "
                              "routing entries per chip, communication "
                              "volume, busiest links"),
                     cl::cat(stageCat));
cl::opt<bool> verifyRoutesOpt(
    "verify-routes",
    cl::desc("Walk every multicast key through the compressed tables and "
             "check it reaches exactly its cores"),
    cl::cat(stageCat));
cl::opt<bool> summary("summary",
                      cl::desc("Print a Keras-style summary of the network"),
                      cl::cat(stageCat));
cl::opt<bool> verifyEach("verify-each",
                         cl::desc("Run the IR verifier after every pass"),
                         cl::init(true), cl::cat(stageCat));
cl::opt<unsigned> errorLimit("error-limit",
                             cl::desc("Stop after this many errors (0: none)"),
                             cl::init(20), cl::cat(diagnosticsCategory()));
cl::opt<bool> warningsAsErrors("Werror", cl::desc("Treat warnings as errors"),
                               cl::cat(diagnosticsCategory()));
cl::opt<std::string> machineName(
    "machine", cl::value_desc("name|file.json"),
    cl::desc("Target machine: spinn3, spinn5, boards:N, WxH (a torus) or a "
             "JSON description (default: the smallest of spinn3, spinn5, "
             "boards:N that has enough cores)"),
    cl::cat(machineCat));
cl::opt<unsigned> routerEntries(
    "router-entries",
    cl::desc("Routing entries per chip (default: the machine's, 1023)"),
    cl::cat(machineCat));
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
cl::opt<bool> machineCheck(
    "machine-check",
    cl::desc("Summarise and check the --machine (default spinn5), then exit "
             "(no input file)"),
    cl::cat(machineCat));
} // namespace

/// The --machine, or None after reporting every problem with it.
static Optional<Machine> loadTargetMachine(DiagnosticEngine &diag) {
  Expected<Machine> m = loadMachine(machineName);
  if (!m) {
    handleAllErrors(m.takeError(),
                    [&](const ErrorInfoBase &e) { diag.error(e.message()); });
    return None;
  }
  return std::move(*m);
}

/// --machine-check: the machine's summary and `check: ok`, or its problems.
static int runMachineCheck(DiagnosticEngine &diag) {
  if (inputFile.getNumOccurrences()) {
    diag.error("--machine-check takes no input file");
    return 1;
  }
  // Without --machine, the single board most users have.
  if (!machineName.getNumOccurrences())
    machineName = "spinn5";
  Optional<Machine> m = loadTargetMachine(diag);
  if (!m)
    return 1;
  printMachineSummary(*m, machineName, outs());
  std::vector<std::string> problems = m->check();
  if (problems.empty()) {
    outs() << "check: ok\n";
    return 0;
  }
  outs().flush();
  for (const std::string &p : problems)
    diag.error("machine check: " + p);
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  // libLLVM registers -stats; it is ours to use (release libLLVM has no
  // statistics of its own to print).
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
  Optional<Machine> target;
  if (machineName.getNumOccurrences() && !(target = loadTargetMachine(diag)))
    return 1;

  unsigned buf = loadSourceFile(inputFile, diag);
  if (!buf)
    return 1;
  bool isIR = inputKind == InputKind::IR ||
              (inputKind == InputKind::Auto &&
               sys::path::extension(inputFile) == ".scnir");

  // --summary, --report and --verify-routes print instead of the IR unless
  // an -emit or -o asks for it too.
  bool emitExplicit = emit.getNumOccurrences() > 0 ||
                      outputFile.getNumOccurrences() > 0 ||
                      !(summary || report || verifyRoutesOpt);
  // Without -emit and -o, --summary & co. stop after shape inference.
  Emit stage = emitExplicit ? Emit(emit) : Emit::IR;
  auto writeOut = [&](function_ref<void(raw_ostream &)> fn) -> int {
    if (!emitExplicit)
      return 0;
    if (Error e = writeOutputAtomically(outputFile, [&](raw_ostream &os) {
          fn(os);
          return Error::success();
        })) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
    return 0;
  };

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

  bool stats = AreStatisticsEnabled();
  if (stats && stage < Emit::Partition) {
    WithColor::error(errs(), "scncc") << "--stats needs -emit=partition\n";
    return 1;
  }

  if (stage == Emit::AST) {
    if (isIR || summary) {
      WithColor::error(errs(), "scncc")
          << (isIR ? "-emit=ast needs a .scn input"
                   : "--summary needs at least -emit=shapes")
          << "\n";
      return 1;
    }
    Optional<Module> m = parseModule(buf, diag);
    if (!m)
      return 1;
    return writeOut([&](raw_ostream &os) { dumpAST(*m, os, &srcMgr); });
  }

  Optional<Network> net = isIR ? readIR(buf, diag) : parseNetwork(buf, diag);
  if (!net)
    return 1;
  if (!isIR && verifyEach && !verifyNetwork(*net, diag))
    return 1;

  if (inputFile != "-")
    net->sourceDir = sys::path::parent_path(inputFile).str();

  PassOptions options;
  options.threads = std::max(1u, unsigned(threads));
  options.maxMemory = physicalMemory();
  if (maxMemory.getNumOccurrences() &&
      !parseByteSize(maxMemory, options.maxMemory)) {
    WithColor::error(errs(), "scncc")
        << "invalid --max-memory '" << maxMemory
        << "': expected bytes with an optional K, M, G or T suffix\n";
    return 1;
  }
  bool mapping = stage >= Emit::Placement || report || verifyRoutesOpt;
  bool expand =
      stage >= Emit::Connections || !connectionsNpyDir.empty() || mapping;
  PassManager pm(diag, options);
  pm.setVerifyEach(verifyEach);
  buildDefaultPipeline(pm, expand);
  if (stage >= Emit::Partition || mapping)
    addPartitionPass(pm, *net, partitioner,
                     seed.getNumOccurrences() ? Optional<uint64_t>(seed)
                                              : None);
  if (!pm.run(*net))
    return 1;
  if (diag.hadError())
    return 1;

  // Mapping onto the machine: the given one, or the smallest built-in one
  // with a core for every slice.
  std::string targetName = machineName;
  if (mapping) {
    options.verifyRoutes = verifyRoutesOpt;
    if (!mapOntoMachine(*net, target, targetName, options,
                        routerEntries.getNumOccurrences()
                            ? Optional<unsigned>(routerEntries)
                            : None,
                        verifyEach, diag))
      return 1;
  }

  int rc = 0;
  switch (stage) {
  case Emit::AST:
    break;
  case Emit::IR:
    rc = writeOut([&](raw_ostream &os) { printNetwork(*net, os); });
    break;
  case Emit::Shapes:
    rc = writeOut([&](raw_ostream &os) { printShapes(*net, os); });
    break;
  case Emit::Connections:
    rc = writeOut([&](raw_ostream &os) {
      printConnections(*net, *net->connections, os, maxPrint);
    });
    break;
  case Emit::Partition:
    rc = writeOut([&](raw_ostream &os) {
      printPartition(*net, net->mapping->partition, os);
    });
    break;
  case Emit::Placement:
    rc = writeOut([&](raw_ostream &os) {
      printPlacementReport(*net, *target, *net->mapping, os);
    });
    break;
  case Emit::Routes:
    rc = writeOut([&](raw_ostream &os) {
      printRoutes(*net, *target, *net->mapping, os);
    });
    break;
  case Emit::Tables:
    rc = writeOut(
        [&](raw_ostream &os) { printTables(*target, *net->mapping, os); });
    break;
  case Emit::Image: {
    if (!emitExplicit)
      break;
    ImageOptions io;
    io.machineName = targetName;
    io.threads = options.threads;
    io.plastic = plastic;
    io.recordVoltage = recordVoltage;
    Error e = writeSeekableOutputAtomically(
        outputFile, [&](raw_pwrite_stream &os) -> Error {
          if (writeImage(*net, *target, io, diag, os))
            return Error::success();
          return make_error<StringError>("image not written",
                                         inconvertibleErrorCode());
        });
    if (e) {
      // Problems with the network were reported where they are; what is
      // left is the file's.
      if (diag.hadError())
        consumeError(std::move(e));
      else
        WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
    break;
  }
  }
  if (!rc && !connectionsNpyDir.empty()) {
    if (Error e = writeConnectionsNpy(*net, connectionsNpyDir)) {
      WithColor::error(errs(), "scncc") << toString(std::move(e)) << "\n";
      return 1;
    }
  }
  if (rc)
    return rc;
  if (summary)
    printSummary(*net, outs());
  if (stats) {
    const Partition &p = net->mapping->partition;
    printPartitionStats(*net, p, partitionStats(*net, p, options.threads),
                        outs());
  }
  if (report)
    printMappingReport(*net, *target, *net->mapping, targetName, outs());
  if (verifyRoutesOpt && !(emitExplicit && outputFile == "-"))
    outs() << "routes verified: " << net->mapping->trees.size()
           << " multicast trees reach exactly their cores\n";
  return 0;
}
