//===- RouterTest.cpp - The emulated routers ------------------------------===//
//
// Hand-made tables on small machines: the first matching entry wins,
// default routing carries a packet from a link straight on, a packet from a
// core that matches nothing is dropped, links off the machine or dead drop
// packets, loops are refused; every counter. Then walkBlock (the load-time
// memo) against a naive hop-by-hop walk of every key on random tables.
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/Router.h"
#include "scnc/Mapping/Routing.h"
#include "gtest/gtest.h"
#include <algorithm>
#include <random>

using namespace scnc;

namespace {

using Tables = std::vector<std::vector<RoutingEntry>>;

ChipId at(const Machine &m, unsigned x, unsigned y) { return *m.chipAt(x, y); }

uint32_t counter(const Machine &m, unsigned x, unsigned y, unsigned c) {
  return at(m, x, y) * kNumRouterCounters + c;
}

/// How often \p c appears in the path's counts.
size_t count(const PacketPath &p, uint32_t c) {
  return size_t(std::count(p.counts.begin(), p.counts.end(), c));
}

PacketPath walk(const Routers &r, ChipId source, uint32_t key) {
  PacketPath p;
  llvm::Error e = r.walk(source, key, p);
  EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
  return p;
}

/// The routers' rules written out once more, recursively: the oracle of
/// the walkBlock test.
void naiveWalk(const Machine &m, const Tables &t, ChipId c, unsigned in,
               uint32_t key, PacketPath &p) {
  p.counts.push_back(c * kNumRouterCounters + CounterRouted);
  uint32_t word = 0;
  bool matched = false;
  for (const RoutingEntry &e : t[c])
    if ((key & e.mask) == e.key) {
      word = e.route;
      matched = true;
      break;
    }
  if (!matched) {
    if (in == kFromLocal) {
      p.counts.push_back(c * kNumRouterCounters + CounterDroppedNoRoute);
      return;
    }
    word = route::link(oppositeLink(in));
  }
  for (unsigned core = 0; core < spinnaker::kCoresPerChip; ++core)
    if (word & route::core(core))
      p.deliveries.push_back({c, core});
  for (unsigned l = 0; l < spinnaker::kNumLinks; ++l) {
    if (!(word & route::link(l)))
      continue;
    llvm::Optional<ChipId> next = m.neighbour(c, l);
    if (!next) {
      p.counts.push_back(c * kNumRouterCounters + CounterDroppedLink);
      continue;
    }
    p.counts.push_back(c * kNumRouterCounters + CounterLinkOut + l);
    naiveWalk(m, t, *next, oppositeLink(l), key, p);
  }
}

void sortPath(PacketPath &p) {
  std::sort(p.deliveries.begin(), p.deliveries.end());
  std::sort(p.counts.begin(), p.counts.end());
}

} // namespace

TEST(Router, FirstMatchWins) {
  Machine m = Machine::rectangle(2, 2, false, false);
  Tables t(m.numChips());
  // Both entries match 0x101; the first, more general one wins.
  t[at(m, 0, 0)] = {{0x100, 0xF00, route::core(3)},
                    {0x101, 0xFFF, route::core(4)}};
  Routers r(m, t);
  EXPECT_EQ(r.lookup(at(m, 0, 0), 0x101), route::core(3));
  EXPECT_EQ(r.lookup(at(m, 0, 0), 0x201), llvm::None);
  PacketPath p = walk(r, at(m, 0, 0), 0x101);
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(p.deliveries[0], std::make_pair(at(m, 0, 0), 3u));
  // The other order delivers to core 4.
  std::swap(t[at(m, 0, 0)][0], t[at(m, 0, 0)][1]);
  Routers r2(m, t);
  p = walk(r2, at(m, 0, 0), 0x101);
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(p.deliveries[0].second, 4u);
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterSent)), 1u);
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterRouted)), 1u);
  EXPECT_EQ(p.counts.size(), 2u);
}

