//===- NpyTest.cpp - .npy and CSV arrays ----------------------------------===//
#include "scnc/Support/Npy.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/EndianStream.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace scnc;
using namespace llvm;

namespace {

/// A .npy file: magic, version, header length, `dict` padded with spaces so
/// that the data starts at a multiple of 64, '\n', then `data`.
std::string npy(StringRef dict, StringRef data, unsigned major = 1) {
  size_t preamble = major == 1 ? 10 : 12;
  std::string header = dict.str();
  header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string s = "\x93NUMPY";
  s += char(major);
  s += char(0);
  raw_string_ostream os(s);
  if (major == 1)
    support::endian::write<uint16_t>(os, uint16_t(header.size()),
                                     support::little);
  else
    support::endian::write<uint32_t>(os, uint32_t(header.size()),
                                     support::little);
  os << header << data;
  return os.str();
}

/// `values` as raw bytes of type T in the given byte order.
template <typename T>
std::string raw(std::initializer_list<T> values,
                support::endianness e = support::little) {
  std::string s;
  raw_string_ostream os(s);
  for (T v : values)
    support::endian::write<T>(os, v, e);
  return os.str();
}

std::string dict(StringRef descr, StringRef shape, bool fortran = false) {
  return ("{'descr': '" + descr + "', 'fortran_order': " +
          (fortran ? "True" : "False") + ", 'shape': " + shape + ", }")
      .str();
}

/// The error message of a parse that must fail ("" if it succeeded).
std::string parseError(StringRef bytes) {
  Expected<NumArray> a = parseNpy(bytes, "w.npy");
  if (a)
    return "";
  return toString(a.takeError());
}

#define EXPECT_HAS(text, part)                                                 \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

TEST(NpyTest, Float64TwoByThree) {
  std::string b =
      npy(dict("<f8", "(2, 3)"), raw<double>({1.5, -2, 3, 4.25, 5, 1e300}));
  Expected<NumArray> a = parseNpy(b, "w.npy");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a->rows(), 2u);
  EXPECT_EQ(a->cols(), 3u);
  EXPECT_EQ(a->data, (std::vector<double>{1.5, -2, 3, 4.25, 5, 1e300}));
}

TEST(NpyTest, OtherDtypes) {
  {
    Expected<NumArray> a =
        parseNpy(npy(dict("<f4", "(3,)"), raw<float>({0.5f, -1, 0.1f})), "f");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->shape, (std::vector<uint64_t>{3}));
    EXPECT_EQ(a->data, (std::vector<double>{0.5, -1, double(0.1f)}));
  }
  {
    Expected<NumArray> a = parseNpy(
        npy(dict("<i4", "(2, 2)"), raw<int32_t>({-7, 0, 2147483647, -1})), "i");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->data, (std::vector<double>{-7, 0, 2147483647, -1}));
  }
  {
    Expected<NumArray> a =
        parseNpy(npy(dict("|u1", "(4,)"), raw<uint8_t>({0, 1, 128, 255})), "u");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->data, (std::vector<double>{0, 1, 128, 255}));
  }
  {
    // Big-endian float64.
    Expected<NumArray> a =
        parseNpy(npy(dict(">f8", "(1, 3)"),
                     raw<double>({1.25, -3, 1e-10}, support::big)),
                 "b");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->shape, (std::vector<uint64_t>{1, 3}));
    EXPECT_EQ(a->data, (std::vector<double>{1.25, -3, 1e-10}));
  }
  {
    Expected<NumArray> a = parseNpy(
        npy(dict(">i2", "(2,)"), raw<int16_t>({-2, 300}, support::big)), "b");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->data, (std::vector<double>{-2, 300}));
  }
  {
    Expected<NumArray> a =
        parseNpy(npy(dict("<u8", "(1,)"), raw<uint64_t>({1ull << 40})), "u8");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->data, (std::vector<double>{double(1ull << 40)}));
  }
}

