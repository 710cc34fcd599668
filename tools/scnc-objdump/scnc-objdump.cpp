//===- scnc-objdump.cpp - Inspect a load image (.scimg) -------------------===//
//
// Validates an image (every reader check) and prints its header, section
// table, routing tables and core regions, as text or JSON.
//
//===----------------------------------------------------------------------===//
#include "kernel/Resources.h"
#include "scnc/Image/Image.h"
#include "scnc/Mapping/Routing.h"
#include "scnc/Support/FixedPoint.h"
#include "scnc/Support/InputFile.h"
#include "scnc/Support/ToolSupport.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include <algorithm>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;

namespace {
cl::OptionCategory dumpCat("scnc-objdump options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<image.scimg>"),
                               cl::Required, cl::cat(dumpCat));
cl::opt<bool> showHeader("header", cl::desc("Print the header"),
                         cl::cat(dumpCat));
cl::opt<bool> showSections("sections", cl::desc("Print the section table"),
                           cl::cat(dumpCat));
cl::opt<std::string>
    routes("routes",
           cl::desc("Print the routing tables (all, or --routes=x,y)"),
           cl::value_desc("x,y"), cl::ValueOptional, cl::cat(dumpCat));
cl::opt<bool> showPrograms(
    "programs",
    cl::desc("Print the core programs (APLX sizes, entry, whether each is "
             "the one this scnc was built with)"),
    cl::cat(dumpCat));
cl::list<std::string> coreOpt("core",
                              cl::desc("Print the regions of core x,y,p"),
                              cl::value_desc("x,y,p"), cl::cat(dumpCat));
cl::opt<bool> json("json", cl::desc("Print everything as JSON"),
                   cl::cat(dumpCat));
cl::opt<bool> synapses(
    "synapses",
    cl::desc("Print every synapse in network terms (pre population, pre, "
             "post population, post, weight nA, delay ticks, type), "
             "recovered from the image alone"),
    cl::cat(dumpCat));
cl::opt<unsigned> maxRows("max-rows",
                          cl::desc("With --core: synaptic rows printed (0: "
                                   "all)"),
                          cl::init(16), cl::cat(dumpCat));

bool parseNumbers(StringRef s, unsigned count, SmallVectorImpl<unsigned> &out) {
  SmallVector<StringRef, 3> parts;
  s.split(parts, ',');
  if (parts.size() != count)
    return false;
  for (StringRef p : parts) {
    unsigned v;
    if (p.trim().getAsInteger(10, v))
      return false;
    out.push_back(v);
  }
  return true;
}

std::string hex32(uint32_t v) {
  std::string s;
  raw_string_ostream os(s);
  os << format_hex(v, 10);
  return os.str();
}

/// Whether \p p is the program of its kind this scnc was built with.
std::string programCheck(const ImageProgram &p) {
  StringRef builtin = image::builtinCoreProgram(p.kind);
  if (builtin.empty())
    return "not checked: this scnc was built without the ARM compiler";
  if (builtin == p.aplx)
    return "identical to this scnc's";
  return "differs from this scnc's (" + std::to_string(builtin.size()) +
         " bytes): written by another build";
}

void printPrograms(const ImageReader &r, raw_ostream &os) {
  if (r.programs().empty()) {
    os << "core programs: none (an image for the emulator only)\n";
    return;
  }
  os << "core programs:\n";
  for (const ImageProgram &p : r.programs()) {
    os << "  " << image::programKindName(p.kind) << ": APLX " << p.aplx.size()
       << " bytes; ITCM " << p.itcmBytes << " bytes; static DTCM "
       << p.staticDTCMBytes() << " bytes (data " << p.dtcmDataBytes << ", bss "
       << p.bssBytes << "); entry " << format_hex(p.entry, 10) << "; "
       << programCheck(p) << "\n";
    // The core of this kind that needs the most DTCM (the first of equals).
    const ImageCore *big = nullptr;
    CoreFootprint most;
    for (const ImageCore &c : r.cores()) {
      if ((p.kind == image::SourceProgram) != c.isInput())
        continue;
      CoreFootprint f = coreFootprint(c);
      if (!big || f.total() > most.total())
        big = &c, most = f;
    }
    if (big)
      os << "    largest core (" << big->x << ", " << big->y << ", "
         << big->core << "): " << big->numNeurons << " neurons, DTCM "
         << most.total() << " of " << kernel::resources::kDTCMBytes
         << " bytes (program " << most.program << ", arena " << most.arena
         << ")\n";
  }
}

