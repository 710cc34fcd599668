//===- Training.cpp - The layer-wise training flow ------------------------===//
//
// docs/training.md "The training flow". Layer training builds a small
// network (one window of inputs -> one neuron per filter, plastic, with
// winner-take-all inhibition), lays every window position of every image
// out in its own presentation slot and runs it once in plastic mode (the
// reference evaluator, or the emulated machine on the image scncc --plastic
// writes: Backend.h), so that STDP state (weights, traces, neuron state,
// refractory periods) carries over from slot to slot as in the original's
// one long simulation.
//
//===----------------------------------------------------------------------===//
#include "scnc/Learning/Training.h"
#include "scnc/Driver/Pipeline.h"
#include "scnc/Frontend/Lowering.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/Runtime/Reference.h"
#include "scnc/Support/Diagnostics.h"
#include "scnc/Support/OutputFile.h"
#include "scnc/Support/Parallel.h"
#include "scnc/Support/Random.h"
#include "scnc/Support/Timing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>

using namespace scnc;
using namespace llvm;

namespace {

Error trainError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

uint32_t presentationTicks(const Network &n) {
  return uint32_t(
      std::max(1L, std::lround(n.sim.presentation / n.sim.timestep)));
}

} // namespace

std::vector<unsigned> scnc::trainableConvs(const Network &n) {
  std::vector<unsigned> r;
  for (unsigned j = 0; j < n.projections.size(); ++j)
    if (n.projections[j].kind == Projection::Kind::Conv &&
        !n.projections[j].stdp.empty())
      r.push_back(j);
  return r;
}

Expected<unsigned> scnc::inputPopulation(const Network &n) {
  int found = -1;
  for (unsigned q = 0; q < n.populations.size(); ++q)
    if (n.populations[q].kind == Population::Kind::Input) {
      if (found >= 0)
        return trainError(
            "network '" + n.name + "' has several input layers ('" +
            n.populations[found].name + "' and '" + n.populations[q].name +
            "'); training feeds one image input");
      found = int(q);
    }
  if (found < 0)
    return trainError("network '" + n.name + "' has no input layer");
  return unsigned(found);
}

Network scnc::truncateNetwork(const Network &n, unsigned last) {
  Network t = n;
  t.connections.reset();
  t.classifier = None;
  t.populations.resize(last + 1);
  t.projections.clear();
  for (const Projection &p : n.projections)
    if (p.pre <= last && p.post <= last)
      t.projections.push_back(p);
  return t;
}

std::vector<Spike> scnc::encodeImage(const Network &n, unsigned input,
                                     const EncoderConfig &enc,
                                     const Dataset &data, size_t i,
                                     uint64_t seed) {
  EncoderImage img =
      EncoderImage::fromBytes(data.image(i), data.rows, data.cols);
  SpikeTrains trains = encode(enc, img, seed);
  uint32_t ticks = presentationTicks(n);
  uint64_t size = n.populations[input].shape.size();
  std::vector<Spike> out;
  for (size_t k = 0; k < trains.numNeurons() && k < size; ++k)
    for (double ms : trains.times[k]) {
      int64_t t = timeToTick(ms, n.sim.timestep);
      if (t >= 0 && t < int64_t(ticks))
        out.push_back({uint32_t(t), uint32_t(k)});
    }
  normalizeSpikes(out);
  return out;
}

static Error checkImages(const Network &n, unsigned input,
                         const EncoderConfig &enc, const Dataset &data) {
  const Population &p = n.populations[input];
  uint32_t channels = enc.dog ? 2 : 1;
  if (p.shape.h != data.rows || p.shape.w != data.cols || p.shape.c != channels)
    return trainError("input layer '" + p.name + "' is " + Twine(p.shape.h) +
                      " x " + Twine(p.shape.w) + " x " + Twine(p.shape.c) +
                      " but the data's images encode as " + Twine(data.rows) +
                      " x " + Twine(data.cols) + " x " + Twine(channels));
  return Error::success();
}

