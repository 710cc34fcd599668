//===- PipelineFlags.cpp - Command-line flags of the pipeline -------------===//
#include "scnc/Driver/PipelineFlags.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/Support/WithColor.h"
#include <memory>

using namespace scnc;
using namespace llvm;

namespace {
struct Flags {
  cl::opt<unsigned> threads;
  cl::opt<std::string> maxMemory;
  cl::opt<PartitionerKind> partitioner;
  cl::opt<uint64_t> seed;
  cl::opt<bool> verifyRoutes;
  cl::opt<bool> splitRoutes;
  cl::opt<unsigned> splitRoutesBudget;
  cl::opt<bool> minimizeTables;
  cl::opt<bool> verifyEach;
  cl::opt<std::string> machine;
  cl::opt<unsigned> routerEntries;
  cl::opt<std::string> profile;
  cl::opt<bool> realTimeRates;
  cl::opt<unsigned> realTimeMargin;
  cl::opt<RealTimeMode> realTimeMode;

  Flags(cl::OptionCategory &stages, cl::OptionCategory &machineCat)
      : threads("j", cl::desc("Host threads for parallel passes"), cl::init(1),
                cl::cat(stages)),
        maxMemory("max-memory",
                  cl::desc("Memory the connection lists may take, e.g. "
                           "512M, 8G (default: the machine's physical "
                           "memory; 0: no limit)"),
                  cl::value_desc("size"), cl::cat(stages)),
        partitioner(
            "partitioner", cl::desc("How populations are split into cores"),
            cl::init(PartitionerKind::Metis),
            cl::values(clEnumValN(PartitionerKind::Metis, "metis",
                                  "METIS on groups of neurons that share "
                                  "inputs (default)"),
                       clEnumValN(PartitionerKind::Tiles, "tiles",
                                  "box tilings of convolution and pooling "
                                  "layers, METIS elsewhere"),
                       clEnumValN(PartitionerKind::Best, "best",
                                  "box tilings, aligned across layers, and "
                                  "METIS where a box may move twice the "
                                  "packets it must"),
                       clEnumValN(PartitionerKind::Slices, "slices",
                                  "contiguous index ranges (sPyNNaker's "
                                  "split)")),
            cl::cat(stages)),
        seed("seed",
             cl::desc("Seed of the partitioner (default: the network's "
                      "simulation seed)"),
             cl::cat(stages)),
        verifyRoutes("verify-routes",
                     cl::desc("Walk every multicast key through the "
                              "compressed tables and check it reaches "
                              "exactly its cores"),
                     cl::cat(stages)),
        splitRoutes("split-routes",
                    cl::desc("Route each block of a core's neurons that "
                             "target the same cores on its own tree, so "
                             "that packets reach only cores with synapses "
                             "from their neuron (default on; "
                             "--split-routes=false: one tree per core)"),
                    cl::init(true), cl::cat(stages)),
        splitRoutesBudget(
            "split-routes-budget",
            cl::desc("Routing entries per chip (before compression) that "
                     "split routes may take; blocks of a core's neurons are "
                     "routed together again until every chip fits "
                     "(default 0: three quarters of the router's entries)"),
            cl::init(0), cl::cat(stages)),
        minimizeTables(
            "minimize-tables",
            cl::desc("Compress every chip's routing table as far as "
                     "Ordered Covering goes, not only tables over the "
                     "router's entries"),
            cl::cat(stages)),
        verifyEach("verify-each",
                   cl::desc("Run the IR verifier after every pass"),
                   cl::init(true), cl::cat(stages)),
        machine("machine", cl::value_desc("name|file.json"),
                cl::desc("Target machine: spinn3, spinn5, boards:N, WxH (a "
                         "torus) or a JSON description (default: the "
                         "smallest of spinn3, spinn5, boards:N that has "
                         "enough cores)"),
                cl::cat(machineCat)),
        routerEntries("router-entries",
                      cl::desc("Routing entries per chip (default: the "
                               "machine's, 1023)"),
                      cl::cat(machineCat)),
        profile("profile", cl::value_desc("RUN"),
                cl::desc("Size cores so that each one's worst tick of the "
                         "run in directory RUN (scnc-run -o RUN) fits the "
                         "real-time budget"),
                cl::cat(stages)),
        realTimeRates(
            "realtime-rates",
            cl::desc("Without --profile: size cores for real time from "
                     "expected rates (each layer's expected_rate, or the "
                     "default derived from the input encoding; on when a "
                     "layer has expected_rate)"),
            cl::cat(stages)),
        realTimeMargin("realtime-margin", cl::value_desc("percent"),
                       cl::desc("With --profile or expected rates: the share "
                                "of each tick's cycle budget kept free "
                                "(default 10)"),
                       cl::init(10), cl::cat(stages)),
        realTimeMode(
            "realtime", cl::value_desc("mode"),
            cl::desc("With --profile or expected rates, what to do with the "
                     "predicted loads"),
            cl::values(
                clEnumValN(RealTimeMode::Size, "size",
                           "size every layer's cores so that each worst "
                           "tick fits; a layer that cannot fit even with one "
                           "neuron per core is an error (default)"),
                clEnumValN(RealTimeMode::BestEffort, "best-effort",
                           "the same, but such a layer is a warning and "
                           "keeps the cores memory alone gives it"),
                clEnumValN(RealTimeMode::Predict, "predict",
                           "keep the memory-sized partition; only report "
                           "the predictions and write them in the image")),
            cl::init(RealTimeMode::Size), cl::cat(stages)) {}
};
std::unique_ptr<Flags> flags;
} // namespace