void printTable(const ImageRoutingTable &t, raw_ostream &os) {
  os << "chip (" << t.x << ", " << t.y << "): " << t.entries.size()
     << (t.entries.size() == 1 ? " entry" : " entries") << "\n";
  for (const RoutingEntry &e : t.entries)
    os << "  " << format_hex(e.key, 10) << "/" << format_hex(e.mask, 10)
       << " -> " << formatRoute(e.route) << "\n";
}

struct PhysicalParams {
  const char *name, *unit;
  double value;
};

const char *modelName(int32_t model) {
  switch (model) {
  case NeuronModelIf:
    return "IF";
  case NeuronModelLif:
    return "LIF";
  case NeuronModelCubaLif:
    return "CubaLIF";
  default:
    return "IF_curr_exp";
  }
}

std::vector<PhysicalParams> physical(const NeuronFixedParams &p) {
  if (p.model != NeuronModelIfCurrExp) {
    // The NIR models' constants (kernel/Lif.h says which each uses).
    std::vector<PhysicalParams> v;
    if (p.model != NeuronModelIf) // IF has no leak
      v.push_back({"v_rest", "mV", toDouble(p.vRest)});
    v.push_back({"v_reset", "mV", toDouble(p.vReset)});
    v.push_back({"v_thresh", "mV", toDouble(p.vThresh)});
    v.push_back({"v_init", "mV", toDouble(p.vInit)});
    if (p.model == NeuronModelCubaLif) {
      v.push_back({"i_offset", "nA", toDouble(p.iOffset)});
      v.push_back({"r", "", toDouble(p.rMembrane)});
      v.push_back({"decay_syn", "", toDouble(p.decayE)});
    } else {
      v.push_back({"bias", "mV", toDouble(p.bias)});
    }
    if (p.model != NeuronModelIf)
      v.push_back({"exp_tc", "", toDouble(p.expTC)});
    v.push_back({"reset_by_sub", "", double(p.resetSubtract)});
    return v;
  }
  return {{"v_rest", "mV", toDouble(p.vRest)},
          {"v_reset", "mV", toDouble(p.vReset)},
          {"v_thresh", "mV", toDouble(p.vThresh)},
          {"v_init", "mV", toDouble(p.vInit)},
          {"i_offset", "nA", toDouble(p.iOffset)},
          {"r_membrane", "MOhm", toDouble(p.rMembrane)},
          {"exp_tc", "", toDouble(p.expTC)},
          {"decay_e", "", toDouble(p.decayE)},
          {"init_e", "", toDouble(p.initE)},
          {"decay_i", "", toDouble(p.decayI)},
          {"init_i", "", toDouble(p.initI)},
          {"refrac_ticks", "ticks", double(p.refracTicks)}};
}

/// A ring-buffer weight back in nA for a left shift.
double weightNA(uint16_t w, unsigned shift) { return w / weightScale(shift); }

std::string synapseText(const ImageCore &c, const ImageSynapse &s) {
  std::string t;
  raw_string_ostream os(t);
  os << "n" << s.target << " w=" << s.weight << " ("
     << format("%.6g", weightNA(s.weight, c.leftShift[s.type]))
     << " nA) d=" << s.delay << " " << (s.type ? "I" : "E")
     << (s.plastic ? " plastic" : "");
  return os.str();
}

