//===- ImageInternal.h - Shared by the image writer and reader -*- C++ -*-===//
#ifndef SCNC_LIB_IMAGE_IMAGEINTERNAL_H
#define SCNC_LIB_IMAGE_IMAGEINTERNAL_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include <cstdint>
#include <string>

namespace scnc {
namespace image {

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

/// Whether a machine name fits its header field (NUL-terminated).
inline bool machineNameFits(llvm::StringRef name) {
  return name.size() < LenMachine;
}

/// Little-endian byte buffer.
struct Buf {
  std::string b;
  void u16(uint16_t v) {
    char c[2];
    llvm::support::endian::write16le(c, v);
    b.append(c, 2);
  }
  void u32(uint32_t v) {
    char c[4];
    llvm::support::endian::write32le(c, v);
    b.append(c, 4);
  }
  void u64(uint64_t v) {
    char c[8];
    llvm::support::endian::write64le(c, v);
    b.append(c, 8);
  }
  void str(llvm::StringRef s, size_t len) {
    std::string f = s.substr(0, len - 1).str();
    f.resize(len, '\0');
    b += f;
  }
  void put32(size_t at, uint32_t v) {
    llvm::support::endian::write32le(&b[at], v);
  }
};

inline uint32_t crcOf(llvm::StringRef s) {
  return llvm::crc32(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(s.data()), s.size()));
}

inline uint16_t rd16(llvm::StringRef b, uint64_t at) {
  return llvm::support::endian::read16le(b.data() + at);
}
inline uint32_t rd32(llvm::StringRef b, uint64_t at) {
  return llvm::support::endian::read32le(b.data() + at);
}
inline uint64_t rd64(llvm::StringRef b, uint64_t at) {
  return llvm::support::endian::read64le(b.data() + at);
}

} // namespace image
} // namespace scnc

#endif
