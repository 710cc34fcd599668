//===- Format.h - Small text formatting helpers -----------------*- C++ -*-===//
#ifndef SCNC_SUPPORT_FORMAT_H
#define SCNC_SUPPORT_FORMAT_H

#include <cstdint>
#include <string>

namespace scnc {

/// 1234567 -> "1,234,567"; UINT64_MAX (where counts saturate) -> ">= 2^64".
std::string withCommas(uint64_t v);

/// \p v with \p digits significant digits, as printf's %g (0.00098,
/// 20.25, 1e+06).
std::string formatDouble(double v, int digits = 6);

} // namespace scnc

#endif
