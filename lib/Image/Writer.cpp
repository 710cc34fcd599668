//===- Writer.cpp - Writing load images -----------------------------------===//
//
// docs/image-format.md is the byte layout this file implements; docs/
// execution.md the meaning of the numbers. Core sections are built in
// parallel in batches and streamed to the output in (chip, core) order; the
// header and section table are written last, over a placeholder.
//
//===----------------------------------------------------------------------===//
#include "WriterInternal.h"
#include "kernel/Layout.h"
#include "kernel/Resources.h"
#include "scnc/Config.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/StdpRule.h"
#include "scnc/IR/WeightScale.h"
#include "scnc/Image/Image.h"
#include "scnc/Mapping/MappingState.h"
#include "scnc/Support/Format.h"
#include "scnc/Support/Parallel.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace scnc;
using namespace scnc::image;

namespace {

unsigned bitsFor(uint64_t values) {
  unsigned b = 0;
  while ((uint64_t(1) << b) < values)
    ++b;
  return b;
}

std::string chipCore(const Machine &m, const Placement &p, size_t slice) {
  ChipCoord c = m.coord(p.cores[slice].chip);
  return (Twine(c.x) + "," + Twine(c.y) + "," + Twine(p.cores[slice].core))
      .str();
}

} // namespace

const NeuronParams *Writer::neuronSetOf(unsigned pop) const {
  const Population &p = n.populations[pop];
  if (ruleOf[pop] && !p.trainNeuron.empty())
    if (const NeuronParams *np = n.findNeuronSet(p.trainNeuron))
      return np;
  return n.findNeuronSet(p.neuron);
}

