//===- PassManager.cpp ----------------------------------------------------===//
#include "scnc/Transforms/PassManager.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/PrintPasses.h"
#include "llvm/Pass.h"
#include "llvm/Support/Timer.h"
#include <memory>

using namespace scnc;
using namespace llvm;

static const scnc::PassInfo passTable[] = {
#define SCNC_PASS(NAME, FN, DESC) {NAME, FN, DESC, nullptr},
#define SCNC_MAPPING_PASS(NAME, FN, PRINT, DESC) {NAME, FN, DESC, PRINT},
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

bool PassManager::run(Network &n, CompilationContext &cc) {
  // Dumps go to stderr, as LLVM prints them.
  raw_ostream &os = errs();
  for (const scnc::PassInfo *p : passes) {
    PassContext ctx{diag, options, cc};
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
    // Mapping passes leave the IR as it was (PassInfo::print): the
    // connection lists, checked after the pass that made them, are not
    // walked again (on xl, 203 M synapses after each of six passes).
    if (verifyEach && !verifyNetwork(n, diag, /*connections=*/!p->print)) {
      diag.error("the IR is invalid after pass '" + p->name + "'");
      return false;
    }
    if (shouldPrintAfterAll() || shouldPrintAfterPass(p->name)) {
      // A mapping pass leaves the IR as it was: show what it produced.
      if (p->print) {
        os << "// *** Mapping Dump After " << p->name << " ***\n";
        p->print(n, cc, os);
      } else {
        os << "// *** IR Dump After " << p->name << " ***\n";
        printNetwork(n, os);
      }
    }
  }
  return true;
}
