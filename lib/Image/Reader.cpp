//===- Reader.cpp - Validating and decoding load images -------------------===//
//
// docs/image-format.md "What the reader checks": everything is checked
// before anything is used, so a consumer (scnc-objdump, the emulator) never
// reads outside the file or trusts a count it did not verify.
//
//===----------------------------------------------------------------------===//
#include "ImageInternal.h"
#include "kernel/Layout.h"
#include "scnc/Image/Image.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include <cstdio>
#include <cstring>

using namespace llvm;
using namespace scnc;
using namespace scnc::image;

namespace {
#ifdef SCNC_FUZZING
// The fuzzing build (fuzz/, -DSCNC_FUZZ=ON) lets the image fuzz target
// switch the CRC checks off, so that mutated bytes reach the structural
// checks behind them; the tools of that build still check them, and other
// builds have no switch.
bool checkCrcs() { return !image::fuzzingSkipsCrcs; }
#else
constexpr bool checkCrcs() { return true; }
#endif

std::string rdStr(StringRef b, uint64_t at, size_t len) {
  StringRef s = b.substr(at, len);
  return s.substr(0, s.find('\0')).str();
}

/// Whether \p s is valid UTF-8 without control characters (what a name
/// must be to be printed in a message, a file name or JSON).
bool isPrintableUTF8(StringRef s) {
  const UTF8 *p = reinterpret_cast<const UTF8 *>(s.data());
  if (!isLegalUTF8String(&p, p + s.size()))
    return false;
  for (unsigned char ch : s)
    if (ch < 0x20 || ch == 0x7f)
      return false;
  return true;
}

/// \p s with every byte that is not printable ASCII as \xNN: a name that
/// failed isPrintableUTF8, shown in its error.
std::string escaped(StringRef s) {
  std::string out;
  for (unsigned char ch : s) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out += char(ch);
    } else {
      char buf[5];
      snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  return out;
}

std::string hex32(uint32_t v) {
  std::string s;
  raw_string_ostream os(s);
  os << format_hex(v, 10);
  return os.str();
}

std::string describe(const ImageSection &s) {
  std::string d =
      (sectionTypeName(s.type) + " " + Twine(s.x) + "," + Twine(s.y)).str();
  if (s.core != kNoCore)
    d += "," + std::to_string(s.core);
  return d;
}

/// Decodes and checks one core section.
class CoreDecoder {
public:
  CoreDecoder(StringRef data, const ImageSection &s, std::string what,
              StringRef name)
      : data(data), what(std::move(what)), name(name) {
    c.x = s.x;
    c.y = s.y;
    c.core = s.core;
    c.section = data;
  }
  Error decode();
  ImageCore take() { return std::move(c); }

private:
  Error fail(const Twine &msg) const {
    return createStringError(inconvertibleErrorCode(),
                             (name + ": " + msg).str());
  }
  Error inconsistent(uint32_t id, const Twine &msg) const {
    return fail("inconsistent counts: " + what + " region " + regionName(id) +
                ": " + msg);
  }
  Error expectSize(uint32_t id, uint64_t want) const {
    if (region[id].size() != want)
      return inconsistent(id, "has " + Twine(uint64_t(region[id].size())) +
                                  " bytes, expected " + Twine(want));
    return Error::success();
  }
  Error system();
  Error neuronParams();
  Error synapseParams();
  Error popTable();
  Error matrix();
  Error stdp();
  Error source();

