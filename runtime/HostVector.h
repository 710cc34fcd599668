//===- HostVector.h - x86 vector intrinsics for the emulator's host paths -===//
//
// Included first by the files with AVX2/AVX-512 code (HostTick.cpp,
// HostRows.cpp): SCNC_HOST_AVX2 is defined where the compiler can build
// such code (x86-64, GCC or Clang), each function choosing its instruction
// set with SCNC_TARGET_AVX2 / SCNC_TARGET_AVX512 and the caller the
// host's best at run time.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_HOSTVECTOR_H
#define SCNC_RUNTIME_HOSTVECTOR_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCNC_HOST_AVX2 1
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 intrinsics start some results from
// _mm512_undefined_epi32(), a self-initialised variable, which
// -Wmaybe-uninitialized reports once they are inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define SCNC_TARGET_AVX2 __attribute__((target("avx2")))
#define SCNC_TARGET_AVX512                                                     \
  __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512dq")))
#endif

#endif
