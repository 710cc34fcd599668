//===- Reference.cpp - The reference evaluator ----------------------------===//
//
// docs/execution.md, step by step: inputs, neuron updates (in parallel:
// every neuron only touches its own state and ring-buffer slots), delivery
// of every spike along out-edges grouped per pre neuron (CSR, built once).
// Delivery runs in a fixed order (populations, spikes by neuron, synapses
// in list order), so even float64 sums do not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/Reference.h"
#include "kernel/Stdp.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Network.h"
#include "scnc/IR/StdpRule.h"
#include "scnc/IR/WeightScale.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Parallel.h"
#include "scnc/Support/Timing.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Compiler.h"
#include <algorithm>
#include <chrono>
#include <cmath>

using namespace scnc;
using namespace llvm;

namespace {

/// The machine's arithmetic: uint16 slots, S16.15 state.
struct FixedModel {
  using Slot = uint16_t;
  using Weight = uint16_t;
  using Params = NeuronFixedParams;
  using State = NeuronFixedState;
  static constexpr const char *Mode = "reference";

  static Slot add(Slot s, Weight w) { return addSatU16(s, w); }
  static bool step(State &s, const Params &p, Slot e, Slot i,
                   const unsigned *shift) {
    bool spiked;
    Accum ea = ringBufferToAccum(e, shift[ExcitatorySynapse]),
          ia = ringBufferToAccum(i, shift[InhibitorySynapse]);
    if (p.model == NeuronModelIfCurrExp)
      lifStep(s, p, ea, ia, spiked);
    else
      neuronModelStep(s, p, ea, ia, spiked);
    return spiked;
  }
  static double voltage(const State &s) { return toDouble(s.v); }
};

/// The same equations in float64: slots hold exact sums of |w| in nA.
struct DoubleModel {
  using Slot = double;
  using Weight = float; // |w| of a float weight, exact
  using Params = NeuronDoubleParams;
  using State = NeuronDoubleState;
  static constexpr const char *Mode = "reference-float64";

