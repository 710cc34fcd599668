//===- Endpoint.h - An emulated board answering SCP -------------*- C++ -*-===//
//
// The board endpoint (docs/board.md): a booted SpiNNaker machine as its
// monitor processors answer the host over UDP, for the commands a loader
// uses: VER, INFO, READ/WRITE/FILL of each chip's SDRAM and System RAM (the
// system variables, each core's vcpu block), ALLOC (SDRAM and router
// entries), RTR (load a table from SDRAM), AR/AS (start an APLX on cores,
// held until SIG START), SIG START/STOP and COUNT (application states).
// When the cores are started it runs what was loaded into it: the routers'
// tables and the cores' sections read from its SDRAM (at each core's
// vcpu user0) are put back together into an image that the emulator loads
// and runs with the same kernel; each core's recording and counters go to
// the SDRAM at its user2, and its state becomes EXIT.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_BOARD_ENDPOINT_H
#define SCNC_BOARD_ENDPOINT_H

#include "scnc/Board/Udp.h"
#include "scnc/Machine/Machine.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace scnc {
namespace board {

struct EndpointOptions {
  /// The machine's name (spinn5, boards:3, a file), for messages.
  std::string machineName;
  /// Fraction of datagrams dropped in each direction (tests).
  double dropFraction = 0;
  uint64_t seed = 1;
  /// Lose the reply to each chip's first ALLOC_RTR (tests: the host's
  /// resend then allocates a second time, as on SC&MP).
  bool loseFirstRouterAllocReply = false;
  /// All SDRAM blocks the host may allocate together, in bytes.
  uint64_t maxMemory = uint64_t(4) << 30;
  /// Host threads for the emulator's runs.
  unsigned threads = 1;
};

/// Counters of a server.
struct EndpointStats {
  uint64_t requests = 0, replies = 0, droppedIn = 0, droppedOut = 0,
           malformed = 0, runs = 0;
};

class BoardEndpoint {
public:
  BoardEndpoint(const Machine &m, const EndpointOptions &o);
  ~BoardEndpoint();
  /// Handles one datagram as the board would and returns its reply ("" for
  /// none: no reply expected, or a datagram the board drops). Never throws
  /// or aborts on any input.
  std::string handle(llvm::StringRef datagram);
  /// Serves on \p socket until \p stop becomes true (checked every 100 ms),
  /// logging one line per run to \p log.
  llvm::Error serve(UdpSocket &socket, const std::atomic<bool> &stop,
                    llvm::raw_ostream &log);
  const EndpointStats &stats() const;
  /// Runs whose cores have finished.
  uint64_t finishedRuns() const;
  /// No application loaded: every core idle (after SIG STOP).
  bool idle() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace board
} // namespace scnc

#endif
