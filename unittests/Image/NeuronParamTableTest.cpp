//===- NeuronParamTableTest.cpp - A core's distinct parameter sets --------===//
//
// buildNeuronParamTable: the sets of a core whose neurons have their own
// parameters, in order of first appearance, and each neuron's index; the
// words encodeNeuronParams writes.
//
//===----------------------------------------------------------------------===//
#include "scnc/Image/Image.h"
#include "gtest/gtest.h"

using namespace scnc;
using namespace scnc::image;

namespace {
NeuronFixedParams nir(int32_t threshBits, int32_t biasBits) {
  NeuronFixedParams p;
  p.model = NeuronModelLif;
  p.vThresh = Accum::fromBits(threshBits);
  p.bias = Accum::fromBits(biasBits);
  return p;
}
} // namespace

TEST(NeuronParamTable, DistinctSetsInFirstSeenOrder) {
  NeuronFixedParams a = nir(32768, 0), b = nir(65536, 0), c = nir(32768, 7);
  NeuronParamTable t = buildNeuronParamTable({b, a, b, c, a, c, b});
  ASSERT_EQ(t.sets.size(), 3u);
  EXPECT_EQ(t.sets[0].vThresh.bits, 65536);
  EXPECT_EQ(t.sets[1].vThresh.bits, 32768);
  EXPECT_EQ(t.sets[1].bias.bits, 0);
  EXPECT_EQ(t.sets[2].bias.bits, 7);
  EXPECT_EQ(t.index, (std::vector<uint16_t>{0, 1, 0, 2, 1, 2, 0}));
  // One set when every neuron has the same bits.
  NeuronParamTable one = buildNeuronParamTable({a, a, a});
  EXPECT_EQ(one.sets.size(), 1u);
  EXPECT_EQ(one.index, (std::vector<uint16_t>{0, 0, 0}));
}

TEST(NeuronParamTable, Words) {
  // 16 words for a NIR model: v_thresh is word 2, model 12, flags 13, bias
  // 14; IF_curr_exp keeps its 12.
  NeuronFixedParams p = nir(-98304, 5);
  p.resetSubtract = 1;
  std::string w = encodeNeuronParams(p);
  ASSERT_EQ(w.size(), 64u);
  auto word = [&](unsigned i) {
    return uint32_t(uint8_t(w[4 * i])) | uint32_t(uint8_t(w[4 * i + 1])) << 8 |
           uint32_t(uint8_t(w[4 * i + 2])) << 16 |
           uint32_t(uint8_t(w[4 * i + 3])) << 24;
  };
  EXPECT_EQ(word(2), uint32_t(-98304));
  EXPECT_EQ(word(12), uint32_t(NeuronModelLif));
  EXPECT_EQ(word(13), 1u);
  EXPECT_EQ(word(14), 5u);
  EXPECT_EQ(word(15), 0u);
  NeuronFixedParams ice;
  EXPECT_EQ(encodeNeuronParams(ice).size(), 48u);
}

#include "PipelineHelpers.h"
#include "TestHelpers.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/Machine/Machine.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"

namespace {
// Four IF neurons per core; thresholds 1, 2, 1, 3, 2, 2 mV: the first
// core's neurons have three distinct sets, the second's one.
constexpr const char *kPerNeuron = R"(
simulation { neurons_per_core = 4; }
neuron n : IF { v_reset = 0 mV; v_init = 0 mV;
  v_thresh = dense(shape = 6, data = "3f800000400000003f800000404000004000000040000000"); }
network pn {
  input i { shape = 1 x 1 x 2; }
  dense d(i) { units = 6; weights = 1 nA; neuron = n; }
}
)";
} // namespace