  static Slot add(Slot s, Weight w) { return s + double(w); }
  static bool step(State &s, const Params &p, Slot e, Slot i,
                   const unsigned *) {
    bool spiked;
    lifStepDouble(s, p, e, i, spiked);
    return spiked;
  }
  static double voltage(const State &s) { return s.v; }
};

template <typename W> struct Edge {
  uint32_t target;
  uint32_t delay; ///< ticks, >= 1
  W weight;
};

/// The synapses of one projection grouped by pre neuron; within a pre
/// neuron in list order (ascending post).
template <typename W> struct OutEdges {
  unsigned pre = 0, post = 0, type = 0;
  std::vector<uint64_t> start; ///< nPre + 1
  std::vector<Edge<W>> edges;
  /// With P > 1 parts: per pre neuron the P - 1 inner boundaries between
  /// the parts' post ranges, as offsets from start[pre].
  std::vector<uint32_t> cuts;
  uint32_t maxDelay = 0;
  /// Plastic (fixed point, ReferenceOptions::plastic): every edge's weight
  /// is its own synapse's, updated at each pre spike; per edge its index in
  /// the connection list; per pre neuron its last spike and trace.
  bool plastic = false;
  std::vector<uint64_t> listIndex;
  std::vector<uint32_t> lastPre;
  std::vector<int32_t> preTrace;
  std::vector<uint8_t> hasPre;
};

/// A neuron population's state.
template <typename M> struct NeuronPop {
  unsigned index = 0;
  uint64_t size = 0;
  uint64_t first = 0; ///< offset in the flat neuron numbering of a tick
  uint64_t ringMask = 0;
  std::vector<typename M::Slot> ring[kNumSynapseTypes]; ///< slot * size + i
  unsigned shift[kNumSynapseTypes] = {0, 0};
  /// One set for every neuron, or one per neuron (a `neuron` set with
  /// per-neuron values).
  std::vector<typename M::Params> params;
  const typename M::Params &paramsOf(uint64_t i) const {
    return params[params.size() == 1 ? 0 : i];
  }
  std::vector<typename M::State> state;
  std::vector<uint8_t> spiked;
  double *voltages = nullptr; ///< ticks x size, or null
  /// Plastic runs: the rule of the projections that learn into the
  /// population (null: none), in its units, and per neuron its post-spike
  /// history.
  const StdpRule *rule = nullptr;
  /// The rule's winners_per_tick (0: every neuron that crosses fires).
  uint32_t winners = 0;
  FixedStdpRule fixedRule;
  stdp::Rule view;
  std::vector<stdp::PostHistory> history;
};

Error evalError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

template <typename M> class Evaluator {
public:
  Evaluator(const Network &n, const ReferenceOptions &o,
            std::vector<std::string> *warnings, LearnedWeights *learned)
      : n(n), o(o), warnings(warnings), learned(learned) {}

  Expected<Recording> run(const std::vector<std::vector<Spike>> &inputs);

private:
  Error buildRules();
  Error buildEdges();
  Error buildPopulations();
  void updatePreTraces(uint32_t t);
  void readBackWeights();
  void updateNeurons(uint32_t t);
  void deliver(uint32_t t, uint64_t events);
  /// Calls o.progress(done, o.ticks); returns the next tick to report at.
  /// Out of line: the tick loop only compares.
  LLVM_ATTRIBUTE_NOINLINE uint32_t reportProgress(uint32_t done,
                                                  uint32_t every) {
    o.progress(done, o.ticks);
    return done + std::min(every, o.ticks - done);
  }
  /// Small networks and ticks stay on one thread: every chunk costs a
  /// thread start.
  unsigned threadsFor(uint64_t work) const {
    return unsigned(std::min<uint64_t>(std::max(1u, o.threads),
                                       std::max<uint64_t>(1, work / 2048)));
  }
  void warn(const Twine &msg) {
    if (warnings)
      warnings->push_back(msg.str());
  }

  const Network &n;
  const ReferenceOptions &o;
  std::vector<std::string> *warnings;
  LearnedWeights *learned;
  /// Plastic runs: per population the STDP rule of the projections that
  /// learn into it (null: none); its weights' type is that of
  /// lastPlasticProjection.
  std::vector<const StdpRule *> ruleOf;
  Recording rec;
  std::vector<PopulationWeightScale> scales;
  std::vector<OutEdges<typename M::Weight>> out; ///< per projection
  std::vector<std::vector<unsigned>> outOf;      ///< projections per pre
  std::vector<NeuronPop<M>> pops;
  std::vector<int> popOf; ///< population index -> pops index (-1: input)
  uint64_t totalNeurons = 0;
  /// Parts the neurons are split into for parallel delivery (1: serial).
  unsigned parts = 1;
  /// Per population the neurons that spike in the current tick.
  std::vector<std::vector<uint32_t>> tickSpikes;
};

template <typename M> Error Evaluator<M>::buildEdges() {
  const ConnectionSet &cs = *n.connections;
  out.resize(n.projections.size());
  outOf.assign(n.populations.size(), {});
  for (size_t j = 0; j < n.projections.size(); ++j)
    outOf[n.projections[j].pre].push_back(unsigned(j));
  forEachTask(n.projections.size(), o.threads, [&](size_t j) {
    const Projection &p = n.projections[j];
    const ConnectionList &l = cs.lists[j];
    OutEdges<typename M::Weight> &oe = out[j];
    oe.pre = p.pre;
    oe.post = p.post;
    oe.type = synapseType(p);
    oe.plastic = o.plastic && !p.stdp.empty();
    uint64_t nPre = n.populations[p.pre].shape.size();
    // Weights per table entry (kernel element), converted once.
    std::vector<typename M::Weight> table(l.weights.size());
    for (size_t k = 0; k < l.weights.size(); ++k) {
      double w = std::fabs(double(l.weights[k]));
      // The post population's model factor folded in (1 for IF_curr_exp;
      // docs/execution.md), as the image writer does.
      if constexpr (std::is_same<M, FixedModel>::value)
        table[k] = weightToRingBuffer(w * scales[p.post].factor,
                                      scales[p.post].leftShift[oe.type]);
      else
        table[k] = float(w);
    }
    // Per-neuron factors: each synapse's weight with its post neuron's.
    // (Float64 runs have no ring-buffer scales: `scales` is empty there.)
    const PopulationWeightScale *ps =
        std::is_same<M, FixedModel>::value ? &scales[p.post] : nullptr;
    bool perPost = ps && !ps->factors.empty();
    auto weightOf = [&](uint64_t i) -> typename M::Weight {
      if (!perPost)
        return table[l.element(i)];
      return typename M::Weight(weightToRingBuffer(
          std::fabs(double(l.weight(i))) * ps->factors[l.post[i]],
          ps->leftShift[oe.type]));
    };
    oe.start.assign(nPre + 1, 0);
    for (uint64_t i = 0; i < l.size(); ++i)
      ++oe.start[l.pre[i] + 1];
    for (uint64_t i = 0; i < nPre; ++i)
      oe.start[i + 1] += oe.start[i];
    std::vector<uint64_t> fill(oe.start.begin(), oe.start.end() - 1);
    oe.edges.resize(l.size());
    if (oe.plastic) {
      oe.listIndex.resize(l.size());
      oe.lastPre.assign(nPre, 0);
      oe.preTrace.assign(nPre, 0);
      oe.hasPre.assign(nPre, 0);
    }
    uint32_t uniform = delayTicks(p.delay, n.sim.timestep);
    for (uint64_t i = 0; i < l.size(); ++i) {
      uint32_t d = l.delays.empty() ? uniform : synapseDelayTicks(n, p, l, i);
      oe.maxDelay = std::max(oe.maxDelay, d);
      uint64_t at = fill[l.pre[i]]++;
      oe.edges[at] = {l.post[i], d, weightOf(i)};
      if (oe.plastic)
        oe.listIndex[at] = i;
    }
    if (parts > 1) {
      uint64_t nPost = n.populations[p.post].shape.size();
      oe.cuts.resize(nPre * (parts - 1));
      for (uint64_t i = 0; i < nPre; ++i) {
        const Edge<typename M::Weight> *first = oe.edges.data() + oe.start[i],
                                       *last =
                                           oe.edges.data() + oe.start[i + 1];
        for (unsigned k = 1; k < parts; ++k)
          oe.cuts[i * (parts - 1) + k - 1] = uint32_t(
              std::lower_bound(first, last, nPost * k / parts,
                               [](const Edge<typename M::Weight> &x,
                                  uint64_t v) { return x.target < v; }) -
              first);
      }
    }
  });
  return Error::success();
}

/// Which rule each population learns with; as the image writer: one rule
/// per population, its weights in the units of the type of the (last)
/// plastic projection into it.
template <typename M> Error Evaluator<M>::buildRules() {
  ruleOf.assign(n.populations.size(), nullptr);
  if (!o.plastic)
    return Error::success();
  for (const Projection &p : n.projections) {
    if (p.stdp.empty())
      continue;
    const StdpRule *r = n.findStdpRule(p.stdp);
    if (!r)
      return evalError("projection '" + p.name +
                       "' names no known STDP rule ('" + p.stdp + "')");
    if (ruleOf[p.post] && ruleOf[p.post] != r)
      return evalError("layer '" + n.populations[p.post].name +
                       "' learns with two STDP rules ('" +
                       ruleOf[p.post]->name + "' and '" + p.stdp +
                       "'); a core runs one rule");
    ruleOf[p.post] = r;
    const Population &post = n.populations[p.post];
    const NeuronParams *set = n.findNeuronSet(
        post.trainNeuron.empty() ? post.neuron : post.trainNeuron);
    if (set && set->modelKind() != NeuronModelKind::IfCurrExp)
      return evalError("layer '" + post.name +
                       "' learns (--plastic), but its neurons are " +
                       set->model + "; plastic runs use IF_curr_exp only");
  }
  return Error::success();
}

template <typename M> Error Evaluator<M>::buildPopulations() {
  double dt = n.sim.timestep;
  popOf.assign(n.populations.size(), -1);
  for (size_t q = 0; q < n.populations.size(); ++q) {
    const Population &pop = n.populations[q];
    if (pop.kind == Population::Kind::Input)
      continue;
    bool learns = !ruleOf.empty() && ruleOf[q];
    const std::string &setName =
        learns && !pop.trainNeuron.empty() ? pop.trainNeuron : pop.neuron;
    const NeuronParams *set = n.findNeuronSet(setName);
    if (!set)
      return evalError("population '" + pop.name +
                       "' names no known neuron set ('" + setName + "')");
    popOf[q] = int(pops.size());
    pops.emplace_back();
    NeuronPop<M> &np = pops.back();
    np.index = unsigned(q);
    np.size = pop.shape.size();
    np.first = totalNeurons;
    totalNeurons += np.size;
    if constexpr (std::is_same<M, FixedModel>::value) {
      std::vector<std::string> overflows;
      if (set->hasPerNeuron()) {
        np.params.resize(np.size);
        for (uint64_t i = 0; i < np.size; ++i) {
          std::vector<std::string> one;
          np.params[i] = toFixed(set->neuron(i), dt, &one);
          for (std::string &m : one)
            if (!llvm::is_contained(overflows, m))
              overflows.push_back(std::move(m));
        }
      } else {
        np.params.assign(1, toFixed(*set, dt, &overflows));
      }
      for (const std::string &m : overflows)
        warn("population '" + pop.name + "' (neuron set '" + set->name +
             "'): " + m);
      for (unsigned s = 0; s < kNumSynapseTypes; ++s) {
        np.shift[s] = scales[q].leftShift[s];
        if (scales[q].overflow[s])
          warn("population '" + pop.name + "': a neuron sums up to " +
               formatDouble(scales[q].maxSummedInput[s]) + " nA of " +
               (s == ExcitatorySynapse ? "excitatory" : "inhibitory") +
               " weights, which does not fit S16.15 (below 65536 nA); "
               "ring-buffer inputs saturate");
      }
    } else {
      if (set->hasPerNeuron()) {
        np.params.resize(np.size);
        for (uint64_t i = 0; i < np.size; ++i)
          np.params[i] = toDoubleParams(set->neuron(i), dt);
      } else {
        np.params.assign(1, toDoubleParams(*set, dt));
      }
    }
    if (set->hasPerNeuron() && set->perNeuronCount() != np.size)
      return evalError("population '" + pop.name + "' has " + Twine(np.size) +
                       " neurons, its neuron set '" + set->name +
                       "' per-neuron values for " +
                       Twine(set->perNeuronCount()));
    np.state.resize(np.size);
    for (uint64_t i = 0; i < np.size; ++i)
      np.state[i] = initialState(np.paramsOf(i));
    np.spiked.assign(np.size, 0);
    if constexpr (std::is_same<M, FixedModel>::value)
      if (learns) {
        np.rule = ruleOf[q];
        np.winners = np.rule->winnersPerTick;
        np.fixedRule = deriveStdpRule(
            *np.rule, dt,
            scales[q].leftShift[synapseType(*lastPlasticProjection(n, q))]);
        np.view = np.fixedRule.rule();
        np.history.assign(np.size, stdp::PostHistory());
      }
    uint32_t maxDelay = 0;
    for (const auto &oe : out)
      if (oe.post == q)
        maxDelay = std::max(maxDelay, oe.maxDelay);
    uint64_t ring = 1; // a power of two > every delay into the population
    while (ring <= maxDelay)
      ring <<= 1;
    uint64_t slots;
    if (__builtin_mul_overflow(ring, np.size, &slots) ||
        slots > (uint64_t(1) << 32))
      return evalError("population '" + pop.name + "': delays of up to " +
                       Twine(maxDelay) + " ticks need ring buffers of " +
                       Twine(ring) + " slots for each of its " +
                       Twine(np.size) + " neurons, too many to evaluate");
    np.ringMask = ring - 1;
    for (unsigned s = 0; s < kNumSynapseTypes; ++s)
      np.ring[s].assign(slots, typename M::Slot(0));
  }
  return Error::success();
}

template <typename M> void Evaluator<M>::updateNeurons(uint32_t t) {
  parallelFor(
      totalNeurons, threadsFor(totalNeurons), [&](uint64_t b, uint64_t e) {
        for (NeuronPop<M> &np : pops) {
          uint64_t lo = std::max(b, np.first),
                   hi = std::min(e, np.first + np.size);
          if (lo >= hi)
            continue;
          uint64_t base = (t & np.ringMask) * np.size;
          typename M::Slot *rbE = np.ring[ExcitatorySynapse].data() + base;
          typename M::Slot *rbI = np.ring[InhibitorySynapse].data() + base;
          double *v =
              np.voltages ? np.voltages + uint64_t(t) * np.size : nullptr;
          for (uint64_t i = lo - np.first; i < hi - np.first; ++i) {
            typename M::Slot ei = rbE[i], ii = rbI[i];
            rbE[i] = 0;
            rbI[i] = 0;
            if constexpr (std::is_same<M, FixedModel>::value)
              if (np.winners) { // no threshold yet: pickWinners, below
                lifIntegrate(
                    np.state[i], np.paramsOf(i),
                    ringBufferToAccum(ei, np.shift[ExcitatorySynapse]),
                    ringBufferToAccum(ii, np.shift[InhibitorySynapse]));
                np.spiked[i] = 0;
                continue;
              }
            np.spiked[i] =
                M::step(np.state[i], np.paramsOf(i), ei, ii, np.shift);
            if (v)
              v[i] = M::voltage(np.state[i]);
          }
        }
      });
  if constexpr (std::is_same<M, FixedModel>::value)
    for (NeuronPop<M> &np : pops)
      if (np.winners) {
        // The neurons compete as on their core (kernel winnersTick; the
        // image writer keeps the population on one core).
        pickWinners(
            np.state.data(), uint32_t(np.size), np.winners,
            [&](uint32_t i) { return np.paramsOf(i).vThresh; },
            [&](uint32_t i) { return np.spiked[i] != 0; },
            [&](uint32_t i) { np.spiked[i] = 1; });
        double *v = np.voltages ? np.voltages + uint64_t(t) * np.size : nullptr;
        for (uint64_t i = 0; i < np.size; ++i) {
          if (np.spiked[i])
            lifFire(np.state[i], np.paramsOf(i));
          if (v)
            v[i] = M::voltage(np.state[i]);
        }
      }
}

template <typename M> void Evaluator<M>::deliver(uint32_t t, uint64_t events) {
  // Part k of the work owns the k-th part of every population's neurons, so
  // every slot is written by one thread, in the order a single thread would
  // use. Few events stay on one thread.
  unsigned used = events >= 65536 ? parts : 1;
  forEachTask(used, used, [&](size_t k) {
    for (size_t p = 0; p < n.populations.size(); ++p) {
      const std::vector<uint32_t> &spikes = tickSpikes[p];
      if (spikes.empty())
        continue;
      for (unsigned j : outOf[p]) {
        OutEdges<typename M::Weight> &oe = out[j];
        NeuronPop<M> &post = pops[popOf[oe.post]];
        typename M::Slot *rb = post.ring[oe.type].data();
        for (uint32_t pre : spikes) {
          Edge<typename M::Weight> *first = oe.edges.data() + oe.start[pre];
          Edge<typename M::Weight> *last = oe.edges.data() + oe.start[pre + 1];
          if (used > 1) {
            const uint32_t *cut = oe.cuts.data() + uint64_t(pre) * (parts - 1);
            if (k + 1 < parts)
              last = first + cut[k];
            if (k > 0)
              first += cut[k - 1];
          }
          if constexpr (std::is_same<M, FixedModel>::value)
            if (oe.plastic) {
              // docs/execution.md: the row's synapses are updated (deferred
              // potentiation, then depression) before the spike adds them.
              bool has = oe.hasPre[pre];
              uint32_t t0 = oe.lastPre[pre];
              int32_t x0 = oe.preTrace[pre];
              for (Edge<typename M::Weight> *x = first; x != last; ++x)
                x->weight =
                    stdp::onPreSpike(x->weight, t, has, t0, x0,
                                     post.history[x->target], post.view);
            }
          for (const Edge<typename M::Weight> *x = first; x != last; ++x) {
            typename M::Slot &slot =
                rb[((uint64_t(t) + x->delay) & post.ringMask) * post.size +
                   x->target];
            slot = M::add(slot, x->weight);
          }
        }
      }
    }
  });
}

/// After a tick's deliveries: the pre trace of every neuron that spiked,
/// for every plastic projection it feeds (the previous trace decayed to now
/// plus 1; the first spike sets it to 1).
template <typename M> void Evaluator<M>::updatePreTraces(uint32_t t) {
  for (size_t p = 0; p < n.populations.size(); ++p)
    for (unsigned j : outOf[p]) {
      OutEdges<typename M::Weight> &oe = out[j];
      if (!oe.plastic)
        continue;
      const stdp::Rule &r = pops[popOf[oe.post]].view;
      for (uint32_t pre : tickSpikes[p]) {
        oe.preTrace[pre] =
            oe.hasPre[pre]
                ? stdp::bumpTrace(oe.preTrace[pre], t - oe.lastPre[pre],
                                  r.decayPlus, r.lenPlus)
                : stdp::kTraceOne;
        oe.lastPre[pre] = t;
        oe.hasPre[pre] = 1;
      }
    }
}

/// What a host reads back after the run: every plastic weight with the
/// potentiation still deferred applied (stdp::flush), in nA.
template <typename M> void Evaluator<M>::readBackWeights() {
  if (!learned)
    return;
  learned->assign(out.size(), {});
  for (size_t j = 0; j < out.size(); ++j) {
    OutEdges<typename M::Weight> &oe = out[j];
    if (!oe.plastic)
      continue;
    const NeuronPop<M> &post = pops[popOf[oe.post]];
    // Each synapse in the units of its own type (as the image stores it).
    double scale = weightScale(scales[oe.post].leftShift[oe.type]);
    std::vector<float> &w = (*learned)[j];
    w.assign(oe.edges.size(), 0.0f);
    for (size_t pre = 0; pre + 1 < oe.start.size(); ++pre)
      for (uint64_t k = oe.start[pre]; k < oe.start[pre + 1]; ++k) {
        double q = double(oe.edges[k].weight);
        if constexpr (std::is_same<M, FixedModel>::value)
          if (oe.hasPre[pre])
            q = stdp::flush(oe.edges[k].weight, oe.lastPre[pre],
                            oe.preTrace[pre], post.history[oe.edges[k].target],
                            post.view);
        w[oe.listIndex[k]] = float(q / scale);
      }
  }
}

template <typename M>
Expected<Recording>
Evaluator<M>::run(const std::vector<std::vector<Spike>> &inputs) {
  if (!n.connections || n.connections->lists.size() != n.projections.size())
    return evalError("the network's connections have not been expanded");
  for (const Projection &p : n.projections)
    if (n.populations[p.post].kind == Population::Kind::Input)
      return evalError("projection '" + p.name + "' targets input layer '" +
                       n.populations[p.post].name + "'");
  // Input spikes: only for input populations, within the run.
  std::vector<SpikeTarget> targets;
  for (const Population &pop : n.populations)
    targets.push_back(
        {pop.name, pop.kind == Population::Kind::Input, pop.shape.size()});
  if (Error e = checkInputSpikes(inputs, targets, o.ticks))
    return e;
  std::vector<std::vector<Spike>> in(n.populations.size());
  for (size_t q = 0; q < inputs.size() && q < in.size(); ++q) {
    in[q] = inputs[q];
    normalizeSpikes(in[q]);
  }

  uint64_t neurons = 0;
  for (const Population &pop : n.populations)
    if (pop.kind != Population::Kind::Input)
      neurons += pop.shape.size();
  parts = threadsFor(neurons);
  if constexpr (std::is_same<M, FixedModel>::value)
    scales = computeWeightScales(n, o.threads);
  if (Error e = buildRules())
    return e;
  if (Error e = buildEdges())
    return e;
  if (Error e = buildPopulations())
    return e;

  rec.network = n.name;
  rec.mode = M::Mode;
  rec.span.dt = n.sim.timestep;
  rec.span.ticks = o.ticks;
  rec.populations.resize(n.populations.size());
  for (size_t q = 0; q < n.populations.size(); ++q) {
    PopulationRecording &pr = rec.populations[q];
    pr.name = n.populations[q].name;
    pr.isInput = popOf[q] < 0;
    pr.neurons = n.populations[q].shape.size();
    if (!pr.isInput && q < o.recordVoltages.size() && o.recordVoltages[q] &&
        o.ticks && pr.neurons) {
      pr.voltages.assign(uint64_t(o.ticks) * pr.neurons, 0.0);
      pops[popOf[q]].voltages = pr.voltages.data();
    }
  }

  tickSpikes.assign(n.populations.size(), {});
  std::vector<size_t> cursor(n.populations.size(), 0);
  auto start = std::chrono::steady_clock::now();
  // The tick after which to report next (0: never, as without a callback).
  const uint32_t every = std::max<uint32_t>(1, o.progressTicks);
  uint32_t reportAt = 0;
  if (o.progress) {
    o.progress(0, o.ticks);
    reportAt = std::min(every, o.ticks);
  }
  for (uint32_t t = 0; t < o.ticks; ++t) {
    // 1. Inputs.
    for (size_t q = 0; q < n.populations.size(); ++q) {
      tickSpikes[q].clear();
      if (popOf[q] >= 0)
        continue;
      const std::vector<Spike> &s = in[q];
      for (size_t &c = cursor[q]; c < s.size() && s[c].tick == t; ++c) {
        tickSpikes[q].push_back(s[c].neuron);
        rec.populations[q].spikes.push_back(s[c]);
      }
    }
    // 2. Neurons.
    updateNeurons(t);
    for (NeuronPop<M> &np : pops) {
      std::vector<uint32_t> &ts = tickSpikes[np.index];
      std::vector<Spike> &all = rec.populations[np.index].spikes;
      for (uint64_t i = 0; i < np.size; ++i)
        if (np.spiked[i]) {
          ts.push_back(uint32_t(i));
          all.push_back({t, uint32_t(i)});
          if (!np.history.empty())
            np.history[i].record(t, np.view);
        }
    }
    // 3. Delivery.
    uint64_t events = 0;
    for (size_t q = 0; q < n.populations.size(); ++q)
      for (unsigned j : outOf[q])
        for (uint32_t pre : tickSpikes[q])
          events += out[j].start[pre + 1] - out[j].start[pre];
    rec.synapticEvents += events;
    if (events)
      deliver(t, events);
    if (o.plastic)
      updatePreTraces(t);
    if (LLVM_UNLIKELY(t + 1 == reportAt))
      reportAt = reportProgress(reportAt, every);
  }
  if (o.plastic)
    readBackWeights();
  rec.wallSeconds = secondsSince(start);
  rec.neuronUpdates = totalNeurons * o.ticks;
  return std::move(rec);
}

} // namespace

Expected<Recording> scnc::runReference(
    const Network &n, const std::vector<std::vector<Spike>> &inputs,
    const ReferenceOptions &o, std::vector<std::string> *warnings,
    LearnedWeights *learned) {
  if (o.float64) {
    if (o.plastic)
      return evalError("plastic runs use the machine's fixed point (STDP is "
                       "integer arithmetic): not with float64");
    return Evaluator<DoubleModel>(n, o, warnings, learned).run(inputs);
  }
  return Evaluator<FixedModel>(n, o, warnings, learned).run(inputs);
}
