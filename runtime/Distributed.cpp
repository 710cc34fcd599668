//===- Distributed.cpp - Ranks, their chips, in-process ranks -------------===//
//
// What a distributed run needs besides the emulator: the collective helpers
// every RankComm has, ranks as threads for the tests, and the assignment of
// chips to ranks (Distributed.h).
//
//===----------------------------------------------------------------------===//
#include "scnc/Runtime/Distributed.h"
#include <algorithm>
#include <condition_variable>
#include <mutex>

using namespace scnc;

RankComm::~RankComm() = default;

std::vector<uint32_t> RankComm::gatherToRoot(llvm::ArrayRef<uint32_t> mine) {
  std::vector<std::vector<uint32_t>> send(size());
  send[0].assign(mine.begin(), mine.end());
  std::vector<std::vector<uint32_t>> got = exchange(send);
  std::vector<uint32_t> all;
  if (rank() == 0)
    for (const std::vector<uint32_t> &g : got)
      all.insert(all.end(), g.begin(), g.end());
  return all;
}

std::vector<std::vector<uint32_t>>
RankComm::allGather(llvm::ArrayRef<uint32_t> mine) {
  return exchange(std::vector<std::vector<uint32_t>>(
      size(), std::vector<uint32_t>(mine.begin(), mine.end())));
}

bool RankComm::any(bool mine) {
  uint64_t v = mine;
  sum(llvm::MutableArrayRef<uint64_t>(v));
  return v != 0;
}

namespace {

/// What the threads of makeThreadComms share.
struct Shared {
  explicit Shared(unsigned n) : n(n), sends(n), vecs(n) {}
  const unsigned n;
  std::mutex m;
  std::condition_variable cv;
  unsigned arrived = 0;
  uint64_t generation = 0;
  std::vector<const std::vector<std::vector<uint32_t>> *> sends;
  std::vector<llvm::MutableArrayRef<uint64_t>> vecs;
  void barrier() {
    std::unique_lock<std::mutex> lock(m);
    uint64_t gen = generation;
    if (++arrived == n) {
      arrived = 0;
      ++generation;
      cv.notify_all();
      return;
    }
    cv.wait(lock, [&] { return generation != gen; });
  }
};

class ThreadComm final : public RankComm {
public:
  ThreadComm(std::shared_ptr<Shared> s, unsigned me)
      : s(std::move(s)), me(me) {}
  unsigned rank() const override { return me; }
  unsigned size() const override { return s->n; }
  std::vector<std::vector<uint32_t>>
  exchange(const std::vector<std::vector<uint32_t>> &send) override {
    s->sends[me] = &send;
    s->barrier();
    std::vector<std::vector<uint32_t>> got(s->n);
    for (unsigned q = 0; q < s->n; ++q)
      got[q] = (*s->sends[q])[me];
    for (unsigned q = 0; q < s->n; ++q)
      if (q != me)
        wordsSent += send[q].size();
    ++exchanges;
    s->barrier(); // nobody reads send after this
    return got;
  }
  void sum(llvm::MutableArrayRef<uint64_t> v) override {
    reduce(v, [](uint64_t a, uint64_t b) { return a + b; });
  }
  void bitOr(llvm::MutableArrayRef<uint64_t> v) override {
    reduce(v, [](uint64_t a, uint64_t b) { return a | b; });
  }

private:
  template <typename Op> void reduce(llvm::MutableArrayRef<uint64_t> v, Op op) {
    s->vecs[me] = v;
    s->barrier();
    std::vector<uint64_t> r(v.size(), 0);
    for (unsigned q = 0; q < s->n; ++q)
      for (size_t i = 0; i < v.size(); ++i)
        r[i] = q ? op(r[i], s->vecs[q][i]) : s->vecs[q][i];
    s->barrier(); // every rank has read every vector
    std::copy(r.begin(), r.end(), v.begin());
  }
  std::shared_ptr<Shared> s;
  unsigned me;
};

} // namespace

