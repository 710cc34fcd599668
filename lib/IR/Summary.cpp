//===- Summary.cpp --------------------------------------------------------===//
#include "scnc/IR/Summary.h"
#include "scnc/IR/Connections.h"
#include "scnc/IR/Printer.h"
#include "scnc/IR/Shapes.h"
#include "llvm/Support/Format.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

namespace {
struct Table {
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> rightAlign;
  void print(raw_ostream &os, size_t ruleAfterRow, bool ruleBeforeLast) {
    std::vector<size_t> width(rightAlign.size(), 0);
    for (auto &r : rows)
      for (size_t i = 0; i < r.size(); ++i)
        width[i] = std::max(width[i], r[i].size());
    size_t total = 0;
    for (size_t w : width)
      total += w + 2;
    auto rule = [&] { os << std::string(total - 2, '-') << "\n"; };
    for (size_t ri = 0; ri < rows.size(); ++ri) {
      if (ruleBeforeLast && ri + 1 == rows.size())
        rule();
      std::string line;
      for (size_t i = 0; i < rows[ri].size(); ++i) {
        const std::string &cell = rows[ri][i];
        std::string pad(width[i] - cell.size(), ' ');
        line += rightAlign[i] ? pad + cell : cell + pad;
        if (i + 1 != rows[ri].size())
          line += "  ";
      }
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      os << line << "\n";
      if (ri == ruleAfterRow)
        rule();
    }
  }
};
} // namespace

void scnc::printShapes(const Network &n, raw_ostream &os) {
  Table t;
  t.rightAlign = {false, false, false, true};
  t.rows.push_back({"layer", "kind", "shape", "neurons"});
  for (const Population &p : n.populations)
    t.rows.push_back({p.name, p.layer, formatShape(p.shape),
                      p.shape.isKnown() ? withCommas(p.shape.size()) : "?"});
  t.print(os, 0, false);
}

void scnc::printSummary(const Network &n, raw_ostream &os) {
  // Exact numbers from the lists once they are expanded; from the geometry
  // before (a from_list projection is unknown until its file is read).
  std::vector<ProjectionStats> stats;
  for (size_t i = 0; i < n.projections.size(); ++i)
    stats.push_back(n.connections ? measureProjection(n, n.projections[i],
                                                      n.connections->lists[i])
                                  : analyzeProjection(n, n.projections[i]));
  std::vector<uint64_t> synIn(n.populations.size(), 0);
  std::vector<bool> unknownIn(n.populations.size(), false);
  for (size_t i = 0; i < n.projections.size(); ++i) {
    unsigned post = n.projections[i].post;
    uint64_t s = stats[i].synapses;
    unknownIn[post] = unknownIn[post] || !stats[i].known;
    synIn[post] = s > UINT64_MAX - synIn[post] ? UINT64_MAX : synIn[post] + s;
  }
  bool anyUnknown = false;
  os << "Network '" << n.name << "': timestep ";
  printNumber(os, n.sim.timestep);
  os << " ms, presentation ";
  printNumber(os, n.sim.presentation);
  os << " ms (input ";
  printNumber(os, n.sim.inputWindow);
  os << " ms), " << n.sim.neuronsPerCore << " neurons per core, seed "
     << n.sim.seed << "\n";
  Table t;
  t.rightAlign = {false, false, false, true, true, false};
  t.rows.push_back({"Layer", "Kind", "Output shape", "Neurons", "Synapses in",
                    "Neuron set"});
  uint64_t totalNeurons = 0, totalSyn = 0;
  for (size_t i = 0; i < n.populations.size(); ++i) {
    const Population &p = n.populations[i];
    std::string kind = p.layer;
    std::string set = "-";
    if (p.kind == Population::Kind::Input) {
      kind += " (" + p.encoding.kind + ")";
    } else {
      set = p.neuron;
      if (p.trainNeuron != p.neuron)
        set += " (train: " + p.trainNeuron + ")";
    }
    for (const Projection &pr : n.projections)
      if (pr.post == i && pr.kind == Projection::Kind::Conv &&
          pr.mode == Projection::ChannelMode::PerMap) {
        kind += " (per-map)";
        break;
      }
    totalNeurons += p.shape.size();
    totalSyn =
        synIn[i] > UINT64_MAX - totalSyn ? UINT64_MAX : totalSyn + synIn[i];
    anyUnknown = anyUnknown || unknownIn[i];
    t.rows.push_back(
        {p.name, kind, formatShape(p.shape), withCommas(p.shape.size()),
         unknownIn[i] ? withCommas(synIn[i]) + " + list" : withCommas(synIn[i]),
         set});
  }
  if (n.classifier) {
    const Classifier &c = *n.classifier;
    uint64_t features = 0;
    for (unsigned s : c.sources)
      features += n.populations[s].shape.size();
    t.rows.push_back({c.name, "classifier",
                      std::to_string(c.classes) + " classes", "-", "-",
                      c.kind + " on " + withCommas(features) +
                          " spike counts of " + classifierSourceNames(n)});
  }
  t.rows.push_back({"Total", "", "", withCommas(totalNeurons),
                    withCommas(totalSyn) + (anyUnknown ? " + lists" : ""), ""});
  t.print(os, 0, true);
  if (n.projections.empty())
    return;

  os << "\n";
  Table pt;
  pt.rightAlign = {false, false, true, true, true};
  pt.rows.push_back({"Projection", "Kind", "Synapses", "Fan-in min/mean/max",
                     "Fan-out min/mean/max"});
  auto fan = [](const FanStats &f) {
    // The mean with two decimals and the same thousands separators as the
    // counts beside it ("1,111.11", not "1111.11").
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f", f.mean);
    std::string mean = buf;
    size_t dot = std::min(mean.find('.'), mean.size());
    for (size_t i = dot; i > 3; i -= 3)
      mean.insert(i - 3, ",");
    return withCommas(f.min) + " / " + mean + " / " + withCommas(f.max);
  };
  for (size_t i = 0; i < n.projections.size(); ++i) {
    const Projection &pr = n.projections[i];
    const ProjectionStats &st = stats[i];
    std::string kind = toString(pr.kind).str();
    if (pr.kind == Projection::Kind::Conv &&
        pr.mode == Projection::ChannelMode::PerMap)
      kind += " (per-map)";
    if (!st.known) {
      pt.rows.push_back({pr.name, kind, "from file", "-", "-"});
      continue;
    }
    pt.rows.push_back({pr.name, kind, withCommas(st.synapses), fan(st.fanIn),
                       fan(st.fanOut)});
  }
  pt.print(os, 0, false);
  os << "("
     << (n.connections ? "counted on the expanded lists"
                       : "computed from the geometry; -emit=connections "
                         "counts the expanded lists")
     << ")\n";
}