TEST(Router, DefaultRoutingFromALink) {
  // (0,0) sends east; (1,0) has no entry and passes the packet on east;
  // (2,0) delivers to core 4 and sends north, where (2,1) has no entry and
  // passes it north to (2,2), which matches nothing either: north of it is
  // off the machine, so the packet is dropped there.
  Machine m = Machine::rectangle(3, 3, false, false);
  Tables t(m.numChips());
  t[at(m, 0, 0)] = {{0x40, 0xFFFFFFC0, route::link(LinkEast)}};
  t[at(m, 1, 0)] = {{0x80, 0xFFFFFFC0, route::core(9)}}; // another key
  t[at(m, 2, 0)] = {
      {0x40, 0xFFFFFFC0, route::core(4) | route::link(LinkNorth)}};
  Routers r(m, t);
  PacketPath p = walk(r, at(m, 0, 0), 0x41);
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(p.deliveries[0], std::make_pair(at(m, 2, 0), 4u));
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterSent)), 1u);
  for (auto [x, y] : std::vector<std::pair<unsigned, unsigned>>{
           {0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}})
    EXPECT_EQ(count(p, counter(m, x, y, CounterRouted)), 1u) << x << y;
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterLinkOut + LinkEast)), 1u);
  EXPECT_EQ(count(p, counter(m, 1, 0, CounterLinkOut + LinkEast)), 1u);
  EXPECT_EQ(count(p, counter(m, 2, 0, CounterLinkOut + LinkNorth)), 1u);
  EXPECT_EQ(count(p, counter(m, 2, 1, CounterLinkOut + LinkNorth)), 1u);
  EXPECT_EQ(count(p, counter(m, 2, 2, CounterDroppedLink)), 1u);
  EXPECT_EQ(p.counts.size(), 11u);
}

TEST(Router, DropsWhatACoreSendsWithoutAMatch) {
  Machine m = Machine::rectangle(2, 2, false, false);
  Tables t(m.numChips());
  t[at(m, 1, 1)] = {{0x0, 0xFFFF0000, route::core(2)}};
  Routers r(m, t);
  PacketPath p = walk(r, at(m, 1, 1), 0x10000);
  EXPECT_TRUE(p.deliveries.empty());
  EXPECT_EQ(count(p, counter(m, 1, 1, CounterDroppedNoRoute)), 1u);
  EXPECT_EQ(count(p, counter(m, 1, 1, CounterRouted)), 1u);
  EXPECT_EQ(count(p, counter(m, 1, 1, CounterSent)), 1u);
  // A chip without any table drops it as well.
  p = walk(r, at(m, 0, 0), 0x5);
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterDroppedNoRoute)), 1u);
}

TEST(Router, DeadLinksDropPackets) {
  Machine m = Machine::rectangle(2, 1, false, false);
  ASSERT_TRUE(m.setLinkDead(at(m, 0, 0), LinkEast));
  Tables t(m.numChips());
  t[at(m, 0, 0)] = {{0x7, 0xFFFFFFFF, route::link(LinkEast) | route::core(5)}};
  Routers r(m, t);
  PacketPath p = walk(r, at(m, 0, 0), 0x7);
  ASSERT_EQ(p.deliveries.size(), 1u);
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterDroppedLink)), 1u);
  EXPECT_EQ(count(p, counter(m, 0, 0, CounterLinkOut + LinkEast)), 0u);
}

TEST(Router, CopiesAlongATree) {
  // Two branches reach (1,1): by the diagonal and by a detour; it delivers
  // twice, as a router that gets two copies would.
  Machine m = Machine::rectangle(2, 2, false, false);
  Tables t(m.numChips());
  t[at(m, 0, 0)] = {
      {0x1, 0xFFFFFFFF, route::link(LinkNorthEast) | route::link(LinkEast)}};
  t[at(m, 1, 0)] = {{0x1, 0xFFFFFFFF, route::link(LinkNorth)}};
  t[at(m, 1, 1)] = {{0x1, 0xFFFFFFFF, route::core(7)}};
  Routers r(m, t);
  PacketPath p = walk(r, at(m, 0, 0), 0x1);
  ASSERT_EQ(p.deliveries.size(), 2u);
  EXPECT_EQ(p.deliveries[0], std::make_pair(at(m, 1, 1), 7u));
  EXPECT_EQ(p.deliveries[1], std::make_pair(at(m, 1, 1), 7u));
  EXPECT_EQ(count(p, counter(m, 1, 1, CounterRouted)), 2u);
}

