//===- Npy.cpp - .npy format version 1.0-3.0 and CSV ----------------------===//
//
// Format: "\x93NUMPY", major, minor, header length (u16 for 1.x, u32 for
// 2.x/3.x, little-endian), an ASCII Python dict literal
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } padded with
// spaces to a multiple of 64 bytes and ended by '\n', then the raw data.
// Written by hand (not xtensor's loader) because users need to be told
// exactly what is wrong with a file: dtype, shape, truncation, values.
//
//===----------------------------------------------------------------------===//
#include "scnc/Support/Npy.h"
#include "scnc/Support/InputFile.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <cmath>
#include <cstring>

using namespace scnc;
using namespace llvm;

static Error npyError(StringRef name, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), "'" + name + "': " + msg);
}

/// Finds the value text after `'key':` in the header dict.
static bool dictValue(StringRef header, StringRef key, StringRef &value) {
  std::string pat = ("'" + key + "'").str();
  size_t k = header.find(pat);
  if (k == StringRef::npos) {
    pat = ("\"" + key + "\"").str();
    k = header.find(pat);
    if (k == StringRef::npos)
      return false;
  }
  StringRef rest = header.drop_front(k + pat.size()).ltrim();
  if (!rest.consume_front(":"))
    return false;
  rest = rest.ltrim();
  if (rest.startswith("(") || rest.startswith("[")) {
    // A tuple (shape) or a list (a structured dtype, kept whole so that
    // the message shows it), up to the matching bracket.
    char open = rest.front(), close = open == '(' ? ')' : ']';
    size_t depth = 0, end = 0;
    for (; end < rest.size(); ++end) {
      if (rest[end] == open)
        ++depth;
      else if (rest[end] == close && --depth == 0)
        break;
    }
    if (end == rest.size())
      return false;
    value = rest.take_front(end + 1);
  } else if (rest.startswith("'") || rest.startswith("\"")) {
    char q = rest.front();
    size_t close = rest.find(q, 1);
    if (close == StringRef::npos)
      return false;
    value = rest.slice(1, close);
  } else {
    value = rest.take_until([](char c) { return c == ',' || c == '}'; }).trim();
  }
  return true;
}

template <typename T> static double as(const uint8_t *raw) {
  T t;
  std::memcpy(&t, raw, sizeof(T));
  return double(t);
}

/// One element in host byte order: float (f), signed (i), unsigned (u).
static double decode(char kind, unsigned size, const uint8_t *raw) {
  switch (size) {
  case 1:
    return kind == 'i' ? as<int8_t>(raw) : as<uint8_t>(raw);
  case 2:
    return kind == 'i' ? as<int16_t>(raw) : as<uint16_t>(raw);
  case 4:
    return kind == 'f'   ? as<float>(raw)
           : kind == 'i' ? as<int32_t>(raw)
                         : as<uint32_t>(raw);
  default:
    return kind == 'f'   ? as<double>(raw)
           : kind == 'i' ? as<int64_t>(raw)
                         : as<uint64_t>(raw);
  }
}

Expected<NumArray> scnc::parseNpy(StringRef bytes, StringRef name) {
  if (bytes.size() < 10 || !bytes.startswith("\x93NUMPY"))
    return npyError(name, "not a .npy file (bad magic)");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated .npy header");
    headerLen = support::endian::read32le(bytes.data() + 8);
    headerStart = 12;
  } else {
    return npyError(name, "unsupported .npy format version " + Twine(major));
  }
  if (headerStart + headerLen > bytes.size())
    return npyError(name, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLen);
  StringRef descr, fortran, shapeText;
  if (!dictValue(header, "descr", descr) ||
      !dictValue(header, "fortran_order", fortran) ||
      !dictValue(header, "shape", shapeText))
    return npyError(name, "malformed .npy header '" + header.trim() + "'");
  // dtype: byte order + kind + size, e.g. '<f8', '|u1'.
  if (descr.size() < 3)
    return npyError(name, "unsupported dtype '" + descr + "'");
  char order = descr[0], kind = descr[1];
  unsigned size = 0;
  if (descr.drop_front(2).getAsInteger(10, size) ||
      !((kind == 'f' && (size == 4 || size == 8)) ||
        ((kind == 'i' || kind == 'u') &&
         (size == 1 || size == 2 || size == 4 || size == 8))) ||
      (order != '<' && order != '>' && order != '|' && order != '=') ||
      (order == '|' && size != 1)) // '|': byte order not applicable
    return npyError(name, "unsupported dtype '" + descr +
                              "' (expected float32/64 or an integer type)");
  bool bigEndian =
      order == '>' || (order == '=' && sys::IsBigEndianHost); // '=': native
  bool isFortran = fortran.trim() == "True";
  if (!isFortran && fortran.trim() != "False")
    return npyError(name,
                    "malformed .npy header: fortran_order '" + fortran + "'");
  NumArray a;
  StringRef dims = shapeText.trim();
  if (!dims.consume_front("(") || !dims.consume_back(")")) // "(...)"
    return npyError(name, "malformed .npy shape '" + shapeText + "'");
  SmallVector<StringRef, 4> parts;
  dims.split(parts, ',', -1, false);
  uint64_t count = 1;
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    if (p.endswith("L"))
      p = p.drop_back();
    uint64_t d;
    if (p.getAsInteger(10, d))
      return npyError(name, "malformed .npy shape '" + shapeText + "'");
    if (d && count > UINT64_MAX / d)
      return npyError(name, "array too large");
    count *= d;
    a.shape.push_back(d);
  }
  size_t dataStart = headerStart + headerLen;
  uint64_t need;
  if (__builtin_mul_overflow(count, uint64_t(size), &need) ||
      need > bytes.size() - dataStart)
    return npyError(name, "truncated data: shape " + shapeText + " of '" +
                              descr + "' needs " + Twine(need) +
                              " bytes, the file has " +
                              Twine(uint64_t(bytes.size() - dataStart)) +
                              " after its header");
  if (need < bytes.size() - dataStart)
    return npyError(name, Twine(uint64_t(bytes.size() - dataStart - need)) +
                              " bytes of trailing data after the array");
  a.data.resize(count);
  const char *p = bytes.data() + dataStart;
  for (uint64_t i = 0; i < count; ++i, p += size) {
    uint8_t raw[8];
    std::memcpy(raw, p, size);
    if (bigEndian != sys::IsBigEndianHost)
      std::reverse(raw, raw + size);
    a.data[i] = decode(kind, size, raw);
  }
  if (isFortran && a.shape.size() > 1) {
    // Reorder to C order.
    std::vector<double> c(count);
    size_t nd = a.shape.size();
    std::vector<uint64_t> idx(nd, 0);
    for (uint64_t f = 0; f < count; ++f) {
      // f is the Fortran linear index of idx; compute the C index.
      uint64_t ci = 0;
      for (size_t d = 0; d < nd; ++d)
        ci = ci * a.shape[d] + idx[d];
      c[ci] = a.data[f];
      for (size_t d = 0; d < nd; ++d) { // first index fastest
        if (++idx[d] < a.shape[d])
          break;
        idx[d] = 0;
      }
    }
    a.data = std::move(c);
  }
  return a;
}

