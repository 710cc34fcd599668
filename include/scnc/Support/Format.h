//===- Format.h - Small text formatting helpers -----------------*- C++ -*-===//
#ifndef SCNC_SUPPORT_FORMAT_H
#define SCNC_SUPPORT_FORMAT_H

#include <cstdint>
#include <string>

namespace scnc {

/// 1234567 -> "1,234,567"; UINT64_MAX (where counts saturate) -> ">= 2^64".
std::string withCommas(uint64_t v);

} // namespace scnc

#endif
