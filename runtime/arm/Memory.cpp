//===- Memory.cpp - The block copies GCC's freestanding code calls --------===//
//
// GCC requires a freestanding program to provide memcpy, memmove, memset
// and memcmp (it emits calls to them for struct copies and clears, e.g.
// `core = NeuronCore()`). These are the core program's; built with
// -fno-tree-loop-distribute-patterns, their loops stay loops.
//
//===----------------------------------------------------------------------===//
#include <cstddef>
#include <cstdint>

extern "C" {

void *memcpy(void *dst, const void *src, size_t n) {
  auto *d = static_cast<uint8_t *>(dst);
  auto *s = static_cast<const uint8_t *>(src);
  if (((uintptr_t(d) | uintptr_t(s) | n) & 3) == 0) {
    auto *dw = reinterpret_cast<uint32_t *>(d);
    auto *sw = reinterpret_cast<const uint32_t *>(s);
    for (size_t i = 0; i < n / 4; ++i)
      dw[i] = sw[i];
    return dst;
  }
  for (size_t i = 0; i < n; ++i)
    d[i] = s[i];
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  auto *d = static_cast<uint8_t *>(dst);
  auto *s = static_cast<const uint8_t *>(src);
  if (d < s)
    for (size_t i = 0; i < n; ++i)
      d[i] = s[i];
  else
    for (size_t i = n; i > 0; --i)
      d[i - 1] = s[i - 1];
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  auto *d = static_cast<uint8_t *>(dst);
  if (((uintptr_t(d) | n) & 3) == 0) {
    uint32_t w = uint8_t(c) * 0x01010101u;
    auto *dw = reinterpret_cast<uint32_t *>(d);
    for (size_t i = 0; i < n / 4; ++i)
      dw[i] = w;
    return dst;
  }
  for (size_t i = 0; i < n; ++i)
    d[i] = uint8_t(c);
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  auto *x = static_cast<const uint8_t *>(a);
  auto *y = static_cast<const uint8_t *>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}
}