TEST(Router, RefusesLoops) {
  Machine m = Machine::rectangle(2, 1, false, false);
  Tables t(m.numChips());
  t[at(m, 0, 0)] = {{0x9, 0xFFFFFFFF, route::link(LinkEast)}};
  t[at(m, 1, 0)] = {{0x9, 0xFFFFFFFF, route::link(LinkWest)}};
  Routers r(m, t);
  PacketPath p;
  llvm::Error e = r.walk(at(m, 0, 0), 0x9, p);
  ASSERT_TRUE(bool(e));
  EXPECT_NE(llvm::toString(std::move(e)).find("around a loop"),
            std::string::npos);
}

TEST(Router, BlocksWalkLikeEveryKey) {
  // Random tables whose routes only go east, north-east or north (so no
  // loops) on a 4 x 4 mesh; entries look at random subsets of the low 8 key
  // bits. For random source chips, walkBlock's blocks must cover the 256
  // keys once each, and each key's hop-by-hop walk must give its block's
  // deliveries and counts.
  Machine m = Machine::rectangle(4, 4, false, false);
  std::mt19937 rng(2024);
  for (int round = 0; round < 40; ++round) {
    Tables t(m.numChips());
    for (ChipId c = 0; c < m.numChips(); ++c) {
      unsigned n = rng() % 5;
      for (unsigned k = 0; k < n; ++k) {
        uint32_t mask = 0xFFFFFF00 | (uint32_t(rng()) & 0xFF);
        uint32_t key = 0x3000 | (uint32_t(rng()) & mask & 0xFF);
        uint32_t word = 0;
        for (unsigned l : {LinkEast, LinkNorthEast, LinkNorth})
          if (rng() % 3 == 0)
            word |= route::link(l);
        for (unsigned core = 1; core < 18; ++core)
          if (rng() % 9 == 0)
            word |= route::core(core);
        t[c].push_back({key, mask, word});
      }
    }
    Routers r(m, t);
    ChipId source = ChipId(rng() % m.numChips());
    uint32_t limit = 200 + rng() % 56; // keys >= limit are not wanted
    std::vector<KeyBlockPath> blocks;
    llvm::Error e = r.walkBlock(
        source, 0x3000, 0xFFFFFF00,
        [&](uint32_t key, uint32_t) { return (key & 0xFF) < limit; }, blocks);
    ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));
    for (uint32_t k = 0; k < 256; ++k) {
      uint32_t key = 0x3000 | k;
      int found = -1;
      for (size_t b = 0; b < blocks.size(); ++b)
        if ((key & blocks[b].mask) == blocks[b].key) {
          EXPECT_EQ(found, -1) << "key in two blocks";
          found = int(b);
        }
      if (k >= limit && found < 0)
        continue;
      ASSERT_GE(found, 0) << round << " key " << k;
      PacketPath want;
      want.counts.push_back(source * kNumRouterCounters + CounterSent);
      naiveWalk(m, t, source, kFromLocal, key, want);
      PacketPath got = blocks[found].path;
      PacketPath one = walk(r, source, key);
      sortPath(want);
      sortPath(got);
      sortPath(one);
      EXPECT_EQ(got.deliveries, want.deliveries) << round << " key " << k;
      EXPECT_EQ(got.counts, want.counts) << round << " key " << k;
      EXPECT_EQ(one.deliveries, want.deliveries);
      EXPECT_EQ(one.counts, want.counts);
    }
  }
}
