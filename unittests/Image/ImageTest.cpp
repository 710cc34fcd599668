//===- ImageTest.cpp - Load images: round trip and damaged files ----------===//
//
// A small network through the real passes onto SpiNN-3, written as an
// image and read back: the same tables, keys, neurons and fixed-point
// parameters. Then every validation of the reader on damaged copies.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "PipelineHelpers.h"
#include "TestHelpers.h"
#include "kernel/Resources.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/Machine/Machine.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <array>
#include <set>

using namespace scnc;
using scnc::test::DiagHarness;

namespace {

constexpr const char *kNetwork = R"(
simulation { neurons_per_core = 3; timestep = 0.5 ms; }
neuron lif { tau_m = 10 ms; v_thresh = -52 mV; i_offset = 0.25 nA; }
network tiny {
  input i { shape = 2 x 4 x 1; }
  conv c(i) { filters = 2; kernel = 2 x 2; weights = 1 nA; neuron = lif; }
}
)";

struct Mapped {
  DiagHarness h;
  llvm::Optional<Network> net;
  CompilationContext cc;
  Machine m = llvm::cantFail(builtinMachine("spinn3"));
  std::string bytes;
  unsigned threads = 1;

  bool map() {
    net = parseNetwork(h.add(kNetwork), h.diag);
    if (!net)
      return false;
    CompileOptions o;
    o.passes.partitioner = PartitionerKind::Slices;
    o.passes.threads = threads;
    return test::compileFor(h, *net, cc, m, "spinn3", o, &bytes);
  }
};

uint32_t get32(const std::string &b, size_t at) {
  return llvm::support::endian::read32le(b.data() + at);
}
void put32(std::string &b, size_t at, uint32_t v) {
  llvm::support::endian::write32le(&b[at], v);
}
void put64(std::string &b, size_t at, uint64_t v) {
  llvm::support::endian::write64le(&b[at], v);
}
uint32_t crcOf(llvm::StringRef s) {
  return llvm::crc32(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(s.data()), s.size()));
}
/// Recomputes the header CRC (docs/image-format.md).
void fixHeader(std::string &b) {
  size_t end = image::kHeaderSize + image::kSectionEntrySize * get32(b, 24);
  put32(b, 124, crcOf(b.substr(0, 124) + b.substr(128, end - 128)));
}
size_t entryAt(unsigned n) {
  return image::kHeaderSize + image::kSectionEntrySize * n;
}

