//===- Placement.cpp - Ordered fill along a Hilbert curve -----------------===//
#include "scnc/Mapping/Placement.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>

using namespace scnc;
using namespace llvm;

/// Position of (x, y) along the Hilbert curve of an n x n square (n a power
/// of two).
static uint64_t hilbertIndex(uint64_t n, uint64_t x, uint64_t y) {
  uint64_t d = 0;
  for (uint64_t s = n / 2; s > 0; s /= 2) {
    uint64_t rx = (x & s) > 0, ry = (y & s) > 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry == 0) { // rotate the quadrant
      if (rx == 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

std::vector<ChipId> scnc::chipOrder(const Machine &m) {
  uint64_t n = PowerOf2Ceil(std::max<uint64_t>({m.width(), m.height(), 1}));
  std::vector<std::pair<uint64_t, ChipId>> keyed;
  for (ChipId id = 0; id < m.numChips(); ++id) {
    ChipCoord c = m.coord(id);
    keyed.push_back({hilbertIndex(n, c.x, c.y), id});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<ChipId> order;
  for (auto &k : keyed)
    order.push_back(k.second);
  return order;
}

std::string scnc::smallestMachineFor(uint64_t cores) {
  // The single boards first, then multi-board machines: usable cores grow
  // with the number of boards, so the first that holds `cores` is smallest.
  std::vector<std::string> names = {"spinn3", "spinn5"};
  for (unsigned boards = 2; boards <= 1200; ++boards)
    names.push_back("boards:" + std::to_string(boards));
  for (const std::string &name : names) {
    Expected<Machine> m = builtinMachine(name);
    if (!m) {
      consumeError(m.takeError());
      continue;
    }
    if (m->totalUsableCores() >= cores)
      return name;
  }
  return "";
}

Expected<Placement> scnc::placeSlices(const Machine &m,
                                      ArrayRef<SliceRef> slices,
                                      ArrayRef<uint64_t> sdramBytes,
                                      const PlacementConfig &cfg) {
  uint64_t usable = m.totalUsableCores();
  if (slices.size() > usable) {
    std::string fit = smallestMachineFor(slices.size());
    return createStringError(
        inconvertibleErrorCode(),
        "the network needs %zu cores (one per slice) but machine '%s' has %llu "
        "usable cores%s",
        slices.size(), cfg.machineName.c_str(), (unsigned long long)usable,
        fit.empty() ? "; no built-in machine is large enough"
                    : ("; " + fit + " would fit").c_str());
  }
  if (!cfg.order.empty() && cfg.order.size() != slices.size())
    return createStringError(inconvertibleErrorCode(),
                             "placement order of %zu slices for %zu",
                             cfg.order.size(), slices.size());
  Placement p;
  p.cores.resize(slices.size());
  std::vector<ChipId> order = chipOrder(m);
  size_t k = 0; // slices placed
  for (ChipId chip : order) {
    if (k == slices.size())
      break;
    uint64_t sdramUsed = 0;
    for (unsigned core : m.usableCoreIds(chip)) {
      if (k == slices.size())
        break;
      size_t s = cfg.order.empty() ? k : cfg.order[k];
      uint64_t need = sdramBytes.empty() ? 0 : sdramBytes[s];
      if (need > m.sdramBytes())
        return createStringError(
            inconvertibleErrorCode(),
            "slice %zu needs %llu bytes of SDRAM, more than a chip's %llu; "
            "use fewer neurons per core",
            s, (unsigned long long)need, (unsigned long long)m.sdramBytes());
      if (sdramUsed + need > m.sdramBytes())
        break; // this chip is full; the next takes the slice
      sdramUsed += need;
      p.cores[s] = CoreLocation{chip, core};
      ++k;
    }
  }
  if (k != slices.size())
    return createStringError(
        inconvertibleErrorCode(),
        "machine '%s' ran out of SDRAM: %zu of %zu slices placed; use fewer "
        "neurons per core or a larger machine",
        cfg.machineName.c_str(), k, slices.size());
  return p;
}
