//===- DatasetTest.cpp - idx files, gzip, selections ----------------------===//
#include "scnc/Learning/Dataset.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <set>
#include <zlib.h>

using namespace scnc;
using namespace llvm;

namespace {

void put32(std::string &s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    s += char((v >> shift) & 0xff);
}

/// An idx3 file of `n` images of r x c; pixel k of image i is (i*7 + k) % 256.
std::string idx3(uint32_t n, uint32_t r, uint32_t c) {
  std::string s;
  put32(s, 0x803);
  put32(s, n);
  put32(s, r);
  put32(s, c);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t k = 0; k < r * c; ++k)
      s += char((i * 7 + k) % 256);
  return s;
}

std::string idx1(const std::vector<uint8_t> &labels) {
  std::string s;
  put32(s, 0x801);
  put32(s, uint32_t(labels.size()));
  for (uint8_t l : labels)
    s += char(l);
  return s;
}

std::string gzip(StringRef data) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&zs, uLong(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  zs.avail_in = uInt(data.size());
  zs.next_out = reinterpret_cast<Bytef *>(&out[0]);
  zs.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

template <typename T> std::string errorOf(Expected<T> v) {
  EXPECT_FALSE(bool(v));
  return v ? "" : toString(v.takeError());
}

TEST(Idx, ParsesImagesAndLabels) {
  Expected<IdxArray> a = parseIdx(idx3(3, 2, 4), 3, "img");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint32_t>{3, 2, 4}));
  ASSERT_EQ(a->data.size(), 24u);
  EXPECT_EQ(a->data[8], 7); // image 1, pixel 0
  Expected<IdxArray> l = parseIdx(idx1({1, 2, 9}), 1, "lab");
  ASSERT_TRUE(bool(l));
  EXPECT_EQ(l->data, (std::vector<uint8_t>{1, 2, 9}));
}

TEST(Idx, BadMagic) {
  EXPECT_EQ(errorOf(parseIdx(idx1({1}), 3, "train-labels")),
            "'train-labels': bad magic 0x00000801 (an idx1 file of unsigned "
            "bytes: labels?), expected 0x00000803 (idx3 of unsigned bytes: "
            "images)");
  EXPECT_EQ(errorOf(parseIdx("\x89PNG\r\n\x1a\n", 1, "x.png")),
            "'x.png': bad magic 0x89504e47 (not an idx file), expected "
            "0x00000801 (idx1 of unsigned bytes: labels)");
  std::string floats;
  put32(floats, 0x0D03);
  EXPECT_EQ(errorOf(parseIdx(floats, 3, "f")),
            "'f': bad magic 0x00000d03 (an idx3 file of float32), expected "
            "0x00000803 (idx3 of unsigned bytes: images)");
}

TEST(Idx, Truncation) {
  std::string full = idx3(2, 3, 3);
  EXPECT_EQ(errorOf(parseIdx(full.substr(0, 2), 3, "i")),
            "'i': truncated at byte 2 of 16 (the header; expected 0x00000803, "
            "idx3 of unsigned bytes: images)");
  EXPECT_EQ(errorOf(parseIdx(full.substr(0, 10), 3, "i")),
            "'i': truncated at byte 10 of 16 (the header)");
  EXPECT_EQ(errorOf(parseIdx(full.substr(0, 30), 3, "i")),
            "'i': truncated at byte 30 of 34 (2 images of 3 x 3)");
  EXPECT_EQ(errorOf(parseIdx(full + "xy", 3, "i")),
            "'i': 36 bytes, expected 34 (2 images of 3 x 3): 2 trailing bytes");
  std::string labels = idx1({1, 2, 3});
  EXPECT_EQ(errorOf(parseIdx(labels.substr(0, 10), 1, "l")),
            "'l': truncated at byte 10 of 11 (3 labels)");
}

TEST(Idx, ZeroSizedImages) {
  EXPECT_EQ(errorOf(parseIdx(idx3(1, 0, 28), 3, "i")),
            "'i': images of 0 x 28 pixels: rows and columns must be at least "
            "1");
}