TEST(NpyTest, FortranOrderIsReorderedToCOrder) {
  // [[1, 2, 3], [4, 5, 6]] stored column by column.
  Expected<NumArray> a = parseNpy(
      npy(dict("<f8", "(2, 3)", true), raw<double>({1, 4, 2, 5, 3, 6})), "f");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a->data, (std::vector<double>{1, 2, 3, 4, 5, 6}));

  // Three dimensions: element (i, j, k) = 100i + 10j + k, first index
  // fastest in the file.
  std::string data;
  raw_string_ostream os(data);
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i)
        support::endian::write<int32_t>(os, 100 * i + 10 * j + k,
                                        support::little);
  Expected<NumArray> b =
      parseNpy(npy(dict("<i4", "(2, 3, 4)", true), os.str()), "f3");
  ASSERT_TRUE(bool(b)) << toString(b.takeError());
  ASSERT_EQ(b->data.size(), 24u);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        EXPECT_EQ(b->data[(i * 3 + j) * 4 + k], 100 * i + 10 * j + k);

  // One dimension: nothing to reorder.
  Expected<NumArray> c =
      parseNpy(npy(dict("<f8", "(3,)", true), raw<double>({7, 8, 9})), "f1");
  ASSERT_TRUE(bool(c)) << toString(c.takeError());
  EXPECT_EQ(c->data, (std::vector<double>{7, 8, 9}));
}

TEST(NpyTest, Version2Header) {
  std::string b = npy(dict("<f8", "(2, 2)"), raw<double>({1, 2, 3, 4}), 2);
  EXPECT_EQ(b[6], 2);
  EXPECT_EQ((b.size() - 4 * 8) % 64, 0u);
  Expected<NumArray> a = parseNpy(b, "v2");
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(a->data, (std::vector<double>{1, 2, 3, 4}));
  // 3.0 has the same layout.
  Expected<NumArray> c =
      parseNpy(npy(dict("<f8", "(1,)"), raw<double>({5}), 3), "v3");
  ASSERT_TRUE(bool(c)) << toString(c.takeError());
  EXPECT_EQ(c->data, (std::vector<double>{5}));
}

TEST(NpyTest, ScalarAndEmptyShapes) {
  Expected<NumArray> s =
      parseNpy(npy(dict("<f8", "()"), raw<double>({3})), "s");
  ASSERT_TRUE(bool(s)) << toString(s.takeError());
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(s->data, (std::vector<double>{3}));
  Expected<NumArray> e = parseNpy(npy(dict("<f8", "(0, 4)"), ""), "e");
  ASSERT_TRUE(bool(e)) << toString(e.takeError());
  EXPECT_EQ(e->shape, (std::vector<uint64_t>{0, 4}));
  EXPECT_TRUE(e->data.empty());
}

