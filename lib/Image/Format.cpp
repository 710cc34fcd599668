//===- Format.cpp - Names and hashes of the image format ------------------===//
#include "ImageInternal.h"
#include "scnc/IR/Printer.h"
#include "scnc/Image/Image.h"
#include <map>

using namespace llvm;
using namespace scnc;
using namespace scnc::image;

StringRef image::sectionTypeName(uint32_t type) {
  switch (type) {
  case RoutingTableSection:
    return "routing-table";
  case CoreSection:
    return "core";
  case PopulationsSection:
    return "populations";
  case CoreProgramSection:
    return "core-program";
  }
  return "unknown";
}

StringRef image::regionName(uint32_t id) {
  static const char *const names[NumRegionIds] = {"system",
                                                  "neuron-keys",
                                                  "neuron-params",
                                                  "neuron-ids",
                                                  "synapse-params",
                                                  "population-table",
                                                  "synaptic-matrix",
                                                  "stdp-params",
                                                  "recording",
                                                  "spike-source",
                                                  "neuron-state",
                                                  "load-prediction",
                                                  "neuron-param-index"};
  return id < NumRegionIds ? names[id] : "unknown";
}

std::string image::encodeNeuronParams(const NeuronFixedParams &f) {
  Buf p;
  for (Accum a :
       {f.vRest, f.vReset, f.vThresh, f.vInit, f.iOffset, f.rMembrane})
    p.u32(uint32_t(a.bits));
  for (UFract32 u : {f.expTC, f.decayE, f.initE, f.decayI, f.initI})
    p.u32(u.bits);
  p.u32(uint32_t(f.refracTicks));
  // The NIR models' words (absent for IF_curr_exp, whose region is the 12
  // words it always had): model, flags (bit 0: reset by subtraction), bias.
  if (f.model != NeuronModelIfCurrExp) {
    p.u32(uint32_t(f.model));
    p.u32(f.resetSubtract ? 1u : 0u);
    p.u32(uint32_t(f.bias.bits));
    p.u32(0);
  }
  return p.b;
}

NeuronParamTable
image::buildNeuronParamTable(ArrayRef<NeuronFixedParams> perNeuron) {
  NeuronParamTable t;
  std::map<std::string, uint16_t> seen;
  t.index.reserve(perNeuron.size());
  for (const NeuronFixedParams &f : perNeuron) {
    auto it = seen.emplace(encodeNeuronParams(f), uint16_t(t.sets.size()));
    if (it.second)
      t.sets.push_back(f);
    t.index.push_back(it.first->second);
  }
  return t;
}

StringRef image::sourceEncodingName(uint32_t id) {
  switch (id) {
  case SourceArray:
    return "array";
  case SourceRate:
    return "rate";
  case SourcePoisson:
    return "poisson";
  case SourceLatency:
    return "latency";
  }
  return "unknown";
}

uint64_t scnc::networkHash(const Network &n) {
  std::string text;
  raw_string_ostream os(text);
  printNetwork(n, os);
  os.flush();
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint32_t ImageCore::matrixWord(uint64_t i) const { return rd32(matrix, 4 * i); }

bool ImageCore::forEachSynapse(
    const PopTableEntry &e, uint32_t local,
    function_ref<bool(const ImageSynapse &)> fn) const {
  uint64_t at = uint64_t(e.rowOffset) + uint64_t(local) * e.rowStride;
  uint32_t nFixed = matrixWord(at + kernel::kRowFixedCountWord),
           nPlastic = matrixWord(at + kernel::kRowPlasticCountWord);
  auto decode = [&](uint32_t control, uint32_t weight, bool plastic) {
    ImageSynapse s;
    s.weight = uint16_t(weight);
    s.target = kernel::controlTarget(control, indexBits);
    s.type = kernel::controlType(control, indexBits);
    s.delay = kernel::controlDelay(control, indexBits);
    s.plastic = plastic;
    return fn(s);
  };
  uint64_t w = at + kernel::kRowHeaderWords;
  if (nPlastic) {
    // Little-endian words: half i of an array is the 16 bits at byte 2i.
    uint64_t weights = at + kernel::kRowPlasticWeightsWord,
             controls = weights + kernel::halfWordWords(nPlastic);
    for (uint32_t i = 0; i < nPlastic; ++i)
      if (!decode(rd16(matrix, 4 * controls + 2 * i),
                  rd16(matrix, 4 * weights + 2 * i), true))
        return false;
    w = controls + kernel::halfWordWords(nPlastic);
  }
  for (uint32_t i = 0; i < nFixed; ++i) {
    uint32_t word = matrixWord(w + i);
    if (!decode(kernel::wordControl(word), kernel::wordWeight(word), false))
      return false;
  }
  return true;
}

std::vector<ImageSynapse> ImageCore::row(const PopTableEntry &e,
                                         uint32_t local) const {
  std::vector<ImageSynapse> out;
  forEachSynapse(e, local, [&](const ImageSynapse &s) {
    out.push_back(s);
    return true;
  });
  return out;
}

std::string image::encodeHeader(const ImageHeader &hd,
                                const std::vector<ImageSection> &secs) {
  Buf h;
  h.b.append(kMagic, 8);
  h.u32(kVersion);
  h.u32(kHeaderSize);
  h.u64(hd.fileSize);
  h.u32(uint32_t(secs.size()));
  h.u32(kHeaderSize);
  h.u32(hd.timestepUs);
  h.u32(hd.machineWidth);
  h.u32(hd.machineHeight);
  h.u32(0);
  h.u64(hd.seed);
  h.u64(hd.networkHash);
  h.str(hd.machineName, LenMachine);
  h.str(hd.scncVersion, LenVersionStr);
  h.str(hd.networkName, LenNetwork);
  h.u32(0); // header CRC, below
  for (const ImageSection &e : secs) {
    h.u32(e.type);
    h.u16(e.x);
    h.u16(e.y);
    h.u32(e.core);
    h.u32(0);
    h.u64(e.offset);
    h.u32(e.size);
    h.u32(e.crc);
  }
  std::string crcInput = h.b.substr(0, OffHeaderCrc) + h.b.substr(kHeaderSize);
  h.put32(OffHeaderCrc, crcOf(crcInput));
  return std::move(h.b);
}

std::string scnc::assembleImage(
    const ImageHeader &header,
    const std::vector<std::pair<ImageSection, std::string>> &sections) {
  std::vector<ImageSection> secs;
  uint64_t off = kHeaderSize + uint64_t(kSectionEntrySize) * sections.size();
  for (const auto &[sec, data] : sections) {
    ImageSection e = sec;
    e.offset = off;
    e.size = uint32_t(data.size());
    e.crc = crcOf(data);
    off += data.size();
    secs.push_back(e);
  }
  ImageHeader h = header;
  h.fileSize = off;
  std::string out = encodeHeader(h, secs);
  for (const auto &s : sections)
    out += s.second;
  return out;
}