std::vector<std::unique_ptr<RankComm>> scnc::makeThreadComms(unsigned n) {
  auto shared = std::make_shared<Shared>(n);
  std::vector<std::unique_ptr<RankComm>> comms;
  for (unsigned i = 0; i < n; ++i)
    comms.push_back(std::make_unique<ThreadComm>(shared, i));
  return comms;
}

std::vector<unsigned> scnc::assignChips(const Machine &m,
                                        llvm::ArrayRef<ImageSection> sections,
                                        unsigned ranks) {
  const unsigned chips = m.numChips();
  std::vector<uint64_t> weight(chips, 1);
  for (const ImageSection &s : sections)
    if (s.type == image::CoreSection)
      if (llvm::Optional<ChipId> c = m.chipAt(s.x, s.y))
        weight[*c] += s.size;
  // The groups: whole boards when every chip is on exactly one and there
  // are enough of them, else single chips.
  std::vector<std::vector<ChipId>> groups;
  llvm::ArrayRef<ChipCoord> boards = m.boards();
  if (boards.size() >= ranks && boards.size() > 1) {
    groups.resize(boards.size());
    bool ok = true;
    for (ChipId c = 0; c < chips && ok; ++c) {
      ChipCoord at = m.coord(c);
      int found = -1;
      for (size_t b = 0; b < boards.size(); ++b) {
        unsigned dx = (at.x + m.width() - boards[b].x) % m.width();
        unsigned dy = (at.y + m.height() - boards[b].y) % m.height();
        if ((!m.wrapsX() && at.x < boards[b].x) ||
            (!m.wrapsY() && at.y < boards[b].y))
          continue;
        if (dx < spinnaker::kBoardSize && dy < spinnaker::kBoardSize &&
            isBoardChip(dx, dy)) {
          ok = found < 0;
          found = int(b);
        }
      }
      if (found < 0)
        ok = false;
      else
        groups[found].push_back(c);
    }
    if (!ok)
      groups.clear();
  }
  if (groups.empty())
    for (ChipId c = 0; c < chips; ++c)
      groups.push_back({c});
  const size_t g = groups.size();
  std::vector<uint64_t> prefix(g + 1, 0);
  for (size_t i = 0; i < g; ++i) {
    uint64_t w = 0;
    for (ChipId c : groups[i])
      w += weight[c];
    prefix[i + 1] = prefix[i] + w;
  }
  // Cut k (1 <= k < ranks) at the group boundary nearest k/ranks of the
  // weight, leaving every rank at least one group.
  std::vector<size_t> cut(ranks + 1, 0);
  cut[ranks] = g;
  for (unsigned k = 1; k < ranks; ++k) {
    // target = prefix[g] * k / ranks, compared exactly as fractions.
    const uint64_t total = prefix[g];
    auto below = [&](size_t i) { // prefix[i] * ranks < total * k
      return (unsigned __int128)prefix[i] * ranks <
             (unsigned __int128)total * k;
    };
    size_t i =
        size_t(std::partition_point(prefix.begin(), prefix.end(),
                                    [&](const uint64_t &p) {
                                      return below(size_t(&p - &prefix[0]));
                                    }) -
               prefix.begin());
    if (i > 0 && i <= g) {
      // The nearer of boundaries i - 1 and i.
      unsigned __int128 t = (unsigned __int128)total * k;
      unsigned __int128 lo = (unsigned __int128)prefix[i - 1] * ranks;
      unsigned __int128 hi = (unsigned __int128)prefix[i] * ranks;
      if (t - lo < hi - t)
        --i;
    }
    i = std::max(i, cut[k - 1] + 1);
    i = std::min(i, g - (ranks - k));
    cut[k] = i;
  }
  std::vector<unsigned> rankOf(chips, 0);
  for (unsigned k = 0; k < ranks; ++k)
    for (size_t i = cut[k]; i < cut[k + 1]; ++i)
      for (ChipId c : groups[i])
        rankOf[c] = k;
  return rankOf;
}