Expected<NumArray> scnc::readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = readInputFile(path);
  if (!buf)
    return npyError(path, "cannot read: " + buf.getError().message());
  return parseNpy((*buf)->getBuffer(), path);
}

Expected<NumArray> scnc::readCsv(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf = readInputFile(path);
  if (!buf)
    return npyError(path, "cannot read: " + buf.getError().message());
  return parseCsv((*buf)->getBuffer(), path);
}

Expected<NumArray> scnc::parseCsv(StringRef text, StringRef path) {
  NumArray a;
  uint64_t cols = 0, rows = 0;
  SmallVector<StringRef, 0> lines;
  text.split(lines, '\n');
  for (size_t li = 0; li < lines.size(); ++li) {
    StringRef line = lines[li].trim();
    if (line.empty() || line.startswith("#"))
      continue;
    SmallVector<StringRef, 8> fields;
    line.split(fields, ',');
    SmallVector<double, 8> vals;
    bool numeric = true;
    for (StringRef f : fields) {
      f = f.trim();
      double v;
      if (f.getAsDouble(v)) {
        numeric = false;
        break;
      }
      vals.push_back(v);
    }
    if (!numeric) {
      // A header line: before the first row, and no cell is a number (a
      // row with one bad cell is an error, not a header).
      if (rows == 0 && cols == 0 && llvm::none_of(fields, [](StringRef f) {
            double v;
            return !f.trim().getAsDouble(v);
          }))
        continue;
      return npyError(path, "line " + Twine(li + 1) + ": not a number list: '" +
                                line + "'");
    }
    if (cols == 0)
      cols = vals.size();
    else if (vals.size() != cols)
      return npyError(path, "line " + Twine(li + 1) + ": " +
                                Twine(vals.size()) + " columns, expected " +
                                Twine(cols));
    a.data.insert(a.data.end(), vals.begin(), vals.end());
    a.lines.push_back(li + 1);
    ++rows;
  }
  a.shape = {rows, cols};
  return a;
}

Expected<NumArray> scnc::readArrayFile(StringRef path) {
  if (sys::path::extension(path).equals_insensitive(".npy"))
    return readNpy(path);
  return readCsv(path);
}

std::string NumArray::rowName(uint64_t r) const {
  if (r < lines.size())
    return "line " + std::to_string(lines[r]);
  return "row " + std::to_string(r);
}

std::string NumArray::entryName(uint64_t i) const {
  uint64_t c = cols();
  if (c && i / c < lines.size())
    return rowName(i / c) + ", column " + std::to_string(i % c + 1);
  std::string idx;
  for (size_t d = shape.size(); d-- > 0;) {
    uint64_t n = shape[d] ? shape[d] : 1;
    idx = std::to_string(i % n) + (idx.empty() ? "" : ", ") + idx;
    i /= n;
  }
  return "index (" + idx + (shape.size() == 1 ? ",)" : ")");
}

Error scnc::checkFinite(const NumArray &a, StringRef path) {
  for (size_t i = 0; i < a.data.size(); ++i)
    if (!std::isfinite(a.data[i]))
      return npyError(path,
                      std::string(std::isnan(a.data[i]) ? "NaN" : "infinite") +
                          " value at " +
                          (a.lines.empty() ? "flat index " + std::to_string(i)
                                           : a.entryName(i)));
  return Error::success();
}

void scnc::writeNpyHeader(raw_ostream &os, StringRef dtype,
                          ArrayRef<uint64_t> shape) {
  std::string dict =
      "{'descr': '" + dtype.str() + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += std::to_string(shape[i]) +
            (shape.size() == 1 || i + 1 < shape.size() ? "," : "") +
            (i + 1 < shape.size() ? " " : "");
  dict += "), }";
  // Pad so that magic(6) + version(2) + len(2) + header is a multiple of 64.
  size_t total = 10 + dict.size() + 1;
  size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  os << "\x93NUMPY" << char(1) << char(0);
  os << char(dict.size() & 0xff) << char(dict.size() >> 8);
  os << dict;
}
