//===- EncodersTest.cpp - Rate, Poisson, latency codes; DoG ---------------===//
#include "scnc/Learning/Encoders.h"
#include "scnc/IR/Network.h"
#include "scnc/Support/Npy.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"
#include <cmath>
#include <unistd.h>

using namespace scnc;
using namespace llvm;

namespace {

/// n neurons (1 x n x 1 image), all of intensity `value`.
EncoderImage flat(size_t n, double value) {
  EncoderImage img;
  img.height = 1;
  img.width = uint32_t(n);
  img.values.assign(n, value);
  return img;
}

//===----------------------------------------------------------------------===//
// Rate code
//===----------------------------------------------------------------------===//

TEST(RateCode, IntervalIsTheOriginals) {
  EXPECT_EQ(rateInterval(255, 10), 10);
  EXPECT_EQ(rateInterval(128, 10), 19); // 19.92
  EXPECT_EQ(rateInterval(80, 10), 31);  // 31.875
  EXPECT_EQ(rateInterval(100, 20), 51);
  EXPECT_EQ(windowRateFactor(2500), 6);
  EXPECT_EQ(windowRateFactor(2916), 6); // 6.998
  EXPECT_EQ(windowRateFactor(10000), 20);
  EXPECT_EQ(windowRateFactor(400), 0);
  EXPECT_EQ(windowRateFactor(2000, 2000), 6);
}

/// Every train of `t` is regular with interval `td`, starts in [0, td] and
/// has as many spikes as fit below the window (at most maxSpikes).
void expectRegular(const SpikeTrains &t, int64_t td, int64_t window,
                   unsigned maxSpikes) {
  for (const std::vector<double> &train : t.times) {
    ASSERT_FALSE(train.empty());
    double offset = train.front();
    EXPECT_GE(offset, 0);
    EXPECT_LE(offset, td);
    EXPECT_EQ(offset, std::floor(offset));
    size_t fit = 0;
    while (fit < maxSpikes && offset + double(fit * td) < window)
      ++fit;
    ASSERT_EQ(train.size(), fit) << "offset " << offset;
    for (size_t i = 1; i < train.size(); ++i)
      EXPECT_EQ(train[i] - train[i - 1], td);
  }
}

TEST(RateCode, RegularTrains) {
  RateCode code; // threshold 80, factor 10, 10 spikes, window 50
  expectRegular(encodeRate(flat(500, 255), code, 1), 10, 50, 10);
  expectRegular(encodeRate(flat(500, 128), code, 2), 19, 50, 10);
  expectRegular(encodeRate(flat(500, 80), code, 3), 31, 50, 10);
  code.factor = 1; // interval 1: max_spikes stops the train
  expectRegular(encodeRate(flat(200, 255), code, 4), 1, 50, 10);
  code.maxSpikes = 3;
  expectRegular(encodeRate(flat(200, 255), code, 4), 1, 50, 3);
}

TEST(RateCode, ExactSmallCase) {
  // Intensity 255 at f = 10: interval 10 from the neuron's offset.
  RateCode code;
  SpikeTrains t = encodeRate(flat(3, 255), code, 42);
  for (const std::vector<double> &train : t.times) {
    double o = train.front();
    std::vector<double> expected;
    for (double z = o; z < 50; z += 10)
      expected.push_back(z);
    EXPECT_EQ(train, expected);
  }
}

TEST(RateCode, OffsetsAreUniform) {
  // randint(0, 10): 11 values, each about 1/11 of 22,000 neurons.
  SpikeTrains t = encodeRate(flat(22000, 255), RateCode(), 7);
  std::vector<unsigned> hist(11, 0);
  double sum = 0;
  for (const std::vector<double> &train : t.times) {
    ++hist[size_t(train.front())];
    sum += train.front();
  }
  for (unsigned h : hist) {
    EXPECT_GT(h, 1800u); // mean 2000, sd 43
    EXPECT_LT(h, 2200u);
  }
  EXPECT_NEAR(sum / 22000, 5.0, 0.1); // sd of the mean 0.021
}

TEST(RateCode, SlowPixelsFireOnceAnywhereInTheWindow) {
  RateCode code;
  code.factor = 20; // I = 100: interval 51 >= 50
  SpikeTrains t = encodeRate(flat(5000, 100), code, 9);
  bool sawEnd = false, sawStart = false;
  for (const std::vector<double> &train : t.times) {
    ASSERT_EQ(train.size(), 1u);
    EXPECT_GE(train[0], 0);
    EXPECT_LE(train[0], 50); // randint(0, 50): 50 included
    sawEnd |= train[0] == 50;
    sawStart |= train[0] == 0;
  }
  EXPECT_TRUE(sawEnd && sawStart);
}

TEST(RateCode, SubThresholdNoiseIsOptional) {
  RateCode code;
  SpikeTrains quiet = encodeRate(flat(100, 79), code, 1);
  EXPECT_EQ(quiet.numSpikes(), 0u);
  EXPECT_EQ(encodeRate(flat(100, 0), code, 1).numSpikes(), 0u);
  code.noiseSpikes = true; // the original's defect 7
  SpikeTrains noisy = encodeRate(flat(1000, 0), code, 1);
  double sum = 0;
  for (const std::vector<double> &train : noisy.times) {
    ASSERT_EQ(train.size(), 1u);
    EXPECT_LE(train[0], 50);
    sum += train[0];
  }
  EXPECT_NEAR(sum / 1000, 25, 1.5); // uniform on 0..50: sd of mean 0.47
  // Threshold 0 does not make black pixels fire regularly.
  code.noiseSpikes = false;
  code.threshold = 0;
  EXPECT_EQ(encodeRate(flat(10, 0), code, 1).numSpikes(), 0u);
}

TEST(RateCode, FactorZeroFiresOnceAtZero) {
  RateCode code;
  code.factor = 0; // the original appended time 0 ten times
  SpikeTrains t = encodeRate(flat(4, 200), code, 1);
  for (const std::vector<double> &train : t.times)
    EXPECT_EQ(train, std::vector<double>{0});
}

TEST(RateCode, Validation) {
  RateCode code;
  code.windowMs = 50.5;
  EXPECT_EQ(toString(code.validate()),
            "rate code: the input window must be a whole number of ms >= 1, "
            "got 50.5 ms");
  code = RateCode();
  code.maxSpikes = 0;
  EXPECT_EQ(toString(code.validate()),
            "rate code: 'max_spikes' must be at least 1");
  code = RateCode();
  code.factor = -1;
  EXPECT_EQ(toString(code.validate()),
            "rate code: 'factor' must be a number >= 0, got -1");
}

//===----------------------------------------------------------------------===//
// Poisson code
//===----------------------------------------------------------------------===//

TEST(PoissonCode, MeanAndVarianceOfCounts) {
  PoissonCode code; // 100 Hz, 50 ms, 1 ms: p = 0.1 at 255, 50 ticks
  for (double intensity : {255.0, 128.0, 30.0}) {
    const size_t n = 20000;
    SpikeTrains t = encodePoisson(flat(n, intensity), code, 11);
    double p = intensity / 255 * 0.1, mean = 50 * p, var = 50 * p * (1 - p);
    double sum = 0, sq = 0;
    for (const std::vector<double> &train : t.times) {
      sum += double(train.size());
      sq += double(train.size()) * double(train.size());
    }
    double m = sum / n, v = sq / n - m * m;
    // Tolerance: 5 standard errors of the mean (sqrt(var / n)).
    EXPECT_NEAR(m, mean, 5 * std::sqrt(var / n)) << intensity;
    EXPECT_NEAR(v, var, 0.05 * var + 0.02) << intensity;
  }
}

TEST(PoissonCode, TimesAreTicksInTheWindow) {
  PoissonCode code;
  code.dtMs = 0.5;
  code.windowMs = 20;
  code.maxRateHz = 1000; // p = 0.5 per tick at 255
  SpikeTrains t = encodePoisson(flat(200, 255), code, 3);
  uint64_t total = 0;
  for (const std::vector<double> &train : t.times) {
    for (size_t i = 0; i < train.size(); ++i) {
      EXPECT_GE(train[i], 0);
      EXPECT_LT(train[i], 20);
      EXPECT_EQ(train[i] * 2, std::floor(train[i] * 2));
      if (i) {
        EXPECT_LT(train[i - 1], train[i]);
      }
    }
    total += train.size();
  }
  EXPECT_NEAR(double(total) / 200, 20, 0.5); // 40 ticks * 0.5; sd 0.22
  EXPECT_EQ(encodePoisson(flat(100, 0), code, 3).numSpikes(), 0u);
  code.maxRateHz = 2000; // p = 1: every tick
  EXPECT_EQ(encodePoisson(flat(3, 255), code, 3).numSpikes(), 120u);
}

TEST(PoissonCode, Validation) {
  PoissonCode code;
  code.maxRateHz = 2000;
  EXPECT_EQ(toString(code.validate()),
            "poisson code: 'max_rate' 2000 Hz is more than one spike per "
            "timestep of 1 ms (at most 1000 Hz)");
  code = PoissonCode();
  code.windowMs = 50.5;
  EXPECT_EQ(toString(code.validate()),
            "poisson code: the input window (50.5 ms) is not a whole number "
            "of timesteps (1 ms)");
}

//===----------------------------------------------------------------------===//
// Latency code
//===----------------------------------------------------------------------===//

TEST(LatencyCode, ExactTimes) {
  EncoderImage img = flat(6, 0);
  img.values = {255, 128, 1, 0, 200, 254};
  SpikeTrains t = encodeLatency(img, LatencyCode());
  EXPECT_EQ(t.times[0], std::vector<double>{0});
  EXPECT_EQ(t.times[1], std::vector<double>{24}); // 24.40
  EXPECT_EQ(t.times[2], std::vector<double>{48}); // 48.81
  EXPECT_TRUE(t.times[3].empty());
  EXPECT_EQ(t.times[4], std::vector<double>{10}); // 10.57
  EXPECT_EQ(t.times[5], std::vector<double>{0});  // 0.19
  LatencyCode longer;
  longer.tMaxMs = 99;
  EXPECT_EQ(encodeLatency(img, longer).times[1], std::vector<double>{49});
}

//===----------------------------------------------------------------------===//
// Gaussian and DoG filters (expected values from scipy 1.10)
//===----------------------------------------------------------------------===//

TEST(Dog, GaussianMatchesScipy) {
  EncoderImage img;
  img.height = 5;
  img.width = 3; // narrower than the radius: reflection repeats
  img.values = {0, 10, 200, 30, 0, 255, 5, 90, 0, 7, 7, 7, 100, 0, 50};
  const double sigma1[] = {
      22.201267297176354, 67.81242806586138,  134.5939082063606,
      26.752300216372397, 62.59853077582214,  112.58194744148349,
      26.985687015912458, 43.65114607487511,  62.37928709475849,
      31.92841365380029,  30.05815357628739,  30.224968614998687,
      47.07476976276253,  33.162159135998735, 28.99503306753001};
  const double sigma25[] = {
      56.77998960192957, 58.64874186197875,  60.51839573061713,
      53.9357140768862,  55.54735231741647,  57.15981526945389,
      49.43705086149552, 50.635546556621655, 51.83475170067505,
      45.06967015524826, 45.85873376187365,  46.64840307979673,
      42.43725399150656, 42.97509589492944,  43.51348513957088};
  EncoderImage g1 = gaussianFilter(img, 1.0), g25 = gaussianFilter(img, 2.5);
  for (size_t i = 0; i < 15; ++i) {
    EXPECT_NEAR(g1.values[i], sigma1[i], 1e-11) << i;
    EXPECT_NEAR(g25.values[i], sigma25[i], 1e-11) << i;
  }
}

TEST(Dog, VerticalEdge) {
  // Dark left half, bright right half: "on" just inside the bright side,
  // "off" (the original's filter) just outside it.
  EncoderImage img;
  img.height = 10;
  img.width = 12;
  for (uint32_t y = 0; y < 10; ++y)
    for (uint32_t x = 0; x < 12; ++x)
      img.values.push_back(x >= 6 ? 255 : 0);
  EncoderImage d = applyDog(img, DogFilter());
  ASSERT_EQ(d.channels, 2u);
  ASSERT_EQ(d.numNeurons(), 240u);
  const double on[] = {0, 0, 0, 0, 0, 0, 229, 255, 59, 4, 0, 0};
  const double off[] = {0, 0, 4, 59, 255, 229, 0, 0, 0, 0, 0, 0};
  for (uint32_t y = 0; y < 10; ++y)
    for (uint32_t x = 0; x < 12; ++x) {
      EXPECT_EQ(d.at(0, y, x), on[x]) << y << "," << x;
      EXPECT_EQ(d.at(1, y, x), off[x]) << y << "," << x;
      // Channel-major neuron index c*H*W + y*W + x.
      EXPECT_EQ(d.values[1 * 120 + y * 12 + x], off[x]);
    }
  // A blank image stays blank (the original divided by zero).
  EncoderImage blank = applyDog(flat(20, 0), DogFilter());
  for (double v : blank.values)
    EXPECT_EQ(v, 0);
}

TEST(Dog, EncodeFiltersFirst) {
  EncoderImage img;
  img.height = 10;
  img.width = 12;
  for (uint32_t y = 0; y < 10; ++y)
    for (uint32_t x = 0; x < 12; ++x)
      img.values.push_back(x >= 6 ? 255 : 0);
  EncoderConfig c;
  c.kind = EncoderConfig::Kind::Latency;
  c.dog = true;
  SpikeTrains t = encode(c, img, 1);
  ASSERT_EQ(t.numNeurons(), 240u);
  // on channel, column 7 (255): t = 0; column 6 (229): int(0.102*49) = 4;
  // off channel, column 3 (59): int((1 - 59/255) * 49) = 37.
  EXPECT_EQ(t.times[7], std::vector<double>{0});
  EXPECT_EQ(t.times[6], std::vector<double>{4});
  EXPECT_EQ(t.times[120 + 3], std::vector<double>{37});
  EXPECT_TRUE(t.times[0].empty());
  EXPECT_EQ(t.numSpikes(), 10u * 8);
}

//===----------------------------------------------------------------------===//
// Seeds, configurations, files
//===----------------------------------------------------------------------===//

TEST(Encoders, DeterministicForASeedDifferentAcrossSeeds) {
  EncoderImage img = flat(300, 0);
  for (size_t i = 0; i < 300; ++i)
    img.values[i] = double((i * 37) % 256);
  RateCode rate;
  rate.noiseSpikes = true;
  PoissonCode poisson;
  EXPECT_EQ(encodeRate(img, rate, 5).times, encodeRate(img, rate, 5).times);
  EXPECT_NE(encodeRate(img, rate, 5).times, encodeRate(img, rate, 6).times);
  EXPECT_EQ(encodePoisson(img, poisson, 5).times,
            encodePoisson(img, poisson, 5).times);
  EXPECT_NE(encodePoisson(img, poisson, 5).times,
            encodePoisson(img, poisson, 6).times);
  EXPECT_NE(sampleSeed(1, 0), sampleSeed(1, 1));
  EXPECT_NE(sampleSeed(1, 0), sampleSeed(2, 0));
  // A neuron's train does not depend on the other neurons.
  EXPECT_NE(encodeRate(img, rate, 5).times[123].size(), 0u);
  EncoderImage shifted = img;
  shifted.values[0] = 255 - shifted.values[0];
  EXPECT_EQ(encodeRate(img, rate, 5).times[123],
            encodeRate(shifted, rate, 5).times[123]);
}

TEST(Encoders, FromIR) {
  Simulation sim;
  sim.inputWindow = 40;
  sim.timestep = 0.5;
  Encoding rate;
  rate.kind = "rate";
  rate.params = {{"threshold", 60}, {"factor", 12}, {"max_spikes", 4}};
  Expected<EncoderConfig> c = encoderFromIR(rate, sim);
  ASSERT_TRUE(bool(c)) << toString(c.takeError());
  EXPECT_EQ(c->kind, EncoderConfig::Kind::Rate);
  EXPECT_EQ(c->rate.threshold, 60);
  EXPECT_EQ(c->rate.factor, 12);
  EXPECT_EQ(c->rate.maxSpikes, 4u);
  EXPECT_EQ(c->rate.windowMs, 40);
  EXPECT_FALSE(c->rate.noiseSpikes);
  rate.params[2].second = 2.5;
  Expected<EncoderConfig> bad = encoderFromIR(rate, sim);
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(toString(bad.takeError()),
            "rate code: 'max_spikes' must be a whole number >= 1, got 2.5");
  Encoding poisson;
  poisson.kind = "poisson";
  poisson.params = {{"max_rate", 3000}};
  Expected<EncoderConfig> p = encoderFromIR(poisson, sim);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(toString(p.takeError()),
            "poisson code: 'max_rate' 3000 Hz is more than one spike per "
            "timestep of 0.5 ms (at most 2000 Hz)");
  poisson.params[0].second = 200;
  p = encoderFromIR(poisson, sim);
  ASSERT_TRUE(bool(p));
  EXPECT_EQ(p->poisson.dtMs, 0.5);
  EXPECT_EQ(p->poisson.windowMs, 40);
  Encoding latency;
  latency.kind = "latency";
  latency.params = {{"t_max", 30}};
  Expected<EncoderConfig> l = encoderFromIR(latency, sim);
  ASSERT_TRUE(bool(l));
  EXPECT_EQ(l->latency.tMaxMs, 30);
  EXPECT_FALSE(l->dog);
  // The DoG pre-filter's sigmas, for any code.
  latency.params.push_back({"dog_centre", 1});
  latency.params.push_back({"dog_surround", 2});
  l = encoderFromIR(latency, sim);
  ASSERT_TRUE(bool(l)) << toString(l.takeError());
  EXPECT_TRUE(l->dog);
  EXPECT_EQ(l->dogFilter.sigmaCentre, 1);
  EXPECT_EQ(l->dogFilter.sigmaSurround, 2);
  latency.params[2].second = 0.5; // surround below centre
  l = encoderFromIR(latency, sim);
  ASSERT_FALSE(bool(l));
  EXPECT_EQ(toString(l.takeError()),
            "dog filter: 'dog_surround' must be greater than 'dog_centre' and "
            "both > 0, got 1 and 0.5");
  latency.params[1].second = 0; // a surround without a centre
  l = encoderFromIR(latency, sim);
  ASSERT_FALSE(bool(l));
  // Sigmas of 0 are the filter off, and are dropped from the encoding.
  latency.params[2].second = 0;
  latency.dropUnusedFilter();
  EXPECT_EQ(latency.params.size(), 1u);
  l = encoderFromIR(latency, sim);
  ASSERT_TRUE(bool(l));
  EXPECT_FALSE(l->dog);
}

TEST(Encoders, SpikeFileRows) {
  SpikeTrains t;
  t.times = {{5, 1}, {}, {1, 3}};
  // Trains are ascending by contract; rows() sorts by (time, neuron).
  t.times[0] = {1, 5};
  auto rows = t.rows();
  std::vector<std::pair<double, uint32_t>> expected = {
      {1, 0}, {1, 2}, {3, 2}, {5, 0}};
  EXPECT_EQ(rows, expected);
  EXPECT_EQ(t.counts(), (std::vector<double>{2, 0, 2}));
  SmallString<128> path;
  int fd;
  ASSERT_FALSE(sys::fs::createTemporaryFile("spikes", "npy", fd, path));
  ::close(fd);
  ASSERT_FALSE(bool(writeSpikeTrainsNpy(path, t)));
  Expected<NumArray> a = readNpy(path);
  ASSERT_TRUE(bool(a)) << toString(a.takeError());
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{4, 2}));
  EXPECT_EQ(a->data, (std::vector<double>{1, 0, 1, 2, 3, 2, 5, 0}));
  SpikeTrains none;
  none.times.resize(3);
  ASSERT_FALSE(bool(writeSpikeTrainsNpy(path, none)));
  a = readNpy(path);
  ASSERT_TRUE(bool(a));
  EXPECT_EQ(a->shape, (std::vector<uint64_t>{0, 2}));
  sys::fs::remove(path);
}

} // namespace
