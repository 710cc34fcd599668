//===- Image.cpp - Writing and reading load images ------------------------===//
//
// docs/image-format.md is the byte layout this file implements.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "scnc/Config.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/Mapping/MappingState.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

using namespace llvm;
using namespace scnc;
using namespace scnc::image;

StringRef image::sectionTypeName(uint32_t type) {
  switch (type) {
  case RoutingTableSection:
    return "routing-table";
  case CoreSection:
    return "core";
  }
  return "unknown";
}

StringRef image::regionName(uint32_t id) {
  switch (id) {
  case SystemRegion:
    return "system";
  case NeuronKeysRegion:
    return "neuron-keys";
  case NeuronParamsRegion:
    return "neuron-params";
  case NeuronIdsRegion:
    return "neuron-ids";
  case SynapseParamsRegion:
    return "synapse-params";
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

namespace {
// Header field offsets (docs/image-format.md).
enum : uint32_t {
  OffMagic = 0,
  OffVersion = 8,
  OffHeaderSize = 12,
  OffFileSize = 16,
  OffNumSections = 24,
  OffTableOffset = 28,
  OffTimestep = 32,
  OffWidth = 36,
  OffHeight = 40,
  OffReserved = 44,
  OffSeed = 48,
  OffHash = 56,
  OffMachine = 64,
  LenMachine = 24,
  OffVersionStr = 88,
  LenVersionStr = 16,
  OffNetwork = 104,
  LenNetwork = 20,
  OffHeaderCrc = 124
};

/// Little-endian byte buffer.
struct Buf {
  std::string b;
  void u16(uint16_t v) {
    char c[2];
    support::endian::write16le(c, v);
    b.append(c, 2);
  }
  void u32(uint32_t v) {
    char c[4];
    support::endian::write32le(c, v);
    b.append(c, 4);
  }
  void u64(uint64_t v) {
    char c[8];
    support::endian::write64le(c, v);
    b.append(c, 8);
  }
  void str(StringRef s, size_t len) {
    std::string f = s.substr(0, len - 1).str();
    f.resize(len, '\0');
    b += f;
  }
  void put32(size_t at, uint32_t v) { support::endian::write32le(&b[at], v); }
  void put64(size_t at, uint64_t v) { support::endian::write64le(&b[at], v); }
};

uint32_t crcOf(StringRef s) {
  return crc32(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(s.data()), s.size()));
}

struct PendingSection {
  ImageSection entry;
  std::string data;
};

/// Per population and synapse type (0 excitatory, 1 inhibitory), per
/// neuron the sum of |w| over its incoming synapses: the most input it can
/// receive in one tick. Empty without connection lists.
using SummedInputs = std::vector<std::array<std::vector<double>, 2>>;

SummedInputs summedInputs(const Network &n) {
  SummedInputs sums;
  if (!n.connections)
    return sums;
  sums.resize(n.populations.size());
  for (size_t p = 0; p < n.populations.size(); ++p)
    for (auto &v : sums[p])
      v.assign(n.populations[p].shape.size(), 0.0);
  for (size_t j = 0;
       j < n.projections.size() && j < n.connections->lists.size(); ++j) {
    const Projection &proj = n.projections[j];
    const ConnectionList &l = n.connections->lists[j];
    std::vector<double> &v =
        sums[proj.post][proj.receptor == Projection::Receptor::Inhibitory];
    for (uint64_t i = 0; i < l.size(); ++i)
      if (l.post[i] < v.size())
        v[l.post[i]] += std::fabs(double(l.weight(i)));
  }
  return sums;
}

std::string coreSection(const Network &n, const MappingState &s, size_t slice,
                        uint32_t timestepUs, const SummedInputs &sums) {
  const Slice &sl = s.partition.slices[slice];
  const Population &pop = n.populations[sl.population];
  std::vector<std::pair<uint32_t, std::string>> regions;
  Buf sys;
  sys.u32(timestepUs);
  sys.u32(uint32_t(sl.neurons.size()));
  sys.u32(sl.population);
  regions.push_back({SystemRegion, sys.b});
  if (s.keyed && slice < s.keys.slices.size()) {
    Buf k;
    k.u32(s.keys.slices[slice].key);
    k.u32(s.keys.slices[slice].mask);
    regions.push_back({NeuronKeysRegion, k.b});
  }
  if (const NeuronParams *np = n.findNeuronSet(pop.neuron)) {
    NeuronFixedParams f = toFixed(*np, n.sim.timestep);
    Buf p;
    for (Accum a :
         {f.vRest, f.vReset, f.vThresh, f.vInit, f.iOffset, f.rMembrane})
      p.u32(uint32_t(a.bits));
    for (UFract32 u : {f.expTC, f.decayE, f.initE, f.decayI, f.initI})
      p.u32(u.bits);
    p.u32(uint32_t(f.refracTicks));
    regions.push_back({NeuronParamsRegion, p.b});
  }
  if (pop.kind == Population::Kind::Neurons && sl.population < sums.size()) {
    Buf syn;
    for (const std::vector<double> &v : sums[sl.population]) {
      double most = 0;
      for (uint32_t i : sl.neurons)
        if (i < v.size())
          most = std::max(most, v[i]);
      syn.u32(ringBufferLeftShift(most));
    }
    regions.push_back({SynapseParamsRegion, syn.b});
  }
  Buf ids;
  for (uint32_t i : sl.neurons)
    ids.u32(i);
  regions.push_back({NeuronIdsRegion, ids.b});

  Buf out;
  out.u32(uint32_t(regions.size()));
  uint32_t off = 4 + 12 * uint32_t(regions.size());
  for (auto &r : regions) {
    out.u32(r.first);
    out.u32(off);
    out.u32(uint32_t(r.second.size()));
    off += uint32_t(r.second.size());
  }
  for (auto &r : regions)
    out.b += r.second;
  return out.b;
}
} // namespace

Error scnc::writeImage(const Network &n, const Machine &m,
                       StringRef machineName, raw_ostream &os) {
  if (!n.mapping || !n.mapping->placed || !n.mapping->compressedDone)
    return createStringError(inconvertibleErrorCode(),
                             "the image needs a mapped network (placement "
                             "and compressed routing tables)");
  const MappingState &s = *n.mapping;
  uint32_t timestepUs = uint32_t(std::lround(n.sim.timestep * 1000.0));

  SummedInputs sums = summedInputs(n);
  std::vector<PendingSection> secs;
  for (const RoutingTable &t : s.compressed) {
    PendingSection p;
    ChipCoord c = m.coord(t.chip);
    p.entry.type = RoutingTableSection;
    p.entry.x = uint16_t(c.x);
    p.entry.y = uint16_t(c.y);
    Buf b;
    b.u32(uint32_t(t.entries.size()));
    for (const RoutingEntry &e : t.entries) {
      b.u32(e.key);
      b.u32(e.mask);
      b.u32(e.route);
    }
    p.data = std::move(b.b);
    secs.push_back(std::move(p));
  }
  // Cores in (chip, core) order so that the layout does not depend on the
  // order of slices.
  std::vector<size_t> order(s.placement.cores.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    ChipCoord ca = m.coord(s.placement.cores[a].chip),
              cb = m.coord(s.placement.cores[b].chip);
    return std::make_tuple(ca.y, ca.x, s.placement.cores[a].core) <
           std::make_tuple(cb.y, cb.x, s.placement.cores[b].core);
  });
  for (size_t i : order) {
    PendingSection p;
    ChipCoord c = m.coord(s.placement.cores[i].chip);
    p.entry.type = CoreSection;
    p.entry.x = uint16_t(c.x);
    p.entry.y = uint16_t(c.y);
    p.entry.core = s.placement.cores[i].core;
    p.data = coreSection(n, s, i, timestepUs, sums);
    secs.push_back(std::move(p));
  }

  uint64_t off = kHeaderSize + uint64_t(kSectionEntrySize) * secs.size();
  for (PendingSection &p : secs) {
    p.entry.offset = off;
    p.entry.size = uint32_t(p.data.size());
    p.entry.crc = crcOf(p.data);
    off += p.data.size();
  }

  Buf h;
  h.b.append(kMagic, 8);
  h.u32(kVersion);
  h.u32(kHeaderSize);
  h.u64(off);
  h.u32(uint32_t(secs.size()));
  h.u32(kHeaderSize);
  h.u32(timestepUs);
  h.u32(m.width());
  h.u32(m.height());
  h.u32(0);
  h.u64(s.partitionConfig.seed);
  h.u64(networkHash(n));
  h.str(machineName, LenMachine);
  h.str(SCNC_VERSION, LenVersionStr);
  h.str(n.name, LenNetwork);
  h.u32(0); // header CRC, below
  for (const PendingSection &p : secs) {
    h.u32(p.entry.type);
    h.u16(p.entry.x);
    h.u16(p.entry.y);
    h.u32(p.entry.core);
    h.u32(0);
    h.u64(p.entry.offset);
    h.u32(p.entry.size);
    h.u32(p.entry.crc);
  }
  std::string crcInput = h.b.substr(0, OffHeaderCrc) + h.b.substr(kHeaderSize);
  h.put32(OffHeaderCrc, crcOf(crcInput));
  os << h.b;
  for (const PendingSection &p : secs)
    os << p.data;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {
uint16_t rd16(StringRef b, uint64_t at) {
  return support::endian::read16le(b.data() + at);
}
uint32_t rd32(StringRef b, uint64_t at) {
  return support::endian::read32le(b.data() + at);
}
uint64_t rd64(StringRef b, uint64_t at) {
  return support::endian::read64le(b.data() + at);
}
std::string rdStr(StringRef b, uint64_t at, size_t len) {
  StringRef s = b.substr(at, len);
  return s.substr(0, s.find('\0')).str();
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
} // namespace

const ImageRoutingTable *ImageReader::findTable(unsigned x, unsigned y) const {
  for (const ImageRoutingTable &t : tables)
    if (t.x == x && t.y == y)
      return &t;
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
  if (crcOf(crcInput) != h.crc)
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
    StringRef data = bytes.substr(s.offset, s.size);
    if (crcOf(data) != s.crc)
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
    } else if (s.type == CoreSection) {
      if (s.size < 4)
        return fail("inconsistent counts: " + what + " has no region count");
      uint32_t nr = rd32(data, 0);
      if (uint64_t(4) + 12ull * nr > s.size)
        return fail("inconsistent counts: " + what + " has " + Twine(nr) +
                    " regions but " + Twine(s.size) + " bytes");
      ImageCore c;
      c.x = s.x;
      c.y = s.y;
      c.core = s.core;
      bool haveSystem = false;
      for (uint32_t k = 0; k < nr; ++k) {
        uint32_t id = rd32(data, 4 + 12 * k), ro = rd32(data, 8 + 12 * k),
                 rs = rd32(data, 12 + 12 * k);
        std::string rwhat = what + " region " + regionName(id).str();
        if (ro > s.size || rs > s.size - ro)
          return fail(rwhat + " out of bounds");
        StringRef rd = data.substr(ro, rs);
        auto expect = [&](uint32_t bytesWanted) -> Error {
          if (rs != bytesWanted)
            return fail("inconsistent counts: " + rwhat + " has " + Twine(rs) +
                        " bytes, expected " + Twine(bytesWanted));
          return Error::success();
        };
        switch (id) {
        case SystemRegion:
          if (Error e = expect(12))
            return e;
          c.timestepUs = rd32(rd, 0);
          c.numNeurons = rd32(rd, 4);
          c.population = rd32(rd, 8);
          haveSystem = true;
          break;
        case NeuronKeysRegion:
          if (Error e = expect(8))
            return e;
          c.hasKey = true;
          c.key = rd32(rd, 0);
          c.mask = rd32(rd, 4);
          break;
        case NeuronParamsRegion: {
          if (Error e = expect(4 * kNeuronParamWords))
            return e;
          c.hasParams = true;
          NeuronFixedParams &p = c.params;
          Accum *acc[] = {&p.vRest, &p.vReset,  &p.vThresh,
                          &p.vInit, &p.iOffset, &p.rMembrane};
          for (unsigned w = 0; w < 6; ++w)
            *acc[w] = Accum::fromBits(int32_t(rd32(rd, 4 * w)));
          UFract32 *fr[] = {&p.expTC, &p.decayE, &p.initE, &p.decayI, &p.initI};
          for (unsigned w = 0; w < 5; ++w)
            *fr[w] = UFract32::fromBits(rd32(rd, 24 + 4 * w));
          p.refracTicks = int32_t(rd32(rd, 44));
          break;
        }
        case SynapseParamsRegion:
          if (Error e = expect(8))
            return e;
          c.hasSynapseParams = true;
          c.leftShiftE = rd32(rd, 0);
          c.leftShiftI = rd32(rd, 4);
          break;
        case NeuronIdsRegion:
          if (rs % 4)
            return fail("inconsistent counts: " + rwhat + " has " + Twine(rs) +
                        " bytes, not a whole number of words");
          for (uint32_t w = 0; w < rs / 4; ++w)
            c.neuronIds.push_back(rd32(rd, 4 * w));
          break;
        default:
          return fail(what + " has an unknown region " + Twine(id));
        }
      }
      if (!haveSystem)
        return fail("inconsistent counts: " + what + " has no system region");
      if (c.neuronIds.size() != c.numNeurons)
        return fail("inconsistent counts: " + what + " system region says " +
                    Twine(c.numNeurons) + " neurons, neuron-ids has " +
                    Twine(uint64_t(c.neuronIds.size())));
      r.coreList.push_back(std::move(c));
    } else {
      return fail(what + " has an unknown section type " + Twine(s.type));
    }
    r.secs.push_back(s);
  }
  return r;
}
