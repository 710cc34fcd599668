//===- Fuzzboard.cpp - libFuzzer target: the board endpoint's datagrams ---===//
//
// An emulated SpiNN-3 board (a fresh one per input, so that every input
// reproduces alone) handles a sequence of datagrams: the input is split
// into records of a 2-byte little-endian length and that many bytes (the
// last record takes what is left). Replies are discarded.
//
//===----------------------------------------------------------------------===//
#include "scnc/Board/Endpoint.h"
#include "scnc/Machine/Machine.h"
#include <algorithm>

using namespace llvm;
using namespace scnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const Machine spinn3 = cantFail(builtinMachine("spinn3"));
  board::EndpointOptions o;
  o.machineName = "spinn3";
  // 1 MiB of SDRAM blocks in all: enough for every allocation path
  // (success, reuse, exhaustion) while a fresh endpoint per input stays
  // cheap: with 64 MiB, zero-filled blocks of up to 64 MiB made a 60 s run
  // from the seeds do 708 exec/s; with 1 MiB, 5,429 exec/s (same seed).
  o.maxMemory = uint64_t(1) << 20;
  board::BoardEndpoint ep(spinn3, o);
  size_t at = 0;
  while (at < size) {
    size_t len = size - at;
    if (len >= 2) {
      len = std::min<size_t>(data[at] | (size_t(data[at + 1]) << 8),
                             size - at - 2);
      at += 2;
    }
    ep.handle(StringRef(reinterpret_cast<const char *>(data) + at, len));
    at += len;
  }
  return 0;
}
