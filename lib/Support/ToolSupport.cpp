//===- ToolSupport.cpp ----------------------------------------------------===//
#include "scnc/Support/ToolSupport.h"
#include "scnc/Config.h"
#include "scnc/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

cl::OptionCategory &scnc::diagnosticsCategory() {
  static cl::OptionCategory cat("Diagnostics");
  return cat;
}

cl::OptionCategory &scnc::debuggingCategory() {
  static cl::OptionCategory cat("Debugging",
                                "IR dumps and timing of the pass pipeline");
  return cat;
}

void scnc::parseToolCommandLine(int argc, char **argv, const char *overview,
                                ArrayRef<const cl::OptionCategory *> cats) {
  cl::SetVersionPrinter(
      [](raw_ostream &os) { os << "scnc version " << SCNC_VERSION << "\n"; });
  registerDebugOptions();
  StringMap<cl::Option *> &opts = cl::getRegisteredOptions();
  for (const char *name : {"print-after-all", "print-after", "time-passes",
                           "debug", "debug-only"}) {
    auto it = opts.find(name);
    if (it != opts.end()) {
      it->second->addCategory(debuggingCategory());
      it->second->setHiddenFlag(cl::NotHidden);
    }
  }
  SmallVector<const cl::OptionCategory *, 8> all(cats.begin(), cats.end());
  all.push_back(&diagnosticsCategory());
  all.push_back(&debuggingCategory());
  cl::HideUnrelatedOptions(all);
  cl::ParseCommandLineOptions(argc, argv, overview);
}
