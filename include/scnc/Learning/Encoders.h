//===- Encoders.h - Images to input spike trains ----------------*- C++ -*-===//
//
// Pure functions from an image to one spike train per input neuron (neuron
// c*H*W + y*W + x, as everywhere in the IR), deterministic for a seed: every
// random draw is addressable (splitmix64(seed, k) for a fixed k per neuron
// and tick, scnc/Support/Random.h), so the trains do not depend on the order
// of evaluation or the thread count. docs/training.md defines each code.
//
//   rate     the original's regular code: inter-spike interval
//            int(255/I * factor) ms from a random offset (optionally its
//            noise spike for sub-threshold pixels)
//   poisson  a Bernoulli draw per tick with probability I/255 * max_rate * dt
//   latency  one spike at int((1 - I/255) * t_max) ms, none for I = 0
//   dog      an optional difference-of-Gaussians pre-filter: each channel
//            becomes an on and an off channel
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_LEARNING_ENCODERS_H
#define SCNC_LEARNING_ENCODERS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <utility>
#include <vector>

namespace scnc {

struct Encoding;
struct Simulation;

/// Intensities (0..255, not necessarily whole) of a channels x height x
/// width image, channel-major: values[c*H*W + y*W + x].
struct EncoderImage {
  uint32_t height = 0, width = 0, channels = 1;
  std::vector<double> values;

  size_t numNeurons() const { return values.size(); }
  double at(uint32_t c, uint32_t y, uint32_t x) const {
    return values[(size_t(c) * height + y) * width + x];
  }
  /// A one-channel image from bytes (row-major, as in an idx file).
  static EncoderImage fromBytes(llvm::ArrayRef<uint8_t> pixels, uint32_t height,
                                uint32_t width);
};

/// The spike times (ms) of each input neuron, ascending, no duplicates.
struct SpikeTrains {
  std::vector<std::vector<double>> times;

  size_t numNeurons() const { return times.size(); }
  uint64_t numSpikes() const;
  /// Every spike as (time ms, neuron), sorted by time then neuron: the rows
  /// of an input spike file (docs/runtime.md).
  std::vector<std::pair<double, uint32_t>> rows() const;
  /// Spikes per neuron (the classifier's features).
  std::vector<double> counts() const;
};

/// The original's rate code (docs/training.md). Times are whole ms.
struct RateCode {
  double threshold = 80; ///< pixels below it get no regular train
  double factor = 10;    ///< f: interval int(255 / I * f) ms
  uint32_t maxSpikes = 10;
  double windowMs = 50; ///< spikes fall in [0, window) (noise: [0, window])
  /// The original's defect 7: every sub-threshold pixel (black background
  /// too) fires once at a random time in [0, window]. Off by default.
  bool noiseSpikes = false;

  llvm::Error validate() const;
};

/// The interval int(255 / I * factor) ms of a pixel at or above threshold.
int64_t rateInterval(double intensity, double factor);
/// The original's factor for one training window whose pixels sum to `sum`:
/// min(20, int(6 * sum / divisor)); divisor 2500 for raw images (the
/// original used 2000 after a DoG filter).
double windowRateFactor(double sum, double divisor = 2500);

SpikeTrains encodeRate(const EncoderImage &image, const RateCode &code,
                       uint64_t seed);

/// Bernoulli per tick: a neuron of intensity I fires in tick t (time t*dt,
/// t < window/dt) with probability I/255 * maxRate * dt.
struct PoissonCode {
  double maxRateHz = 100;
  double windowMs = 50;
  double dtMs = 1;

  llvm::Error validate() const;
};
SpikeTrains encodePoisson(const EncoderImage &image, const PoissonCode &code,
                          uint64_t seed);

/// One spike at int((1 - I/255) * t_max) ms; none for I = 0. Deterministic.
struct LatencyCode {
  double tMaxMs = 49;

  llvm::Error validate() const;
};
SpikeTrains encodeLatency(const EncoderImage &image, const LatencyCode &code);

/// scipy.ndimage.gaussian_filter(mode='reflect', truncate) of each channel,
/// with scipy's kernel and order of summation.
EncoderImage gaussianFilter(const EncoderImage &image, double sigma,
                            double truncate = 4.0);

/// Difference of Gaussians: d = (G(surround) - G(centre)) * 100 per input
/// channel; on = max(0, -d), off = max(0, d), each divided by its own maximum
/// over the image, times 255, truncated to a whole number (an all-zero
/// channel stays zero). Channel c becomes channels 2c (on) and 2c+1 (off).
/// The original's filter is the off channel.
struct DogFilter {
  double sigmaCentre = 1.0;
  double sigmaSurround = 1.1;
  double truncate = 4.0;
};
EncoderImage applyDog(const EncoderImage &image, const DogFilter &filter);

/// One encoder with its parameters.
struct EncoderConfig {
  enum class Kind { Rate, Poisson, Latency };
  Kind kind = Kind::Rate;
  RateCode rate;
  PoissonCode poisson;
  LatencyCode latency;
  bool dog = false;
  DogFilter dogFilter;

  llvm::Error validate() const;
};
llvm::StringRef encoderKindName(EncoderConfig::Kind k);

/// The encoder of an input population's `encoding` in the IR, with the
/// simulation's input window and timestep.
llvm::Expected<EncoderConfig> encoderFromIR(const Encoding &enc,
                                            const Simulation &sim);

/// Pre-filter (when `dog`) and encode.
SpikeTrains encode(const EncoderConfig &config, const EncoderImage &image,
                   uint64_t seed);

/// The seed of sample `index` of a data set encoded with `seed`:
/// splitmix64(seed, index), so every sample has its own streams.
uint64_t sampleSeed(uint64_t seed, uint64_t index);

/// Writes the trains as an input spike file: .npy float64 (K, 2) rows (time
/// ms, neuron) sorted by time then neuron (atomically; "-" is stdout).
llvm::Error writeSpikeTrainsNpy(llvm::StringRef path,
                                const SpikeTrains &trains);

} // namespace scnc

#endif
