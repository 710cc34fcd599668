//===- Fuzzmachine.cpp - libFuzzer target: machine JSON descriptions ------===//
//
// Reads a machine description; one that reads is checked (`--machine-check`)
// and summarised.
//
//===----------------------------------------------------------------------===//
#include "scnc/Machine/Machine.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace scnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StringRef text(reinterpret_cast<const char *>(data), size);
  Expected<Machine> m = parseMachineJSON(text, "fuzz.json");
  if (!m) {
    consumeError(m.takeError());
    return 0;
  }
  std::vector<std::string> problems = m->check();
  (void)problems;
  printMachineSummary(*m, "fuzz", nulls());
  return 0;
}
