//===- Report.cpp - Text forms of the mapping stages ----------------------===//
#include "scnc/Mapping/Report.h"
#include "scnc/IR/Summary.h"
#include "llvm/Support/Format.h"
#include <algorithm>
#include <map>

using namespace scnc;
using namespace llvm;

void scnc::printPlacementReport(const Network &n, const Machine &m,
                                const MappingState &s, raw_ostream &os) {
  for (size_t i = 0; i < s.placement.cores.size(); ++i) {
    const CoreLocation &c = s.placement.cores[i];
    os << "slice " << i << " " << n.populations[s.sliceRefs[i].population].name
       << " (" << s.sliceRefs[i].neurons << " neurons) -> chip "
       << m.coord(c.chip) << " core " << c.core << "\n";
  }
}

void scnc::printRoutes(const Network &n, const Machine &m,
                       const MappingState &s, raw_ostream &os) {
  os << "keys: " << s.keys.populationBits << " population bits, "
     << s.keys.sliceBits << " slice bits, " << s.keys.neuronBits
     << " neuron bits\n";
  // Trees exist only for slices that send packets.
  for (size_t ti = 0; ti < s.trees.size(); ++ti) {
    const KeyedTree &t = s.trees[ti];
    size_t slice = s.treeSlices[ti];
    os << "slice " << slice << " "
       << n.populations[s.sliceRefs[slice].population].name << " key "
       << format_hex(t.key, 10) << "/" << format_hex(t.mask, 10) << " from "
       << m.coord(t.tree.source) << ": " << t.tree.nodes.size()
       << (t.tree.nodes.size() == 1 ? " chip, " : " chips, ")
       << t.tree.destinations().size() << " delivering\n";
    for (const RouteNode &node : t.tree.nodes) {
      os << "  " << m.coord(node.chip) << " in "
         << (node.inLink == kFromLocal ? StringRef("local")
                                       : linkName(node.inLink))
         << " -> " << formatRoute(node.route) << "\n";
    }
  }
}

void scnc::printTables(const Machine &m, const MappingState &s,
                       raw_ostream &os) {
  for (const RoutingTable &t : s.compressed)
    printRoutingTable(m, t, os);
}

void scnc::printMappingReport(const Network &n, const Machine &m,
                              const MappingState &s, StringRef machineName,
                              raw_ostream &os) {
  std::map<ChipId, unsigned> coresPerChip;
  for (const CoreLocation &c : s.placement.cores)
    ++coresPerChip[c.chip];
  os << "mapping of '" << n.name << "' onto " << machineName << " ("
     << withCommas(m.numChips()) << " chips, "
     << withCommas(m.totalUsableCores()) << " usable cores)\n";
  os << "  partitioner: " << toString(s.partitionConfig.kind) << ", "
     << withCommas(s.placement.cores.size()) << " cores on "
     << withCommas(coresPerChip.size())
     << (coresPerChip.size() == 1 ? " chip\n" : " chips\n");
  os << "  communication volume: " << withCommas(s.commVolume)
     << " packets delivered when every neuron spikes once; edge cut "
     << withCommas(s.edgeCut) << " synapses\n";
  if (!s.loads.empty()) {
    // Per layer: cores, the largest slice and the worst predicted tick.
    os << "  real time (" << s.loadSource << "): budget "
       << withCommas(s.budgetCycles) << " cycles per tick, sized for "
       << withCommas(s.loadBudgetCycles)
       << "; predicted worst tick per layer:\n";
    std::vector<uint64_t> worst(n.populations.size(), 0),
        cores(n.populations.size(), 0), largest(n.populations.size(), 0);
    for (size_t i = 0; i < s.partition.slices.size(); ++i) {
      unsigned q = s.partition.slices[i].population;
      worst[q] = std::max(worst[q], s.loads[i].peakCycles);
      ++cores[q];
      largest[q] =
          std::max<uint64_t>(largest[q], s.partition.slices[i].neurons.size());
    }
    for (unsigned q = 0; q < n.populations.size(); ++q)
      if (n.populations[q].kind != Population::Kind::Input)
        os << "    " << n.populations[q].name << ": " << cores[q]
           << " cores of at most " << largest[q] << " neurons, "
           << withCommas(worst[q]) << " cycles ("
           << format("%.1f", 100.0 * double(worst[q]) / double(s.budgetCycles))
           << "% of the tick)\n";
  }
  auto tableStats = [&](const std::vector<RoutingTable> &tables) {
    uint64_t total = 0;
    size_t max = 0;
    for (const RoutingTable &t : tables) {
      total += t.entries.size();
      max = std::max(max, t.entries.size());
    }
    double mean = tables.empty() ? 0 : double(total) / double(tables.size());
    return std::make_tuple(max, mean, total, tables.size());
  };
  auto before = tableStats(s.tables), after = tableStats(s.compressed);
  os << "  routing entries per chip: before compression max "
     << std::get<0>(before) << ", mean " << format("%.1f", std::get<1>(before))
     << " (" << withCommas(std::get<2>(before)) << " on "
     << withCommas(std::get<3>(before)) << " chips); after max "
     << std::get<0>(after) << ", mean " << format("%.1f", std::get<1>(after))
     << "; capacity " << m.routerEntries() << "\n";
  // Packets per directed link when every neuron spikes once: a tree node's
  // outgoing links each carry one packet per neuron of the source slice.
  std::map<std::pair<ChipId, unsigned>, uint64_t> load;
  for (size_t ti = 0; ti < s.trees.size(); ++ti) {
    const KeyedTree &t = s.trees[ti];
    uint64_t neurons = s.sliceRefs[s.treeSlices[ti]].neurons;
    for (const RouteNode &node : t.tree.nodes)
      for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
        if (node.route & route::link(l))
          load[{node.chip, l}] += neurons;
  }
  std::vector<std::pair<uint64_t, std::pair<ChipId, unsigned>>> busiest;
  for (auto &e : load)
    busiest.push_back({e.second, e.first});
  std::stable_sort(
      busiest.begin(), busiest.end(),
      [](const auto &a, const auto &b) { return a.first > b.first; });
  os << "  busiest links (packets when every neuron spikes once):";
  if (busiest.empty())
    os << " none";
  os << "\n";
  for (size_t i = 0; i < busiest.size() && i < 5; ++i)
    os << "    chip " << m.coord(busiest[i].second.first) << " "
       << linkName(busiest[i].second.second) << ": "
       << withCommas(busiest[i].first) << "\n";
}