/// The reader's message for damaged bytes ("" when it accepts them).
std::string errorOf(const std::string &bytes) {
  llvm::Expected<ImageReader> r = readImage(bytes, "t.scimg");
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

TEST(Image, RoundTrip) {
  Mapped mp;
  ASSERT_TRUE(mp.map()) << mp.h.text();
  llvm::Expected<ImageReader> r = readImage(mp.bytes, "t.scimg");
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  const MappingState &s = mp.cc.mapping;

  const ImageHeader &h = r->header();
  EXPECT_EQ(h.version, image::kVersion);
  EXPECT_EQ(h.fileSize, mp.bytes.size());
  EXPECT_EQ(h.timestepUs, 500u);
  EXPECT_EQ(h.machineName, "spinn3");
  EXPECT_EQ(h.networkName, "tiny");
  EXPECT_EQ(h.machineWidth, 2u);
  EXPECT_EQ(h.machineHeight, 2u);
  EXPECT_EQ(h.networkHash, networkHash(*mp.net));
  // Tables, populations, cores, then a program per core kind (neuron and
  // source) when this scnc has them.
  size_t programs =
      image::builtinCoreProgram(image::NeuronProgram).empty() ? 0 : 2;
  EXPECT_EQ(h.numSections,
            s.compressed.size() + 1 + s.placement.cores.size() + programs);
  ASSERT_EQ(r->programs().size(), programs);
  for (const ImageProgram &p : r->programs())
    EXPECT_EQ(p.aplx, image::builtinCoreProgram(p.kind));
  ASSERT_EQ(r->populations().size(), 2u);
  EXPECT_EQ(r->populations()[0].name, "i");
  EXPECT_TRUE(r->populations()[0].input);
  EXPECT_EQ(r->populations()[1].name, "c");
  EXPECT_EQ(r->populations()[1].size(), 1u * 3 * 2);

  // Every chip's table, entries in router order.
  ASSERT_EQ(r->routingTables().size(), s.compressed.size());
  for (const RoutingTable &t : s.compressed) {
    ChipCoord c = mp.m.coord(t.chip);
    const ImageRoutingTable *it = r->findTable(c.x, c.y);
    ASSERT_TRUE(it);
    EXPECT_EQ(it->entries, t.entries);
  }
  // Every slice's core.
  ASSERT_EQ(r->cores().size(), s.placement.cores.size());
  for (size_t i = 0; i < s.placement.cores.size(); ++i) {
    ChipCoord c = mp.m.coord(s.placement.cores[i].chip);
    const ImageCore *core = r->findCore(c.x, c.y, s.placement.cores[i].core);
    ASSERT_TRUE(core) << i;
    const Slice &sl = s.partition.slices[i];
    EXPECT_EQ(core->timestepUs, 500u);
    EXPECT_EQ(core->population, sl.population);
    EXPECT_EQ(core->numNeurons, sl.neurons.size());
    EXPECT_EQ(core->neuronIds, sl.neurons);
    // Only slices with targets (a multicast tree) send: the input's.
    bool sends = std::find(s.treeSlices.begin(), s.treeSlices.end(), i) !=
                 s.treeSlices.end();
    EXPECT_EQ(sends, sl.population == 0);
    ASSERT_EQ(core->hasKey, sends);
    if (sends) {
      EXPECT_EQ(core->key, s.keys.slices[i].key);
      EXPECT_EQ(core->mask, s.keys.slices[i].mask);
    }
    const Population &pop = mp.net->populations[sl.population];
    const NeuronParams *np = mp.net->findNeuronSet(pop.neuron);
    ASSERT_EQ(core->hasParams, np != nullptr);
    if (!np) {
      EXPECT_FALSE(core->hasSynapseParams);
      continue;
    }
    NeuronFixedParams want = toFixed(*np, 0.5);
    const NeuronFixedParams &got = core->params;
    EXPECT_EQ(got.vRest, want.vRest);
    EXPECT_EQ(got.vReset, want.vReset);
    EXPECT_EQ(got.vThresh, want.vThresh);
    EXPECT_EQ(got.vInit, want.vInit);
    EXPECT_EQ(got.iOffset, want.iOffset);
    EXPECT_EQ(got.rMembrane, want.rMembrane);
    EXPECT_EQ(got.expTC, want.expTC);
    EXPECT_EQ(got.decayE, want.decayE);
    EXPECT_EQ(got.initE, want.initE);
    EXPECT_EQ(got.decayI, want.decayI);
    EXPECT_EQ(got.initI, want.initI);
    EXPECT_EQ(got.refracTicks, want.refracTicks);
    EXPECT_EQ(got.model, want.model);
    EXPECT_EQ(got.resetSubtract, want.resetSubtract);
    EXPECT_EQ(got.bias, want.bias);
    // Every neuron starts in initialState(params).
    ASSERT_EQ(core->initialState.size(), sl.neurons.size());
    for (const NeuronFixedState &st : core->initialState) {
      EXPECT_EQ(st.v, want.vInit);
      EXPECT_EQ(st.iSynE.bits, 0);
      EXPECT_EQ(st.iSynI.bits, 0);
      EXPECT_EQ(st.refracTimer, 0);
    }
    // 2x2 kernel of 1 nA: at most 4 nA per tick, 4 < 2^3.
    ASSERT_TRUE(core->hasSynapseParams);
    EXPECT_EQ(core->leftShift[0], 3u);
    EXPECT_EQ(core->leftShift[1], 0u);
    // 3 neurons: 2 index bits; delay 1 tick: 1 delay bit.
    EXPECT_EQ(core->indexBits, 2u);
    EXPECT_EQ(core->delayBits, 1u);
    EXPECT_DOUBLE_EQ(toDouble(got.vThresh), -52.0);
    EXPECT_DOUBLE_EQ(toDouble(got.iOffset), 0.25);
  }
  // The conv population has parameters: the test covers them.
  bool anyParams = false;
  for (const ImageCore &c : r->cores())
    anyParams |= c.hasParams;
  EXPECT_TRUE(anyParams);
}

// Every synapse of the network is in exactly one row of the image, with
// its weight in ring-buffer units (1 nA at shift 3: 4096), its delay and
// its type, at the core and local index of its post neuron.
TEST(Image, RowsHoldEverySynapse) {
  Mapped mp;
  ASSERT_TRUE(mp.map()) << mp.h.text();
  llvm::Expected<ImageReader> r = readImage(mp.bytes, "t.scimg");
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  // (pre, post) pairs from the image: the row's key names the source core.
  std::multiset<std::pair<uint32_t, uint32_t>> fromImage;
  for (const ImageCore &c : r->cores())
    for (const PopTableEntry &e : c.popTable) {
      const ImageCore *src = nullptr;
      for (const ImageCore &s : r->cores())
        if (s.hasKey && (e.key & s.mask) == s.key)
          src = &s;
      ASSERT_TRUE(src);
      uint32_t first = e.key & ~src->mask;
      ASSERT_LE(first + e.numRows, src->numNeurons);
      for (uint32_t k = 0; k < e.numRows; ++k)
        for (const ImageSynapse &syn : c.row(e, k)) {
          EXPECT_EQ(syn.weight, 4096u);
          EXPECT_EQ(syn.delay, 1u); // the default delay: one timestep
          EXPECT_EQ(syn.type, 0u);
          EXPECT_FALSE(syn.plastic);
          fromImage.insert(
              {src->neuronIds[first + k], c.neuronIds[syn.target]});
        }
    }
  std::multiset<std::pair<uint32_t, uint32_t>> fromLists;
  const ConnectionList &l = mp.net->connections->lists[0];
  for (uint64_t i = 0; i < l.size(); ++i)
    fromLists.insert({l.pre[i], l.post[i]});
  EXPECT_EQ(fromImage, fromLists);
  EXPECT_EQ(fromLists.size(), 2u * 1 * 3 * 4); // 2 maps x 1x3 outputs x 4 taps
}

TEST(Image, Deterministic) {
  Mapped a, b;
  b.threads = 3;
  ASSERT_TRUE(a.map()) << a.h.text();
  ASSERT_TRUE(b.map()) << b.h.text();
  EXPECT_EQ(a.bytes, b.bytes);
}

TEST(Image, NeedsAMapping) {
  DiagHarness h;
  Network n;
  Machine m = llvm::cantFail(builtinMachine("spinn3"));
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  EXPECT_FALSE(writeImage(n, m, MappingState(), ImageOptions(), h.diag, os));
  EXPECT_NE(h.text().find("needs a mapped network"), std::string::npos)
      << h.text();
}

std::vector<std::vector<uint32_t>> blocks(uint32_t key, uint32_t mask,
                                          std::vector<uint32_t> rowLen) {
  std::vector<PopTableEntry> out;
  splitRowBlocks(key, mask, rowLen, out);
  std::vector<std::vector<uint32_t>> r;
  for (const PopTableEntry &e : out)
    r.push_back({e.key, e.mask, e.rowStride, e.numRows});
  return r;
}

TEST(Image, RowBlocks) {
  using V = std::vector<std::vector<uint32_t>>;
  // Even rows: one entry for the whole slice.
  EXPECT_EQ(blocks(0x100, 0xfffffff8, {4, 4, 4, 4, 4, 4, 4, 4}),
            (V{{0x100, 0xfffffff8, 4, 8}}));
  // A long row and a short one far apart: padding 80 words for 25 used
  // (empty rows count 2) splits; [0,4) pads 40 for 16 and splits again;
  // [0,2) pads 20 for 12: an entry; [2,4) is empty: none; [4,8) pads 12
  // for 9: an entry.
  EXPECT_EQ(blocks(0x100, 0xfffffff8, {10, 0, 0, 0, 0, 0, 0, 3}),
            (V{{0x100, 0xfffffffe, 10, 2}, {0x104, 0xfffffffc, 3, 4}}));
  // A slice smaller than its key space: 5 rows.
  EXPECT_EQ(blocks(0x200, 0xfffffff8, {3, 3, 3, 3, 3}),
            (V{{0x200, 0xfffffff8, 3, 5}}));
  // Two rows never pad more than double what they use: not split.
  EXPECT_EQ(blocks(0x300, 0xfffffffe, {40, 0}),
            (V{{0x300, 0xfffffffe, 40, 2}}));
  // Four rows of 40, 0, 0, 2 words: 160 padded for 46 used splits into
  // [0,2) (80 for 42) and [2,4) (4 for 4).
  EXPECT_EQ(blocks(0x300, 0xfffffffc, {40, 0, 0, 2}),
            (V{{0x300, 0xfffffffe, 40, 2}, {0x302, 0xfffffffe, 2, 2}}));
  EXPECT_EQ(blocks(0x400, 0xfffffffc, {0, 0, 0, 0}), V{});
}

// The SDRAM check uses the real section sizes: a chip with 64 bytes cannot
// hold its cores' data.
TEST(Image, SdramCheck) {
  Mapped mp;
  ASSERT_TRUE(mp.map()) << mp.h.text();
  Machine small = mp.m;
  small.setSDRAMBytes(64);
  llvm::SmallVector<char, 0> buf;
  llvm::raw_svector_ostream os(buf);
  EXPECT_FALSE(
      writeImage(*mp.net, small, mp.cc.mapping, ImageOptions(), mp.h.diag, os));
  EXPECT_NE(mp.h.text().find("error: chip 0,0 needs "), std::string::npos)
      << mp.h.text();
  EXPECT_NE(mp.h.text().find(" bytes of SDRAM for its cores' data, more "
                             "than its 64; "),
            std::string::npos)
      << mp.h.text();
}

TEST(Image, DamagedImages) {
  Mapped mp;
  ASSERT_TRUE(mp.map()) << mp.h.text();
  const std::string good = mp.bytes;
  ASSERT_EQ(errorOf(good), "");
  auto has = [](const std::string &msg, const std::string &part) {
    return msg.find(part) != std::string::npos;
  };

  std::string b = good;
  b[0] = 'X';
  EXPECT_EQ(errorOf(b), "t.scimg: bad magic (not a .scimg load image)");
  EXPECT_TRUE(has(errorOf("SC"), "bad magic"));

  b = good;
  put32(b, 8, 7);
  EXPECT_EQ(
      errorOf(b),
      "t.scimg: unsupported format version 7 (this scnc reads version 3)");

  b = good.substr(0, 100);
  EXPECT_EQ(errorOf(b), "t.scimg: truncated: file has 100 bytes, less than "
                        "the 128-byte header");
  b = good.substr(0, good.size() - 1);
  EXPECT_EQ(errorOf(b), "t.scimg: truncated: header says " +
                            std::to_string(good.size()) + " bytes, file has " +
                            std::to_string(good.size() - 1));
  EXPECT_TRUE(has(errorOf(good + "x"), "trailing data"));

  b = good;
  b[70] ^= 1;
  EXPECT_TRUE(has(errorOf(b), "t.scimg: CRC mismatch in header (stored 0x"));
  b = good;
  b[entryAt(0) + 8] ^= 1; // the table is covered by the header CRC
  EXPECT_TRUE(has(errorOf(b), "CRC mismatch in header"));

  size_t data0 = llvm::support::endian::read64le(good.data() + entryAt(0) + 16);
  b = good;
  b[data0 + 4] ^= 1;
  EXPECT_TRUE(has(errorOf(b), "t.scimg: CRC mismatch in section 0 "
                              "(routing-table 0,0; stored 0x"));

  b = good;
  put64(b, entryAt(1) + 16, good.size());
  put32(b, entryAt(1) + 24, 1);
  fixHeader(b);
  EXPECT_TRUE(has(errorOf(b), "t.scimg: section 1 (routing-table "))
      << errorOf(b);
  EXPECT_TRUE(has(errorOf(b), ") out of bounds: bytes "));
  b = good;
  put64(b, entryAt(1) + 16, 4); // inside the header
  fixHeader(b);
  EXPECT_TRUE(has(errorOf(b), "out of bounds"));

  b = good;
  put32(b, 24, 1u << 30);
  fixHeader(b);
  EXPECT_TRUE(has(errorOf(b), "t.scimg: inconsistent counts: 1073741824 "
                              "sections need a"));
  b = good;
  put32(b, 12, 64);
  fixHeader(b);
  EXPECT_TRUE(has(errorOf(b), "inconsistent counts: header size 64"));

  // A routing table whose entry count disagrees with its size.
  b = good;
  put32(b, data0, get32(good, data0) + 1);
  put32(b, entryAt(0) + 28,
        crcOf(llvm::StringRef(b).substr(data0, get32(good, entryAt(0) + 24))));
  fixHeader(b);
  EXPECT_TRUE(has(errorOf(b), "inconsistent counts: section 0 (routing-table "
                              "0,0) has "))
      << errorOf(b);

  // A core whose system region disagrees with its neuron list.
  unsigned coreSec = unsigned(mp.cc.mapping.compressed.size()) + 1;
  size_t cdata =
      llvm::support::endian::read64le(good.data() + entryAt(coreSec) + 16);
  size_t sysOff = cdata + get32(good, cdata + 8); // region 0 is system
  b = good;
  put32(b, sysOff + 4, get32(good, sysOff + 4) + 1);
  put32(b, entryAt(coreSec) + 28,
        crcOf(llvm::StringRef(b).substr(cdata,
                                        get32(good, entryAt(coreSec) + 24))));
  fixHeader(b);
  EXPECT_TRUE(has(errorOf(b), "inconsistent counts: section " +
                                  std::to_string(coreSec) + " (core "))
      << errorOf(b);
  EXPECT_TRUE(has(errorOf(b), "region neuron-ids: has "));
}

} // namespace

