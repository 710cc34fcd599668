//===- Fuzzimage.cpp - libFuzzer target: load images ----------------------===//
//
// Reads an image (without its CRC checks: image::fuzzingSkipsCrcs), loads it
// onto an emulated SpiNN-5 (or SpiNN-3 when the image names it) and runs a
// few ticks, replaying the spike sources' arrays.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "scnc/Machine/Machine.h"
#include "scnc/Runtime/Emulator.h"
#include <algorithm>

using namespace llvm;
using namespace scnc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const Machine spinn3 = cantFail(builtinMachine("spinn3"));
  static const Machine spinn5 = cantFail(builtinMachine("spinn5"));
  image::fuzzingSkipsCrcs = true;
  StringRef bytes(reinterpret_cast<const char *>(data), size);
  Expected<ImageReader> img = readImage(bytes, "fuzz.scimg");
  if (!img) {
    consumeError(img.takeError());
    return 0;
  }
  bool three = img->header().machineName == "spinn3";
  const Machine &m = three ? spinn3 : spinn5;
  Expected<std::unique_ptr<Emulator>> emu =
      Emulator::load(*img, m, three ? "spinn3" : "spinn5");
  if (!emu) {
    consumeError(emu.takeError());
    return 0;
  }
  EmulatorOptions eo;
  eo.ticks = std::min<uint32_t>((*emu)->imageTicks(), 8);
  EmulatorStats stats;
  Expected<Recording> rec = (*emu)->run({}, eo, &stats);
  if (!rec)
    consumeError(rec.takeError());
  return 0;
}
