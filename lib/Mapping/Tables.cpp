//===- Tables.cpp - Routing tables from trees -----------------------------===//
#include "scnc/Mapping/Tables.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include <tuple>

using namespace scnc;
using namespace llvm;

unsigned RoutingEntry::generality() const {
  return unsigned(countPopulation(~mask));
}

RouteDecision scnc::routeStep(ArrayRef<RoutingEntry> entries, uint32_t key,
                              uint32_t mask, unsigned inLink) {
  RouteDecision d;
  for (const RoutingEntry &e : entries) {
    if ((e.key & ~e.mask) || !keySpacesIntersect(e.key, e.mask, key, mask))
      continue;
    if (uint32_t apart = e.mask & ~mask) {
      d.kind = RouteDecision::Split;
      d.splitBit = apart & (~apart + 1); // lowest bit the entry looks at
      return d;
    }
    d.kind = RouteDecision::Matched;
    d.route = e.route;
    return d;
  }
  if (inLink == kFromLocal)
    return d; // Drop
  d.kind = RouteDecision::Default;
  d.route = route::link(oppositeLink(inLink));
  return d;
}

std::vector<RoutingTable> scnc::buildTables(const Machine &m,
                                            ArrayRef<KeyedTree> trees,
                                            const TableConfig &cfg) {
  std::vector<RoutingTable> tables(m.numChips());
  for (ChipId c = 0; c < m.numChips(); ++c)
    tables[c].chip = c;
  for (const KeyedTree &t : trees) {
    uint32_t key = t.key & t.mask;
    for (const RouteNode &n : t.tree.nodes) {
      RoutingEntry e{key, t.mask, n.route};
      bool straightOn = n.inLink != kFromLocal &&
                        n.route == route::link(oppositeLink(n.inLink));
      if (cfg.elideDefaultRoutes && straightOn)
        tables[n.chip].defaultRouted.push_back(e);
      else
        tables[n.chip].entries.push_back(e);
    }
  }
  auto byGenerality = [](const RoutingEntry &a, const RoutingEntry &b) {
    return std::make_tuple(a.generality(), a.key, a.mask, a.route) <
           std::make_tuple(b.generality(), b.key, b.mask, b.route);
  };
  auto byKey = [](const RoutingEntry &a, const RoutingEntry &b) {
    return std::make_tuple(a.key, a.mask, a.route) <
           std::make_tuple(b.key, b.mask, b.route);
  };
  for (RoutingTable &t : tables) {
    llvm::sort(t.entries, byGenerality);
    llvm::sort(t.defaultRouted, byKey);
  }
  return tables;
}

void scnc::printRoutingTable(const Machine &m, const RoutingTable &table,
                             raw_ostream &os) {
  os << "chip " << m.coord(table.chip) << ": " << table.entries.size()
     << (table.entries.size() == 1 ? " entry" : " entries");
  if (!table.defaultRouted.empty())
    os << ", " << table.defaultRouted.size() << " default-routed";
  os << "\n";
  for (const RoutingEntry &e : table.entries)
    os << "  " << format_hex(e.key, 10) << "/" << format_hex(e.mask, 10)
       << " -> " << formatRoute(e.route) << "\n";
}
