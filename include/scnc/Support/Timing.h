//===- Timing.h - Wall-clock seconds for progress lines ---------*- C++ -*-===//
#ifndef SCNC_SUPPORT_TIMING_H
#define SCNC_SUPPORT_TIMING_H

#include <chrono>

namespace scnc {

/// Seconds of wall-clock time since \p t0 (a steady_clock reading).
inline double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

} // namespace scnc

#endif
