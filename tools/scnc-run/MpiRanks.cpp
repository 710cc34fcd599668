//===- MpiRanks.cpp - scnc-run's ranks under mpirun -----------------------===//
//
// RankComm over MPI's world communicator: exchange is MPI_Alltoall of the
// counts and MPI_Alltoallv of the words; sum and bitOr are MPI_Allreduce.
// MPI is initialised with MPI_THREAD_SERIALIZED: the emulator's calls come
// from whichever of its -j threads completes a tick's barrier, one at a
// time. Without MPI (SCNC_HAVE_MPI unset) scnc-run refuses to run under a
// launcher.
//
//===----------------------------------------------------------------------===//
#include "MpiRanks.h"
#include "llvm/Support/raw_ostream.h"
#include <climits>
#include <cstdlib>

#ifdef SCNC_HAVE_MPI
#include <mpi.h>
#endif

using namespace scnc;

bool scnc::startedByMpiLauncher() {
  // Open MPI's mpirun, and the PMI / PMIx launchers (MPICH, Slurm).
  for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v))
      return true;
  return false;
}

#ifdef SCNC_HAVE_MPI
namespace {

class MpiComm final : public RankComm {
public:
  MpiComm() {
    int r, n;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    me = unsigned(r);
    ranks = unsigned(n);
  }
  unsigned rank() const override { return me; }
  unsigned size() const override { return ranks; }

  std::vector<std::vector<uint32_t>>
  exchange(const std::vector<std::vector<uint32_t>> &send) override {
    std::vector<int> sendCounts(ranks), recvCounts(ranks), sendAt(ranks),
        recvAt(ranks);
    uint64_t total = 0;
    for (unsigned q = 0; q < ranks; ++q) {
      if (send[q].size() > size_t(INT_MAX))
        tooBig();
      sendCounts[q] = int(send[q].size());
      if (q != me)
        wordsSent += send[q].size();
    }
    MPI_Alltoall(sendCounts.data(), 1, MPI_INT, recvCounts.data(), 1, MPI_INT,
                 MPI_COMM_WORLD);
    // Each rank's words at the running total of the counts before it.
    auto offsets = [&](const std::vector<int> &counts, std::vector<int> &at) {
      uint64_t sum = 0;
      for (unsigned q = 0; q < ranks; ++q) {
        at[q] = int(sum);
        sum += uint64_t(counts[q]);
        if (sum > uint64_t(INT_MAX))
          tooBig();
      }
      return sum;
    };
    std::vector<uint32_t> out;
    out.reserve(offsets(sendCounts, sendAt));
    for (const std::vector<uint32_t> &s : send)
      out.insert(out.end(), s.begin(), s.end());
    total = offsets(recvCounts, recvAt);
    std::vector<uint32_t> in(total);
    MPI_Alltoallv(out.data(), sendCounts.data(), sendAt.data(), MPI_UINT32_T,
                  in.data(), recvCounts.data(), recvAt.data(), MPI_UINT32_T,
                  MPI_COMM_WORLD);
    std::vector<std::vector<uint32_t>> got(ranks);
    for (unsigned q = 0; q < ranks; ++q)
      got[q].assign(in.begin() + recvAt[q],
                    in.begin() + recvAt[q] + recvCounts[q]);
    ++exchanges;
    return got;
  }
  void sum(llvm::MutableArrayRef<uint64_t> v) override { reduce(v, MPI_SUM); }
  void bitOr(llvm::MutableArrayRef<uint64_t> v) override { reduce(v, MPI_BOR); }

private:
  void reduce(llvm::MutableArrayRef<uint64_t> v, MPI_Op op) {
    for (size_t at = 0; at < v.size(); at += size_t(INT_MAX)) {
      int n = int(std::min<size_t>(v.size() - at, size_t(INT_MAX)));
      MPI_Allreduce(MPI_IN_PLACE, v.data() + at, n, MPI_UINT64_T, op,
                    MPI_COMM_WORLD);
    }
  }
  [[noreturn]] void tooBig() {
    llvm::errs() << "scnc-run: error: a rank's exchange exceeds 2^31 - 1 "
                    "words (MPI's counts): use more ranks\n";
    llvm::errs().flush();
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::abort();
  }
  unsigned me = 0, ranks = 1;
};

bool mpiStarted = false;

} // namespace

std::unique_ptr<RankComm> scnc::startMpi(int &argc, char **&argv,
                                         std::string &error) {
  if (!startedByMpiLauncher())
    return nullptr;
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided) !=
      MPI_SUCCESS) {
    error = "MPI_Init_thread failed";
    return nullptr;
  }
  mpiStarted = true;
  if (provided < MPI_THREAD_SERIALIZED) {
    error = "the MPI library cannot serve calls from several threads in "
            "turn (MPI_THREAD_SERIALIZED)";
    return nullptr;
  }
  return std::make_unique<MpiComm>();
}

void scnc::finishMpi(int code) {
  llvm::outs().flush();
  llvm::errs().flush();
  if (mpiStarted) {
    if (code)
      MPI_Abort(MPI_COMM_WORLD, code);
    MPI_Finalize();
  }
  std::exit(code);
}

#else

std::unique_ptr<RankComm> scnc::startMpi(int &, char **&, std::string &error) {
  if (startedByMpiLauncher())
    error = "started by an MPI launcher, but this scnc-run was built without "
            "MPI (configure with MPI installed: SCNC_MPI)";
  return nullptr;
}

void scnc::finishMpi(int code) {
  llvm::outs().flush();
  llvm::errs().flush();
  std::exit(code);
}

#endif