TEST(Idx, HugeDeclaredSize) {
  std::string s;
  put32(s, 0x803);
  for (int i = 0; i < 3; ++i)
    put32(s, 0xffffffffu);
  EXPECT_EQ(errorOf(parseIdx(s, 3, "i")),
            "'i': declares 4294967295 images of 4294967295 x 4294967295: too "
            "large");
  std::string big;
  put32(big, 0x803);
  put32(big, 60000);
  put32(big, 28);
  put32(big, 28);
  EXPECT_EQ(errorOf(parseIdx(big, 3, "i")),
            "'i': truncated at byte 16 of 47040016 (60000 images of 28 x 28)");
}

TEST(Gzip, RoundTripAndDamage) {
  std::string data = idx3(5, 4, 4);
  std::string gz = gzip(data);
  Expected<std::string> back = gunzip(gz, "x.gz");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_EQ(*back, data);
  // Two members concatenated, as `cat a.gz b.gz` makes.
  Expected<std::string> two = gunzip(gz + gzip("tail"), "x.gz");
  ASSERT_TRUE(bool(two));
  EXPECT_EQ(*two, data + "tail");
  std::string cut = errorOf(gunzip(StringRef(gz).drop_back(20), "x.gz"));
  EXPECT_NE(cut.find("'x.gz': truncated gzip data"), std::string::npos) << cut;
  std::string bad = gz;
  bad[12] ^= 0x55;
  bad[13] ^= 0x55;
  std::string corrupt = errorOf(gunzip(bad, "x.gz"));
  EXPECT_NE(corrupt.find("'x.gz': "), std::string::npos) << corrupt;
  EXPECT_EQ(errorOf(gunzip(gz + "junk", "x.gz")),
            "'x.gz': 4 bytes of trailing data after the gzip stream");
}

/// A directory with idx files, removed at the end.
class DatasetFiles : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("scnc-dataset-test", dir));
  }
  void TearDown() override { sys::fs::remove_directories(dir); }
  std::string path(StringRef name) const {
    SmallString<256> p(dir);
    sys::path::append(p, name);
    return std::string(p.str());
  }
  void write(StringRef name, StringRef bytes) {
    std::error_code ec;
    raw_fd_ostream os(path(name), ec);
    ASSERT_FALSE(ec);
    os << bytes;
  }
  SmallString<128> dir;
};

/// Labels 0..9 repeated: image i has label i % 10.
std::vector<uint8_t> cyclicLabels(unsigned n) {
  std::vector<uint8_t> l;
  for (unsigned i = 0; i < n; ++i)
    l.push_back(uint8_t(i % 10));
  return l;
}

