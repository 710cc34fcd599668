//===- Machine.cpp - Chips, cores, links and the model check --------------===//
#include "scnc/Machine/Machine.h"
#include "scnc/Support/Format.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <cassert>

using namespace scnc;
using namespace llvm;

static const int kLinkDX[spinnaker::kNumLinks] = {1, 1, 0, -1, -1, 0};
static const int kLinkDY[spinnaker::kNumLinks] = {0, 1, 1, 0, -1, -1};

int scnc::linkDX(unsigned link) {
  assert(link < spinnaker::kNumLinks && "link out of range");
  return kLinkDX[link];
}

int scnc::linkDY(unsigned link) {
  assert(link < spinnaker::kNumLinks && "link out of range");
  return kLinkDY[link];
}

StringRef scnc::linkName(unsigned link) {
  static const char *const names[] = {"east", "north-east", "north",
                                      "west", "south-west", "south"};
  return link < spinnaker::kNumLinks ? names[link] : "?";
}

raw_ostream &scnc::operator<<(raw_ostream &os, ChipCoord c) {
  return os << "(" << c.x << ", " << c.y << ")";
}

std::string scnc::formatChip(ChipCoord c) {
  return "(" + std::to_string(c.x) + ", " + std::to_string(c.y) + ")";
}

//===----------------------------------------------------------------------===//
// Construction and faults
//===----------------------------------------------------------------------===//

Machine::Machine(unsigned width, unsigned height, bool wrapX, bool wrapY,
                 ArrayRef<ChipCoord> chips)
    : w(width), h(height), wrapX(wrapX && width > 1),
      wrapY(wrapY && height > 1), index(size_t(width) * height, -1),
      deadCoreMask(size_t(width) * height, 0),
      deadLinkMask(size_t(width) * height, 0) {
  for (ChipCoord c : chips) {
    assert(c.x < w && c.y < h && "chip outside the grid");
    index[pos(c)] = 0;
  }
  reindex();
}

Machine Machine::rectangle(unsigned width, unsigned height, bool wrapX,
                           bool wrapY) {
  Machine m(width, height, wrapX, wrapY, {});
  std::fill(m.index.begin(), m.index.end(), 0);
  m.reindex();
  return m;
}

void Machine::reindex() {
  coords.clear();
  for (unsigned y = 0; y < h; ++y)
    for (unsigned x = 0; x < w; ++x) {
      int32_t &slot = index[size_t(y) * w + x];
      if (slot < 0)
        continue;
      slot = int32_t(coords.size());
      coords.push_back({x, y});
    }
}

void Machine::removeChips(ArrayRef<ChipCoord> dead) {
  for (ChipCoord c : dead) {
    if (c.x >= w || c.y >= h || index[pos(c)] < 0)
      continue;
    index[pos(c)] = -1;
    ++deadChips;
  }
  reindex();
}

void Machine::setCoreDead(ChipId id, unsigned core) {
  assert(core < spinnaker::kCoresPerChip && "core out of range");
  deadCoreMask[pos(coords[id])] |= 1u << core;
}

bool Machine::setLinkDead(ChipId id, unsigned link) {
  Optional<ChipCoord> nb = neighbourCoord(coords[id], link);
  if (!nb || !hasChip(*nb))
    return false;
  deadLinkMask[pos(coords[id])] |= uint8_t(1u << link);
  deadLinkMask[pos(*nb)] |= uint8_t(1u << oppositeLink(link));
  return true;
}

unsigned Machine::numDeadCores() const {
  unsigned n = 0;
  for (ChipCoord c : coords)
    n += countPopulation(deadCoreMask[pos(c)]);
  return n;
}

unsigned Machine::numDeadLinks() const {
  unsigned ends = 0;
  for (ChipCoord c : coords)
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
      if (!(deadLinkMask[pos(c)] & (1u << l)))
        continue;
      Optional<ChipCoord> nb = neighbourCoord(c, l);
      if (nb && hasChip(*nb))
        ++ends;
    }
  // setLinkDead marks both ends.
  return (ends + 1) / 2;
}

