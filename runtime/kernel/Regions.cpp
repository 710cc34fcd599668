//===- Regions.cpp - A core's regions, as the core reads them -------------===//
//
// Integer only, no allocation, no library calls (Kernel.h's rules).
//
//===----------------------------------------------------------------------===//
#include "kernel/Regions.h"

using namespace scnc;
using namespace scnc::kernel;

bool kernel::findRegions(const uint32_t *section, uint32_t words,
                         CoreRegions &r) {
  r = CoreRegions();
  if (words < 1)
    return false;
  uint32_t count = section[0];
  if (count > region::Count || 1 + 3 * uint64_t(count) > words)
    return false;
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t id = section[1 + 3 * k], offset = section[2 + 3 * k],
             size = section[3 + 3 * k];
    if (id >= region::Count || offset % 4 || size % 4 ||
        uint64_t(offset) + size > uint64_t(words) * 4)
      return false;
    r.base[id] = section + offset / 4;
    r.words[id] = size / 4;
  }
  return r.base[region::System] != nullptr;
}

bool kernel::decodeSystem(const CoreRegions &r, CoreSystem &s) {
  const uint32_t *w = r.base[region::System];
  if (r.words[region::System] < 5)
    return false;
  s.timestepUs = w[0];
  s.numNeurons = w[1];
  s.population = w[2];
  s.numTicks = w[3];
  s.flags = w[4];
  return true;
}

namespace {
bool keys(const CoreRegions &r, bool &hasKey, uint32_t &key) {
  hasKey = r.base[region::NeuronKeys] != nullptr;
  if (hasKey && r.words[region::NeuronKeys] < 2)
    return false;
  key = hasKey ? r.base[region::NeuronKeys][0] : 0;
  return true;
}
Accum accum(uint32_t w) { return Accum::fromBits(int32_t(w)); }
} // namespace

bool kernel::decodeNeuronCore(const CoreRegions &r, NeuronCoreConfig &cfg) {
  CoreSystem sys;
  if (!decodeSystem(r, sys) || (sys.flags & kSystemInputCore))
    return false;
  cfg = NeuronCoreConfig();
  cfg.numNeurons = sys.numNeurons;
  if (!keys(r, cfg.hasKey, cfg.key))
    return false;
  const uint32_t *p = r.base[region::NeuronParams];
  if (r.words[region::NeuronParams] < kNeuronParamWords)
    return false;
  uint32_t pw = r.words[region::NeuronParams];
  bool nir = pw >= kNeuronParamWordsNir;
  if (!decodeNeuronParams(p, nir, cfg.params))
    return false;
  // Per-neuron parameters: several 16-word sets and an index (u16 per
  // neuron, padded to a word).
  if (r.base[region::NeuronParamIndex]) {
    if (!nir || pw % kNeuronParamWordsNir != 0 ||
        r.words[region::NeuronParamIndex] < (uint64_t(cfg.numNeurons) + 1) / 2)
      return false;
    if (pw / kNeuronParamWordsNir > 65535)
      return false;
    cfg.paramSets = p;
    cfg.numParamSets = uint16_t(pw / kNeuronParamWordsNir);
    cfg.paramIndex =
        reinterpret_cast<const uint16_t *>(r.base[region::NeuronParamIndex]);
  }
  const uint32_t *sp = r.base[region::SynapseParams];
  if (r.words[region::SynapseParams] < 5)
    return false;
  cfg.leftShift[0] = sp[0];
  cfg.leftShift[1] = sp[1];
  cfg.delayBits = sp[2];
  cfg.indexBits = sp[4];
  const uint32_t *pt = r.base[region::PopulationTable];
  uint32_t ptWords = r.words[region::PopulationTable];
  if (ptWords < 1 || (ptWords - 1) / 5 < pt[0])
    return false;
  cfg.popTableSize = pt[0];
  cfg.popTable = reinterpret_cast<const PopEntry *>(pt + 1);
  cfg.matrix = r.base[region::SynapticMatrix];
  cfg.matrixWords = r.words[region::SynapticMatrix];
  for (uint32_t e = 0; e < cfg.popTableSize; ++e) {
    const PopEntry &pe = cfg.popTable[e];
    if (pe.numRows &&
        uint64_t(pe.rowOffset) + uint64_t(pe.numRows) * pe.rowStride >
            cfg.matrixWords)
      return false;
  }
  if (r.base[region::NeuronState]) {
    if (r.words[region::NeuronState] < 4 * uint64_t(cfg.numNeurons))
      return false;
    cfg.initialState =
        reinterpret_cast<const NeuronFixedState *>(r.base[region::NeuronState]);
  }
  if (r.base[region::Recording]) {
    if (r.words[region::Recording] < 2)
      return false;
    cfg.recordVoltage = r.base[region::Recording][0] & 2;
  }
  if (sys.flags & kSystemPlastic) {
    const uint32_t *st = r.base[region::StdpParams];
    uint32_t words = r.words[region::StdpParams];
    if (words < 6)
      return false;
    cfg.plastic = true;
    cfg.multiplicative = stdpDependence(st[0]) == 1;
    cfg.winnersPerTick = stdpWinnersPerTick(st[0]);
    cfg.aPlus = accum(st[1]);
    cfg.aMinus = accum(st[2]);
    cfg.wMin = accum(st[3]);
    cfg.wMax = accum(st[4]);
    uint32_t at = 5;
    cfg.lenPlus = st[at];
    if (cfg.lenPlus > words - at - 1)
      return false;
    cfg.decayPlus = reinterpret_cast<const UFract32 *>(st + at + 1);
    at += 1 + cfg.lenPlus;
    if (at >= words)
      return false;
    cfg.lenMinus = st[at];
    if (cfg.lenMinus > words - at - 1)
      return false;
    cfg.decayMinus = reinterpret_cast<const UFract32 *>(st + at + 1);
  }
  return true;
}

bool kernel::decodeSourceCore(const CoreRegions &r, SourceCoreConfig &cfg) {
  CoreSystem sys;
  if (!decodeSystem(r, sys) || !(sys.flags & kSystemInputCore))
    return false;
  cfg = SourceCoreConfig();
  cfg.numNeurons = sys.numNeurons;
  if (!keys(r, cfg.hasKey, cfg.key))
    return false;
  const uint32_t *s = r.base[region::SpikeSource];
  uint32_t words = r.words[region::SpikeSource];
  if (words < 2)
    return false;
  uint64_t at = 2 + uint64_t(s[1]) * (kSourceParamNameWords + 1);
  if (at + 2 > words || s[at] != cfg.numNeurons)
    return false;
  uint64_t spikes = s[at + 1];
  at += 2;
  if (at + cfg.numNeurons + 1 + spikes > words)
    return false;
  cfg.start = s + at;
  cfg.ticks = s + at + cfg.numNeurons + 1;
  return true;
}