bool Writer::prepare() {
  if (!machineNameFits(o.machineName))
    diag.warning(SMLoc(), "machine name '" + o.machineName +
                              "' does not fit the image header (at most " +
                              Twine(LenMachine - 1) +
                              " bytes): the image names no machine, and "
                              "scnc-run needs --machine");
  double dt = n.sim.timestep;
  timestepUs = uint32_t(std::lround(dt * 1000.0));
  numTicks = uint32_t(std::max(1L, std::lround(n.sim.presentation / dt)));
  // Each projection's post index, computed once for the shifts and the rows.
  std::vector<std::vector<uint64_t>> starts;
  for (unsigned j = 0; j < n.projections.size(); ++j)
    starts.push_back(postStarts(
        n.connections->lists[j],
        n.populations[n.projections[j].post].shape.size(), o.threads));
  scales = computeWeightScales(n, starts, o.threads);
  bool ok =
      !o.plastic || checkStdpResolution(n, scales, diag, o.requireLearning);
  for (size_t q = 0; q < n.populations.size(); ++q)
    for (unsigned t = 0; t < kNumSynapseTypes; ++t)
      if (scales[q].overflow[t]) {
        double f = scales[q].factor;
        if (!scales[q].factors.empty()) {
          // Per-neuron factors: the sum is already in the ring's units.
          diag.error(n.populations[q].loc,
                     "layer '" + n.populations[q].name + "': a neuron's " +
                         (t ? "inhibitory" : "excitatory") +
                         " input in one tick times its own input factor "
                         "reaches " +
                         formatDouble(scales[q].maxSummedInput[t]) +
                         ", more than the 65536 an S16.15 ring-buffer slot "
                         "can hold; use smaller weights");
          ok = false;
          continue;
        }
        diag.error(
            n.populations[q].loc,
            "layer '" + n.populations[q].name + "': a neuron can receive " +
                formatDouble(scales[q].maxSummedInput[t] / f) + " nA of " +
                (t ? "inhibitory" : "excitatory") + " input in one tick, " +
                (f == 1 ? std::string("more than the 65536 nA")
                        : "which times its neuron model's input "
                          "factor " +
                              formatDouble(f) +
                              " is more than the "
                              "65536") +
                " an S16.15 ring-buffer slot can hold; use smaller "
                "weights");
        ok = false;
      }

  sends.assign(s.partition.slices.size(), false);
  for (uint32_t t : s.treeSlices)
    if (t < sends.size())
      sends[t] = true;
  into.assign(n.populations.size(), {});
  ruleOf.assign(n.populations.size(), nullptr);
  for (unsigned j = 0; j < n.projections.size(); ++j) {
    const Projection &p = n.projections[j];
    const ConnectionList &l = n.connections->lists[j];
    ProjectionData d;
    d.index = j;
    d.list = &l;
    d.type = synapseType(p);
    d.delay = delayTicks(p.delay, n.sim.timestep);
    d.plastic = o.plastic && !p.stdp.empty();
    if (d.plastic) {
      const StdpRule *r = n.findStdpRule(p.stdp);
      if (ruleOf[p.post] && r != ruleOf[p.post]) {
        diag.error(p.loc, "layer '" + n.populations[p.post].name +
                              "' learns with two STDP rules ('" +
                              ruleOf[p.post]->name + "' and '" + p.stdp +
                              "'); a core runs one rule");
        ok = false;
      }
      ruleOf[p.post] = r;
      if (r && r->winnersPerTick) {
        // The core picks a tick's winners among its own neurons.
        size_t cores = 0;
        for (const Slice &sl : s.partition.slices)
          cores += sl.population == p.post;
        if (cores > 1) {
          diag.error(p.loc,
                     "layer '" + n.populations[p.post].name +
                         "' learns with 'winners_per_tick' (STDP rule '" +
                         r->name +
                         "'), which a core applies to its own "
                         "neurons, but its " +
                         Twine(n.populations[p.post].shape.size()) +
                         " neurons are on " + Twine(uint64_t(cores)) +
                         " cores; raise 'neurons_per_core'");
          ok = false;
        }
      }
      const NeuronParams *np = neuronSetOf(p.post);
      if (np && np->modelKind() != NeuronModelKind::IfCurrExp) {
        diag.error(p.loc, "layer '" + n.populations[p.post].name +
                              "' learns (--plastic), but its neurons are " +
                              np->model +
                              "; plastic images run IF_curr_exp neurons only");
        ok = false;
      }
    }
    d.start = std::move(starts[j]);
    // Weights in ring-buffer units, and how much precision they lose.
    // The post population's model factor is folded into every weight
    // (docs/execution.md); 1 for IF_curr_exp.
    // With per-neuron parameters each synapse gets its post neuron's
    // factor: one weight per synapse (d.qSyn) instead of per table entry;
    // the message divides by the worst synapse's factor.
    const std::vector<double> &postFactors = scales[p.post].factors;
    std::vector<double> w;
    if (postFactors.empty()) {
      w.assign(l.weights.begin(), l.weights.end());
      if (scales[p.post].factor != 1)
        for (double &x : w)
          x *= scales[p.post].factor;
    } else {
      w.resize(l.size());
      for (uint64_t i = 0; i < l.size(); ++i)
        w[i] = double(l.weight(i)) * postFactors[l.post[i]];
    }
    WeightQuantization wq = quantizeWeights(
        w.data(), w.size(), scales[p.post].maxSummedInput[d.type]);
    if (postFactors.empty())
      d.q = std::move(wq.weights);
    else
      d.qSyn = std::move(wq.weights);
    if (wq.worstRelativeError > o.precisionWarning && !w.empty()) {
      const double factor = postFactors.empty()
                                ? scales[p.post].factor
                                : postFactors[l.post[wq.worstIndex]];
      uint16_t stored =
          postFactors.empty() ? d.q[wq.worstIndex] : d.qSyn[wq.worstIndex];
      double worst = std::fabs(w[wq.worstIndex]) / factor;
      diag.warning(
          p.loc,
          "layer '" + n.populations[p.post].name + "': weights from '" +
              n.populations[p.pre].name + "' lose up to " +
              formatDouble(100 * wq.worstRelativeError, 3) +
              "% in the 16-bit ring-buffer format (" + formatDouble(worst) +
              " nA is stored as " + formatDouble(stored / wq.scale / factor) +
              " nA; left shift " + Twine(wq.leftShift) + " for up to " +
              formatDouble(scales[p.post].maxSummedInput[d.type] /
                           scales[p.post].factor) +
              " nA per tick" +
              (wq.flushedToZero ? ", " + Twine(uint64_t(wq.flushedToZero)) +
                                      " weights become 0"
                                : Twine()) +
              "); more than " + formatDouble(100 * o.precisionWarning) + "%");
    }
    into[p.post].push_back(unsigned(projs.size()));
    projs.push_back(std::move(d));
  }
  return ok;
}