Expected<EncoderConfig> scnc::inputEncoder(const Network &n, unsigned input,
                                           bool noiseSpikes) {
  Expected<EncoderConfig> enc =
      encoderFromIR(n.populations[input].encoding, n.sim);
  if (!enc)
    return enc.takeError();
  if (noiseSpikes) {
    if (enc->kind != EncoderConfig::Kind::Rate)
      return trainError("noise spikes need the rate code, but input layer '" +
                        n.populations[input].name + "' uses the " +
                        encoderKindName(enc->kind) + " code");
    enc->rate.noiseSpikes = true;
  }
  return enc;
}

Error scnc::runSamplesInto(
    const PreparedNetwork &net, const Dataset &data, uint64_t seed,
    unsigned jobs, ArrayRef<unsigned> keep,
    const std::function<void(size_t, std::vector<Spike> &&)> &take,
    const ProgressFn &progress, bool noiseSpikes, bool forCounting) {
  const Network &n = net.network();
  Expected<unsigned> input = inputPopulation(n);
  if (!input)
    return input.takeError();
  Expected<EncoderConfig> enc = inputEncoder(n, *input, noiseSpikes);
  if (!enc)
    return enc.takeError();
  if (Error e = checkImages(n, *input, *enc, data))
    return e;
  std::mutex m;
  std::string firstError;
  uint64_t done = 0;
  forEachTask(data.size(), jobs, [&](size_t i) {
    std::vector<std::vector<Spike>> in(n.populations.size());
    in[*input] = encodeImage(n, *input, *enc, data, i, sampleSeed(seed, i));
    Expected<Recording> r = net.run(in, presentationTicks(n), nullptr, {},
                                    forCounting ? keep : ArrayRef<unsigned>());
    if (r) {
      std::vector<Spike> out;
      if (keep.size() == 1) {
        out = std::move(r->populations[keep[0]].spikes);
      } else {
        uint64_t first = 0;
        for (unsigned k : keep) {
          for (Spike s : r->populations[k].spikes)
            out.push_back({s.tick, uint32_t(s.neuron + first)});
          first += n.populations[k].shape.size();
        }
      }
      take(i, std::move(out));
    }
    std::lock_guard<std::mutex> lock(m);
    if (!r) {
      std::string msg = toString(r.takeError());
      if (firstError.empty())
        firstError = msg;
    }
    ++done;
    if (progress)
      progress(done, data.size());
  });
  if (!firstError.empty())
    return trainError(firstError);
  return Error::success();
}

Expected<std::vector<std::vector<Spike>>>
scnc::runSamples(const PreparedNetwork &net, const Dataset &data, uint64_t seed,
                 unsigned jobs, ArrayRef<unsigned> keep,
                 const ProgressFn &progress, bool noiseSpikes,
                 bool forCounting) {
  std::vector<std::vector<Spike>> out(data.size());
  if (Error e = runSamplesInto(
          net, data, seed, jobs, keep,
          [&](size_t i, std::vector<Spike> &&s) { out[i] = std::move(s); },
          progress, noiseSpikes, forCounting))
    return e;
  return out;
}

