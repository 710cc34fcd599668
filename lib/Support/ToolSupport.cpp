//===- ToolSupport.cpp ----------------------------------------------------===//
#include "scnc/Support/ToolSupport.h"
#include "scnc/Config.h"
#include "scnc/Support/Debug.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <unistd.h>

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

bool scnc::parseByteSize(StringRef text, uint64_t &bytes) {
  text = text.trim();
  uint64_t mult = 1;
  if (!text.empty()) {
    switch (toUpper(text.back())) {
    case 'K':
      mult = 1ull << 10;
      break;
    case 'M':
      mult = 1ull << 20;
      break;
    case 'G':
      mult = 1ull << 30;
      break;
    case 'T':
      mult = 1ull << 40;
      break;
    default:
      break;
    }
    if (mult != 1)
      text = text.drop_back();
  }
  uint64_t v;
  if (text.empty() || text.getAsInteger(10, v) ||
      __builtin_mul_overflow(v, mult, &bytes))
    return false;
  return true;
}

uint64_t scnc::physicalMemory() {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? uint64_t(pages) * uint64_t(size) : 0;
}