void scnc::registerPipelineFlags(cl::OptionCategory &stages,
                                 cl::OptionCategory &machine) {
  assert(!flags && "pipeline flags registered twice");
  flags = std::make_unique<Flags>(stages, machine);
}

bool scnc::applyPipelineFlags(CompileOptions &o, StringRef tool) {
  assert(flags && "registerPipelineFlags first");
  o.verifyEach = flags->verifyEach;
  PassOptions &p = o.passes;
  p.threads = std::max(1u, unsigned(flags->threads));
  p.maxMemory = physicalMemory();
  if (flags->maxMemory.getNumOccurrences() &&
      !parseByteSize(flags->maxMemory, p.maxMemory)) {
    WithColor::error(errs(), tool)
        << "invalid --max-memory '" << flags->maxMemory
        << "': expected bytes with an optional K, M, G or T suffix\n";
    return false;
  }
  p.partitioner = flags->partitioner;
  if (flags->seed.getNumOccurrences())
    p.seed = uint64_t(flags->seed);
  p.routerEntries = flags->routerEntries;
  p.verifyRoutes = flags->verifyRoutes;
  p.splitRoutes = flags->splitRoutes;
  p.splitRoutesBudget = flags->splitRoutesBudget;
  p.minimizeTables = flags->minimizeTables;
  p.profile = flags->profile;
  p.realTimeRates = flags->realTimeRates;
  p.realTimeMode = flags->realTimeMode;
  if (flags->realTimeMargin >= 100) {
    WithColor::error(errs(), tool)
        << "invalid --realtime-margin " << flags->realTimeMargin
        << ": expected a percentage below 100\n";
    return false;
  }
  p.realTimeMarginPct = flags->realTimeMargin;
  return true;
}

bool scnc::loadMachineFlag(CompilationContext &cc, DiagnosticEngine &diag) {
  return !machineFlagGiven() || loadTarget(flags->machine, cc, diag);
}

StringRef scnc::machineFlag() { return flags->machine; }
bool scnc::machineFlagGiven() { return flags->machine.getNumOccurrences() > 0; }
bool scnc::verifyRoutesFlag() { return flags->verifyRoutes; }
