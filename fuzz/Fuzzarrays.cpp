//===- Fuzzarrays.cpp - libFuzzer target: .npy and CSV arrays -------------===//
//
// The first byte chooses the reader (even: .npy, odd: CSV); the rest is the
// file. An array that reads is checked for finite values and read as the
// input spikes of a 100-neuron population over a 100-tick run, and as
// weights would be (rows and columns).
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/SpikeIO.h"
#include "scnc/Support/Npy.h"

using namespace llvm;
using namespace scnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  StringRef bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
  bool csv = data[0] & 1;
  Expected<NumArray> a =
      csv ? parseCsv(bytes, "fuzz.csv") : parseNpy(bytes, "fuzz.npy");
  if (!a) {
    consumeError(a.takeError());
    return 0;
  }
  if (Error e = checkFinite(*a, "fuzz")) {
    consumeError(std::move(e));
    return 0;
  }
  volatile uint64_t cells = a->rows() * a->cols();
  (void)cells;
  RunSpan span;
  span.ticks = 100;
  span.dt = 1.0;
  Expected<std::vector<Spike>> s =
      spikesFromArray(*a, "fuzz", "input", 100, span);
  if (!s)
    consumeError(s.takeError());
  return 0;
}