TEST_F(DatasetFiles, LoadsBothSplitsFromTheirOwnFiles) {
  write("train-images-idx3-ubyte", idx3(50, 3, 2));
  write("train-labels-idx1-ubyte", idx1(cyclicLabels(50)));
  // The test split is gzip-compressed (as Debian's Fashion-MNIST).
  write("t10k-images-idx3-ubyte.gz", gzip(idx3(20, 3, 2)));
  write("t10k-labels-idx1-ubyte.gz", gzip(idx1(cyclicLabels(20))));
  Expected<Dataset> train = loadSplit(dir, Split::Train);
  ASSERT_TRUE(bool(train)) << toString(train.takeError());
  Expected<Dataset> test = loadSplit(dir, Split::Test);
  ASSERT_TRUE(bool(test)) << toString(test.takeError());
  EXPECT_EQ(train->size(), 50u);
  EXPECT_EQ(test->size(), 20u);
  EXPECT_EQ(train->rows, 3u);
  EXPECT_EQ(train->cols, 2u);
  EXPECT_EQ(train->classCounts()[3], 5u);
  EXPECT_EQ(test->classCounts()[9], 2u);
  EXPECT_EQ(sys::path::filename(test->imagesFile), "t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(train->image(2)[0], 14);
}

TEST_F(DatasetFiles, CountMismatchAndBadLabels) {
  write("a", idx3(4, 2, 2));
  write("b", idx1({1, 2, 3}));
  write("c", idx1({1, 2, 12, 3}));
  EXPECT_EQ(errorOf(readIdxPair(path("a"), path("b"))),
            "'" + path("a") + "' has 4 images but '" + path("b") +
                "' has 3 labels");
  EXPECT_EQ(errorOf(readIdxPair(path("a"), path("c"))),
            "'" + path("c") + "': label 12 at index 2: labels must be 0 to 9");
  EXPECT_EQ(errorOf(readIdxPair(path("missing"), path("c"))),
            "'" + path("missing") +
                "': cannot read: No such file or "
                "directory");
}

TEST_F(DatasetFiles, MissingFilesSayHowToFetch) {
  EXPECT_EQ(errorOf(loadSplit(std::string(dir), Split::Test)),
            "'" + std::string(dir) +
                "': no t10k-images-idx3-ubyte (or t10k-images-idx3-ubyte.gz) "
                "in it: fetch MNIST with 'scnc-data fetch --dir " +
                std::string(dir) + "'");
  EXPECT_EQ(errorOf(loadSplit(path("nope"), Split::Train)),
            "'" + path("nope") + "': no such directory");
}

Dataset syntheticSet(unsigned n) {
  Dataset d;
  d.rows = d.cols = 1;
  for (unsigned i = 0; i < n; ++i) {
    d.pixels.push_back(uint8_t(i));
    d.labels.push_back(uint8_t(i % 10));
    d.fileIndex.push_back(i);
  }
  d.labelsFile = "labels";
  return d;
}

TEST(Selection, DrawsWithoutReplacementDeterministically) {
  Dataset all = syntheticSet(200); // 20 per class
  Selection sel;
  sel.classes = {0, 1, 7, 8};
  sel.perClass = 20; // every image of these classes
  sel.seed = 5;
  Expected<Dataset> s = selectSubset(all, sel);
  ASSERT_TRUE(bool(s)) << toString(s.takeError());
  ASSERT_EQ(s->size(), 80u);
  std::set<uint32_t> distinct(s->fileIndex.begin(), s->fileIndex.end());
  EXPECT_EQ(distinct.size(), 80u) << "drawn with replacement";
  for (size_t i = 0; i < s->size(); ++i) {
    EXPECT_EQ(s->labels[i], s->fileIndex[i] % 10);
    EXPECT_EQ(s->image(i)[0], uint8_t(s->fileIndex[i]));
  }
  std::array<uint64_t, 10> counts = s->classCounts();
  EXPECT_EQ(counts[0], 20u);
  EXPECT_EQ(counts[7], 20u);
  EXPECT_EQ(counts[2], 0u);

  sel.perClass = 3;
  Expected<Dataset> a = selectSubset(all, sel), b = selectSubset(all, sel);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->fileIndex, b->fileIndex);
  sel.seed = 6;
  Expected<Dataset> c = selectSubset(all, sel);
  ASSERT_TRUE(bool(c));
  EXPECT_NE(a->fileIndex, c->fileIndex);
  // Unshuffled: class by class in the order given.
  sel.shuffle = false;
  sel.classes = {8, 1};
  Expected<Dataset> d = selectSubset(all, sel);
  ASSERT_TRUE(bool(d));
  EXPECT_EQ(d->labels, (std::vector<uint8_t>{8, 8, 8, 1, 1, 1}));
}

TEST(Selection, AllImagesOfUnevenClasses) {
  // 25 images: classes 0-4 have 3, classes 5-9 have 2. kAll takes every
  // image of the chosen classes, which a fixed count per class cannot.
  Dataset all = syntheticSet(25);
  Selection sel;
  sel.classes = {4, 5};
  sel.perClass = Selection::kAll;
  sel.seed = 3;
  sel.shuffle = false;
  Expected<Dataset> s = selectSubset(all, sel);
  ASSERT_TRUE(bool(s)) << toString(s.takeError());
  EXPECT_EQ(s->labels, (std::vector<uint8_t>{4, 4, 4, 5, 5}));
  std::vector<uint32_t> idx = s->fileIndex;
  std::sort(idx.begin(), idx.begin() + 3);
  std::sort(idx.begin() + 3, idx.end());
  EXPECT_EQ(idx, (std::vector<uint32_t>{4, 14, 24, 5, 15}));
  // Shuffled: the same images, and the same as drawing every image by its
  // count (the partial shuffle run to the end).
  sel.shuffle = true;
  Expected<Dataset> a = selectSubset(all, sel);
  sel.classes = {4};
  sel.perClass = 3;
  Expected<Dataset> b = selectSubset(all, sel);
  sel.perClass = Selection::kAll;
  Expected<Dataset> c = selectSubset(all, sel);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->size(), 5u);
  EXPECT_EQ(b->fileIndex, c->fileIndex);
}