TEST(NeuronParamTable, InTheImage) {
  test::DiagHarness h;
  llvm::Optional<Network> net = parseNetwork(h.add(kPerNeuron), h.diag);
  ASSERT_TRUE(net) << h.text();
  CompilationContext cc;
  Machine m = llvm::cantFail(builtinMachine("spinn3"));
  std::string bytes;
  CompileOptions o;
  o.passes.partitioner = PartitionerKind::Slices;
  ASSERT_TRUE(test::compileFor(h, *net, cc, m, "spinn3", o, &bytes))
      << h.text();
  llvm::Expected<ImageReader> r = readImage(bytes, "t.scimg");
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  std::vector<const ImageCore *> cores;
  for (const ImageCore &c : r->cores())
    if (!c.isInput())
      cores.push_back(&c);
  ASSERT_EQ(cores.size(), 2u);
  // Neurons 0-3: thresholds 1, 2, 1, 3 mV -> sets {1, 2, 3}, index 0 1 0 2.
  const ImageCore &a = *cores[0];
  ASSERT_EQ(a.paramSets.size(), 3u);
  EXPECT_EQ(a.paramSets[0].vThresh, Accum::fromInt(1));
  EXPECT_EQ(a.paramSets[1].vThresh, Accum::fromInt(2));
  EXPECT_EQ(a.paramSets[2].vThresh, Accum::fromInt(3));
  EXPECT_EQ(a.paramIndex, (std::vector<uint16_t>{0, 1, 0, 2}));
  EXPECT_EQ(a.paramsOf(3).vThresh, Accum::fromInt(3));
  // The reader's checks: an index past the sets, sets of two models.
  const ImageSection *sec = nullptr;
  for (const ImageSection &x : r->sections())
    if (x.type == image::CoreSection && x.core == a.core && x.x == a.x &&
        x.y == a.y)
      sec = &x;
  ASSERT_TRUE(sec);
  auto region = [&](uint32_t id) -> size_t {
    const char *c = bytes.data() + sec->offset;
    uint32_t n = llvm::support::endian::read32le(c);
    for (uint32_t k = 0; k < n; ++k)
      if (llvm::support::endian::read32le(c + 4 + 12 * k) == id)
        return sec->offset + llvm::support::endian::read32le(c + 8 + 12 * k);
    return 0;
  };
  size_t idx = region(image::NeuronParamIndexRegion),
         par = region(image::NeuronParamsRegion);
  ASSERT_NE(idx, 0u);
  ASSERT_NE(par, 0u);
  auto damaged = [&](size_t at, uint32_t word) {
    std::string d = bytes;
    llvm::support::endian::write32le(&d[at], word);
    llvm::StringRef data = llvm::StringRef(d).substr(sec->offset, sec->size);
    uint32_t crc = llvm::crc32(llvm::ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(data.data()), data.size()));
    // The section's table entry: its CRC, then the header's CRC.
    for (uint32_t e = 0; e < llvm::support::endian::read32le(&d[24]); ++e) {
      size_t entry = image::kHeaderSize + image::kSectionEntrySize * e;
      if (llvm::support::endian::read64le(&d[entry + 16]) == sec->offset)
        llvm::support::endian::write32le(&d[entry + 28], crc);
    }
    size_t end =
        image::kHeaderSize +
        image::kSectionEntrySize * llvm::support::endian::read32le(&d[24]);
    std::string covered = d.substr(0, 124) + d.substr(128, end - 128);
    llvm::support::endian::write32le(
        &d[124], llvm::crc32(llvm::ArrayRef<uint8_t>(
                     reinterpret_cast<const uint8_t *>(covered.data()),
                     covered.size())));
    llvm::Expected<ImageReader> bad = readImage(d, "t.scimg");
    return bad ? std::string() : llvm::toString(bad.takeError());
  };
  EXPECT_NE(damaged(idx, 7).find("region neuron-param-index: neuron 0 uses "
                                 "parameter set 7 of 3"),
            std::string::npos)
      << damaged(idx, 7);
  EXPECT_NE(damaged(par + 64 + 48, NeuronModelLif)
                .find("set 1 has neuron model 2, set 0 1 (a core runs one "
                      "model)"),
            std::string::npos)
      << damaged(par + 64 + 48, NeuronModelLif);
  // Neurons 4-5: both 2 mV: one set, no index (a core without arrays).
  const ImageCore &b = *cores[1];
  EXPECT_TRUE(b.paramSets.empty());
  EXPECT_TRUE(b.paramIndex.empty());
  EXPECT_EQ(b.params.vThresh, Accum::fromInt(2));
}