StringRef Machine::wrapDescription() const {
  if (wrapX && wrapY)
    return "torus";
  if (wrapX)
    return "wraps in x";
  if (wrapY)
    return "wraps in y";
  return "no wrap";
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

Optional<ChipId> Machine::chipAt(ChipCoord c) const {
  if (c.x >= w || c.y >= h)
    return None;
  int32_t i = index[pos(c)];
  if (i < 0)
    return None;
  return ChipId(i);
}

bool Machine::isCoreLive(ChipId id, unsigned core) const {
  return core < spinnaker::kCoresPerChip &&
         !(deadCoreMask[pos(coords[id])] & (1u << core));
}

unsigned Machine::numLiveCores(ChipId id) const {
  return spinnaker::kCoresPerChip -
         countPopulation(deadCoreMask[pos(coords[id])]);
}

unsigned Machine::usableCores(ChipId id) const {
  unsigned app =
      numLiveCores(id) - (isCoreLive(id, spinnaker::kMonitorCore) ? 1 : 0);
  return app > reserved ? app - reserved : 0;
}

SmallVector<unsigned, 18> Machine::usableCoreIds(ChipId id) const {
  SmallVector<unsigned, 18> ids;
  unsigned skip = reserved;
  for (unsigned core = 0; core < spinnaker::kCoresPerChip; ++core) {
    if (core == spinnaker::kMonitorCore || !isCoreLive(id, core))
      continue;
    if (skip) {
      --skip;
      continue;
    }
    ids.push_back(core);
  }
  return ids;
}

uint64_t Machine::totalUsableCores() const {
  uint64_t n = 0;
  for (ChipId id = 0; id < numChips(); ++id)
    n += usableCores(id);
  return n;
}

Optional<ChipCoord> Machine::neighbourCoord(ChipCoord c, unsigned link) const {
  assert(link < spinnaker::kNumLinks && "link out of range");
  int64_t x = int64_t(c.x) + kLinkDX[link], y = int64_t(c.y) + kLinkDY[link];
  if (x < 0 || x >= w) {
    if (!wrapX)
      return None;
    x = (x + w) % w;
  }
  if (y < 0 || y >= h) {
    if (!wrapY)
      return None;
    y = (y + h) % h;
  }
  return ChipCoord{unsigned(x), unsigned(y)};
}

bool Machine::hasLink(ChipId id, unsigned link) const {
  ChipCoord c = coords[id];
  if (deadLinkMask[pos(c)] & (1u << link))
    return false;
  Optional<ChipCoord> nb = neighbourCoord(c, link);
  if (!nb || !hasChip(*nb))
    return false;
  return !(deadLinkMask[pos(*nb)] & (1u << oppositeLink(link)));
}

Optional<ChipId> Machine::neighbour(ChipId id, unsigned link) const {
  if (!hasLink(id, link))
    return None;
  return chipAt(*neighbourCoord(coords[id], link));
}

unsigned Machine::numLinks(ChipId id) const {
  unsigned n = 0;
  for (unsigned l = 0; l < spinnaker::kNumLinks; ++l)
    n += hasLink(id, l);
  return n;
}

uint64_t Machine::numDirectedLinks() const {
  uint64_t n = 0;
  for (ChipId id = 0; id < numChips(); ++id)
    n += numLinks(id);
  return n;
}

unsigned Machine::distance(ChipCoord a, ChipCoord b) const {
  int64_t dx = int64_t(b.x) - a.x, dy = int64_t(b.y) - a.y;
  SmallVector<int64_t, 3> xs{dx}, ys{dy};
  if (wrapX) {
    xs.push_back(dx - w);
    xs.push_back(dx + w);
  }
  if (wrapY) {
    ys.push_back(dy - h);
    ys.push_back(dy + h);
  }
  unsigned best = ~0u;
  for (int64_t x : xs)
    for (int64_t y : ys)
      best = std::min(best, hexDistance(x, y));
  return best;
}

std::vector<unsigned> Machine::hopDistances(ChipId from) const {
  std::vector<unsigned> dist(numChips(), kUnreachable);
  std::vector<ChipId> queue{from};
  dist[from] = 0;
  for (size_t head = 0; head < queue.size(); ++head) {
    ChipId c = queue[head];
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
      Optional<ChipId> nb = neighbour(c, l);
      if (nb && dist[*nb] == kUnreachable) {
        dist[*nb] = dist[c] + 1;
        queue.push_back(*nb);
      }
    }
  }
  return dist;
}

//===----------------------------------------------------------------------===//
// Check
//===----------------------------------------------------------------------===//

