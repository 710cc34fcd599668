//===- Transceiver.h - SCP requests to a board, pipelined -------*- C++ -*-===//
//
// The host side of SCP as SpiNNMan does it (docs/board.md, "Protocol"):
// one sequence counter for every request; up to `window` requests in
// flight; a request without a reply after `timeoutMs` is resent with the
// same seq (every outstanding one, as SpiNNMan's pipeline does), at most
// `retries` times; RC_TIMEOUT, RC_P2P_TIMEOUT, RC_LEN, RC_P2P_NOREPLY and
// RC_P2P_BUSY are resent too; any other return code but RC_OK is an error
// naming the chip, core, command and code. Beyond SpiNNMan: a reply from a
// chip to a request sent after one still unanswered from the same chip
// means that one was lost (a chip's monitor answers in order), so it is
// resent at once instead of after the time-out ("fast resend"; docs/board.md).
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_BOARD_TRANSCEIVER_H
#define SCNC_BOARD_TRANSCEIVER_H

#include "scnc/Board/Scp.h"
#include "scnc/Board/Udp.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace scnc {
namespace board {

struct TransceiverOptions {
  unsigned timeoutMs = 1000; ///< SpiNNMan's SCP_TIMEOUT
  unsigned retries = 10;     ///< N_RETRIES
  unsigned window = 8;       ///< requests in flight
  bool fastResend = true;    ///< resend on a later reply from the chip
};

struct TransceiverStats {
  uint64_t requests = 0, resent = 0, timeouts = 0, retryCodes = 0,
           fastResent = 0;
  uint64_t bytesWritten = 0, bytesRead = 0, malformedReplies = 0;
};

class Transceiver {
public:
  Transceiver(UdpSocket socket, std::string boardName,
              const TransceiverOptions &o);
  using OnReply = std::function<void(const ScpReply &)>;
  /// Queues a request to chip (x, y) core \p cpu; sends it when the window
  /// has room (receiving replies until it has). \p onReply runs on its
  /// RC_OK reply; an RC_OK reply with fewer than \p minPayload bytes after
  /// seq is malformed: dropped (and counted), so the request is resent.
  llvm::Error submit(uint8_t x, uint8_t y, uint8_t cpu, uint16_t cmd,
                     uint32_t a1, uint32_t a2, uint32_t a3,
                     llvm::StringRef data, OnReply onReply = nullptr,
                     unsigned minPayload = 0);
  /// Waits for every outstanding request.
  llvm::Error flush();
  /// One request and its reply.
  llvm::Expected<ScpReply> call(uint8_t x, uint8_t y, uint8_t cpu, uint16_t cmd,
                                uint32_t a1 = 0, uint32_t a2 = 0,
                                uint32_t a3 = 0, llvm::StringRef data = "",
                                unsigned minPayload = 0);
  /// Writes \p bytes at \p addr in 256-byte pieces (pipelined).
  llvm::Error write(uint8_t x, uint8_t y, uint32_t addr, llvm::StringRef bytes);
  /// Reads \p len bytes at \p addr into \p out (pipelined; \p out must
  /// stay valid until flush()).
  llvm::Error read(uint8_t x, uint8_t y, uint32_t addr, uint32_t len,
                   char *out);
  const TransceiverStats &stats() const { return st; }

private:
  struct Pending {
    std::string datagram, what;
    uint8_t x, y, cpu;
    uint16_t cmd;
    unsigned tries = 1, minPayload = 0;
    uint64_t sentOrder = 0; ///< when it was last sent, in send order
    std::chrono::steady_clock::time_point deadline;
    OnReply onReply;
  };
  llvm::Error receiveOne();
  UdpSocket sock;
  std::string name;
  TransceiverOptions o;
  TransceiverStats st;
  uint16_t nextSeq = 0;
  uint64_t sends = 0;
  std::map<uint16_t, Pending> pending;
};

} // namespace board
} // namespace scnc

#endif