void printCore(const ImageCore &c, raw_ostream &os, unsigned maxRows) {
  os << "core (" << c.x << ", " << c.y << ", " << c.core << ")\n";
  os << "  system: timestep " << c.timestepUs << " us, " << c.numNeurons
     << " neurons, population " << c.population << ", " << c.numTicks
     << " ticks, " << (c.isInput() ? "input" : "neuron") << " core"
     << (c.flags & image::SystemPlastic ? ", plastic" : "") << "\n";
  if (c.hasKey)
    os << "  neuron keys: " << format_hex(c.key, 10) << "/"
       << format_hex(c.mask, 10) << "\n";
  else
    os << "  neuron keys: none (sends no packets)\n";
  if (c.hasParams) {
    // Per-neuron parameters: every set, then each set's neurons.
    bool table = !c.paramIndex.empty();
    for (size_t k = 0; k < (table ? c.paramSets.size() : 1); ++k) {
      const NeuronFixedParams &q = table ? c.paramSets[k] : c.params;
      if (!table) {
        os << "  neuron parameters:\n";
      } else {
        size_t users = std::count(c.paramIndex.begin(), c.paramIndex.end(), k);
        os << "  neuron parameters, set " << k << " of " << c.paramSets.size()
           << " (" << users << (users == 1 ? " neuron" : " neurons") << "):\n";
      }
      if (q.model != NeuronModelIfCurrExp)
        os << "    " << left_justify("model", 13) << modelName(q.model) << "\n";
      for (const PhysicalParams &p : physical(q)) {
        os << "    " << left_justify(p.name, 13) << format("%.9g", p.value);
        if (*p.unit)
          os << " " << p.unit;
        os << "\n";
      }
    }
    if (table) {
      os << "  neuron parameter index:";
      for (size_t i = 0; i < c.paramIndex.size(); ++i)
        os << (i % 16 ? " " : "\n   ") << c.paramIndex[i];
      os << "\n";
    }
  }
  if (!c.initialState.empty()) {
    // One line when every neuron starts alike (the compiler's images).
    const NeuronFixedState &f = c.initialState.front();
    bool same = std::all_of(c.initialState.begin(), c.initialState.end(),
                            [&](const NeuronFixedState &s) {
                              return s.v == f.v && s.iSynE == f.iSynE &&
                                     s.iSynI == f.iSynI &&
                                     s.refracTimer == f.refracTimer;
                            });
    auto show = [&](const NeuronFixedState &s) {
      os << "v " << format("%.9g", toDouble(s.v)) << " mV, i_syn_e "
         << format("%.9g", toDouble(s.iSynE)) << " nA, i_syn_i "
         << format("%.9g", toDouble(s.iSynI)) << " nA, refractory "
         << s.refracTimer;
    };
    os << "  initial state: ";
    if (same) {
      os << "every neuron ";
      show(f);
      os << "\n";
    } else {
      os << "\n";
      for (size_t i = 0; i < c.initialState.size(); ++i) {
        os << "    n" << i << ": ";
        show(c.initialState[i]);
        os << "\n";
      }
    }
  }
  if (c.hasSynapseParams)
    os << "  synapse parameters: ring-buffer left shift excitatory "
       << c.leftShift[0] << ", inhibitory " << c.leftShift[1]
       << "; synaptic word: weight 16 | delay " << c.delayBits << " | type "
       << c.typeBits << " | index " << c.indexBits << " bits; " << c.ringSize()
       << " delay slots\n";
  if (c.hasSynapseParams) {
    os << "  population table: " << c.popTable.size()
       << (c.popTable.size() == 1 ? " entry" : " entries") << "\n";
    for (const PopTableEntry &e : c.popTable)
      os << "    " << format_hex(e.key, 10) << "/" << format_hex(e.mask, 10)
         << ": " << e.numRows << " rows of " << e.rowStride << " words at word "
         << e.rowOffset << "\n";
    os << "  synaptic matrix: " << c.matrix.size() / 4 << " words\n";
    unsigned shown = 0;
    for (const PopTableEntry &e : c.popTable)
      for (uint32_t r = 0; r < e.numRows; ++r) {
        std::vector<ImageSynapse> row = c.row(e, r);
        if (row.empty())
          continue;
        if (maxRows && shown++ == maxRows) {
          os << "    ... (--max-rows=0 prints every row)\n";
          goto rowsDone;
        }
        os << "    row " << format_hex(e.key | r, 10) << ":";
        for (const ImageSynapse &s : row)
          os << " [" << synapseText(c, s) << "]";
        os << "\n";
      }
  rowsDone:;
  }
  if (c.hasStdp)
    os << "  stdp: " << (c.stdp.dependence ? "multiplicative" : "additive")
       << ", A+ " << format("%.6g", toDouble(c.stdp.aPlus)) << ", A- "
       << format("%.6g", toDouble(c.stdp.aMinus)) << ", w "
       << format("%.6g", toDouble(c.stdp.wMin)) << " to "
       << format("%.6g", toDouble(c.stdp.wMax))
       << " (ring-buffer units); trace decay tables of "
       << c.stdp.decayPlus.size() << " and " << c.stdp.decayMinus.size()
       << " ticks"
       << (c.stdp.winnersPerTick
               ? "; at most " + std::to_string(c.stdp.winnersPerTick) +
                     " winner(s) per tick"
               : std::string())
       << "\n";
  if (c.hasRecording)
    os << "  recording:"
       << (c.recordFlags & image::RecordSpikes ? " spikes" : "")
       << (c.recordFlags & image::RecordVoltage ? " voltage" : "")
       << (c.recordFlags ? "" : " nothing") << "\n";
  if (c.hasPrediction)
    os << "  load prediction (--profile): worst tick " << c.predictedTick
       << ", " << c.predictedCycles << " cycles (sized for " << c.sizedForCycles
       << "), " << c.predictedEvents << " synaptic events, "
       << c.predictedPackets << " packets\n";
  if (c.hasSource) {
    os << "  spike source: " << image::sourceEncodingName(c.encoding);
    for (const auto &p : c.encodingParams)
      os << " " << p.first << "=" << format("%.6g", toDouble(p.second));
    os << "; " << c.sourceTicks.size() << " spikes in the array\n";
  }
  os << "  neuron ids:";
  size_t shown = std::min<size_t>(c.neuronIds.size(), 16);
  for (size_t i = 0; i < shown; ++i)
    os << " " << c.neuronIds[i];
  if (shown < c.neuronIds.size())
    os << " ... (" << c.neuronIds.size() << ")";
  os << "\n";
  CoreFootprint f = coreFootprint(c);
  os << "  dtcm: " << f.total() << " of " << kernel::resources::kDTCMBytes
     << " bytes (program " << f.program << ", the core's arena " << f.arena
     << ")\n";
}

