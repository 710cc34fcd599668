//===- Fuzzidx.cpp - libFuzzer target: idx data sets ----------------------===//
//
// The first byte chooses: bit 0 gunzips the rest first (as readMaybeGzip
// does for a file starting with the gzip magic), bit 1 reads labels (1-D)
// instead of images (3-D).
//
//===----------------------------------------------------------------------===//
#include "scnc/Learning/Dataset.h"

using namespace llvm;
using namespace scnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  std::string bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
  if (data[0] & 1) {
    Expected<std::string> g = gunzip(bytes, "fuzz.gz");
    if (!g) {
      consumeError(g.takeError());
      return 0;
    }
    bytes = std::move(*g);
  }
  Expected<IdxArray> a = parseIdx(bytes, (data[0] & 2) ? 1 : 3, "fuzz-idx");
  if (!a)
    consumeError(a.takeError());
  return 0;
}
