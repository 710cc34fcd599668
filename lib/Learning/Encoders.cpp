//===- Encoders.cpp - Rate, Poisson and latency codes; DoG filter ---------===//
#include "scnc/Learning/Encoders.h"
#include "scnc/IR/Network.h"
#include "scnc/Learning/Dataset.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Npy.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/Random.h"
#include "llvm/Support/EndianStream.h"
#include <algorithm>
#include <cassert>
#include <cmath>

using namespace scnc;
using namespace llvm;

static Error paramError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

static bool isWhole(double v) { return std::isfinite(v) && v == std::floor(v); }

/// A uniform integer in [0, n] (Python's random.randint(0, n)).
static int64_t randint(uint64_t bits, int64_t n) {
  return int64_t(uniformBelow(bits, uint64_t(n) + 1));
}

EncoderImage EncoderImage::fromBytes(ArrayRef<uint8_t> pixels, uint32_t height,
                                     uint32_t width) {
  assert(pixels.size() == size_t(height) * width);
  EncoderImage img;
  img.height = height;
  img.width = width;
  img.channels = 1;
  img.values.assign(pixels.begin(), pixels.end());
  return img;
}

uint64_t SpikeTrains::numSpikes() const {
  uint64_t n = 0;
  for (const std::vector<double> &t : times)
    n += t.size();
  return n;
}

