//===- Program.cpp - The core programs an image carries -------------------===//
//
// The board programs (runtime/arm, built as APLX by mkaplx.py) are embedded
// in scnc as byte arrays (build/arm/AppImages.inc, written by
// runtime/arm/EmbedApps.cmake); the writer puts them into images and the
// reader checks any APLX it finds as SC&MP's loader would run it
// (docs/image-format.md, "Core programs"; docs/arm.md).
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"
#include "kernel/Regions.h"
#include "kernel/Resources.h"
#include "scnc/Image/Image.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"

using namespace llvm;
using namespace scnc;
using namespace scnc::image;

namespace {
// Each SCNC_CORE_PROGRAM(kind, bytes...) of AppImages.inc: the bytes, then
// a table by kind name. Without an ARM build the file defines none.
#define SCNC_CORE_PROGRAM(kind, ...)                                           \
  const unsigned char kind##Aplx[] = {__VA_ARGS__};
#include "AppImages.inc"
#undef SCNC_CORE_PROGRAM

struct BuiltinProgram {
  const char *kind;
  const unsigned char *bytes;
  size_t size;
};
#define SCNC_CORE_PROGRAM(kind, ...) {#kind, kind##Aplx, sizeof(kind##Aplx)},
const BuiltinProgram builtinPrograms[] = {
#include "AppImages.inc"
    {nullptr, nullptr, 0}};
#undef SCNC_CORE_PROGRAM

std::string hex(uint64_t v) {
  std::string s;
  raw_string_ostream os(s);
  os << format_hex(v, 10);
  return os.str();
}
} // namespace

StringRef image::programKindName(uint32_t kind) {
  switch (kind) {
  case NeuronProgram:
    return "neuron";
  case SourceProgram:
    return "source";
  }
  return "unknown";
}

StringRef image::builtinCoreProgram(uint32_t kind) {
  StringRef name = programKindName(kind);
  for (const BuiltinProgram &p : builtinPrograms)
    if (p.kind && name == p.kind)
      return StringRef(reinterpret_cast<const char *>(p.bytes), p.size);
  return StringRef();
}

Error scnc::decodeAplx(StringRef aplx, ImageProgram &out) {
  using namespace kernel::resources;
  auto fail = [](const Twine &msg) {
    return createStringError(inconvertibleErrorCode(), msg.str());
  };
  const uint64_t dtcmEnd = uint64_t(kDTCMBase) + kDTCMBytes;
  out.aplx = aplx;
  out.itcmBytes = out.dtcmDataBytes = out.bssBytes = 0;
  out.dtcmEnd = kDTCMBase;
  out.entry = 0;
  // ITCM ranges copied so far, to check that EXEC jumps into code.
  std::vector<std::pair<uint64_t, uint64_t>> code;
  for (uint64_t at = 0;; at += kAplxEntryBytes) {
    std::string where = ("APLX entry " + Twine(at / kAplxEntryBytes)).str();
    if (at + kAplxEntryBytes > aplx.size())
      return fail("APLX table runs past the program's " + Twine(aplx.size()) +
                  " bytes without an EXEC entry");
    auto word = [&](unsigned k) {
      return support::endian::read32le(aplx.data() + at + 4 * k);
    };
    uint32_t op = word(0), a1 = word(1), a2 = word(2), a3 = word(3);
    switch (op) {
    case AplxRcopy: {
      uint64_t src = at + uint64_t(a2), dst = a1, len = a3;
      if (src + len > aplx.size())
        return fail(where + " copies bytes " + Twine(src) + ".." +
                    Twine(src + len) + " of a " + Twine(aplx.size()) +
                    "-byte program");
      if (dst + len <= kITCMProgramBytes) {
        out.itcmBytes += uint32_t(len);
        code.push_back({dst, dst + len});
      } else if (dst >= kDTCMBase && dst + len <= dtcmEnd) {
        out.dtcmDataBytes += uint32_t(len);
        out.dtcmEnd = std::max<uint32_t>(out.dtcmEnd, uint32_t(dst + len));
      } else {
        return fail(where + " copies " + Twine(len) + " bytes to " + hex(dst) +
                    ", outside the ITCM below the loader (0x0000.." +
                    hex(kITCMProgramBytes) + ") and the DTCM");
      }
      break;
    }
    case AplxFill: {
      uint64_t dst = a1, len = a2;
      if (dst < kDTCMBase || dst + len > dtcmEnd)
        return fail(where + " fills " + Twine(len) + " bytes at " + hex(dst) +
                    ", outside the DTCM");
      out.bssBytes += uint32_t(len);
      out.dtcmEnd = std::max<uint32_t>(out.dtcmEnd, uint32_t(dst + len));
      break;
    }
    case AplxExec: {
      bool inCode = false;
      for (const auto &r : code)
        inCode |= a1 >= r.first && a1 < r.second;
      if (!inCode || a1 % 4)
        return fail(where + " starts the core at " + hex(a1) +
                    ", which is not in the code the program copies");
      out.entry = a1;
      return Error::success();
    }
    case AplxAcopy:
      return fail(where + " copies from absolute address " + hex(a2) +
                  ": an image's program must carry all its bytes");
    default:
      return fail(where + " has operation " + Twine(op) +
                  ", where the loader stops before an EXEC entry");
    }
  }
}

CoreFootprint scnc::coreFootprint(const ImageCore &c) {
  CoreFootprint f;
  f.program = kernel::resources::programDTCMBytes(c.isInput());
  // The kernel reads the section as the core would: aligned words.
  std::vector<uint32_t> words(c.section.size() / 4);
  for (size_t i = 0; i < words.size(); ++i)
    words[i] = support::endian::read32le(c.section.data() + 4 * i);
  kernel::CoreRegions regions;
  if (!kernel::findRegions(words.data(), uint32_t(words.size()), regions))
    return f;
  if (c.isInput()) {
    kernel::SourceCoreConfig cfg;
    cfg.numNeurons = c.numNeurons;
    f.arena = kernel::sourceCoreMemoryBytes(cfg);
  } else {
    kernel::NeuronCoreConfig cfg;
    if (kernel::decodeNeuronCore(regions, cfg))
      f.arena = kernel::neuronCoreArenaBytes(cfg);
  }
  return f;
}