KernelRedundancy scnc::kernelRedundancy(ArrayRef<double> kernels,
                                        unsigned count, double tolerance,
                                        double threshold) {
  KernelRedundancy r;
  r.kernels = count;
  if (count == 0 || kernels.size() % count)
    return r;
  const size_t len = kernels.size() / count;
  auto kernel = [&](unsigned k) { return kernels.slice(k * len, len); };
  // Groups: each kernel joins the first group whose first kernel it lies
  // within the tolerance of, weight by weight.
  std::vector<unsigned> firsts, sizes;
  for (unsigned k = 0; k < count; ++k) {
    ArrayRef<double> a = kernel(k);
    size_t g = 0;
    for (; g < firsts.size(); ++g) {
      ArrayRef<double> b = kernel(firsts[g]);
      bool close = true;
      for (size_t i = 0; i < len && close; ++i)
        close = std::fabs(a[i] - b[i]) <= tolerance;
      if (close)
        break;
    }
    if (g == firsts.size()) {
      firsts.push_back(k);
      sizes.push_back(0);
    }
    ++sizes[g];
  }
  r.distinct = unsigned(firsts.size());
  for (unsigned s : sizes)
    if (s > 1)
      r.groups.push_back(s);
  llvm::sort(r.groups, std::greater<unsigned>());
  // Pearson correlation of the kernels that are not flat.
  std::vector<std::vector<double>> centred;
  for (unsigned k = 0; k < count; ++k) {
    ArrayRef<double> a = kernel(k);
    double mean = 0;
    for (double v : a)
      mean += v;
    mean /= double(len);
    std::vector<double> c(len);
    double sq = 0;
    for (size_t i = 0; i < len; ++i) {
      c[i] = a[i] - mean;
      sq += c[i] * c[i];
    }
    if (!(sq > 0)) {
      ++r.flat;
      continue;
    }
    double norm = std::sqrt(sq);
    for (double &v : c)
      v /= norm;
    centred.push_back(std::move(c));
  }
  double sum = 0;
  for (size_t a = 0; a < centred.size(); ++a)
    for (size_t b = a + 1; b < centred.size(); ++b) {
      double c = 0;
      for (size_t i = 0; i < len; ++i)
        c += centred[a][i] * centred[b][i];
      sum += c;
      r.maxCorrelation = r.pairs ? std::max(r.maxCorrelation, c) : c;
      r.pairsAbove += c > threshold;
      ++r.pairs;
    }
  r.meanCorrelation = r.pairs ? sum / double(r.pairs) : 0;
  return r;
}

std::string scnc::describeRedundancy(const KernelRedundancy &r,
                                     double tolerance, double threshold) {
  std::string s;
  raw_string_ostream os(s);
  os << r.distinct << " distinct of " << r.kernels << " within "
     << format("%g", tolerance) << " nA";
  if (!r.groups.empty()) {
    os << " (groups of";
    for (size_t i = 0; i < r.groups.size(); ++i)
      os << (i ? ", " : " ") << r.groups[i];
    os << ")";
  }
  if (r.flat)
    os << ", " << r.flat << " flat";
  os << "; correlation ";
  if (r.pairs)
    os << "mean " << format("%.2f", r.meanCorrelation) << ", max "
       << format("%.2f", r.maxCorrelation) << "; " << r.pairsAbove << " of "
       << r.pairs << " pairs above " << format("%g", threshold);
  else
    os << "undefined (fewer than two kernels that are not flat)";
  return os.str();
}

