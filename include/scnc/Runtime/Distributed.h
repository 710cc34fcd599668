//===- Distributed.h - The emulated machine over several ranks --*- C++ -*-===//
//
// A run split over ranks (processes of `mpirun -np N scnc-run`, or threads
// in tests): each rank owns a set of the machine's chips, reads only their
// core sections, runs their cores, and exchanges once a tick the keys its
// cores sent that reach another rank's cores. Results and counters are the
// single-process run's, byte for byte (docs/distributed.md).
//
// The emulator sees the ranks through RankComm only; tools/scnc-run
// implements it with MPI, makeThreadComms with threads (tests).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_RUNTIME_DISTRIBUTED_H
#define SCNC_RUNTIME_DISTRIBUTED_H

#include "scnc/Image/Image.h"
#include "scnc/Machine/Machine.h"
#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <memory>
#include <vector>

namespace scnc {

/// The ranks of a distributed run, as the emulator needs them. Every call
/// is collective: every rank makes it, in the same order.
class RankComm {
public:
  virtual ~RankComm();
  virtual unsigned rank() const = 0;
  virtual unsigned size() const = 0;
  /// All to all: \p send[q] goes to rank q (send.size() == size()); the
  /// result holds, by rank, what each rank sent this one.
  virtual std::vector<std::vector<uint32_t>>
  exchange(const std::vector<std::vector<uint32_t>> &send) = 0;
  /// Element-wise sum (OR) over the ranks, in place, on every rank.
  virtual void sum(llvm::MutableArrayRef<uint64_t> v) = 0;
  virtual void bitOr(llvm::MutableArrayRef<uint64_t> v) = 0;

  /// Words this rank sent to other ranks through exchange, and the calls.
  uint64_t wordsSent = 0, exchanges = 0;
  /// Of those, the words of the run's per-tick exchanges of keys (the
  /// emulator counts them), and the ticks exchanged.
  uint64_t tickWordsSent = 0, tickExchanges = 0;
  /// Every rank's \p mine, concatenated in rank order, on rank 0 (empty on
  /// the others).
  std::vector<uint32_t> gatherToRoot(llvm::ArrayRef<uint32_t> mine);
  /// Every rank's \p mine, by rank, on every rank.
  std::vector<std::vector<uint32_t>> allGather(llvm::ArrayRef<uint32_t> mine);
  /// Whether any rank passed true.
  bool any(bool mine);
};

/// \p n ranks in one process, one per thread (tests): rank i's calls must
/// come from one thread, every rank's from a different one.
std::vector<std::unique_ptr<RankComm>> makeThreadComms(unsigned n);

/// Which rank runs each chip of \p m (by ChipId), for \p ranks ranks: the
/// chips in order of their boards (whole boards when there are at least as
/// many boards as ranks, in the machine's board order) or, on fewer boards,
/// chip by chip in (y, x) order, cut into \p ranks consecutive runs of
/// about equal weight, a chip's weight being 1 + the bytes of the core
/// sections \p sections places on it. Deterministic. Every rank gets at
/// least one chip; \p ranks must be at most the number of chips.
std::vector<unsigned> assignChips(const Machine &m,
                                  llvm::ArrayRef<ImageSection> sections,
                                  unsigned ranks);

/// One rank's part of a distributed run.
struct Distribution {
  RankComm *comm = nullptr;
  /// By ChipId: the rank that runs the chip (assignChips).
  std::vector<unsigned> rankOfChip;
  unsigned rank() const { return comm->rank(); }
  unsigned ranks() const { return comm->size(); }
  /// Whether this rank runs chip (x, y)'s cores (a chip the machine lacks
  /// is rank 0's, which reports it).
  bool owns(const Machine &m, unsigned x, unsigned y) const {
    llvm::Optional<ChipId> c = m.chipAt(x, y);
    return (c ? rankOfChip[*c] : 0) == rank();
  }
};

} // namespace scnc

#endif