  StringRef data;
  std::string what;
  StringRef name;
  ImageCore c;
  StringRef region[NumRegionIds];
  bool present[NumRegionIds] = {};
};

Error CoreDecoder::decode() {
  if (data.size() < 4)
    return fail("inconsistent counts: " + what + " has no region count");
  uint32_t nr = rd32(data, 0);
  if (uint64_t(4) + 12ull * nr > data.size())
    return fail("inconsistent counts: " + what + " has " + Twine(nr) +
                " regions but " + Twine(uint64_t(data.size())) + " bytes");
  for (uint32_t k = 0; k < nr; ++k) {
    uint32_t id = rd32(data, 4 + 12 * k), ro = rd32(data, 8 + 12 * k),
             rs = rd32(data, 12 + 12 * k);
    if (id >= NumRegionIds)
      return fail(what + " has an unknown region " + Twine(id));
    if (present[id])
      return fail("inconsistent counts: " + what + " has two " +
                  regionName(id) + " regions");
    if (ro > data.size() || rs > data.size() - ro)
      return fail(what + " region " + regionName(id) + " out of bounds");
    if (rs % 4)
      return inconsistent(id, "has " + Twine(rs) +
                                  " bytes, not a whole number of words");
    present[id] = true;
    region[id] = data.substr(ro, rs);
    c.regionBytes[id] = rs;
  }
  if (Error e = system())
    return e;
  if (present[NeuronKeysRegion]) {
    if (Error e = expectSize(NeuronKeysRegion, 8))
      return e;
    c.hasKey = true;
    c.key = rd32(region[NeuronKeysRegion], 0);
    c.mask = rd32(region[NeuronKeysRegion], 4);
    if ((c.key & ~c.mask) != 0 ||
        (c.numNeurons && ((c.numNeurons - 1) & c.mask) != 0))
      return inconsistent(NeuronKeysRegion,
                          "key " + hex32(c.key) + "/" + hex32(c.mask) +
                              " cannot number " + Twine(c.numNeurons) +
                              " neurons");
  }
  if (!present[NeuronIdsRegion])
    return fail("inconsistent counts: " + what + " has no neuron-ids region");
  if (Error e = expectSize(NeuronIdsRegion, 4ull * c.numNeurons))
    return e;
  for (uint32_t w = 0; w < c.numNeurons; ++w)
    c.neuronIds.push_back(rd32(region[NeuronIdsRegion], 4 * w));
  if (present[RecordingRegion]) {
    if (Error e = expectSize(RecordingRegion, 8))
      return e;
    c.hasRecording = true;
    c.recordFlags = rd32(region[RecordingRegion], 0);
    c.voltageInterval = rd32(region[RecordingRegion], 4);
  }
  if (present[LoadPredictionRegion]) {
    if (c.isInput())
      return fail("inconsistent counts: " + what +
                  " is an input core but has a load-prediction region");
    if (Error e = expectSize(LoadPredictionRegion, 20))
      return e;
    StringRef r = region[LoadPredictionRegion];
    c.hasPrediction = true;
    c.predictedCycles = rd32(r, 0);
    c.predictedTick = rd32(r, 4);
    c.predictedEvents = rd32(r, 8);
    c.predictedPackets = rd32(r, 12);
    c.sizedForCycles = rd32(r, 16);
  }
  // What each kind of core must and must not have.
  static const uint32_t neuronOnly[] = {NeuronParamsRegion, SynapseParamsRegion,
                                        PopulationTableRegion,
                                        SynapticMatrixRegion};
  if (present[NeuronParamIndexRegion] && c.isInput())
    return fail("inconsistent counts: " + what +
                " is an input core but has a neuron-param-index region");
  for (uint32_t id : neuronOnly)
    if (present[id] == c.isInput())
      return fail("inconsistent counts: " + what +
                  (c.isInput() ? " is an input core but has a "
                               : " is a neuron core but has no ") +
                  regionName(id) + " region");
  if (present[SpikeSourceRegion] != c.isInput())
    return fail("inconsistent counts: " + what +
                (c.isInput() ? " is an input core but has no "
                             : " is a neuron core but has a ") +
                "spike-source region");
  if (present[StdpParamsRegion] != bool(c.flags & SystemPlastic))
    return fail("inconsistent counts: " + what +
                (present[StdpParamsRegion] ? " is not plastic but has a "
                                           : " is plastic but has no ") +
                "stdp-params region");
  if (c.isInput())
    return source();
  if (Error e = neuronParams())
    return e;
  if (Error e = expectSize(NeuronStateRegion, 16ull * c.numNeurons))
    return e;
  for (uint32_t i = 0; i < c.numNeurons; ++i) {
    StringRef r = region[NeuronStateRegion];
    NeuronFixedState st;
    st.v = Accum::fromBits(int32_t(rd32(r, 16 * i)));
    st.iSynE = Accum::fromBits(int32_t(rd32(r, 16 * i + 4)));
    st.iSynI = Accum::fromBits(int32_t(rd32(r, 16 * i + 8)));
    st.refracTimer = int32_t(rd32(r, 16 * i + 12));
    if (st.refracTimer < 0 || st.refracTimer > c.params.refracTicks)
      return inconsistent(NeuronStateRegion,
                          "neuron " + Twine(i) + " has a refractory timer of " +
                              Twine(st.refracTimer) + " ticks (0 to " +
                              Twine(c.params.refracTicks) + ")");
    c.initialState.push_back(st);
  }
  if (Error e = synapseParams())
    return e;
  if (Error e = popTable())
    return e;
  if (Error e = matrix())
    return e;
  if (present[StdpParamsRegion])
    return stdp();
  return Error::success();
}

Error CoreDecoder::system() {
  if (!present[SystemRegion])
    return fail("inconsistent counts: " + what + " has no system region");
  if (Error e = expectSize(SystemRegion, 20))
    return e;
  StringRef r = region[SystemRegion];
  c.timestepUs = rd32(r, 0);
  c.numNeurons = rd32(r, 4);
  c.population = rd32(r, 8);
  c.numTicks = rd32(r, 12);
  c.flags = rd32(r, 16);
  if (c.flags & ~uint32_t(SystemInputCore | SystemPlastic))
    return inconsistent(SystemRegion, "unknown flags " + hex32(c.flags));
  if ((c.flags & SystemInputCore) && (c.flags & SystemPlastic))
    return inconsistent(SystemRegion, "an input core cannot be plastic");
  return Error::success();
}

Error CoreDecoder::neuronParams() {
  // 12 words (IF_curr_exp) or 16 (a NIR model: model, flags, bias, 0); a
  // NIR core whose neurons have their own parameters: several 16-word sets
  // and the neuron-param-index region.
  StringRef r = region[NeuronParamsRegion];
  const uint64_t nirBytes = 4 * kNeuronParamWordsNir;
  bool nir = r.size() >= nirBytes;
  if (!nir || r.size() % nirBytes != 0)
    if (Error e = expectSize(NeuronParamsRegion, 4 * kNeuronParamWords))
      return e;
  c.hasParams = true;
  uint64_t sets = nir ? r.size() / nirBytes : 1;
  if (sets > 1 && !present[NeuronParamIndexRegion])
    return inconsistent(NeuronParamsRegion, Twine(sets) +
                                                " parameter sets but no "
                                                "neuron-param-index region");
  if (sets > 65535)
    return inconsistent(NeuronParamsRegion,
                        Twine(sets) + " parameter sets (at most 65,535)");
  for (uint64_t k = 0; k < sets; ++k) {
    StringRef w = r.substr(k * nirBytes);
    NeuronFixedParams p;
    Accum *acc[] = {&p.vRest, &p.vReset,  &p.vThresh,
                    &p.vInit, &p.iOffset, &p.rMembrane};
    for (unsigned i = 0; i < 6; ++i)
      *acc[i] = Accum::fromBits(int32_t(rd32(w, 4 * i)));
    UFract32 *fr[] = {&p.expTC, &p.decayE, &p.initE, &p.decayI, &p.initI};
    for (unsigned i = 0; i < 5; ++i)
      *fr[i] = UFract32::fromBits(rd32(w, 24 + 4 * i));
    p.refracTicks = int32_t(rd32(w, 44));
    std::string set = sets > 1 ? " in set " + std::to_string(k) : "";
    if (p.refracTicks < 0)
      return inconsistent(NeuronParamsRegion,
                          "negative refractory period" + set);
    if (nir) {
      uint32_t model = rd32(w, 48), flags = rd32(w, 52);
      if (model == NeuronModelIfCurrExp || model >= NeuronModelCount)
        return inconsistent(NeuronParamsRegion,
                            "unknown neuron model " + Twine(model) +
                                " (1 IF, 2 LIF, 3 CubaLIF in a 16-word "
                                "region)" +
                                set);
      if (flags & ~1u)
        return inconsistent(NeuronParamsRegion,
                            "unknown neuron flags " + hex32(flags) + set);
      if (p.refracTicks != 0)
        return inconsistent(NeuronParamsRegion,
                            "a refractory period on a NIR-model core" + set);
      p.model = int32_t(model);
      p.resetSubtract = int32_t(flags & 1);
      p.bias = Accum::fromBits(int32_t(rd32(w, 56)));
      if (k && p.model != c.paramSets[0].model)
        return inconsistent(NeuronParamsRegion,
                            "set " + Twine(k) + " has neuron model " +
                                Twine(p.model) + ", set 0 " +
                                Twine(c.paramSets[0].model) +
                                " (a core runs one model)");
    }
    c.paramSets.push_back(p);
  }
  c.params = c.paramSets[0];
  if (!present[NeuronParamIndexRegion]) {
    c.paramSets.clear();
    return Error::success();
  }
  if (!nir)
    return inconsistent(NeuronParamIndexRegion,
                        "per-neuron parameters on an IF_curr_exp core");
  if (Error e = expectSize(NeuronParamIndexRegion,
                           4 * ((uint64_t(c.numNeurons) + 1) / 2)))
    return e;
  StringRef ix = region[NeuronParamIndexRegion];
  for (uint32_t i = 0; i < c.numNeurons; ++i) {
    uint16_t k = support::endian::read16le(ix.data() + 2 * i);
    if (k >= sets)
      return inconsistent(NeuronParamIndexRegion,
                          "neuron " + Twine(i) + " uses parameter set " +
                              Twine(k) + " of " + Twine(sets));
    c.paramIndex.push_back(k);
  }
  return Error::success();
}

Error CoreDecoder::synapseParams() {
  if (Error e = expectSize(SynapseParamsRegion, 20))
    return e;
  StringRef r = region[SynapseParamsRegion];
  c.hasSynapseParams = true;
  c.leftShift[0] = rd32(r, 0);
  c.leftShift[1] = rd32(r, 4);
  c.delayBits = rd32(r, 8);
  c.typeBits = rd32(r, 12);
  c.indexBits = rd32(r, 16);
  if (c.leftShift[0] > MaxRingBufferLeftShift ||
      c.leftShift[1] > MaxRingBufferLeftShift)
    return inconsistent(SynapseParamsRegion, "ring-buffer left shift above " +
                                                 Twine(MaxRingBufferLeftShift));
  if (c.typeBits != 1 || c.delayBits < 1 || c.indexBits < 1 ||
      uint64_t(c.delayBits) + c.typeBits + c.indexBits > 16)
    return inconsistent(SynapseParamsRegion,
                        "synaptic word fields of " + Twine(c.delayBits) +
                            " delay, " + Twine(c.typeBits) + " type and " +
                            Twine(c.indexBits) +
                            " index bits (each at least 1, type 1, at most "
                            "16 together)");
  if (uint64_t(c.numNeurons) > (uint64_t(1) << c.indexBits))
    return inconsistent(SynapseParamsRegion,
                        Twine(c.indexBits) + " index bits cannot number " +
                            Twine(c.numNeurons) + " neurons");
  return Error::success();
}

Error CoreDecoder::popTable() {
  StringRef r = region[PopulationTableRegion];
  if (r.size() < 4 ||
      r.size() != 4 + uint64_t(kernel::kPopEntryBytes) * rd32(r, 0))
    return inconsistent(PopulationTableRegion,
                        "has " + Twine(uint64_t(r.size())) + " bytes for " +
                            Twine(r.size() < 4 ? 0 : rd32(r, 0)) + " entries");
  uint32_t count = rd32(r, 0);
  uint64_t words = region[SynapticMatrixRegion].size() / 4;
  // Blocks of rows follow each other (the writer lays them out in key
  // order): decoding every row then reads each word of the matrix once.
  uint64_t blocksEnd = 0;
  for (uint32_t i = 0; i < count; ++i) {
    PopTableEntry e;
    uint64_t at = 4 + uint64_t(kernel::kPopEntryBytes) * i;
    e.key = rd32(r, at);
    e.mask = rd32(r, at + 4);
    e.rowOffset = rd32(r, at + 8);
    e.rowStride = rd32(r, at + 12);
    e.numRows = rd32(r, at + 16);
    if ((e.key & ~e.mask) != 0)
      return inconsistent(PopulationTableRegion,
                          "entry " + Twine(i) + " key " + hex32(e.key) +
                              " has bits outside its mask " + hex32(e.mask));
    if (e.numRows && (uint64_t(e.numRows - 1) & e.mask) != 0)
      return inconsistent(PopulationTableRegion,
                          "entry " + Twine(i) + " has " + Twine(e.numRows) +
                              " rows, more than its mask numbers");
    if (!c.popTable.empty()) {
      const PopTableEntry &prev = c.popTable.back();
      if (uint64_t(prev.key | ~prev.mask) >= e.key)
        return inconsistent(PopulationTableRegion,
                            "entry " + Twine(i) +
                                " is not after the previous one in key "
                                "order (the table must be sorted for binary "
                                "search)");
    }
    if (e.numRows && e.rowStride < kernel::kRowHeaderWords)
      return inconsistent(PopulationTableRegion,
                          "entry " + Twine(i) + " has a row stride of " +
                              Twine(e.rowStride) + " words");
    if (uint64_t(e.rowOffset) + uint64_t(e.rowStride) * e.numRows > words)
      return inconsistent(
          PopulationTableRegion,
          "entry " + Twine(i) + " rows end at word " +
              Twine(uint64_t(e.rowOffset) + uint64_t(e.rowStride) * e.numRows) +
              " of a " + Twine(words) + "-word synaptic matrix");
    if (e.numRows) {
      if (e.rowOffset < blocksEnd)
        return inconsistent(PopulationTableRegion,
                            "entry " + Twine(i) + " rows start at word " +
                                Twine(e.rowOffset) +
                                ", inside the previous entry's rows (which "
                                "end at word " +
                                Twine(blocksEnd) + ")");
      blocksEnd = uint64_t(e.rowOffset) + uint64_t(e.rowStride) * e.numRows;
    }
    c.popTable.push_back(e);
  }
  return Error::success();
}

Error CoreDecoder::matrix() {
  c.matrix = region[SynapticMatrixRegion];
  uint32_t ring = c.ringSize();
  for (size_t i = 0; i < c.popTable.size(); ++i) {
    const PopTableEntry &e = c.popTable[i];
    for (uint32_t r = 0; r < e.numRows; ++r) {
      uint64_t at = uint64_t(e.rowOffset) + uint64_t(r) * e.rowStride;
      uint32_t nFixed = c.matrixWord(at + kernel::kRowFixedCountWord),
               nPlastic = c.matrixWord(at + kernel::kRowPlasticCountWord);
      if (nFixed > e.rowStride || nPlastic > e.rowStride ||
          kernel::rowWords(nFixed, nPlastic) > e.rowStride)
        return inconsistent(SynapticMatrixRegion,
                            "row " + Twine(r) + " of entry " + Twine(i) +
                                " holds " + Twine(nFixed) + " fixed and " +
                                Twine(nPlastic) +
                                " plastic synapses, more than its " +
                                Twine(e.rowStride) + "-word stride");
      if (nPlastic && !(c.flags & SystemPlastic))
        return inconsistent(SynapticMatrixRegion,
                            "row " + Twine(r) + " of entry " + Twine(i) +
                                " has plastic synapses on a static core");
      ImageSynapse bad;
      if (!c.forEachSynapse(e, r, [&](const ImageSynapse &s) {
            bad = s;
            return s.target < c.numNeurons && s.delay >= 1 && s.delay < ring;
          }))
        return inconsistent(
            SynapticMatrixRegion,
            "row " + Twine(r) + " of entry " + Twine(i) +
                " has a synapse to neuron " + Twine(bad.target) +
                " with delay " + Twine(bad.delay) + " (the core has " +
                Twine(c.numNeurons) + " neurons and delays 1 to " +
                Twine(ring - 1) + ")");
    }
  }
  return Error::success();
}

Error CoreDecoder::stdp() {
  StringRef r = region[StdpParamsRegion];
  auto bad = [&]() {
    return inconsistent(StdpParamsRegion, "has " + Twine(uint64_t(r.size())) +
                                              " bytes, which its lookup-table "
                                              "lengths do not explain");
  };
  if (r.size() < 24)
    return bad();
  c.hasStdp = true;
  c.stdp.dependence = kernel::stdpDependence(rd32(r, 0));
  c.stdp.winnersPerTick = kernel::stdpWinnersPerTick(rd32(r, 0));
  c.stdp.aPlus = Accum::fromBits(int32_t(rd32(r, 4)));
  c.stdp.aMinus = Accum::fromBits(int32_t(rd32(r, 8)));
  c.stdp.wMin = Accum::fromBits(int32_t(rd32(r, 12)));
  c.stdp.wMax = Accum::fromBits(int32_t(rd32(r, 16)));
  if (c.stdp.dependence > 1)
    return inconsistent(StdpParamsRegion, "unknown weight dependence " +
                                              Twine(c.stdp.dependence));
  uint64_t at = 20;
  for (std::vector<UFract32> *lut : {&c.stdp.decayPlus, &c.stdp.decayMinus}) {
    if (at + 4 > r.size())
      return bad();
    uint64_t len = rd32(r, at);
    at += 4;
    if (len > (r.size() - at) / 4)
      return bad();
    for (uint64_t k = 0; k < len; ++k)
      lut->push_back(UFract32::fromBits(rd32(r, at + 4 * k)));
    at += 4 * len;
  }
  if (at != r.size())
    return bad();
  return Error::success();
}

Error CoreDecoder::source() {
  StringRef r = region[SpikeSourceRegion];
  auto bad = [&](const Twine &msg) {
    return inconsistent(SpikeSourceRegion, msg);
  };
  if (r.size() < 8)
    return bad("has " + Twine(uint64_t(r.size())) + " bytes");
  c.hasSource = true;
  c.encoding = rd32(r, 0);
  if (c.encoding > SourceLatency)
    return bad("unknown encoding " + Twine(c.encoding));
  uint64_t np = rd32(r, 4), at = 8;
  if (np > (r.size() - at) / (kSourceParamNameBytes + 4))
    return bad(Twine(np) + " encoder parameters do not fit");
  for (uint64_t k = 0; k < np; ++k) {
    c.encodingParams.push_back(
        {rdStr(r, at, kSourceParamNameBytes),
         Accum::fromBits(int32_t(rd32(r, at + kSourceParamNameBytes)))});
    at += kSourceParamNameBytes + 4;
  }
  if (at + 8 > r.size())
    return bad("has no spike array");
  uint32_t neurons = rd32(r, at), spikes = rd32(r, at + 4);
  at += 8;
  if (neurons != c.numNeurons)
    return bad("spike array for " + Twine(neurons) + " neurons, the core has " +
               Twine(c.numNeurons));
  if (r.size() - at != 4 * (uint64_t(neurons) + 1 + spikes))
    return bad("spike array of " + Twine(spikes) + " spikes for " +
               Twine(neurons) + " neurons has " + Twine(r.size() - at) +
               " bytes");
  for (uint32_t i = 0; i <= neurons; ++i) {
    uint32_t v = rd32(r, at + 4 * uint64_t(i));
    if (v > spikes || (i && v < c.sourceStart.back()) ||
        (i == neurons && v != spikes) || (i == 0 && v != 0))
      return bad("spike array offsets are not a partition of its " +
                 Twine(spikes) + " spikes");
    c.sourceStart.push_back(v);
  }
  at += 4 * (uint64_t(neurons) + 1);
  for (uint32_t k = 0; k < spikes; ++k)
    c.sourceTicks.push_back(rd32(r, at + 4 * uint64_t(k)));
  return Error::success();
}
} // namespace