Network scnc::buildTrainingNetwork(const Network &n, unsigned j, bool slotEnd) {
  const Projection &p = n.projections[j];
  const Population &a = n.populations[p.pre], &b = n.populations[p.post];
  bool perMap = p.mode == Projection::ChannelMode::PerMap;
  Network t;
  t.name = n.name + "_train_" + b.name;
  t.loc = n.loc;
  t.sim = n.sim;
  t.neuronSets = n.neuronSets;
  t.stdpRules = n.stdpRules;
  t.sourceDir = n.sourceDir;

  // Input populations carry the network's input encoding (the training
  // flow supplies their spikes).
  Encoding encoding;
  for (const Population &q : n.populations)
    if (q.kind == Population::Kind::Input) {
      encoding = q.encoding;
      break;
    }
  auto input = [&](StringRef name, Shape shape) {
    Population q;
    q.name = name.str();
    q.loc = a.loc;
    q.kind = Population::Kind::Input;
    q.layer = "input";
    q.shape = shape;
    q.encoding = encoding;
    return q;
  };
  Population win =
      input("window", {p.kernel.h, p.kernel.w, perMap ? 1u : a.shape.c});
  Population neurons;
  neurons.name = b.name;
  neurons.loc = b.loc;
  neurons.layer = "dense";
  neurons.shape = {1, 1, p.filters};
  neurons.neuron = b.neuron;
  neurons.trainNeuron = b.trainNeuron;
  // The filters are the last population (after slot_end, when there is
  // one: populations are in topological order).
  unsigned nb = slotEnd ? 2 : 1;
  t.populations = {win};
  if (slotEnd)
    t.populations.push_back(input("slot_end", {1, 1, 1}));
  t.populations.push_back(neurons);

  const StdpRule *rule = n.findStdpRule(p.stdp);
  Projection plastic;
  plastic.name = "window." + b.name;
  plastic.loc = p.loc;
  plastic.pre = 0;
  plastic.post = nb;
  plastic.kind = Projection::Kind::AllToAll;
  plastic.allowSelf = true;
  plastic.weights = p.weights;
  if (plastic.weights.kind == WeightInit::File && rule) {
    // Retraining a layer that has trained weights starts from the rule's
    // initial weights again.
    plastic.weights = rule->init;
    if (plastic.weights.kind == WeightInit::Normal && !plastic.weights.seed)
      plastic.weights.seed = deriveSeed(n.sim.seed, p.name);
  }
  plastic.delay = p.delay;
  plastic.receptor = p.receptor;
  plastic.stdp = p.stdp;
  t.projections.push_back(plastic);
  // All-to-all inhibition of the filters by constant weights, one tick.
  auto inhibit = [&](unsigned pre, StringRef name, double weight) {
    Projection q;
    q.name = (name + "." + b.name).str();
    q.loc = p.loc;
    q.pre = pre;
    q.post = nb;
    q.kind = Projection::Kind::AllToAll;
    q.allowSelf = pre != nb; // no self-inhibition
    q.weights.kind = WeightInit::Constant;
    q.weights.value = weight;
    q.delay = n.sim.timestep;
    q.receptor = Projection::Receptor::Inhibitory;
    t.projections.push_back(q);
  };
  if (rule && rule->wtaWeight > 0)
    inhibit(nb, b.name, rule->wtaWeight); // winner-take-all, no self
  if (slotEnd)
    // One input neuron that fires just before the late spikes of silent
    // inputs arrive: its inhibition (the window's size times w_max) cancels
    // their drive, so they only pair with post spikes that came before.
    inhibit(1, "slot_end",
            double(win.shape.size()) * (rule ? rule->wMax : 1.0));
  return t;
}

