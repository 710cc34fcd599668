//===- Load.cpp - A slice's cycles per tick, predicted --------------------===//
#include "scnc/Mapping/Load.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/Support/Npy.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;

ActivityProfile scnc::makeActivityProfile(
    uint32_t ticks,
    const std::vector<std::vector<std::pair<uint32_t, uint32_t>>> &spikes) {
  ActivityProfile a;
  a.ticks = ticks;
  a.populations.resize(spikes.size());
  for (size_t p = 0; p < spikes.size(); ++p) {
    std::vector<std::pair<uint32_t, uint32_t>> s = spikes[p];
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    ActivityProfile::Population &out = a.populations[p];
    out.offsets.assign(uint64_t(ticks) + 1, 0);
    for (const auto &[tick, neuron] : s) {
      assert(tick < ticks && "spike past the profile's ticks");
      ++out.offsets[tick + 1];
      out.neurons.push_back(neuron);
    }
    for (uint32_t t = 0; t < ticks; ++t)
      out.offsets[t + 1] += out.offsets[t];
  }
  return a;
}

static std::string fmtNumber(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

static Error profileError(StringRef file, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(),
                           "profile '" + file + "': " + msg);
}

Expected<ActivityProfile> scnc::readActivityProfile(StringRef dir,
                                                    const Network &n) {
  SmallString<256> summaryPath(dir);
  sys::path::append(summaryPath, "summary.json");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      MemoryBuffer::getFile(summaryPath);
  if (!buf)
    return profileError(summaryPath, buf.getError().message());
  nlohmann::json j = nlohmann::json::parse(
      (*buf)->getBufferStart(), (*buf)->getBufferEnd(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return profileError(summaryPath, "not a JSON object");
  auto dt = j.find("dt_ms");
  auto ticks = j.find("ticks");
  if (dt == j.end() || !dt->is_number() || ticks == j.end() ||
      !ticks->is_number_unsigned() || ticks->get<uint64_t>() > UINT32_MAX)
    return profileError(summaryPath, "needs 'dt_ms' and 'ticks' (a summary "
                                     "written by scnc-run -o)");
  double runDt = dt->get<double>();
  if (std::fabs(runDt - n.sim.timestep) > 1e-9 * n.sim.timestep)
    return profileError(summaryPath, "the run's time step is " +
                                         fmtNumber(runDt) +
                                         " ms, the network's " +
                                         fmtNumber(n.sim.timestep) + " ms");
  uint32_t numTicks = uint32_t(ticks->get<uint64_t>());
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> spikes(
      n.populations.size());
  for (size_t p = 0; p < n.populations.size(); ++p) {
    const Population &pop = n.populations[p];
    SmallString<256> path(dir);
    sys::path::append(path, pop.name + ".spikes.npy");
    Expected<NumArray> a = readNpy(path);
    if (!a)
      return profileError(path, toString(a.takeError()) +
                                    " (the run must record every layer's "
                                    "spikes)");
    if (a->shape.size() != 2 || a->shape[1] != 2)
      return profileError(path, "spikes must have shape (K, 2)");
    uint64_t size = pop.shape.size();
    for (uint64_t r = 0; r < a->rows(); ++r) {
      double time = a->data[2 * r], neuron = a->data[2 * r + 1];
      double tick = std::round(time / runDt);
      if (!(neuron >= 0 && neuron < double(size) &&
            neuron == std::floor(neuron)))
        return profileError(path, a->rowName(r) + ": neuron " +
                                      fmtNumber(neuron) + " is not one of " +
                                      pop.name + "'s " + Twine(size));
      if (!(tick >= 0 && tick < double(numTicks)))
        return profileError(path, a->rowName(r) + ": time " + fmtNumber(time) +
                                      " ms is outside the run's " +
                                      Twine(numTicks) + " ticks");
      spikes[p].push_back({uint32_t(tick), uint32_t(neuron)});
    }
  }
  return makeActivityProfile(numTicks, spikes);
}

namespace {
/// Per neuron of a source population: the slices it has synapses on and how
/// many (summed over every projection from the population), CSR.
struct TargetSlices {
  std::vector<uint64_t> offsets;
  std::vector<uint32_t> slice, synapses;
};
} // namespace

static TargetSlices
targetSlicesOf(const Network &n, const Partition &part, unsigned pop,
               std::vector<std::vector<uint32_t>> &sources) {
  uint64_t size = n.populations[pop].shape.size();
  std::vector<std::pair<uint64_t, uint32_t>> pairs; // (pre << 32 | slice)
  for (size_t j = 0; j < n.projections.size(); ++j) {
    const Projection &proj = n.projections[j];
    if (proj.pre != pop)
      continue;
    const ConnectionList &l = n.connections->lists[j];
    const std::vector<uint32_t> &sliceOf = part.sliceOf[proj.post];
    for (uint64_t i = 0; i < l.size(); ++i)
      pairs.push_back({(uint64_t(l.pre[i]) << 32) | sliceOf[l.post[i]], 1});
  }
  std::sort(pairs.begin(), pairs.end());
  TargetSlices t;
  t.offsets.assign(size + 1, 0);
  for (size_t i = 0; i < pairs.size();) {
    size_t k = i;
    while (k < pairs.size() && pairs[k].first == pairs[i].first)
      ++k;
    uint32_t pre = uint32_t(pairs[i].first >> 32);
    uint32_t slice = uint32_t(pairs[i].first);
    ++t.offsets[pre + 1];
    t.slice.push_back(slice);
    t.synapses.push_back(uint32_t(k - i));
    sources[slice].push_back(part.sliceOf[pop][pre]);
    i = k;
  }
  for (uint64_t i = 0; i < size; ++i)
    t.offsets[i + 1] += t.offsets[i];
  return t;
}

/// A packet's cycles on a slice whose incoming packets come from the source
/// slices \p sources (sorted and deduplicated here): the packet, and a
/// search whose steps are ceil(log2(E + 1)) for E population-table entries,
/// estimated as the distinct source slices.
static uint64_t packetCycles(std::vector<uint32_t> &sources,
                             const kernel::CycleModel &m) {
  std::sort(sources.begin(), sources.end());
  uint64_t entries =
      std::unique(sources.begin(), sources.end()) - sources.begin();
  uint64_t steps = 0;
  while ((uint64_t(1) << steps) < entries + 1)
    ++steps;
  return m.perPacket + m.perSearch + m.perSearchStep * steps;
}

std::vector<SliceLoad> scnc::predictSliceLoads(const Network &n,
                                               const Partition &part,
                                               const ActivityProfile &a,
                                               const kernel::CycleModel &m,
                                               unsigned /*threads*/) {
  size_t numSlices = part.slices.size();
  std::vector<SliceLoad> loads(numSlices);
  std::vector<std::vector<uint32_t>> sources(numSlices);
  std::vector<TargetSlices> targets(n.populations.size());
  for (unsigned p = 0; p < n.populations.size(); ++p)
    targets[p] = targetSlicesOf(n, part, p, sources);
  std::vector<uint64_t> packetCost(numSlices);
  for (size_t s = 0; s < numSlices; ++s)
    packetCost[s] = packetCycles(sources[s], m);
  std::vector<uint64_t> events(numSlices), packets(numSlices),
      spikes(numSlices);
  std::vector<uint32_t> touched;
  auto touch = [&](uint32_t s) {
    if (!events[s] && !packets[s] && !spikes[s])
      touched.push_back(s);
  };
  for (uint32_t t = 0; t < a.ticks; ++t) {
    touched.clear();
    for (unsigned p = 0; p < n.populations.size() && p < a.populations.size();
         ++p) {
      const ActivityProfile::Population &ap = a.populations[p];
      const TargetSlices &ts = targets[p];
      for (uint64_t i = ap.offsets[t]; i < ap.offsets[t + 1]; ++i) {
        uint32_t neuron = ap.neurons[i];
        uint32_t own = part.sliceOf[p][neuron];
        touch(own);
        ++spikes[own];
        for (uint64_t k = ts.offsets[neuron]; k < ts.offsets[neuron + 1]; ++k) {
          touch(ts.slice[k]);
          ++packets[ts.slice[k]];
          events[ts.slice[k]] += ts.synapses[k];
        }
      }
    }
    for (uint32_t s : touched) {
      const Slice &sl = part.slices[s];
      uint64_t cycles = 0;
      if (!(n.populations[sl.population].kind == Population::Kind::Input))
        cycles = m.perTick + uint64_t(m.perNeuron) * sl.neurons.size() +
                 uint64_t(m.perSpike) * spikes[s] + packetCost[s] * packets[s] +
                 uint64_t(m.perEvent) * events[s];
      SliceLoad &l = loads[s];
      if (cycles > l.peakCycles) {
        l.peakCycles = cycles;
        l.peakTick = t;
      }
      l.peakEvents = std::max(l.peakEvents, events[s]);
      l.peakPackets = std::max(l.peakPackets, packets[s]);
      events[s] = packets[s] = spikes[s] = 0;
    }
  }
  // A neuron slice's quietest tick still updates every neuron.
  for (size_t s = 0; s < numSlices; ++s) {
    const Slice &sl = part.slices[s];
    if (!(n.populations[sl.population].kind == Population::Kind::Input))
      loads[s].peakCycles = std::max<uint64_t>(
          loads[s].peakCycles,
          m.perTick + uint64_t(m.perNeuron) * sl.neurons.size());
  }
  return loads;
}

std::vector<double> scnc::expectedRates(const Network &n) {
  std::vector<double> rate(n.populations.size(), 0);
  std::vector<bool> done(n.populations.size(), false);
  // Synapses per (pre, post) pair of populations.
  std::vector<std::vector<std::pair<unsigned, uint64_t>>> in(
      n.populations.size());
  for (size_t j = 0; j < n.projections.size(); ++j) {
    const Projection &pr = n.projections[j];
    uint64_t syn = n.connections ? n.connections->lists[j].size() : 1;
    in[pr.post].push_back({pr.pre, syn});
  }
  double windowMs = n.sim.inputWindow;
  // Inputs first, then every other population once all its sources are
  // known (populations on a cycle take their known sources only).
  for (size_t q = 0; q < n.populations.size(); ++q) {
    const Population &p = n.populations[q];
    if (p.kind != Population::Kind::Input)
      continue;
    const Encoding &e = p.encoding;
    double r = 0;
    if (e.kind == "poisson")
      r = e.get("max_rate");
    else if (e.kind == "rate")
      r = windowMs > 0 ? e.get("max_spikes") * 1000.0 / windowMs : 0;
    else if (e.kind == "latency")
      r = e.get("t_max") > 0 ? 1000.0 / e.get("t_max") : 0;
    rate[q] = p.expectedRate > 0 ? p.expectedRate : r;
    done[q] = true;
  }
  // A population's default: the synapse-weighted mean rate of its sources
  // known so far; false while one of them (other than itself) is not.
  auto fromSources = [&](size_t q, double &out) {
    bool ready = true;
    double weighted = 0;
    uint64_t total = 0;
    for (const auto &[pre, syn] : in[q]) {
      ready &= done[pre] || pre == q;
      if (done[pre]) {
        weighted += rate[pre] * double(syn);
        total += syn;
      }
    }
    out = total ? weighted / double(total) : 0;
    return ready;
  };
  auto settle = [&](size_t q, bool force) {
    double mean = 0;
    bool ready = fromSources(q, mean);
    double declared = n.populations[q].expectedRate;
    if (!ready && !force && declared <= 0)
      return false;
    rate[q] = declared > 0 ? declared : mean;
    done[q] = true;
    return true;
  };
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t q = 0; q < n.populations.size(); ++q)
      if (!done[q])
        progress |= settle(q, /*force=*/false);
  }
  // What is left sits on a cycle: its known sources only.
  for (size_t q = 0; q < n.populations.size(); ++q)
    if (!done[q])
      settle(q, /*force=*/true);
  return rate;
}

