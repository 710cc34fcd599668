//===- Parallel.h - Deterministic fork-join helpers -------------*- C++ -*-===//
//
// The two shapes of host parallelism scnc uses. Both only split work: every
// task writes its own results, so outputs never depend on the thread count.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_PARALLEL_H
#define SCNC_SUPPORT_PARALLEL_H

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace scnc {

/// Runs fn(begin, end) over [0, n) split into up to `threads` contiguous
/// chunks of (nearly) equal size, one per thread.
template <typename Fn> void parallelFor(uint64_t n, unsigned threads, Fn fn) {
  threads = unsigned(std::max<uint64_t>(1, std::min<uint64_t>(threads, n)));
  if (threads <= 1) {
    fn(uint64_t(0), n);
    return;
  }
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    uint64_t b = n * t / threads, e = n * (t + 1) / threads;
    pool.emplace_back([=] { fn(b, e); });
  }
  for (std::thread &th : pool)
    th.join();
}

/// Runs fn(i) for i in [0, n) on up to `threads` threads, tasks handed out
/// in order (good for tasks of uneven size).
template <typename Fn> void forEachTask(size_t n, unsigned threads, Fn fn) {
  threads = unsigned(std::min<size_t>(std::max(1u, threads), n));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i)
      fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < n;)
        fn(i);
    });
  for (std::thread &th : pool)
    th.join();
}

} // namespace scnc

#endif