TEST(NpyTest, Errors) {
  std::string good =
      npy(dict("<f8", "(2, 3)"), raw<double>({1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(parseError(good), "");

  // Magic.
  EXPECT_EQ(parseError("PK\x03\x04 this is a zip file"),
            "'w.npy': not a .npy file (bad magic)");
  std::string badMagic = good;
  badMagic[1] = 'M';
  EXPECT_HAS(parseError(badMagic), "bad magic");
  EXPECT_HAS(parseError(""), "bad magic");

  // Header cut short: the length says more than there is.
  EXPECT_HAS(parseError(good.substr(0, 40)), "truncated .npy header");
  EXPECT_HAS(parseError(npy(dict("<f8", "(1,)"), "", 2).substr(0, 11)),
             "truncated .npy header");

  // Data cut short and data left over.
  EXPECT_HAS(parseError(good.substr(0, good.size() - 8)),
             "truncated data: shape (2, 3) of '<f8' needs 48 bytes, the file "
             "has 40");
  EXPECT_HAS(parseError(good + "xyz"), "3 bytes of trailing data");

  // Unsupported dtypes.
  EXPECT_HAS(parseError(npy(dict("<c16", "(1,)"), std::string(16, '\0'))),
             "unsupported dtype '<c16'");
  EXPECT_HAS(parseError(npy(dict("|S3", "(2,)"), "abcdef")),
             "unsupported dtype '|S3'");
  EXPECT_HAS(parseError(npy(dict("<f2", "(1,)"), "ab")),
             "unsupported dtype '<f2'");
  EXPECT_HAS(parseError(npy(dict("<U", "(1,)"), "")), "unsupported dtype");

  // Malformed shapes and headers.
  EXPECT_HAS(parseError(npy(dict("<f8", "(2, x)"), "")),
             "malformed .npy shape '(2, x)'");
  EXPECT_HAS(parseError(npy(dict("<f8", "(-1,)"), "")), "malformed .npy shape");
  EXPECT_HAS(
      parseError(npy("{'descr': '<f8', 'shape': (1,), }", raw<double>({1}))),
      "malformed .npy header");
  EXPECT_HAS(parseError(npy(
                 "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }",
                 raw<double>({1}))),
             "fortran_order");

  // Unknown format version.
  std::string v9 = good;
  v9[6] = 9;
  EXPECT_HAS(parseError(v9), "unsupported .npy format version 9");
}

TEST(NpyTest, ShapeMustBeATuple) {
  // numpy always writes a tuple; a bare number is not a shape.
  EXPECT_HAS(parseError(npy(dict("<f8", "6"), raw<double>({1, 2, 3, 4, 5, 6}))),
             "malformed .npy shape");
}

TEST(NpyTest, CheckFinite) {
  NumArray a;
  a.shape = {2, 2};
  a.data = {1, 2, 3, 4};
  EXPECT_FALSE(bool(checkFinite(a, "w.npy")));
  a.data[2] = std::numeric_limits<double>::quiet_NaN();
  Error e = checkFinite(a, "w.npy");
  ASSERT_TRUE(bool(e));
  EXPECT_EQ(toString(std::move(e)), "'w.npy': NaN value at flat index 2");
  a.data[2] = 0;
  a.data[3] = -std::numeric_limits<double>::infinity();
  Error f = checkFinite(a, "w.npy");
  ASSERT_TRUE(bool(f));
  EXPECT_EQ(toString(std::move(f)), "'w.npy': infinite value at flat index 3");
  // The first offending entry is named.
  a.data[1] = std::numeric_limits<double>::infinity();
  Error g = checkFinite(a, "w.npy");
  ASSERT_TRUE(bool(g));
  EXPECT_HAS(toString(std::move(g)), "flat index 1");
}

TEST(NpyTest, WrittenHeadersParseBack) {
  const std::vector<std::vector<uint64_t>> shapes = {
      {2, 3}, {5}, {}, {0, 4}, {100000, 4}, {1, 1}, {3, 4, 5}};
  for (const std::vector<uint64_t> &shape : shapes) {
    std::string text;
    raw_string_ostream os(text);
    writeNpyHeader(os, "<f8", shape);
    os.flush();
    SCOPED_TRACE(text);
    // Preamble + dict + '\n' is a multiple of 64 bytes.
    ASSERT_GE(text.size(), 10u);
    EXPECT_EQ(text.size() % 64, 0u);
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    size_t len = uint8_t(text[8]) | size_t(uint8_t(text[9])) << 8;
    EXPECT_EQ(len + 10, text.size());
    uint64_t count = 1;
    for (uint64_t d : shape)
      count *= d;
    std::string data;
    raw_string_ostream ds(data);
    for (uint64_t i = 0; i < count; ++i)
      support::endian::write<double>(ds, double(i) * 0.5, support::little);
    Expected<NumArray> a = parseNpy(text + ds.str(), "out.npy");
    ASSERT_TRUE(bool(a)) << toString(a.takeError());
    EXPECT_EQ(a->shape, shape);
    ASSERT_EQ(a->data.size(), count);
    for (uint64_t i = 0; i < count; i += 997)
      EXPECT_EQ(a->data[i], double(i) * 0.5);
  }
  // A one-dimensional shape is written as a tuple: (5,).
  std::string text;
  raw_string_ostream os(text);
  writeNpyHeader(os, "<f4", {5});
  EXPECT_HAS(os.str(), "'descr': '<f4', 'fortran_order': False, 'shape': (5,)");
}

/// A temporary file removed at the end of the test.
class TempFile {
public:
  TempFile(StringRef suffix, StringRef contents) {
    int fd;
    EXPECT_FALSE(
        sys::fs::createTemporaryFile("scnc-npy-test", suffix, fd, path));
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << contents;
  }
  ~TempFile() { sys::fs::remove(path); }
  std::string str() const { return std::string(path.str()); }

private:
  SmallString<128> path;
};

std::string csvError(StringRef text, std::string *path = nullptr) {
  TempFile f("csv", text);
  if (path)
    *path = f.str();
  Expected<NumArray> a = readCsv(f.str());
  if (a)
    return "";
  return toString(a.takeError());
}

TEST(CsvTest, HeaderCommentsAndBlankLines) {
  TempFile f("csv", "pre, post, weight\n"
                    "# a comment\n"
                    "0, 1, 0.5\n"
                    "\n"
                    "  2,3,1e-3  \n"
                    "# another\n"
                    "4,5,-2\n");
  Expected<NumArray> a = readCsv(f.str());
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{3, 3}));
  EXPECT_EQ(a->data, (std::vector<double>{0, 1, 0.5, 2, 3, 1e-3, 4, 5, -2}));
  // readArrayFile goes by the extension: .csv is CSV.
  Expected<NumArray> b = readArrayFile(f.str());
  ASSERT_TRUE(bool(b)) << toString(b.takeError());
  EXPECT_EQ(b->data, a->data);
}

TEST(CsvTest, CrlfLineEndings) {
  TempFile f("csv", "a,b\r\n1,2\r\n3,4\r\n");
  Expected<NumArray> a = readCsv(f.str());
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(a->data, (std::vector<double>{1, 2, 3, 4}));
}

TEST(CsvTest, RaggedRows) {
  std::string path;
  std::string e = csvError("pre,post\n0,1\n# c\n2\n", &path);
  EXPECT_EQ(e, "'" + path + "': line 4: 1 columns, expected 2");
  EXPECT_HAS(csvError("1,2,3\n4,5,6,7\n"), "line 2: 4 columns, expected 3");
}

TEST(CsvTest, NonNumericCell) {
  std::string path;
  std::string e = csvError("0,1,0.5\n1,two,0.5\n", &path);
  EXPECT_EQ(e, "'" + path + "': line 2: not a number list: '1,two,0.5'");
  // A header is only allowed before the first row of numbers.
  EXPECT_HAS(csvError("x,y\n1,2\nx,y\n"), "line 3: not a number list");
}

TEST(CsvTest, MissingFile) {
  Expected<NumArray> a = readCsv("/nonexistent/dir/w.csv");
  ASSERT_FALSE(bool(a));
  EXPECT_HAS(toString(a.takeError()), "'/nonexistent/dir/w.csv': cannot read");
}

TEST(NpyTest, ReadArrayFileByExtension) {
  std::string text;
  raw_string_ostream os(text);
  writeNpyHeader(os, "<f8", {2, 2});
  for (double v : {1.0, 2.0, 3.0, 4.0})
    support::endian::write<double>(os, v, support::little);
  TempFile f("npy", os.str());
  Expected<NumArray> a = readArrayFile(f.str());
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 2}));
  EXPECT_EQ(a->data, (std::vector<double>{1, 2, 3, 4}));
  Expected<NumArray> b = readNpy(f.str());
  ASSERT_TRUE(bool(b)) << toString(b.takeError());
  EXPECT_EQ(b->data, a->data);
}

} // namespace