double scnc::poissonPeak(double lambda) {
  return lambda > 0 ? lambda + 3.0 * std::sqrt(lambda) : 0.0;
}

std::vector<SliceLoad>
scnc::estimateSliceLoads(const Network &n, const Partition &part,
                         const std::vector<double> &ratesHz,
                         const kernel::CycleModel &m) {
  size_t numSlices = part.slices.size();
  std::vector<SliceLoad> loads(numSlices);
  std::vector<std::vector<uint32_t>> sources(numSlices);
  // Per slice: the mean packets and synaptic events per tick.
  std::vector<double> packets(numSlices, 0), events(numSlices, 0);
  double dtSeconds = n.sim.timestep / 1000.0;
  for (unsigned p = 0; p < n.populations.size(); ++p) {
    TargetSlices ts = targetSlicesOf(n, part, p, sources);
    double perTick = ratesHz[p] * dtSeconds;
    for (size_t k = 0; k < ts.slice.size(); ++k) {
      packets[ts.slice[k]] += perTick;
      events[ts.slice[k]] += perTick * ts.synapses[k];
    }
  }
  for (size_t s = 0; s < numSlices; ++s) {
    const Slice &sl = part.slices[s];
    if (n.populations[sl.population].kind == Population::Kind::Input)
      continue;
    double packetCost = double(packetCycles(sources[s], m));
    double spikes =
        poissonPeak(ratesHz[sl.population] * dtSeconds * sl.neurons.size());
    double peakPackets = poissonPeak(packets[s]);
    double peakEvents =
        packets[s] > 0 ? events[s] * peakPackets / packets[s] : 0;
    double cycles = m.perTick + double(m.perNeuron) * sl.neurons.size() +
                    m.perSpike * spikes + packetCost * peakPackets +
                    m.perEvent * peakEvents;
    SliceLoad &l = loads[s];
    l.peakCycles = uint64_t(std::ceil(cycles));
    l.peakEvents = uint64_t(std::ceil(peakEvents));
    l.peakPackets = uint64_t(std::ceil(peakPackets));
  }
  return loads;
}