namespace {
/// An APLX table of \p entries {op, a1, a2, a3} followed by \p payload
/// bytes.
std::string aplx(std::vector<std::array<uint32_t, 4>> entries, size_t payload) {
  std::string b;
  for (const auto &e : entries)
    for (uint32_t w : e) {
      char c[4];
      llvm::support::endian::write32le(c, w);
      b.append(c, 4);
    }
  b.append(payload, '\x5a');
  return b;
}

std::string aplxError(const std::string &bytes) {
  ImageProgram p;
  return llvm::toString(decodeAplx(bytes, p));
}
} // namespace

// The loader's table, walked as SC&MP runs it: 64 bytes of table, 16 of
// code copied to ITCM 0, 8 of data to DTCM, a 24-byte fill, EXEC at 4.
TEST(Image, AplxTable) {
  std::string b = aplx({{image::AplxRcopy, 0, 64, 16},
                        {image::AplxRcopy, 0x400000, 64, 8},
                        {image::AplxFill, 0x400008, 24, 0},
                        {image::AplxExec, 4, 0, 0}},
                       24);
  ImageProgram p;
  ASSERT_FALSE(bool(decodeAplx(b, p)));
  EXPECT_EQ(p.itcmBytes, 16u);
  EXPECT_EQ(p.dtcmDataBytes, 8u);
  EXPECT_EQ(p.bssBytes, 24u);
  EXPECT_EQ(p.staticDTCMBytes(), 32u);
  EXPECT_EQ(p.dtcmEnd, 0x400020u);
  EXPECT_EQ(p.entry, 4u);
  EXPECT_EQ(p.aplx.size(), 88u);

  // Entry 1 reads from 16 + 64 = 80: 8 bytes need 88.
  EXPECT_EQ(aplxError(aplx({{image::AplxRcopy, 0, 48, 16},
                            {image::AplxRcopy, 0x400000, 64, 9},
                            {image::AplxExec, 0, 0, 0}},
                           40)),
            "APLX entry 1 copies bytes 80..89 of a 88-byte program");
  // The code must end below the loader at 0x7F00.
  EXPECT_EQ(aplxError(aplx({{image::AplxRcopy, 0x7EF8, 32, 16},
                            {image::AplxExec, 0x7EF8, 0, 0}},
                           16)),
            "APLX entry 0 copies 16 bytes to 0x00007ef8, outside the ITCM "
            "below the loader (0x0000..0x00007f00) and the DTCM");
  EXPECT_EQ(aplxError(aplx({{image::AplxRcopy, 0, 32, 16},
                            {image::AplxFill, 0x40fff0, 32, 0},
                            {image::AplxExec, 0, 0, 0}},
                           16)),
            "APLX entry 1 fills 32 bytes at 0x0040fff0, outside the DTCM");
  // EXEC outside the copied code, or never reached.
  EXPECT_EQ(
      aplxError(aplx(
          {{image::AplxRcopy, 0, 32, 16}, {image::AplxExec, 16, 0, 0}}, 16)),
      "APLX entry 1 starts the core at 0x00000010, which is not in the "
      "code the program copies");
  EXPECT_EQ(aplxError(aplx({{image::AplxRcopy, 0, 16, 0}}, 0)),
            "APLX table runs past the program's 16 bytes without an EXEC "
            "entry");
  EXPECT_EQ(aplxError(aplx({{0xff, 0, 0, 0}}, 0)),
            "APLX entry 0 has operation 255, where the loader stops before "
            "an EXEC entry");
  EXPECT_EQ(aplxError(aplx({{image::AplxAcopy, 0, 0x60000000, 4}}, 0)),
            "APLX entry 0 copies from absolute address 0x60000000: an image's "
            "program must carry all its bytes");
}

// The programs this scnc was built with are valid APLX (or absent without
// an ARM build) whose static DTCM is the resource model's.
TEST(Image, BuiltinPrograms) {
  for (uint32_t k = 0; k < image::NumProgramKinds; ++k) {
    llvm::StringRef b = image::builtinCoreProgram(k);
    if (b.empty())
      continue;
    ImageProgram p;
    ASSERT_FALSE(bool(decodeAplx(b, p))) << image::programKindName(k).str();
    EXPECT_EQ(p.staticDTCMBytes(),
              kernel::resources::programDTCMBytes(k == image::SourceProgram));
    EXPECT_EQ(p.entry, 0u);
  }
}
