//===- EmulatorStats.cpp - The emulated board's counters, printed ---------===//
#include "scnc/Runtime/Emulator.h"
#include "scnc/Support/Format.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

using namespace scnc;
using namespace llvm;

namespace {

std::string coreText(const CoreStats &c) {
  return "(" + std::to_string(c.chip.x) + "," + std::to_string(c.chip.y) + "," +
         std::to_string(c.core) + ")";
}

std::string percent(uint64_t part, uint64_t whole) {
  if (!whole)
    return "-";
  double p = 100.0 * double(part) / double(whole);
  return (p >= 100 ? withCommas(uint64_t(p + 0.5)) : formatDouble(p, 3)) + "%";
}

/// A signed relative difference in percent, one decimal: "+6.2%", "-0.8%".
std::string formatSignedPercent(double ratio) {
  char buf[32];
  snprintf(buf, sizeof buf, "%+.1f%%", 100.0 * ratio);
  return buf;
}

} // namespace

namespace {
/// Rows of cells printed as columns: the first left-aligned, the others
/// right-aligned, two spaces apart.
void printTable(const std::vector<std::vector<std::string>> &rows,
                raw_ostream &os) {
  std::vector<size_t> width;
  for (const auto &r : rows)
    for (size_t c = 0; c < r.size(); ++c) {
      if (c >= width.size())
        width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  for (const auto &r : rows) {
    for (size_t c = 0; c < r.size(); ++c) {
      if (c)
        os << "  ";
      if (c == 0)
        os << left_justify(r[c], c + 1 == r.size() ? 0 : width[c]);
      else
        os << right_justify(r[c], width[c]);
    }
    os << "\n";
  }
}

/// The neuron cores' real-time figures, shared by the report and the JSON.
struct RealTime {
  const CoreStats *busiest = nullptr; ///< most synaptic events in a tick
  const CoreStats *slowest = nullptr; ///< most cycles in a tick
  uint64_t coresOverEvents = 0, ticksOverEvents = 0;
  uint64_t coresOverrun = 0, ticksOverrun = 0;
};

RealTime realTime(const EmulatorStats &s) {
  RealTime r;
  for (const CoreStats &c : s.cores) {
    if (c.isInput)
      continue;
    if (!r.busiest || c.maxTickEvents > r.busiest->maxTickEvents)
      r.busiest = &c;
    if (!r.slowest || c.maxTickCycles > r.slowest->maxTickCycles)
      r.slowest = &c;
    r.coresOverEvents += c.ticksOverEventBudget > 0;
    r.ticksOverEvents += c.ticksOverEventBudget;
    r.coresOverrun += c.overrunTicks > 0;
    r.ticksOverrun += c.overrunTicks;
  }
  return r;
}
} // namespace

void scnc::printEmulatorStats(const EmulatorStats &s,
                              const std::vector<EmulatedPopulation> &pops,
                              raw_ostream &os) {
  auto popName = [&](unsigned q) -> std::string {
    for (const EmulatedPopulation &p : pops)
      if (p.index == q)
        return p.name;
    return "population " + std::to_string(q);
  };
  ChipStats t = s.total();
  uint64_t hops = 0;
  for (uint64_t l : t.linkOut)
    hops += l;
  unsigned neuronCores = 0;
  for (const CoreStats &c : s.cores)
    neuronCores += !c.isInput;
  os << "machine " << s.machineName << ": " << withCommas(s.machineChips)
     << " chips; the image runs on " << withCommas(s.cores.size()) << " cores ("
     << withCommas(s.cores.size() - neuronCores) << " input, "
     << withCommas(neuronCores) << " neuron)\n";
  os << "packets: " << withCommas(t.sent) << " sent, "
     << withCommas(t.delivered) << " delivered to cores, " << withCommas(hops)
     << " link hops; dropped: " << withCommas(t.droppedNoRoute)
     << " at their source chip (no entry routes their key), "
     << withCommas(t.droppedLink) << " on dead or missing links, "
     << withCommas(t.toIdleCore) << " for cores that run nothing\n";

  // The busiest routers, with what they sent on each link.
  std::vector<const ChipStats *> chips;
  for (const ChipStats &c : s.chips)
    if (c.routed)
      chips.push_back(&c);
  std::stable_sort(chips.begin(), chips.end(),
                   [](const ChipStats *a, const ChipStats *b) {
                     return a->routed > b->routed;
                   });
  if (!chips.empty()) {
    size_t shown = std::min<size_t>(chips.size(), 12);
    std::vector<std::vector<std::string>> rows = {{"chip", "sent", "routed",
                                                   "delivered", "dropped", "E",
                                                   "NE", "N", "W", "SW", "S"}};
    for (size_t i = 0; i < shown; ++i) {
      const ChipStats &c = *chips[i];
      std::vector<std::string> r = {
          formatChip(c.chip), withCommas(c.sent), withCommas(c.routed),
          withCommas(c.delivered), withCommas(c.dropped())};
      for (uint64_t l : c.linkOut)
        r.push_back(withCommas(l));
      rows.push_back(std::move(r));
    }
    os << "routers (packets; E .. S: sent on each link):\n";
    printTable(rows, os);
    if (shown < chips.size())
      os << "(" << chips.size() - shown
         << " more chips with traffic: summary.json lists every chip)\n";
  }

  // Synaptic events and cycles per core and tick.
  const CycleModel &m = s.model;
  uint64_t eventBudget = m.eventBudget(s.timestepUs);
  uint64_t budget = m.budgetCycles(s.timestepUs);
  RealTime rt = realTime(s);
  const CoreStats *busiest = rt.busiest, *slowest = rt.slowest;
  uint64_t overEvents = rt.coresOverEvents, overrun = rt.coresOverrun;
  uint64_t overEventTicks = rt.ticksOverEvents, overrunTicks = rt.ticksOverrun;
  uint64_t unmatched = 0, invalid = 0, empty = 0;
  for (const CoreStats &c : s.cores) {
    unmatched += c.unmatchedPackets;
    invalid += c.invalidRows;
    empty += c.emptyRows;
  }
  if (!busiest)
    return;
  std::string tick = formatDouble(s.timestepUs / 1000.0) + " ms";
  os << "packets that reach a core with no synapses from their neuron: "
     << withCommas(unmatched + empty)
     << " (no population-table entry: " << withCommas(unmatched)
     << "; an entry but an empty row: " << withCommas(empty) << ")";
  if (invalid)
    os << "; keys past their entry's rows: " << withCommas(invalid);
  os << "\n";
  os << "synaptic events per core and tick: at most "
     << withCommas(busiest->maxTickEvents) << " (core " << coreText(*busiest)
     << ", " << popName(busiest->population) << ", tick "
     << busiest->maxTickEventsAt << "); budget " << withCommas(eventBudget)
     << " per " << tick << " tick (" << withCommas(m.eventsPerMs)
     << " per ms): ";
  if (overEvents)
    os << withCommas(overEvents) << " of " << withCommas(neuronCores)
       << " neuron cores over it in " << withCommas(overEventTicks)
       << " core-ticks\n";
  else
    os << "no core over it\n";
  os << "cycle model: " << withCommas(budget) << " cycles per tick at "
     << m.clockMHz << " MHz (ARM968 core program, measured); "
     << withCommas(m.perTick) << " per tick + " << m.perNeuron
     << " per updated neuron + " << m.perQuietNeuron << " per quiet neuron + "
     << m.perSpike << " per spike + " << m.perPacket << " per packet + "
     << m.perSearch << " + " << m.perSearchStep
     << " per step per population-table search + " << m.perEvent
     << " per synaptic event\n";
  os << "real time: ";
  if (overrun)
    os << withCommas(overrun) << " of " << withCommas(neuronCores)
       << " neuron cores overrun in " << withCommas(overrunTicks)
       << " core-ticks; ";
  else
    os << "no core overruns; ";
  os << "the busiest tick takes " << withCommas(slowest->maxTickCycles)
     << " cycles (" << percent(slowest->maxTickCycles, budget)
     << " of the tick; core " << coreText(*slowest) << ", "
     << popName(slowest->population) << ", tick " << slowest->maxTickCyclesAt
     << ")\n";

  // Per layer; with the compiler's prediction (an image compiled with
  // --profile) the predicted worst tick beside the measured one.
  bool predicted = false;
  for (const CoreStats &c : s.cores)
    predicted |= c.hasPrediction;
  std::vector<std::vector<std::string>> rows = {
      {"layer", "cores", "max events/tick", "max cycles/tick", "% of tick"}};
  if (predicted)
    rows[0].insert(rows[0].end(), {"predicted", "error"});
  rows[0].insert(rows[0].end(), {"core-ticks over events", "overrun"});
  for (const EmulatedPopulation &p : pops) {
    if (p.isInput)
      continue;
    uint64_t maxEvents = 0, maxCycles = 0, overE = 0, overC = 0, pred = 0;
    bool layerPredicted = true;
    for (const CoreStats &c : s.cores)
      if (c.population == p.index) {
        maxEvents = std::max<uint64_t>(maxEvents, c.maxTickEvents);
        maxCycles = std::max(maxCycles, c.maxTickCycles);
        overE += c.ticksOverEventBudget;
        overC += c.overrunTicks;
        pred = std::max(pred, c.predictedCycles);
        layerPredicted &= c.hasPrediction;
      }
    std::vector<std::string> r = {p.name, std::to_string(p.cores),
                                  withCommas(maxEvents), withCommas(maxCycles),
                                  percent(maxCycles, budget)};
    if (predicted) {
      // The error of the prediction, relative to the measured worst tick.
      bool ok = layerPredicted && maxCycles;
      r.push_back(layerPredicted ? percent(pred, budget) : "-");
      r.push_back(
          ok ? formatSignedPercent(double(pred) / double(maxCycles) - 1.0)
             : "-");
    }
    r.insert(r.end(), {withCommas(overE), withCommas(overC)});
    rows.push_back(std::move(r));
  }
  printTable(rows, os);
}

std::string scnc::emulatorStatsJson(const EmulatorStats &s) {
  using json = nlohmann::ordered_json;
  json j;
  j["name"] = s.machineName;
  j["chips"] = s.machineChips;
  ChipStats t = s.total();
  uint64_t hops = 0;
  for (uint64_t l : t.linkOut)
    hops += l;
  j["packets"] = {{"sent", t.sent},
                  {"routed", t.routed},
                  {"delivered", t.delivered},
                  {"link_hops", hops},
                  {"dropped_no_route", t.droppedNoRoute},
                  {"dropped_link", t.droppedLink},
                  {"to_idle_core", t.toIdleCore}};
  const CycleModel &m = s.model;
  j["cycle_model"] = {{"clock_mhz", m.clockMHz},
                      {"per_tick", m.perTick},
                      {"per_neuron", m.perNeuron},
                      {"per_quiet_neuron", m.perQuietNeuron},
                      {"per_spike", m.perSpike},
                      {"per_packet", m.perPacket},
                      {"per_search", m.perSearch},
                      {"per_search_step", m.perSearchStep},
                      {"per_event", m.perEvent},
                      {"cycles_per_tick", m.budgetCycles(s.timestepUs)},
                      {"events_per_ms", m.eventsPerMs},
                      {"events_per_tick", m.eventBudget(s.timestepUs)}};
  RealTime rt = realTime(s);
  const CoreStats *busiest = rt.busiest, *slowest = rt.slowest;
  if (busiest) {
    j["max_events_per_tick"] = {
        {"events", busiest->maxTickEvents},
        {"core", {busiest->chip.x, busiest->chip.y, busiest->core}},
        {"population", busiest->population},
        {"tick", busiest->maxTickEventsAt}};
    j["max_cycles_per_tick"] = {
        {"cycles", slowest->maxTickCycles},
        {"core", {slowest->chip.x, slowest->chip.y, slowest->core}},
        {"population", slowest->population},
        {"tick", slowest->maxTickCyclesAt}};
  }
  j["cores_over_event_budget"] = rt.coresOverEvents;
  j["core_ticks_over_event_budget"] = rt.ticksOverEvents;
  j["cores_overrun"] = rt.coresOverrun;
  j["core_ticks_overrun"] = rt.ticksOverrun;
  json chips = json::array();
  for (const ChipStats &c : s.chips) {
    json l = json::array();
    for (uint64_t v : c.linkOut)
      l.push_back(v);
    chips.push_back({{"x", c.chip.x},
                     {"y", c.chip.y},
                     {"sent", c.sent},
                     {"routed", c.routed},
                     {"delivered", c.delivered},
                     {"dropped_no_route", c.droppedNoRoute},
                     {"dropped_link", c.droppedLink},
                     {"to_idle_core", c.toIdleCore},
                     {"link_out", l}});
  }
  j["per_chip"] = std::move(chips);
  json cores = json::array();
  for (const CoreStats &c : s.cores) {
    json e = {{"x", c.chip.x},
              {"y", c.chip.y},
              {"p", c.core},
              {"population", c.population},
              {"kind", c.isInput ? "input" : "neurons"},
              {"neurons", c.neurons},
              {"spikes", c.spikes},
              {"packets", c.packets}};
    if (!c.isInput) {
      e["synaptic_events"] = c.synapticEvents;
      e["max_events_per_tick"] = c.maxTickEvents;
      e["max_cycles_per_tick"] = c.maxTickCycles;
      e["ticks_over_event_budget"] = c.ticksOverEventBudget;
      e["overrun_ticks"] = c.overrunTicks;
      if (c.hasPrediction)
        e["predicted_max_cycles_per_tick"] = {{"cycles", c.predictedCycles},
                                              {"tick", c.predictedTick}};
      e["unmatched_packets"] = c.unmatchedPackets;
      e["invalid_rows"] = c.invalidRows;
      e["empty_rows"] = c.emptyRows;
    }
    cores.push_back(std::move(e));
  }
  j["per_core"] = std::move(cores);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