/// --synapses: every synapse of the image in network terms, recovered from
/// the image alone (the key of a row names the source core, whose neuron
/// ids give the pre neuron): `pre_population pre post_population post
/// weight_nA delay_ticks type`, sorted.
int printSynapses(const ImageReader &r, raw_ostream &os) {
  std::vector<const ImageCore *> senders;
  for (const ImageCore &c : r.cores())
    if (c.hasKey)
      senders.push_back(&c);
  std::sort(
      senders.begin(), senders.end(),
      [](const ImageCore *a, const ImageCore *b) { return a->key < b->key; });
  struct Row {
    uint32_t prePop, pre, postPop, post;
    double weight;
    uint32_t delay, type;
    bool operator<(const Row &o) const {
      return std::tie(prePop, pre, postPop, post, delay, type, weight) <
             std::tie(o.prePop, o.pre, o.postPop, o.post, o.delay, o.type,
                      o.weight);
    }
  };
  std::vector<Row> rows;
  for (const ImageCore &c : r.cores())
    for (const PopTableEntry &e : c.popTable) {
      // The sender whose key space holds the entry's block.
      auto it =
          std::find_if(senders.begin(), senders.end(), [&](const ImageCore *s) {
            return (e.key & s->mask) == s->key;
          });
      if (it == senders.end()) {
        WithColor::error(errs(), "scnc-objdump")
            << "core (" << c.x << ", " << c.y << ", " << c.core
            << ") has a population-table entry " << format_hex(e.key, 10)
            << " that no core sends\n";
        return 1;
      }
      const ImageCore &src = **it;
      uint32_t first = e.key & ~src.mask;
      for (uint32_t k = 0; k < e.numRows && first + k < src.numNeurons; ++k)
        for (const ImageSynapse &s : c.row(e, k))
          rows.push_back({src.population, src.neuronIds[first + k],
                          c.population, c.neuronIds[s.target],
                          weightNA(s.weight, c.leftShift[s.type]), s.delay,
                          s.type});
    }
  std::sort(rows.begin(), rows.end());
  for (const Row &x : rows)
    os << x.prePop << " " << x.pre << " " << x.postPop << " " << x.post << " "
       << format("%.9g", x.weight) << " " << x.delay << " "
       << (x.type ? "I" : "E") << "\n";
  return 0;
}

