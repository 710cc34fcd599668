//===- Format.cpp ---------------------------------------------------------===//
#include "scnc/Support/Format.h"

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