void Writer::neuronParamRegions(
    const NeuronParams &np, const Slice &sl,
    std::vector<std::pair<uint32_t, std::string>> &regions) const {
  double dt = n.sim.timestep;
  if (!np.hasPerNeuron()) {
    NeuronFixedParams f = toFixed(np, dt);
    addRegion(regions, NeuronParamsRegion, encodeNeuronParams(f));
    addRegion(regions, NeuronStateRegion,
              neuronStateRegion(
                  std::vector<NeuronFixedParams>(sl.neurons.size(), f)));
    return;
  }
  // Per-neuron values: the core's distinct sets, and an index when there
  // is more than one (one set: the region of a core without arrays).
  std::vector<NeuronFixedParams> perNeuron;
  perNeuron.reserve(sl.neurons.size());
  for (uint32_t neuron : sl.neurons)
    perNeuron.push_back(toFixed(np.neuron(neuron), dt));
  NeuronParamTable t = buildNeuronParamTable(perNeuron);
  std::string sets;
  for (const NeuronFixedParams &f : t.sets)
    sets += encodeNeuronParams(f);
  addRegion(regions, NeuronParamsRegion, sets);
  if (t.sets.size() > 1) {
    Buf idx;
    for (uint16_t k : t.index)
      idx.u16(k);
    if (t.index.size() % 2)
      idx.u16(0);
    addRegion(regions, NeuronParamIndexRegion, idx.b);
  }
  addRegion(regions, NeuronStateRegion, neuronStateRegion(perNeuron));
}

std::string Writer::stdpRegion(unsigned pop) const {
  const StdpRule &r = *ruleOf[pop];
  // Plastic weights are in the units of the last plastic projection's type.
  const Projection *last = lastPlasticProjection(n, pop);
  unsigned type = last ? synapseType(*last) : unsigned(ExcitatorySynapse);
  // The same derivation as the reference evaluator's (IR/StdpRule.h).
  FixedStdpRule f =
      deriveStdpRule(r, n.sim.timestep, scales[pop].leftShift[type]);
  Buf b;
  b.u32(kernel::stdpFirstWord(f.multiplicative, r.winnersPerTick));
  for (Accum a : {f.aPlus, f.aMinus, f.wMinAccum, f.wMaxAccum})
    b.u32(uint32_t(a.bits));
  for (const std::vector<UFract32> *lut : {&f.decayPlus, &f.decayMinus}) {
    b.u32(uint32_t(lut->size()));
    for (UFract32 v : *lut)
      b.u32(v.bits);
  }
  return b.b;
}

std::string Writer::sourceRegion(const Population &pop, size_t neurons) const {
  Buf b;
  uint32_t enc = pop.encoding.kind == "rate"      ? SourceRate
                 : pop.encoding.kind == "poisson" ? SourcePoisson
                 : pop.encoding.kind == "latency" ? SourceLatency
                                                  : SourceArray;
  b.u32(enc);
  b.u32(uint32_t(pop.encoding.params.size()));
  for (const auto &p : pop.encoding.params) {
    b.str(p.first, kSourceParamNameBytes);
    b.u32(uint32_t(accumFromDouble(p.second).bits));
  }
  // The spike array: none at compile time (scnc-run supplies the input).
  b.u32(uint32_t(neurons));
  b.u32(0);
  for (size_t i = 0; i <= neurons; ++i)
    b.u32(0);
  return b.b;
}