nlohmann::json toJson(const ImageReader &r) {
  using nlohmann::json;
  const ImageHeader &h = r.header();
  json j;
  j["header"] = {{"version", h.version},
                 {"file_size", h.fileSize},
                 {"sections", h.numSections},
                 {"timestep_us", h.timestepUs},
                 {"seed", h.seed},
                 {"network_hash", hex32(uint32_t(h.networkHash >> 32)) +
                                      hex32(uint32_t(h.networkHash)).substr(2)},
                 {"machine", h.machineName},
                 {"machine_width", h.machineWidth},
                 {"machine_height", h.machineHeight},
                 {"network", h.networkName},
                 {"scnc_version", h.scncVersion},
                 {"crc32", hex32(h.crc)}};
  json secs = json::array();
  for (const ImageSection &s : r.sections()) {
    json e = {{"type", image::sectionTypeName(s.type).str()},
              {"x", s.x},
              {"y", s.y},
              {"offset", s.offset},
              {"size", s.size},
              {"crc32", hex32(s.crc)}};
    if (s.core != image::kNoCore)
      e["core"] = s.core;
    secs.push_back(e);
  }
  j["sections"] = secs;
  json pops = json::array();
  for (const ImagePopulation &p : r.populations())
    pops.push_back({{"name", p.name},
                    {"input", p.input},
                    {"shape", {p.height, p.width, p.channels}}});
  j["populations"] = pops;
  json tables = json::array();
  for (const ImageRoutingTable &t : r.routingTables()) {
    json entries = json::array();
    for (const RoutingEntry &e : t.entries)
      entries.push_back({{"key", hex32(e.key)},
                         {"mask", hex32(e.mask)},
                         {"route", hex32(e.route)},
                         {"route_text", formatRoute(e.route)}});
    tables.push_back({{"x", t.x}, {"y", t.y}, {"entries", entries}});
  }
  j["routing_tables"] = tables;
  json progs = json::array();
  for (const ImageProgram &p : r.programs())
    progs.push_back({{"kind", image::programKindName(p.kind).str()},
                     {"aplx_bytes", p.aplx.size()},
                     {"itcm_bytes", p.itcmBytes},
                     {"dtcm_data_bytes", p.dtcmDataBytes},
                     {"bss_bytes", p.bssBytes},
                     {"entry", hex32(p.entry)},
                     {"builtin", programCheck(p)}});
  j["core_programs"] = progs;
  json cores = json::array();
  for (const ImageCore &c : r.cores()) {
    json e = {{"x", c.x},
              {"y", c.y},
              {"core", c.core},
              {"timestep_us", c.timestepUs},
              {"neurons", c.numNeurons},
              {"population", c.population},
              {"neuron_ids", c.neuronIds}};
    if (c.hasKey)
      e["keys"] = {{"key", hex32(c.key)}, {"mask", hex32(c.mask)}};
    CoreFootprint f = coreFootprint(c);
    e["dtcm"] = {
        {"program", f.program}, {"arena", f.arena}, {"total", f.total()}};
    if (c.hasParams) {
      json p;
      for (const PhysicalParams &pp : physical(c.params))
        p[pp.name] = pp.value;
      if (c.params.model != NeuronModelIfCurrExp)
        p["model"] = modelName(c.params.model);
      e["neuron_params"] = p;
      if (!c.paramIndex.empty()) {
        json sets = json::array();
        for (const NeuronFixedParams &q : c.paramSets) {
          json one;
          for (const PhysicalParams &pp : physical(q))
            one[pp.name] = pp.value;
          one["model"] = modelName(q.model);
          sets.push_back(one);
        }
        e["neuron_param_sets"] = sets;
        e["neuron_param_index"] = c.paramIndex;
      }
    }
    e["ticks"] = c.numTicks;
    e["kind"] = c.isInput() ? "input" : "neuron";
    e["plastic"] = bool(c.flags & image::SystemPlastic);
    if (c.hasSynapseParams) {
      e["synapse_params"] = {{"left_shift_excitatory", c.leftShift[0]},
                             {"left_shift_inhibitory", c.leftShift[1]},
                             {"delay_bits", c.delayBits},
                             {"type_bits", c.typeBits},
                             {"index_bits", c.indexBits}};
      json table = json::array();
      for (const PopTableEntry &pe : c.popTable) {
        json rows = json::array();
        for (uint32_t k = 0; k < pe.numRows; ++k) {
          json row = json::array();
          for (const ImageSynapse &s : c.row(pe, k))
            row.push_back(
                {{"target", s.target},
                 {"weight", s.weight},
                 {"weight_na", weightNA(s.weight, c.leftShift[s.type])},
                 {"delay", s.delay},
                 {"type", s.type ? "inhibitory" : "excitatory"},
                 {"plastic", s.plastic}});
          rows.push_back(row);
        }
        table.push_back({{"key", hex32(pe.key)},
                         {"mask", hex32(pe.mask)},
                         {"row_offset", pe.rowOffset},
                         {"row_stride", pe.rowStride},
                         {"rows", rows}});
      }
      e["population_table"] = table;
    }
    if (!c.initialState.empty()) {
      json st = json::array();
      for (const NeuronFixedState &x : c.initialState)
        st.push_back({{"v", toDouble(x.v)},
                      {"i_syn_e", toDouble(x.iSynE)},
                      {"i_syn_i", toDouble(x.iSynI)},
                      {"refractory", x.refracTimer}});
      e["initial_state"] = st;
    }
    if (c.hasStdp) {
      json lp = json::array(), lm = json::array();
      for (UFract32 f : c.stdp.decayPlus)
        lp.push_back(toDouble(f));
      for (UFract32 f : c.stdp.decayMinus)
        lm.push_back(toDouble(f));
      e["stdp"] = {
          {"dependence", c.stdp.dependence ? "multiplicative" : "additive"},
          {"a_plus", toDouble(c.stdp.aPlus)},
          {"a_minus", toDouble(c.stdp.aMinus)},
          {"w_min", toDouble(c.stdp.wMin)},
          {"w_max", toDouble(c.stdp.wMax)},
          {"winners_per_tick", c.stdp.winnersPerTick},
          {"decay_plus", lp},
          {"decay_minus", lm}};
    }
    if (c.hasRecording)
      e["recording"] = {{"spikes", bool(c.recordFlags & image::RecordSpikes)},
                        {"voltage", bool(c.recordFlags & image::RecordVoltage)},
                        {"voltage_interval", c.voltageInterval}};
    if (c.hasPrediction)
      e["load_prediction"] = {{"cycles", c.predictedCycles},
                              {"tick", c.predictedTick},
                              {"synaptic_events", c.predictedEvents},
                              {"packets", c.predictedPackets},
                              {"sized_for_cycles", c.sizedForCycles}};
    if (c.hasSource) {
      json params = json::object();
      for (const auto &p : c.encodingParams)
        params[p.first] = toDouble(p.second);
      e["spike_source"] = {
          {"encoding", image::sourceEncodingName(c.encoding).str()},
          {"params", params},
          {"start", c.sourceStart},
          {"ticks", c.sourceTicks}};
    }
    cores.push_back(e);
  }
  j["cores"] = cores;
  return j;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  parseToolCommandLine(argc, argv,
                       "scnc-objdump: validate and print a load image\n",
                       {&dumpCat});
  auto error = [](const Twine &msg) {
    WithColor::error(errs(), "scnc-objdump") << msg << "\n";
    return 1;
  };
  ErrorOr<std::unique_ptr<MemoryBuffer>> buf =
      readInputFile(inputFile, /*allowStdin=*/true);
  if (!buf)
    return error("cannot read '" + inputFile +
                 "': " + buf.getError().message());
  Expected<ImageReader> img =
      readImage((*buf)->getBuffer(),
                inputFile == "-" ? StringRef("<stdin>") : StringRef(inputFile));
  if (!img)
    return error(toString(img.takeError()));

  if (json) {
    // The reader rejects names that are not UTF-8; the header strings are
    // cut to their fields, perhaps inside a character: replaced, not thrown.
    outs() << toJson(*img).dump(2, ' ', false,
                                nlohmann::json::error_handler_t::replace)
           << "\n";
    return 0;
  }
  if (synapses)
    return printSynapses(*img, outs());
  bool any = showHeader || showSections || showPrograms ||
             routes.getNumOccurrences() || !coreOpt.empty();
  raw_ostream &os = outs();
  if (showHeader || !any) {
    const ImageHeader &h = img->header();
    os << "format version: " << h.version << "\n"
       << "file size:      " << h.fileSize << " bytes\n"
       << "sections:       " << h.numSections << "\n"
       << "network:        " << h.networkName << " (hash "
       << format_hex(h.networkHash, 18) << ")\n"
       << "machine:        " << h.machineName << " (" << h.machineWidth << "x"
       << h.machineHeight << ")\n"
       << "timestep:       " << h.timestepUs << " us\n"
       << "seed:           " << h.seed << "\n"
       << "scnc version:   " << h.scncVersion << "\n"
       << "header crc32:   " << format_hex(h.crc, 10) << "\n";
    os << "populations:   ";
    for (size_t i = 0; i < img->populations().size(); ++i) {
      const ImagePopulation &p = img->populations()[i];
      os << (i ? ", " : " ") << i << " " << p.name << " (" << p.height << "x"
         << p.width << "x" << p.channels << (p.input ? ", input" : "") << ")";
    }
    os << "\n";
  }
  if (showSections || !any) {
    os << "idx type          x   y   core offset     size       crc32\n";
    unsigned i = 0;
    for (const ImageSection &s : img->sections()) {
      os << format("%-4u%-14s%-4u%-4u", i++,
                   image::sectionTypeName(s.type).str().c_str(), s.x, s.y);
      if (s.core == image::kNoCore)
        os << "-    ";
      else
        os << format("%-5u", s.core);
      os << format("%-11llu%-11u", (unsigned long long)s.offset, s.size)
         << format_hex(s.crc, 10) << "\n";
    }
  }
  if (showPrograms || !any)
    printPrograms(*img, os);
  if (routes.getNumOccurrences()) {
    if (routes.empty()) {
      for (const ImageRoutingTable &t : img->routingTables())
        printTable(t, os);
    } else {
      SmallVector<unsigned, 2> xy;
      if (!parseNumbers(routes, 2, xy))
        return error("--routes expects x,y, got '" + routes + "'");
      const ImageRoutingTable *t = img->findTable(xy[0], xy[1]);
      if (!t)
        return error("no routing table for chip (" + Twine(xy[0]) + ", " +
                     Twine(xy[1]) + ") in the image");
      printTable(*t, os);
    }
  }
  for (const std::string &c : coreOpt) {
    SmallVector<unsigned, 3> xyp;
    if (!parseNumbers(c, 3, xyp))
      return error("--core expects x,y,p, got '" + c + "'");
    const ImageCore *core = img->findCore(xyp[0], xyp[1], xyp[2]);
    if (!core)
      return error("no core (" + Twine(xyp[0]) + ", " + Twine(xyp[1]) + ", " +
                   Twine(xyp[2]) + ") in the image");
    printCore(*core, os, maxRows);
  }
  return 0;
}
