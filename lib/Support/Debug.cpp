//===- Debug.cpp ----------------------------------------------------------===//
#include "scnc/Support/Debug.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

using namespace llvm;

namespace {
struct DebugOnlySetter {
  void operator=(const std::string &val) const {
    if (val.empty())
      return;
    DebugFlag = true;
    SmallVector<StringRef, 4> types;
    StringRef(val).split(types, ',', -1, false);
    std::vector<std::string> storage(types.begin(), types.end());
    std::vector<const char *> ptrs;
    for (const std::string &s : storage)
      ptrs.push_back(s.c_str());
    (setCurrentDebugTypes)(ptrs.data(), unsigned(ptrs.size()));
  }
};
DebugOnlySetter debugOnlySetter;
} // namespace

void scnc::registerDebugOptions() {
  static cl::opt<bool, true> debug("debug", cl::desc("Print all debug output"),
                                   cl::Hidden, cl::location(DebugFlag));
  static cl::opt<DebugOnlySetter, true, cl::parser<std::string>> debugOnly(
      "debug-only",
      cl::desc("Print debug output of the given comma-separated passes"),
      cl::Hidden, cl::value_desc("pass name"), cl::location(debugOnlySetter),
      cl::ValueRequired);
}