#ifdef SCNC_FUZZING
bool image::fuzzingSkipsCrcs = false;
#endif

const ImageRoutingTable *ImageReader::findTable(unsigned x, unsigned y) const {
  for (const ImageRoutingTable &t : tables)
    if (t.x == x && t.y == y)
      return &t;
  return nullptr;
}

const ImageProgram *ImageReader::findProgram(uint32_t kind) const {
  for (const ImageProgram &p : progs)
    if (p.kind == kind)
      return &p;
  return nullptr;
}

const ImageCore *ImageReader::findCore(unsigned x, unsigned y,
                                       unsigned p) const {
  for (const ImageCore &c : coreList)
    if (c.x == x && c.y == y && c.core == p)
      return &c;
  return nullptr;
}

Expected<ImageReader> scnc::readImage(StringRef bytes, StringRef name) {
  return readImage(bytes, name, ChipFilter());
}

Expected<ImageReader> scnc::readImage(StringRef bytes, StringRef name,
                                      ChipFilter chips) {
  auto fail = [&](const Twine &msg) -> Error {
    return createStringError(inconvertibleErrorCode(),
                             (name + ": " + msg).str());
  };
  uint64_t size = bytes.size();
  if (size < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    return fail("bad magic (not a .scimg load image)");
  if (size < 12)
    return fail("truncated: file has " + Twine(size) +
                " bytes, less than a header");
  uint32_t version = rd32(bytes, OffVersion);
  if (version != kVersion)
    return fail("unsupported format version " + Twine(version) +
                " (this scnc reads version " + Twine(kVersion) + ")");
  if (size < kHeaderSize)
    return fail("truncated: file has " + Twine(size) +
                " bytes, less than the " + Twine(kHeaderSize) + "-byte header");
  ImageReader r;
  r.isPartial = bool(chips);
  ImageHeader &h = r.hdr;
  h.version = version;
  h.fileSize = rd64(bytes, OffFileSize);
  if (h.fileSize != size) {
    if (h.fileSize > size)
      return fail("truncated: header says " + Twine(h.fileSize) +
                  " bytes, file has " + Twine(size));
    return fail("trailing data: header says " + Twine(h.fileSize) +
                " bytes, file has " + Twine(size));
  }
  uint32_t headerSize = rd32(bytes, OffHeaderSize);
  uint32_t tableOffset = rd32(bytes, OffTableOffset);
  h.numSections = rd32(bytes, OffNumSections);
  if (headerSize != kHeaderSize || tableOffset != kHeaderSize)
    return fail("inconsistent counts: header size " + Twine(headerSize) +
                " and section table offset " + Twine(tableOffset) +
                ", expected " + Twine(kHeaderSize));
  uint64_t tableEnd =
      uint64_t(tableOffset) + uint64_t(kSectionEntrySize) * h.numSections;
  if (tableEnd > size)
    return fail("inconsistent counts: " + Twine(h.numSections) +
                " sections need a " + Twine(tableEnd) +
                "-byte header and table, file has " + Twine(size) + " bytes");
  h.crc = rd32(bytes, OffHeaderCrc);
  std::string crcInput = (bytes.substr(0, OffHeaderCrc) +
                          bytes.substr(kHeaderSize, tableEnd - kHeaderSize))
                             .str();
  if (crcOf(crcInput) != h.crc && checkCrcs())
    return fail("CRC mismatch in header (stored " + hex32(h.crc) +
                ", computed " + hex32(crcOf(crcInput)) + ")");
  h.timestepUs = rd32(bytes, OffTimestep);
  h.machineWidth = rd32(bytes, OffWidth);
  h.machineHeight = rd32(bytes, OffHeight);
  h.seed = rd64(bytes, OffSeed);
  h.networkHash = rd64(bytes, OffHash);
  h.machineName = rdStr(bytes, OffMachine, LenMachine);
  h.scncVersion = rdStr(bytes, OffVersionStr, LenVersionStr);
  h.networkName = rdStr(bytes, OffNetwork, LenNetwork);

  for (uint32_t i = 0; i < h.numSections; ++i) {
    uint64_t at = kHeaderSize + uint64_t(kSectionEntrySize) * i;
    ImageSection s;
    s.type = rd32(bytes, at);
    s.x = rd16(bytes, at + 4);
    s.y = rd16(bytes, at + 6);
    s.core = rd32(bytes, at + 8);
    s.offset = rd64(bytes, at + 16);
    s.size = rd32(bytes, at + 24);
    s.crc = rd32(bytes, at + 28);
    std::string what =
        "section " + std::to_string(i) + " (" + describe(s) + ")";
    if (s.offset < tableEnd || s.offset > size || s.size > size - s.offset)
      return fail(what + " out of bounds: bytes " + Twine(s.offset) + ".." +
                  Twine(s.offset + s.size) + " of a " + Twine(size) +
                  "-byte file");
    if (s.type == CoreSection && chips && !chips(s.x, s.y)) {
      r.secs.push_back(s); // another rank's: not read
      continue;
    }
    StringRef data = bytes.substr(s.offset, s.size);
    if (crcOf(data) != s.crc && checkCrcs())
      return fail("CRC mismatch in section " + Twine(i) + " (" + describe(s) +
                  "; stored " + hex32(s.crc) + ", computed " +
                  hex32(crcOf(data)) + ")");
    if (s.type == RoutingTableSection) {
      if (s.size < 4 || (s.size - 4) % 12 != 0 ||
          rd32(data, 0) != (s.size - 4) / 12)
        return fail("inconsistent counts: " + what + " has " + Twine(s.size) +
                    " bytes for " + Twine(s.size < 4 ? 0 : rd32(data, 0)) +
                    " entries");
      ImageRoutingTable t;
      t.x = s.x;
      t.y = s.y;
      for (uint32_t e = 0, ne = rd32(data, 0); e < ne; ++e) {
        RoutingEntry re;
        re.key = rd32(data, 4 + 12 * e);
        re.mask = rd32(data, 8 + 12 * e);
        re.route = rd32(data, 12 + 12 * e);
        t.entries.push_back(re);
      }
      r.tables.push_back(std::move(t));
    } else if (s.type == PopulationsSection) {
      if (s.core != kNoCore || !r.pops.empty())
        return fail("inconsistent counts: " + what +
                    " (an image has one populations section, chip-wide)");
      auto bad = [&]() {
        return fail("inconsistent counts: " + what + " has " + Twine(s.size) +
                    " bytes, which its names do not explain");
      };
      if (s.size < 4)
        return bad();
      uint64_t at = 4;
      // Each population takes at least 20 bytes: the count is checked
      // against the size before anything is allocated.
      uint32_t n = rd32(data, 0);
      if (n > (uint64_t(s.size) - 4) / 20)
        return bad();
      r.pops.reserve(n);
      for (uint32_t k = 0; k < n; ++k) {
        if (at + 20 > s.size)
          return bad();
        ImagePopulation p;
        p.input = rd32(data, at) != 0;
        p.height = rd32(data, at + 4);
        p.width = rd32(data, at + 8);
        p.channels = rd32(data, at + 12);
        uint64_t len = rd32(data, at + 16), padded = (len + 3) / 4 * 4;
        at += 20;
        if (padded > s.size - at)
          return bad();
        StringRef nm = data.substr(at, len);
        if (!isPrintableUTF8(nm))
          return fail(what + ": population " + Twine(k) + " has the name '" +
                      escaped(nm) + "', which is not printable UTF-8");
        p.name = nm.str();
        uint64_t hw, size;
        if (__builtin_mul_overflow(uint64_t(p.height), uint64_t(p.width),
                                   &hw) ||
            __builtin_mul_overflow(hw, uint64_t(p.channels), &size) ||
            size > UINT32_MAX)
          return fail("inconsistent counts: " + what + ": population '" +
                      p.name + "' of " + Twine(p.height) + " x " +
                      Twine(p.width) + " x " + Twine(p.channels) +
                      " neurons has more than 2^32 - 1");
        at += padded;
        r.pops.push_back(std::move(p));
      }
      if (at != s.size)
        return bad();
    } else if (s.type == CoreSection) {
      CoreDecoder d(data, s, what, name);
      if (Error e = d.decode())
        return e;
      r.coreList.push_back(d.take());
    } else if (s.type == CoreProgramSection) {
      // u32 kind, u32 APLX bytes, the APLX padded to a word.
      if (s.core != kNoCore)
        return fail("inconsistent counts: " + what +
                    " (core programs are network-wide)");
      if (s.size < 8 || (s.size - 8) < rd32(data, 4) ||
          s.size - 8 - rd32(data, 4) > 3)
        return fail("inconsistent counts: " + what + " has " + Twine(s.size) +
                    " bytes for a " + Twine(s.size < 8 ? 0 : rd32(data, 4)) +
                    "-byte program");
      ImageProgram p;
      p.kind = rd32(data, 0);
      if (p.kind >= NumProgramKinds)
        return fail(what + " has an unknown core program kind " +
                    Twine(p.kind));
      if (r.findProgram(p.kind))
        return fail("inconsistent counts: " + what + " is a second " +
                    programKindName(p.kind) + " program");
      if (Error e = decodeAplx(data.substr(8, rd32(data, 4)), p))
        return fail(what + " (" + programKindName(p.kind) +
                    " program): " + toString(std::move(e)));
      r.progs.push_back(p);
    } else {
      return fail(what + " has an unknown section type " + Twine(s.type));
    }
    r.secs.push_back(s);
  }
  // Cores refer to populations by index; their neurons are in range.
  std::vector<uint64_t> held(r.pops.size(), 0);
  for (const ImageCore &c : r.coreList) {
    std::string what =
        ("core " + Twine(c.x) + "," + Twine(c.y) + "," + Twine(c.core)).str();
    if (c.population >= r.pops.size())
      return fail("inconsistent counts: " + what + " is in population " +
                  Twine(c.population) + " of " +
                  Twine(uint64_t(r.pops.size())));
    const ImagePopulation &p = r.pops[c.population];
    if (p.input != c.isInput())
      return fail("inconsistent counts: " + what + " is " +
                  (c.isInput() ? "an input" : "a neuron") +
                  " core of population '" + p.name + "'");
    for (uint32_t id : c.neuronIds)
      if (id >= p.size())
        return fail("inconsistent counts: " + what + " holds neuron " +
                    Twine(id) + " of population '" + p.name + "', which has " +
                    Twine(p.size()));
    held[c.population] += c.numNeurons;
    // An image with programs is all a board needs: one for every core.
    uint32_t kind = c.isInput() ? SourceProgram : NeuronProgram;
    if (!r.progs.empty() && !r.findProgram(kind))
      return fail("inconsistent counts: the image carries core programs but "
                  "no " +
                  programKindName(kind) + " program for " + what);
  }
  // Each population's neurons are held by its cores once each: its size is
  // checked against what the cores hold (which the file's size bounds)
  // before anything of that size is allocated. (A partial read has some
  // of the cores only: the caller checks.)
  if (r.isPartial)
    return r;
  for (size_t q = 0; q < r.pops.size(); ++q) {
    const ImagePopulation &p = r.pops[q];
    if (held[q] != p.size())
      return fail("inconsistent counts: population '" + p.name + "' has " +
                  Twine(p.height) + " x " + Twine(p.width) + " x " +
                  Twine(p.channels) + " = " + Twine(p.size()) +
                  " neurons but its cores hold " + Twine(held[q]));
  }
  std::vector<std::vector<bool>> seen(r.pops.size());
  for (size_t q = 0; q < r.pops.size(); ++q)
    seen[q].assign(r.pops[q].size(), false);
  for (const ImageCore &c : r.coreList)
    for (uint32_t id : c.neuronIds) {
      std::vector<bool>::reference b = seen[c.population][id];
      if (b)
        return fail("inconsistent counts: core " + Twine(c.x) + "," +
                    Twine(c.y) + "," + Twine(c.core) + " holds neuron " +
                    Twine(id) + " of population '" + r.pops[c.population].name +
                    "', which another core (or this one) already holds");
      b = true;
    }
  return r;
}