std::vector<std::pair<double, uint32_t>> SpikeTrains::rows() const {
  std::vector<std::pair<double, uint32_t>> out;
  out.reserve(numSpikes());
  for (size_t n = 0; n < times.size(); ++n)
    for (double t : times[n])
      out.push_back({t, uint32_t(n)});
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<double> SpikeTrains::counts() const {
  std::vector<double> out(times.size());
  for (size_t n = 0; n < times.size(); ++n)
    out[n] = double(times[n].size());
  return out;
}

//===----------------------------------------------------------------------===//
// Rate code
//===----------------------------------------------------------------------===//

Error RateCode::validate() const {
  if (!(threshold >= 0) || !std::isfinite(threshold))
    return paramError("rate code: 'threshold' must be a number >= 0, got " +
                      formatDouble(threshold));
  if (!(factor >= 0) || !std::isfinite(factor))
    return paramError("rate code: 'factor' must be a number >= 0, got " +
                      formatDouble(factor));
  if (maxSpikes < 1)
    return paramError("rate code: 'max_spikes' must be at least 1");
  if (!isWhole(windowMs) || windowMs < 1 || windowMs > 1e9)
    return paramError("rate code: the input window must be a whole number of "
                      "ms >= 1, got " +
                      formatDouble(windowMs) + " ms");
  return Error::success();
}

int64_t scnc::rateInterval(double intensity, double factor) {
  // Python's int(255.0 / intensity * fire_factor): truncation.
  return int64_t(255.0 / intensity * factor);
}

double scnc::windowRateFactor(double sum, double divisor) {
  double f = std::trunc(6.0 * sum / divisor);
  return f > 20 ? 20 : f;
}

SpikeTrains scnc::encodeRate(const EncoderImage &image, const RateCode &code,
                             uint64_t seed) {
  assert(!code.validate() && "invalid rate code");
  int64_t window = int64_t(code.windowMs);
  SpikeTrains out;
  out.times.resize(image.numNeurons());
  for (size_t n = 0; n < image.numNeurons(); ++n) {
    double intensity = image.values[n];
    std::vector<double> &train = out.times[n];
    // One draw per neuron: the offset, or the time of a single spike.
    uint64_t bits = splitmix64(seed, n);
    if (intensity > 0 && intensity >= code.threshold) {
      double interval = 255.0 / intensity * code.factor;
      if (interval >= double(window)) {
        train.push_back(double(randint(bits, window)));
        continue;
      }
      int64_t td = rateInterval(intensity, code.factor);
      int64_t offset = randint(bits, td);
      for (uint32_t i = 0; i < code.maxSpikes; ++i) {
        int64_t z = int64_t(i) * td + offset;
        if (z >= window)
          break;
        // td = 0 (factor 0): the original appended the same time again;
        // a spike source fires at most once per tick.
        if (!train.empty() && train.back() == double(z))
          break;
        train.push_back(double(z));
      }
    } else if (code.noiseSpikes) {
      train.push_back(double(randint(bits, window)));
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Poisson code
//===----------------------------------------------------------------------===//

Error PoissonCode::validate() const {
  if (!(maxRateHz >= 0) || !std::isfinite(maxRateHz))
    return paramError("poisson code: 'max_rate' must be >= 0 Hz, got " +
                      formatDouble(maxRateHz) + " Hz");
  if (!(dtMs > 0) || !std::isfinite(dtMs))
    return paramError("poisson code: the timestep must be > 0 ms, got " +
                      formatDouble(dtMs) + " ms");
  if (!(windowMs > 0) || !std::isfinite(windowMs) || windowMs / dtMs > 1e9)
    return paramError("poisson code: the input window must be > 0 ms, got " +
                      formatDouble(windowMs) + " ms");
  double ticks = windowMs / dtMs;
  if (std::fabs(ticks - std::round(ticks)) > 1e-9 * ticks)
    return paramError("poisson code: the input window (" +
                      formatDouble(windowMs) +
                      " ms) is not a whole number of timesteps (" +
                      formatDouble(dtMs) + " ms)");
  if (maxRateHz * dtMs / 1000.0 > 1)
    return paramError("poisson code: 'max_rate' " + formatDouble(maxRateHz) +
                      " Hz is more than one spike per timestep of " +
                      formatDouble(dtMs) + " ms (at most " +
                      formatDouble(1000.0 / dtMs) + " Hz)");
  return Error::success();
}

SpikeTrains scnc::encodePoisson(const EncoderImage &image,
                                const PoissonCode &code, uint64_t seed) {
  assert(!code.validate() && "invalid poisson code");
  uint64_t ticks = uint64_t(std::llround(code.windowMs / code.dtMs));
  SpikeTrains out;
  out.times.resize(image.numNeurons());
  for (size_t n = 0; n < image.numNeurons(); ++n) {
    double p = image.values[n] / 255.0 * code.maxRateHz * code.dtMs / 1000.0;
    if (p <= 0)
      continue;
    for (uint64_t t = 0; t < ticks; ++t)
      if (unitInterval(splitmix64(seed, n * ticks + t)) <= p)
        out.times[n].push_back(double(t) * code.dtMs);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Latency code
//===----------------------------------------------------------------------===//

Error LatencyCode::validate() const {
  if (!(tMaxMs >= 0) || !std::isfinite(tMaxMs))
    return paramError("latency code: 't_max' must be >= 0 ms, got " +
                      formatDouble(tMaxMs) + " ms");
  return Error::success();
}

SpikeTrains scnc::encodeLatency(const EncoderImage &image,
                                const LatencyCode &code) {
  SpikeTrains out;
  out.times.resize(image.numNeurons());
  for (size_t n = 0; n < image.numNeurons(); ++n) {
    double intensity = image.values[n];
    if (intensity <= 0)
      continue;
    // The original's int((1 - intensity / 255.0) * 49).
    double t = std::trunc((1 - intensity / 255.0) * code.tMaxMs);
    out.times[n].push_back(t < 0 ? 0 : t);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Gaussian and difference-of-Gaussians filters
//===----------------------------------------------------------------------===//

/// numpy's pairwise sum of a short array (n <= 128), in its order.
static double numpySum(ArrayRef<double> a) {
  size_t n = a.size();
  if (n < 8) {
    double res = 0.;
    for (double v : a)
      res += v;
    return res;
  }
  double r[8];
  for (int j = 0; j < 8; ++j)
    r[j] = a[j];
  size_t i = 8;
  for (; i < n - n % 8; i += 8)
    for (int j = 0; j < 8; ++j)
      r[j] += a[i + j];
  double res =
      ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i)
    res += a[i];
  return res;
}

/// scipy's _gaussian_kernel1d(sigma, 0, radius): w[j] for j = 0..radius.
static std::vector<double> gaussianHalfKernel(double sigma, double truncate) {
  int radius = int(truncate * sigma + 0.5);
  std::vector<double> phi;
  double scale = -0.5 / (sigma * sigma);
  for (int x = -radius; x <= radius; ++x)
    phi.push_back(std::exp(scale * double(x * x)));
  double sum = numpySum(phi);
  std::vector<double> half;
  for (int j = 0; j <= radius; ++j)
    half.push_back(phi[radius + j] / sum);
  return half;
}

/// Index i of a line of n samples extended by half-sample reflection
/// (scipy's mode 'reflect': d c b a | a b c d | d c b a).
static int64_t reflectIndex(int64_t i, int64_t n) {
  int64_t period = 2 * n;
  int64_t m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/// scipy's correlate1d for a symmetric kernel: w0*x[i], then the pairs from
/// the outermost inwards.
static void filterLine(const double *in, size_t stride, int64_t n,
                       ArrayRef<double> half, double *out, size_t outStride) {
  int64_t radius = int64_t(half.size()) - 1;
  for (int64_t i = 0; i < n; ++i) {
    double acc = in[i * stride] * half[0];
    for (int64_t j = radius; j >= 1; --j)
      acc += (in[reflectIndex(i - j, n) * stride] +
              in[reflectIndex(i + j, n) * stride]) *
             half[j];
    out[i * outStride] = acc;
  }
}

EncoderImage scnc::gaussianFilter(const EncoderImage &image, double sigma,
                                  double truncate) {
  std::vector<double> half = gaussianHalfKernel(sigma, truncate);
  EncoderImage tmp = image, out = image;
  size_t h = image.height, w = image.width;
  for (uint32_t c = 0; c < image.channels; ++c) {
    const double *src = image.values.data() + c * h * w;
    double *mid = tmp.values.data() + c * h * w;
    double *dst = out.values.data() + c * h * w;
    // Axis 0 (down each column), then axis 1 (along each row), as scipy.
    for (size_t x = 0; x < w; ++x)
      filterLine(src + x, w, int64_t(h), half, mid + x, w);
    for (size_t y = 0; y < h; ++y)
      filterLine(mid + y * w, 1, int64_t(w), half, dst + y * w, 1);
  }
  return out;
}

/// max(0, v) / max * 255 truncated, over one channel.
static void normaliseChannel(double *v, size_t n) {
  double mx = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!(v[i] > 0))
      v[i] = 0;
    mx = std::max(mx, v[i]);
  }
  for (size_t i = 0; i < n; ++i)
    v[i] = mx > 0 ? std::trunc(v[i] / mx * 255) : 0;
}

EncoderImage scnc::applyDog(const EncoderImage &image,
                            const DogFilter &filter) {
  EncoderImage centre =
      gaussianFilter(image, filter.sigmaCentre, filter.truncate);
  EncoderImage surround =
      gaussianFilter(image, filter.sigmaSurround, filter.truncate);
  size_t plane = size_t(image.height) * image.width;
  EncoderImage out;
  out.height = image.height;
  out.width = image.width;
  out.channels = image.channels * 2;
  out.values.resize(plane * out.channels);
  for (uint32_t c = 0; c < image.channels; ++c) {
    double *on = out.values.data() + 2 * c * plane;
    double *off = on + plane;
    const double *gc = centre.values.data() + c * plane;
    const double *gs = surround.values.data() + c * plane;
    for (size_t i = 0; i < plane; ++i) {
      on[i] = (gc[i] - gs[i]) * 100;
      off[i] = (gs[i] - gc[i]) * 100;
    }
    normaliseChannel(on, plane);
    normaliseChannel(off, plane);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Configurations
//===----------------------------------------------------------------------===//

StringRef scnc::encoderKindName(EncoderConfig::Kind k) {
  switch (k) {
  case EncoderConfig::Kind::Rate:
    return "rate";
  case EncoderConfig::Kind::Poisson:
    return "poisson";
  case EncoderConfig::Kind::Latency:
    return "latency";
  }
  return "?";
}

Error EncoderConfig::validate() const {
  if (dog && (!(dogFilter.sigmaCentre > 0) || !(dogFilter.sigmaSurround > 0) ||
              !(dogFilter.truncate > 0)))
    return paramError("dog filter: sigmas and truncate must be > 0");
  switch (kind) {
  case Kind::Rate:
    return rate.validate();
  case Kind::Poisson:
    return poisson.validate();
  case Kind::Latency:
    return latency.validate();
  }
  return Error::success();
}

Expected<EncoderConfig> scnc::encoderFromIR(const Encoding &enc,
                                            const Simulation &sim) {
  EncoderConfig c;
  if (enc.kind == "rate") {
    c.kind = EncoderConfig::Kind::Rate;
    c.rate.threshold = enc.get("threshold");
    c.rate.factor = enc.get("factor");
    double maxSpikes = enc.get("max_spikes");
    if (!isWhole(maxSpikes) || maxSpikes < 1 || maxSpikes > UINT32_MAX)
      return paramError("rate code: 'max_spikes' must be a whole number >= "
                        "1, got " +
                        formatDouble(maxSpikes));
    c.rate.maxSpikes = uint32_t(maxSpikes);
    c.rate.windowMs = sim.inputWindow;
  } else if (enc.kind == "poisson") {
    c.kind = EncoderConfig::Kind::Poisson;
    c.poisson.maxRateHz = enc.get("max_rate");
    c.poisson.windowMs = sim.inputWindow;
    c.poisson.dtMs = sim.timestep;
  } else if (enc.kind == "latency") {
    c.kind = EncoderConfig::Kind::Latency;
    c.latency.tMaxMs = enc.get("t_max");
  } else {
    return paramError("unknown encoding '" + enc.kind + "'");
  }
  double centre = enc.get("dog_centre"), surround = enc.get("dog_surround");
  if (centre > 0 || surround > 0) {
    if (!(centre > 0) || !(surround > centre))
      return paramError("dog filter: 'dog_surround' must be greater than "
                        "'dog_centre' and both > 0, got " +
                        formatDouble(centre) + " and " +
                        formatDouble(surround));
    c.dog = true;
    c.dogFilter.sigmaCentre = centre;
    c.dogFilter.sigmaSurround = surround;
  }
  if (Error e = c.validate())
    return e;
  return c;
}

SpikeTrains scnc::encode(const EncoderConfig &config, const EncoderImage &image,
                         uint64_t seed) {
  if (config.dog) {
    EncoderConfig plain = config;
    plain.dog = false;
    return encode(plain, applyDog(image, config.dogFilter), seed);
  }
  switch (config.kind) {
  case EncoderConfig::Kind::Rate:
    return encodeRate(image, config.rate, seed);
  case EncoderConfig::Kind::Poisson:
    return encodePoisson(image, config.poisson, seed);
  case EncoderConfig::Kind::Latency:
    return encodeLatency(image, config.latency);
  }
  return {};
}

uint64_t scnc::sampleSeed(uint64_t seed, uint64_t index) {
  return splitmix64(seed, index);
}

Error scnc::writeSpikeTrainsNpy(StringRef path, const SpikeTrains &trains) {
  std::vector<std::pair<double, uint32_t>> rows = trains.rows();
  return writeOutputAtomically(path, [&](raw_ostream &os) {
    writeNpyHeader(os, "<f8", {uint64_t(rows.size()), 2});
    for (const auto &r : rows) {
      support::endian::write<double>(os, r.first, support::little);
      support::endian::write<double>(os, double(r.second), support::little);
    }
    return Error::success();
  });
}
