//===- Format.cpp ---------------------------------------------------------===//
#include "scnc/Support/Format.h"
#include <cstdio>

std::string scnc::withCommas(uint64_t v) {
  if (v == UINT64_MAX) // counts saturate there instead of wrapping
    return ">= 2^64";
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::string scnc::formatDouble(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}