std::vector<std::string> Machine::check() const {
  std::vector<std::string> problems;
  auto problem = [&](const Twine &msg) { problems.push_back(msg.str()); };

  if (w == 0 || h == 0 || w > spinnaker::kMaxDimension ||
      h > spinnaker::kMaxDimension)
    problem("machine size " + Twine(w) + "x" + Twine(h) +
            " is outside 1x1..256x256");
  if (reserved >= spinnaker::kCoresPerChip)
    problem("reserved_cores " + Twine(reserved) + " exceeds the " +
            Twine(spinnaker::kCoresPerChip - 1) + " non-monitor cores");
  if (sdram == 0)
    problem("chips have no SDRAM");
  if (routes == 0 || routes > spinnaker::kRouterTCAMEntries)
    problem("router_entries " + Twine(routes) + " is outside 1.." +
            Twine(spinnaker::kRouterTCAMEntries));
  if (coords.empty()) {
    problem("machine has no chips");
    return problems;
  }

  // Coordinates, ids and the grid index agree; nothing else is worth
  // checking when they do not.
  size_t before = problems.size();
  size_t onGrid = 0;
  for (int32_t i : index)
    onGrid += i >= 0;
  if (onGrid != coords.size())
    problem("grid holds " + Twine(onGrid) + " chips but " +
            Twine(coords.size()) + " have ids");
  for (ChipId id = 0; id < numChips(); ++id) {
    ChipCoord c = coords[id];
    if (c.x >= w || c.y >= h) {
      problem("chip " + formatChip(c) + " is outside the " + Twine(w) + "x" +
              Twine(h) + " grid");
      continue;
    }
    if (index[pos(c)] != int32_t(id))
      problem("chip " + formatChip(c) + " has id " + Twine(id) +
              " but the grid says " + Twine(index[pos(c)]));
    if (id && !(coords[id - 1] < c))
      problem("chip ids are not in (y, x) order at chip " + formatChip(c));
  }
  if (problems.size() != before)
    return problems;

  // Every link comes back over its opposite.
  for (ChipId id = 0; id < numChips(); ++id) {
    if (!isCoreLive(id, spinnaker::kMonitorCore))
      problem("chip " + formatChip(coords[id]) + ": monitor core 0 is dead");
    for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
      Optional<ChipId> nb = neighbour(id, l);
      if (!nb)
        continue;
      unsigned back = oppositeLink(l);
      if (*nb == id)
        problem("link " + Twine(l) + " (" + linkName(l) + ") of chip " +
                formatChip(coords[id]) + " leads back to the same chip");
      else if (neighbour(*nb, back) != Optional<ChipId>(id))
        problem("link " + Twine(l) + " (" + linkName(l) + ") of chip " +
                formatChip(coords[id]) + " has no opposite link " +
                Twine(back) + " (" + linkName(back) + ") from chip " +
                formatChip(coords[*nb]));
    }
  }

  if (totalUsableCores() == 0)
    problem("machine has no usable cores");

  // Connected: every chip reachable from (0, 0), or from the first chip
  // when (0, 0) is missing.
  ChipId root = chipAt(0, 0).getValueOr(0);
  std::vector<unsigned> dist = hopDistances(root);
  std::vector<ChipCoord> unreachable;
  for (ChipId id = 0; id < numChips(); ++id)
    if (dist[id] == kUnreachable)
      unreachable.push_back(coords[id]);
  if (!unreachable.empty()) {
    const size_t shown = 8;
    std::string list;
    for (size_t i = 0; i < std::min(shown, unreachable.size()); ++i)
      list += (i ? ", " : "") + formatChip(unreachable[i]);
    if (unreachable.size() > shown)
      list += " and " + std::to_string(unreachable.size() - shown) + " more";
    problem(Twine(unreachable.size()) +
            (unreachable.size() == 1 ? " chip is" : " chips are") +
            " unreachable from " + formatChip(coords[root]) + ": " + list);
  }
  return problems;
}

//===----------------------------------------------------------------------===//
// Summary
//===----------------------------------------------------------------------===//

static std::string plural(uint64_t n, StringRef what) {
  return withCommas(n) + " " + what.str() + (n == 1 ? "" : "s");
}

void scnc::printMachineSummary(const Machine &m, StringRef name,
                               raw_ostream &os) {
  os << "machine " << name << ": " << plural(m.numChips(), "chip") << " ("
     << m.width() << "x" << m.height() << ", " << m.wrapDescription() << "), "
     << plural(m.totalUsableCores(), "usable core") << ", "
     << withCommas(m.routerEntries()) << " routing "
     << (m.routerEntries() == 1 ? "entry" : "entries") << " per chip\n";
  SmallVector<std::string, 3> dead;
  if (m.numDeadChips())
    dead.push_back(plural(m.numDeadChips(), "chip"));
  if (m.numDeadCores())
    dead.push_back(plural(m.numDeadCores(), "core"));
  if (m.numDeadLinks())
    dead.push_back(plural(m.numDeadLinks(), "link"));
  if (!dead.empty())
    os << "dead: " << join(dead, ", ") << "\n";
}
