//===- Random.h - Seeded, portable, parallel random numbers -----*- C++ -*-===//
//
// std::normal_distribution is implementation-defined, so weights drawn with
// it could differ between standard libraries. NormalStream fixes the method
// and makes every draw addressable: draw i takes the 2i-th and (2i+1)-th
// outputs of splitmix64 started at the seed (Steele et al. 2014), turns them
// into two 53-bit uniforms in (0, 1], and applies the cosine branch of the
// Box-Muller transform. Any element can be computed on its own, so weight
// tables fill in parallel with the same values for any thread count.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_SUPPORT_RANDOM_H
#define SCNC_SUPPORT_RANDOM_H

#include <cmath>
#include <cstdint>

namespace scnc {

/// Output k (0-based) of the splitmix64 generator seeded with `seed`.
inline uint64_t splitmix64(uint64_t seed, uint64_t k) {
  uint64_t z = seed + (k + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// A uniform double in (0, 1] from 53 random bits.
inline double unitInterval(uint64_t bits) {
  return double((bits >> 11) + 1) * 0x1.0p-53;
}

class NormalStream {
public:
  NormalStream(uint64_t seed, double mean, double sigma)
      : seed(seed), mean(mean), sigma(sigma) {}

  /// Draw number i of the stream.
  double at(uint64_t i) const {
    double u1 = unitInterval(splitmix64(seed, 2 * i));
    double u2 = unitInterval(splitmix64(seed, 2 * i + 1));
    return mean +
           sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

private:
  uint64_t seed;
  double mean, sigma;
};

} // namespace scnc

#endif
