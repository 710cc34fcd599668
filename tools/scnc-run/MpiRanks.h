//===- MpiRanks.h - scnc-run's ranks under mpirun ---------------*- C++ -*-===//
//
// `mpirun -np N scnc-run IMAGE`: the RankComm of Distributed.h over MPI
// (MpiRanks.cpp; built when CMake finds MPI, SCNC_MPI).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_TOOLS_SCNC_RUN_MPIRANKS_H
#define SCNC_TOOLS_SCNC_RUN_MPIRANKS_H

#include "scnc/Runtime/Distributed.h"
#include <memory>
#include <string>

namespace scnc {

/// Whether the process was started by an MPI launcher (its environment).
bool startedByMpiLauncher();

/// Initialises MPI when started by a launcher and the build has MPI: the
/// world's ranks (null otherwise; \p error says why when the launcher
/// started it but the build cannot join).
std::unique_ptr<RankComm> startMpi(int &argc, char **&argv, std::string &error);

/// After a run: every rank ends with \p code. A nonzero code on any rank
/// ends every rank's (MPI_Abort): the others may wait in a collective.
[[noreturn]] void finishMpi(int code);

} // namespace scnc

#endif