/// The neuron-state region: every neuron at rest in its v_init, no
/// current, not refractory.
std::string Writer::neuronStateRegion(
    const std::vector<NeuronFixedParams> &perNeuron) const {
  Buf st;
  st.b.reserve(16 * perNeuron.size());
  for (const NeuronFixedParams &f : perNeuron) {
    NeuronFixedState init = initialState(f);
    st.u32(uint32_t(init.v.bits));
    st.u32(uint32_t(init.iSynE.bits));
    st.u32(uint32_t(init.iSynI.bits));
    st.u32(uint32_t(init.refracTimer));
  }
  return std::move(st.b);
}

/// A core section from its regions: the region table (by id), then the
/// regions; sets res.data and res.crc, or res.error when it is too big.
void Writer::packRegions(std::vector<std::pair<uint32_t, std::string>> &regions,
                         const std::string &where, CoreResult &res) const {
  std::sort(regions.begin(), regions.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  Buf out;
  out.u32(uint32_t(regions.size()));
  uint64_t off = 4 + 12 * uint64_t(regions.size());
  for (auto &r : regions) {
    out.u32(r.first);
    out.u32(uint32_t(off));
    out.u32(uint32_t(r.second.size()));
    off += r.second.size();
  }
  if (off > UINT32_MAX) {
    res.error = where + ": core data of " + withCommas(off) +
                " bytes does not fit a core section";
    return;
  }
  out.b.reserve(off);
  for (auto &r : regions)
    out.b += r.second;
  res.data = std::move(out.b);
  res.crc = crcOf(res.data);
}

/// Pass 1 of a neuron core's synapses: the source slices of slice \p sl's
/// incoming synapses (first seen first, sc.sources and sc.entryOfSlice,
/// which the caller clears), each row's fixed and plastic synapse counts and
/// the largest delay.

CoreResult Writer::buildCore(size_t slice, Scratch &sc) const {
  namespace model = kernel::resources;
  CoreResult res;
  const Slice &sl = s.partition.slices[slice];
  const Population &pop = n.populations[sl.population];
  uint32_t count = uint32_t(sl.neurons.size());
  bool input = pop.kind == Population::Kind::Input;
  bool plastic = !input && ruleOf[sl.population];
  std::string where = "core " + chipCore(m, s.placement, slice) + " (layer '" +
                      pop.name + "', " + withCommas(count) + " neurons)";
  std::vector<std::pair<uint32_t, std::string>> regions;

  Buf sys;
  sys.u32(timestepUs);
  sys.u32(count);
  sys.u32(sl.population);
  sys.u32(numTicks);
  sys.u32((input ? uint32_t(SystemInputCore) : 0u) |
          (plastic ? uint32_t(SystemPlastic) : 0u));
  addRegion(regions, SystemRegion, sys.b);
  // Only slices with targets send (as sPyNNaker: a vertex without outgoing
  // edges gets no key); a key nobody routes would only be dropped at the
  // sender's own router.
  if (s.keyed && slice < s.keys.slices.size() && s.keys.slices[slice].mask &&
      sends[slice]) {
    Buf k;
    k.u32(s.keys.slices[slice].key);
    k.u32(s.keys.slices[slice].mask);
    addRegion(regions, NeuronKeysRegion, k.b);
  }
  if (input) {
    addRegion(regions, SpikeSourceRegion, sourceRegion(pop, count));
  } else {
    const NeuronParams *np = neuronSetOf(sl.population);
    if (!np) {
      res.error = where + ": no neuron parameter set";
      return res;
    }
    neuronParamRegions(*np, sl, regions);

    // Pass 1: the source slices, row sizes and the largest delay.
    sc.sources.clear();
    sc.base.clear();
    // Every exit leaves the slice map clean for the scratch's next core.
    auto cleanSlices = make_scope_exit([&] {
      for (uint32_t src : sc.sources)
        sc.entryOfSlice[src] = -1;
    });
    uint32_t maxDelay = countRows(sl, sc);
    uint32_t indexBits = std::max(1u, bitsFor(count));
    uint32_t delayBits = std::max(1u, bitsFor(uint64_t(maxDelay) + 1));
    if (indexBits + 1 + delayBits > 16) {
      res.error =
          (where + ": a synaptic word needs " + Twine(indexBits) +
           " neuron-index bits, 1 synapse-type bit and " + Twine(delayBits) +
           " delay bits (delays up to " + Twine(maxDelay) +
           " ticks): " + Twine(indexBits + 1 + delayBits) +
           " bits, more than the 16 of a synaptic word; use fewer "
           "neurons per core or shorter delays")
              .str();
      return res;
    }
    Buf syn;
    syn.u32(scales[sl.population].leftShift[ExcitatorySynapse]);
    syn.u32(scales[sl.population].leftShift[InhibitorySynapse]);
    syn.u32(delayBits);
    syn.u32(1);
    syn.u32(indexBits);
    addRegion(regions, SynapseParamsRegion, syn.b);

    // The population table and where each row starts.
    std::vector<uint32_t> rowLen;
    uint64_t words = 0;
    std::vector<PopTableEntry> table = layOutRows(sc, rowLen, words);
    if (words > UINT32_MAX / 4) {
      res.error = where + ": synaptic matrix of " + withCommas(words * 4) +
                  " bytes does not fit a core section";
      return res;
    }
    Buf pt;
    pt.u32(uint32_t(table.size()));
    for (const PopTableEntry &t : table) {
      pt.u32(t.key);
      pt.u32(t.mask);
      pt.u32(t.rowOffset);
      pt.u32(t.rowStride);
      pt.u32(t.numRows);
    }
    addRegion(regions, PopulationTableRegion, pt.b);

    std::vector<uint32_t> mat = writeRows(sl, sc, rowLen, words, indexBits);
    Buf mb;
    mb.b.resize(mat.size() * 4);
    for (size_t i = 0; i < mat.size(); ++i)
      support::endian::write32le(&mb.b[4 * i], mat[i]);
    addRegion(regions, SynapticMatrixRegion, std::move(mb.b));

    // DTCM: what the core program keeps there (kernel/Resources.h): its
    // static data, the population table, the STDP decay tables, two row
    // buffers and the kernel's arrays.
    // (A core with per-neuron parameters keeps its sets and the index.)
    uint64_t paramSets = 0;
    for (const auto &r : regions)
      if (r.first == NeuronParamIndexRegion)
        for (const auto &q : regions)
          if (q.first == NeuronParamsRegion)
            paramSets = q.second.size() / (4 * kNeuronParamWordsNir);
    model::NeuronCoreArrays arrays = model::neuronCoreArrays(
        count, delayBits, indexBits, plastic, o.recordVoltage, paramSets);
    uint64_t maxRow = 0;
    for (const PopTableEntry &t : table)
      maxRow = std::max<uint64_t>(maxRow, t.rowStride);
    uint64_t lenPlus = 0, lenMinus = 0;
    if (plastic) {
      std::string st = stdpRegion(sl.population);
      // The region: dependence, four S16.15 values, then each table's
      // length and its entries.
      lenPlus = support::endian::read32le(st.data() + 20);
      lenMinus = support::endian::read32le(st.data() + 24 + 4 * lenPlus);
      addRegion(regions, StdpParamsRegion, std::move(st));
    }
    model::NeuronCoreArena arena =
        model::neuronCoreArena(table.size(), maxRow, lenPlus, lenMinus, arrays);
    uint64_t program = model::programDTCMBytes(false);
    uint64_t fixedPart =
        program + arena.popTable + arena.stdpTables + arena.rowBuffers;
    uint64_t dtcm = program + arena.total();
    if (dtcm > model::kDTCMBytes) {
      uint64_t budget =
          fixedPart < model::kDTCMBytes ? model::kDTCMBytes - fixedPart : 0;
      uint64_t fits =
          !budget ? 0
          : !paramSets
              ? model::maxNeuronsFitting(budget, delayBits, plastic,
                                         o.recordVoltage, count)
              // At most one parameter set per neuron.
              : model::largestFitting(count, [&](uint64_t m) {
                  return model::neuronCoreArrays(
                             m, delayBits, model::indexBitsFor(m), plastic,
                             o.recordVoltage, std::min(m, paramSets))
                             .total() <= budget;
                });
      std::string parts =
          "neuron state " + withCommas(arrays.state) + ", ring buffers " +
          withCommas(arrays.rings) + " (2 x " +
          withCommas(uint64_t(1) << delayBits) + " delay slots x " +
          withCommas(uint64_t(1) << indexBits) +
          " neuron slots), population "
          "table " +
          withCommas(arena.popTable) + ", row buffers " +
          withCommas(arena.rowBuffers) + " (2 x " + withCommas(maxRow) +
          " words)" +
          (plastic ? ", STDP " + withCommas(arrays.history + arena.stdpTables)
                   : std::string()) +
          (paramSets ? ", neuron parameters " + withCommas(arrays.params) +
                           " (" + withCommas(paramSets) + " sets)"
                     : std::string()) +
          ", other arrays " + withCommas(arrays.other) + ", core program " +
          withCommas(program);
      res.error =
          where + " needs " + withCommas(dtcm) +
          " bytes of DTCM, more than the " + withCommas(model::kDTCMBytes) +
          " of a core (" + parts + "); use fewer neurons per core" +
          (fits ? " (neurons_per_core = " + withCommas(fits) + " would fit)"
                : std::string());
      return res;
    }
  }
  Buf rec;
  rec.u32(uint32_t(RecordSpikes) |
          (o.recordVoltage && !input ? uint32_t(RecordVoltage) : 0u));
  rec.u32(1);
  addRegion(regions, RecordingRegion, rec.b);
  Buf ids;
  for (uint32_t i : sl.neurons)
    ids.u32(i);
  addRegion(regions, NeuronIdsRegion, ids.b);
  // With --profile, the worst tick the compiler predicted for this core, so
  // that `scnc-run --stats` can show it beside the measured one.
  if (!input && slice < s.loads.size()) {
    const SliceLoad &l = s.loads[slice];
    auto u32 = [](uint64_t v) {
      return uint32_t(std::min<uint64_t>(v, UINT32_MAX));
    };
    Buf lp;
    lp.u32(u32(l.peakCycles));
    lp.u32(l.peakTick);
    lp.u32(u32(l.peakEvents));
    lp.u32(u32(l.peakPackets));
    lp.u32(u32(s.loadBudgetCycles));
    addRegion(regions, LoadPredictionRegion, lp.b);
  }

  packRegions(regions, where, res);
  return res;
}

/// The program kinds the image carries: with o.corePrograms, each kind of
/// core it places whose program this scnc was built with.
std::vector<uint32_t> Writer::programKinds() const {
  std::vector<uint32_t> kinds;
  if (!o.corePrograms)
    return kinds;
  bool used[NumProgramKinds] = {false, false};
  for (const Slice &sl : s.partition.slices)
    used[n.populations[sl.population].kind == Population::Kind::Input
             ? SourceProgram
             : NeuronProgram] = true;
  for (uint32_t k = 0; k < NumProgramKinds; ++k)
    if (used[k] && !builtinCoreProgram(k).empty())
      kinds.push_back(k);
  return kinds;
}

/// The section table without offsets: the routing tables, the populations
/// section, the cores in (y, x, core) order so that the layout does not
/// depend on the order of slices (\p order: the slices in that order), then
/// the core programs.
std::vector<ImageSection>
Writer::sectionTable(std::vector<size_t> &order) const {
  std::vector<ImageSection> secs;
  for (const RoutingTable &t : s.compressed) {
    ImageSection e;
    ChipCoord c = m.coord(t.chip);
    e.type = RoutingTableSection;
    e.x = uint16_t(c.x);
    e.y = uint16_t(c.y);
    secs.push_back(e);
  }
  order.resize(s.placement.cores.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    ChipCoord ca = m.coord(s.placement.cores[a].chip),
              cb = m.coord(s.placement.cores[b].chip);
    return std::make_tuple(ca.y, ca.x, s.placement.cores[a].core) <
           std::make_tuple(cb.y, cb.x, s.placement.cores[b].core);
  });
  // The populations section (one, network-wide) after the tables.
  {
    ImageSection e;
    e.type = PopulationsSection;
    secs.push_back(e);
  }
  for (size_t i : order) {
    ImageSection e;
    ChipCoord c = m.coord(s.placement.cores[i].chip);
    e.type = CoreSection;
    e.x = uint16_t(c.x);
    e.y = uint16_t(c.y);
    e.core = s.placement.cores[i].core;
    secs.push_back(e);
  }
  for (size_t k = 0, nk = programKinds().size(); k < nk; ++k) {
    ImageSection e;
    e.type = CoreProgramSection;
    secs.push_back(e);
  }
  return secs;
}