Expected<LayerTrainingResult> scnc::trainLayer(const Network &n,
                                               const Dataset &data,
                                               const LayerTrainingOptions &o,
                                               DiagnosticEngine &diag) {
  auto start = std::chrono::steady_clock::now();
  std::vector<unsigned> convs = trainableConvs(n);
  if (o.layer == 0 || o.layer > convs.size())
    return trainError(
        "layer " + Twine(o.layer) + ": network '" + n.name + "' has " +
        Twine(uint64_t(convs.size())) +
        " conv layers with an STDP rule (layers are numbered from 1)");
  unsigned j = convs[o.layer - 1];
  PassOptions po;
  po.threads = std::max(1u, o.jobs);
  Optional<Network> full = expandNetwork(n, diag, po);
  if (!full)
    return trainError("network '" + n.name + "' does not compile");
  const Projection &p = full->projections[j];
  const Population &a = full->populations[p.pre],
                   &b = full->populations[p.post];
  // Inhibition derived from the layer's kernels (WeightInit::frozenOnly)
  // belongs to the frozen layer only: training runs without it.
  for (const Projection &q : full->projections)
    if (q.post == p.post && &q != &p &&
        !(q.weights.frozenOnly() && q.weights.of == p.name))
      return trainError("layer '" + b.name +
                        "' has several inputs; training handles conv layers "
                        "with one input");
  LayerTrainingResult res;
  res.layerName = b.name;
  res.rule = p.stdp;

  // The inputs of the layer per image: the encoded image, or the frozen
  // layers' spikes.
  Expected<unsigned> input = inputPopulation(*full);
  if (!input)
    return input.takeError();
  std::vector<std::vector<Spike>> source;
  std::string frozenEvaluator;
  Optional<EncoderConfig> windowEnc;
  if (o.windowRate && p.pre != *input)
    return trainError("window rate factors (--window-rate) apply to a layer "
                      "fed by the input layer; '" +
                      b.name + "' is fed by '" + a.name + "'");
  if (p.pre == *input) {
    Expected<EncoderConfig> enc = inputEncoder(*full, *input, o.noiseSpikes);
    if (!enc)
      return enc.takeError();
    if (Error e = checkImages(*full, *input, *enc, data))
      return e;
    if (o.windowRate) {
      if (enc->kind != EncoderConfig::Kind::Rate || enc->dog)
        return trainError("window rate factors (--window-rate) need the rate "
                          "code without a DoG filter on input layer '" +
                          a.name + "'");
      windowEnc = *enc;
    }
    source.resize(data.size());
    if (!windowEnc) // else every window is encoded on its own, below
      forEachTask(data.size(), o.jobs, [&](size_t i) {
        source[i] =
            encodeImage(*full, *input, *enc, data, i, sampleSeed(o.seed, i));
      });
  } else {
    Expected<std::unique_ptr<PreparedNetwork>> frozen =
        PreparedNetwork::prepare(truncateNetwork(n, p.pre), o.backend,
                                 /*plastic=*/false, 1, diag);
    if (!frozen) {
      if (!diag.hadError())
        return frozen.takeError();
      consumeError(frozen.takeError());
      return trainError("the frozen layers before '" + b.name +
                        "' do not compile");
    }
    Expected<std::vector<std::vector<Spike>>> r = runSamples(
        **frozen, data, o.seed, o.jobs, {p.pre}, o.progress, o.noiseSpikes);
    if (!r)
      return r.takeError();
    source = std::move(*r);
    frozenEvaluator = (*frozen)->description();
  }

  // Every window position (all of the layer's output positions; per_map:
  // of every input map) of every image in its own slot.
  bool perMap = p.mode == Projection::ChannelMode::PerMap;
  uint32_t groups = perMap ? a.shape.c : 1;
  uint32_t cin = perMap ? 1 : a.shape.c;
  uint32_t kh = p.kernel.h, kw = p.kernel.w;
  uint64_t perImage = uint64_t(groups) * b.shape.h * b.shape.w;
  uint32_t ticks = presentationTicks(*full);
  res.slots = perImage * data.size();
  res.ticks = res.slots * ticks;
  if (res.ticks >= (uint64_t(1) << 32))
    return trainError(Twine(res.slots) + " presentation slots of " +
                      Twine(ticks) +
                      " ticks are more than one run of 2^32 "
                      "ticks: train on fewer images");
  std::vector<Spike> windowSpikes, slotEnds;
  uint64_t hw = uint64_t(a.shape.h) * a.shape.w;
  uint64_t window = uint64_t(cin) * kh * kw;
  // Calls fn(k, src) for every tap of the window at output position
  // (oy, ox) of group g that is not in the padding: k is the training
  // network's input neuron, src the layer's input neuron (channel offsets
  // c * H * W).
  auto forEachTap = [&](uint32_t g, uint32_t oy, uint32_t ox, auto &&fn) {
    for (uint32_t c = 0; c < cin; ++c)
      for (uint32_t ky = 0; ky < kh; ++ky)
        for (uint32_t kx = 0; kx < kw; ++kx) {
          int64_t y = int64_t(oy) * p.stride.h - p.padding.h + ky;
          int64_t x = int64_t(ox) * p.stride.w - p.padding.w + kx;
          if (y < 0 || x < 0 || y >= a.shape.h || x >= a.shape.w)
            continue;
          fn((c * kh + ky) * kw + kx,
             (perMap ? g : c) * hw + uint64_t(y) * a.shape.w + uint64_t(x));
        }
  };
  if (windowEnc) {
    // The original's input_windowed_spikes: each window re-encoded with
    // f = min(20, int(6 * sum / 2500)) of its own pixels; window w of image
    // i draws from splitmix64(sampleSeed(seed, i), w).
    std::vector<std::vector<Spike>> perImageSpikes(data.size());
    forEachTask(data.size(), o.jobs, [&](size_t i) {
      ArrayRef<uint8_t> px = data.image(i);
      uint64_t imageSeed = sampleSeed(o.seed, i);
      std::vector<Spike> &out = perImageSpikes[i];
      uint64_t w = 0;
      for (uint32_t g = 0; g < groups; ++g)
        for (uint32_t oy = 0; oy < b.shape.h; ++oy)
          for (uint32_t ox = 0; ox < b.shape.w; ++ox, ++w) {
            EncoderImage win;
            win.height = kh;
            win.width = kw;
            win.channels = cin;
            win.values.assign(window, 0.0);
            double sum = 0;
            // One-channel images (the rate code without DoG): src < H * W.
            forEachTap(g, oy, ox, [&](uint64_t k, uint64_t src) {
              win.values[k] = px[src];
              sum += px[src];
            });
            RateCode rc = windowEnc->rate;
            rc.factor = windowRateFactor(sum, o.windowDivisor);
            SpikeTrains trains = encodeRate(win, rc, splitmix64(imageSeed, w));
            uint32_t base = uint32_t((i * perImage + w) * ticks);
            for (size_t k = 0; k < trains.numNeurons(); ++k)
              for (double ms : trains.times[k]) {
                int64_t t = timeToTick(ms, full->sim.timestep);
                if (t >= 0 && t < int64_t(ticks))
                  out.push_back({base + uint32_t(t), uint32_t(k)});
              }
          }
    });
    for (std::vector<Spike> &v : perImageSpikes)
      windowSpikes.insert(windowSpikes.end(), v.begin(), v.end());
  }
  for (size_t i = 0; i < data.size() && !windowEnc; ++i) {
    std::vector<std::vector<uint32_t>> ticksOf(a.shape.size());
    for (const Spike &s : source[i])
      ticksOf[s.neuron].push_back(s.tick);
    uint64_t slot = i * perImage;
    for (uint32_t g = 0; g < groups; ++g)
      for (uint32_t oy = 0; oy < b.shape.h; ++oy)
        for (uint32_t ox = 0; ox < b.shape.w; ++ox, ++slot) {
          uint32_t base = uint32_t(slot * ticks);
          forEachTap(g, oy, ox, [&](uint64_t k, uint64_t src) {
            for (uint32_t t : ticksOf[src])
              windowSpikes.push_back({base + t, uint32_t(k)});
          });
        }
  }
  if (o.depressSilent) {
    // windowSpikes is in slot order; one late spike per silent input, at
    // the end of the input window or, for a layer whose inputs (a frozen
    // layer's spikes) fire later than that, in the tick after the last
    // input spike of any slot: the slot_end inhibition just before it must
    // not cut a real input's drive.
    uint32_t late = uint32_t(std::min<long>(
        ticks - 1, std::lround(full->sim.inputWindow / full->sim.timestep)));
    for (const Spike &s : windowSpikes)
      late = std::max(late, std::min(ticks - 1, s.tick % ticks + 1));
    if (late == 0)
      return trainError("--depress-silent needs an input window of at least "
                        "one tick");
    res.lateTick = late;
    std::vector<Spike> withLate;
    withLate.reserve(windowSpikes.size() + res.slots * window / 2);
    std::vector<uint8_t> fired(window);
    size_t at = 0;
    for (uint64_t slot = 0; slot < res.slots; ++slot) {
      uint64_t end = (slot + 1) * ticks;
      std::fill(fired.begin(), fired.end(), 0);
      size_t first = at;
      for (; at < windowSpikes.size() && windowSpikes[at].tick < end; ++at) {
        fired[windowSpikes[at].neuron] = 1;
        withLate.push_back(windowSpikes[at]);
      }
      bool any = false;
      for (uint32_t k = 0; k < window && at > first; ++k)
        if (!fired[k]) {
          withLate.push_back({uint32_t(slot * ticks + late), k});
          any = true;
        }
      if (any)
        slotEnds.push_back({uint32_t(slot * ticks + late - 1), 0});
    }
    windowSpikes = std::move(withLate);
  }
  res.inputSpikes = windowSpikes.size();

  Network tn = buildTrainingNetwork(*full, j, o.depressSilent);
  if (!o.irOut.empty()) {
    if (Error e = writeOutputAtomically(o.irOut, [&](raw_ostream &os) {
          os << "// The STDP training network of layer '" << b.name
             << "' (scnc-train layer " << o.layer << ")\n";
          printNetwork(tn, os);
          return Error::success();
        }))
      return e;
  }
  Expected<std::unique_ptr<PreparedNetwork>> te =
      PreparedNetwork::prepare(tn, o.backend, /*plastic=*/true, o.jobs, diag);
  if (!te) {
    if (!diag.hadError())
      return te.takeError();
    consumeError(te.takeError());
    return trainError("the training network of layer '" + b.name +
                      "' does not compile");
  }
  std::vector<std::vector<Spike>> in(tn.populations.size());
  in[0] = std::move(windowSpikes);
  if (o.depressSilent)
    in[1] = std::move(slotEnds);
  // One host thread: a 1 x 1 x F population, threads would only cost.
  std::function<void(uint64_t, uint64_t)> ticksDone;
  if (o.plasticProgress)
    ticksDone = [&](uint64_t done, uint64_t total) {
      o.plasticProgress(done / ticks, total / ticks);
    };
  LearnedSynapseSet learned;
  Expected<Recording> rec =
      (*te)->run(in, uint32_t(res.ticks), &learned, ticksDone);
  if (!rec)
    return rec.takeError();
  // The kernels from the window -> filters synapses (the filters are the
  // last population), as a host reads them back after the run.
  const Network &tx = (*te)->network();
  const ConnectionList &l = tx.connections->lists[0];
  res.kernels.assign(uint64_t(p.filters) * window, 0.0);
  res.initial.assign(res.kernels.size(), 0.0);
  for (uint64_t i = 0; i < l.size(); ++i)
    res.initial[uint64_t(l.post[i]) * window + l.pre[i]] = l.weight(i);
  unsigned filters = unsigned(tx.populations.size() - 1);
  for (const LearnedProjection &lp : learned)
    if (lp.pre == 0 && lp.post == filters)
      for (const LearnedSynapse &s : lp.synapses)
        res.kernels[uint64_t(s.post) * window + s.pre] = s.weight;
  res.evaluator = (*te)->description();
  if (!frozenEvaluator.empty() && frozenEvaluator != res.evaluator)
    res.evaluator += "; frozen layers: " + frozenEvaluator;
  res.shape = perMap ? std::vector<uint64_t>{p.filters, kh, kw}
                     : std::vector<uint64_t>{p.filters, cin, kh, kw};
  res.wins.assign(p.filters, 0);
  const std::vector<Spike> &post = rec->populations.back().spikes;
  for (const Spike &s : post)
    ++res.wins[s.neuron];
  res.postSpikes = post.size();
  res.seconds = secondsSince(start);
  return res;
}