TEST(Selection, EveryImageOfAClassIsEquallyLikely) {
  // 20 images of class 0; draw 1 with 4000 seeds: each about 200 times.
  Dataset all = syntheticSet(200);
  std::vector<unsigned> hits(200, 0);
  Selection sel;
  sel.classes = {0};
  sel.perClass = 1;
  for (uint64_t seed = 0; seed < 4000; ++seed) {
    sel.seed = seed;
    Expected<Dataset> s = selectSubset(all, sel);
    ASSERT_TRUE(bool(s));
    ++hits[s->fileIndex[0]];
  }
  for (unsigned i = 0; i < 200; i += 10) {
    EXPECT_GT(hits[i], 140u) << i; // mean 200, sd 13.8
    EXPECT_LT(hits[i], 260u) << i;
  }
}

TEST(Selection, Errors) {
  Dataset all = syntheticSet(30); // 3 per class
  Selection sel;
  sel.classes = {1, 7};
  sel.perClass = 4;
  EXPECT_EQ(errorOf(selectSubset(all, sel)),
            "'labels': class 1 has 3 images, 4 requested (drawn without "
            "replacement)");
  sel.perClass = 0;
  EXPECT_EQ(errorOf(selectSubset(all, sel)),
            "the number of images per class must be at least 1");
  sel.perClass = 1;
  sel.classes = {1, 10};
  EXPECT_EQ(errorOf(selectSubset(all, sel)),
            "class 10 does not exist: classes are 0 to 9");
  sel.classes = {1, 1};
  EXPECT_EQ(errorOf(selectSubset(all, sel)), "class 1 is named twice");
  sel.classes = {};
  EXPECT_EQ(errorOf(selectSubset(all, sel)), "no classes selected");
}

TEST(Selection, ClassLists) {
  Expected<std::vector<unsigned>> l = parseClassList("0, 1,7,8");
  ASSERT_TRUE(bool(l));
  EXPECT_EQ(*l, (std::vector<unsigned>{0, 1, 7, 8}));
  Expected<std::vector<unsigned>> all = parseClassList("all");
  ASSERT_TRUE(bool(all));
  EXPECT_EQ(all->size(), 10u);
  EXPECT_EQ(errorOf(parseClassList("1,x")),
            "'x' is not a class: classes are 0 to 9");
  EXPECT_EQ(errorOf(parseClassList("3,3")), "class 3 is named twice");
}

TEST(Md5, PinnedSets) {
  ASSERT_GE(knownDatasets().size(), 2u);
  EXPECT_STREQ(knownDatasets()[0].md5[0], "6bbc9ace898e44ae57da46a324031adb");
  EXPECT_STREQ(knownDatasets()[0].md5[2], "2646ac647ad5339dbf082846283269ea");
}

TEST_F(DatasetFiles, Md5OfContentsIgnoresCompression) {
  write("plain", "abc");
  write("packed.gz", gzip("abc"));
  Expected<std::string> a = md5OfContents(path("plain")),
                        b = md5OfContents(path("packed.gz"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(*a, *b);
}

TEST(UniformBelow, CoversTheRange) {
  EXPECT_EQ(uniformBelow(0, 11), 0u);
  EXPECT_EQ(uniformBelow(UINT64_MAX, 11), 10u);
  EXPECT_EQ(uniformBelow(uint64_t(1) << 63, 10), 5u);
}

} // namespace
