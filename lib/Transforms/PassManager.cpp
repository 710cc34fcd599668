//===- PassManager.cpp ----------------------------------------------------===//
#include "scnc/Transforms/PassManager.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Verifier.h"
#include "scnc/Mapping/MappingState.h"
#include "scnc/Mapping/Placement.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/PrintPasses.h"
#include "llvm/Pass.h"
#include "llvm/Support/Timer.h"
#include <memory>

using namespace scnc;
using namespace llvm;

static const scnc::PassInfo passTable[] = {
#define SCNC_PASS(NAME, FN, DESC) {NAME, FN, DESC},
#include "scnc/Transforms/Passes.def"
};

ArrayRef<scnc::PassInfo> scnc::allPasses() { return passTable; }

const scnc::PassInfo *scnc::lookupPass(StringRef name) {
  for (const scnc::PassInfo &p : passTable)
    if (p.name == name)
      return &p;
  return nullptr;
}

bool PassManager::add(StringRef name) {
  const scnc::PassInfo *p = lookupPass(name);
  if (!p)
    return false;
  add(p);
  return true;
}

/// One timer per pass name for the whole run, so that -time-passes prints
/// one report (when the timers go away at exit) however many pass managers
/// ran. Timers are members after the group: they are destroyed first.
static Timer &passTimer(StringRef name) {
  static struct Timers {
    TimerGroup group{"scnc", "scnc pass execution timing"};
    StringMap<std::unique_ptr<Timer>> byName;
  } timers;
  std::unique_ptr<Timer> &t = timers.byName[name];
  if (!t)
    t = std::make_unique<Timer>(name, name, timers.group);
  return *t;
}

bool PassManager::run(Network &n) {
  raw_ostream &os = dumpOS ? *dumpOS : errs();
  for (const scnc::PassInfo *p : passes) {
    PassContext ctx{diag, options};
    bool ok;
    {
      // -time-passes is registered by libLLVM itself; read its flag.
      Timer &timer = passTimer(p->name);
      if (TimePassesIsEnabled)
        timer.startTimer();
      ok = p->run(n, ctx);
      if (TimePassesIsEnabled)
        timer.stopTimer();
    }
    if (!ok || diag.hadError())
      return false;
    if (verifyEach && !verifyNetwork(n, diag)) {
      diag.error("the IR is invalid after pass '" + p->name + "'");
      return false;
    }
    if (shouldPrintAfterAll() || shouldPrintAfterPass(p->name)) {
      os << "// *** IR Dump After " << p->name << " ***\n";
      printNetwork(n, os);
    }
  }
  return true;
}

void scnc::buildDefaultPipeline(PassManager &pm, bool expand) {
  pm.add("infer-shapes");
  if (expand)
    pm.add("expand-connections");
}

void scnc::addPartitionPass(PassManager &pm, Network &n, PartitionerKind kind,
                            Optional<uint64_t> seed) {
  n.mapping = std::make_shared<MappingState>();
  n.mapping->partitionConfig.kind = kind;
  n.mapping->partitionConfig.seed = seed ? *seed : n.sim.seed;
  pm.add("partition");
}

bool scnc::mapOntoMachine(Network &n, Optional<Machine> &target,
                          std::string &targetName, PassOptions options,
                          Optional<unsigned> routerEntries, bool verifyEach,
                          DiagnosticEngine &diag) {
  // The given machine, or the smallest built-in one with a core for every
  // slice.
  if (!target) {
    size_t slices = n.mapping->partition.slices.size();
    targetName = smallestMachineFor(slices);
    if (targetName.empty()) {
      diag.error("the network needs " + Twine(uint64_t(slices)) +
                 " cores, more than any built-in machine has");
      return false;
    }
    target = cantFail(builtinMachine(targetName));
  } else {
    // A described machine that fails its check is refused before any
    // algorithm trips over it.
    std::vector<std::string> problems = target->check();
    for (const std::string &p : problems)
      diag.error("machine check of '" + targetName + "': " + p);
    if (!problems.empty())
      return false;
  }
  if (routerEntries)
    target->setRouterEntries(*routerEntries);
  options.machine = &*target;
  options.machineName = targetName;
  PassManager mapper(diag, options);
  mapper.setVerifyEach(verifyEach);
  for (const char *pass :
       {"place", "allocate-keys", "route", "build-tables", "compress-tables"})
    mapper.add(pass);
  return mapper.run(n) && !diag.hadError();
}
