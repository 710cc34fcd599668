//===- Random.h - Seeded, portable random numbers ---------------*- C++ -*-===//
//
// std::normal_distribution is implementation-defined, so weights drawn with
// it could differ between standard libraries. NormalGenerator fixes the
// method: std::mt19937_64 (whose output the standard specifies), 53-bit
// uniforms, and the Box-Muller transform using both values of each pair.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_RANDOM_H
#define SCNC_SUPPORT_RANDOM_H

#include <cmath>
#include <cstdint>
#include <random>

namespace scnc {

class NormalGenerator {
public:
  NormalGenerator(uint64_t seed, double mean, double sigma)
      : engine(seed), mean(mean), sigma(sigma) {}

  /// A uniform double in (0, 1].
  double uniform() { return double((engine() >> 11) + 1) * 0x1.0p-53; }

  double next() {
    if (hasSpare) {
      hasSpare = false;
      return mean + sigma * spare;
    }
    double r = std::sqrt(-2.0 * std::log(uniform()));
    double theta = 2.0 * M_PI * uniform();
    spare = r * std::sin(theta);
    hasSpare = true;
    return mean + sigma * r * std::cos(theta);
  }

private:
  std::mt19937_64 engine;
  double mean, sigma;
  double spare = 0;
  bool hasSpare = false;
};

} // namespace scnc

#endif