/// The populations section: per population its kind, shape and name.
std::string Writer::populationsSection() const {
  Buf b;
  b.u32(uint32_t(n.populations.size()));
  for (const Population &p : n.populations) {
    b.u32(p.kind == Population::Kind::Input);
    b.u32(p.shape.h);
    b.u32(p.shape.w);
    b.u32(p.shape.c);
    b.u32(uint32_t(p.name.size()));
    std::string name = p.name;
    name.resize((name.size() + 3) / 4 * 4, '\0');
    b.b += name;
  }
  return std::move(b.b);
}

/// The header and the section table of an image of \p fileSize bytes.
std::string Writer::header(const std::vector<ImageSection> &secs,
                           uint64_t fileSize) const {
  ImageHeader h;
  h.fileSize = fileSize;
  h.timestepUs = timestepUs;
  h.machineWidth = m.width();
  h.machineHeight = m.height();
  h.seed = s.partitionConfig.seed;
  h.networkHash = networkHash(n);
  // A cut name would name another machine, or none that exists.
  h.machineName = machineNameFits(o.machineName) ? o.machineName : "";
  h.scncVersion = SCNC_VERSION;
  h.networkName = n.name;
  return encodeHeader(h, secs);
}

bool Writer::run(raw_pwrite_stream &os) {
  // A warning turned into an error by -Werror also stops the image.
  unsigned errorsBefore = diag.getNumErrors();
  if (!prepare() || diag.getNumErrors() > errorsBefore)
    return false;
  // Routing tables, the populations, then cores in (y, x, core) order.
  std::vector<size_t> order;
  std::vector<ImageSection> secs = sectionTable(order);
  size_t numTables = s.compressed.size();

  // Placeholder header and table.
  uint64_t off = kHeaderSize + uint64_t(kSectionEntrySize) * secs.size();
  os << std::string(off, '\0');
  auto emit = [&](ImageSection &e, StringRef data, uint32_t crc) {
    e.offset = off;
    e.size = uint32_t(data.size());
    e.crc = crc;
    os << data;
    off += data.size();
  };
  for (size_t t = 0; t < numTables; ++t) {
    const RoutingTable &table = s.compressed[t];
    Buf b;
    b.u32(uint32_t(table.entries.size()));
    for (const RoutingEntry &e : table.entries) {
      b.u32(e.key);
      b.u32(e.mask);
      b.u32(e.route);
    }
    emit(secs[t], b.b, crcOf(b.b));
  }

  std::string popSection = populationsSection();
  emit(secs[numTables], popSection, crcOf(popSection));

  // Cores, built in parallel batches, written in order.
  unsigned threads = std::max(1u, o.threads);
  size_t batch = 16 * threads;
  std::vector<uint64_t> chipBytes(m.numChips(), 0);
  bool ok = true;
  size_t numSlices = s.partition.slices.size();
  // The first problem of each layer, and how many more cores share it.
  std::vector<std::string> firstError(n.populations.size());
  std::vector<size_t> moreErrors(n.populations.size(), 0);
  for (size_t b = 0; b < order.size() && ok; b += batch) {
    size_t cnt = std::min(batch, order.size() - b);
    std::vector<CoreResult> res(cnt);
    parallelFor(cnt, threads, [&](uint64_t lo, uint64_t hi) {
      Scratch sc;
      sc.entryOfSlice.assign(numSlices, -1);
      for (uint64_t k = lo; k < hi; ++k)
        res[k] = buildCore(order[b + k], sc);
    });
    for (size_t k = 0; k < cnt; ++k) {
      size_t slice = order[b + k];
      if (!res[k].error.empty()) {
        unsigned q = s.partition.slices[slice].population;
        if (firstError[q].empty())
          firstError[q] = res[k].error;
        else
          ++moreErrors[q];
        ok = false;
        continue;
      }
      chipBytes[s.placement.cores[slice].chip] += res[k].data.size();
      emit(secs[numTables + 1 + b + k], res[k].data, res[k].crc);
    }
  }
  for (size_t q = 0; q < n.populations.size(); ++q)
    if (!firstError[q].empty())
      diag.error(n.populations[q].loc,
                 firstError[q] +
                     (moreErrors[q] ? " (and " + withCommas(moreErrors[q]) +
                                          (moreErrors[q] == 1 ? " more core"
                                                              : " more cores") +
                                          " of this layer)"
                                    : std::string()));
  if (!ok)
    return false;
  for (unsigned chip = 0; chip < chipBytes.size(); ++chip)
    if (chipBytes[chip] > m.sdramBytes()) {
      ChipCoord c = m.coord(chip);
      diag.error("chip " + Twine(c.x) + "," + Twine(c.y) + " needs " +
                 withCommas(chipBytes[chip]) +
                 " bytes of SDRAM for its cores' data, more than its " +
                 withCommas(m.sdramBytes()) +
                 "; use a bigger machine (or fewer synapses)");
      ok = false;
    }
  if (!ok)
    return false;

  // The core programs: u32 kind, u32 APLX bytes, the APLX.
  size_t firstProgram = numTables + 1 + order.size();
  std::vector<uint32_t> kinds = programKinds();
  for (size_t k = 0; k < kinds.size(); ++k) {
    StringRef aplx = builtinCoreProgram(kinds[k]);
    Buf b;
    b.u32(kinds[k]);
    b.u32(uint32_t(aplx.size()));
    b.b += aplx.str();
    b.b.resize((b.b.size() + 3) / 4 * 4, '\0');
    emit(secs[firstProgram + k], b.b, crcOf(b.b));
  }

  std::string h = header(secs, off);
  os.pwrite(h.data(), h.size(), 0);
  return true;
}

bool scnc::writeImage(const Network &n, const Machine &m, const MappingState &s,
                      const ImageOptions &o, DiagnosticEngine &diag,
                      raw_pwrite_stream &os) {
  if (!s.placed || !s.compressedDone || !n.connections) {
    diag.error("the image needs a mapped network (connections, placement "
               "and compressed routing tables)");
    return false;
  }
  return Writer(n, m, s, o, diag).run(os);
}
