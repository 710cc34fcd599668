//===- Scp.h - SpiNNaker's SDP/SCP packets over UDP -------------*- C++ -*-===//
//
// The host protocol of a booted SpiNNaker machine (docs/board.md): SCP
// commands in SDP packets in UDP datagrams to port 17893 of a board's
// Ethernet chip, as SpiNNMan and SC&MP frame them (spinnaker_tools
// include/sark.h, scamp/scamp-3.c). Little-endian. A request is 2 bytes of
// padding, the 8-byte SDP header, cmd and seq (2 bytes each), three
// argument words and up to 256 bytes of data; a reply carries the return
// code in cmd's place, the same seq, then its payload.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_BOARD_SCP_H
#define SCNC_BOARD_SCP_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <array>
#include <cstdint>
#include <string>

namespace scnc {
namespace board {

constexpr uint16_t kScampPort = 17893;
/// Bytes of data an SCP packet carries (SDP_BUF_SIZE).
constexpr uint32_t kMaxData = 256;
/// UDP payload bytes before the data of a request: padding, SDP header,
/// cmd, seq, three arguments.
constexpr uint32_t kRequestHeader = 2 + 8 + 4 + 12;
/// Before a reply's payload: padding, SDP header, return code, seq.
constexpr uint32_t kReplyHeader = 2 + 8 + 4;
/// The largest datagram SC&MP takes.
constexpr uint32_t kMaxDatagram = kRequestHeader + kMaxData;

enum Command : uint16_t {
  CmdVer = 0,
  CmdRead = 2,
  CmdWrite = 3,
  CmdFill = 5,
  CmdCount = 15,
  CmdAr = 19,
  CmdSig = 22,
  CmdAs = 24,
  CmdAlloc = 28,
  CmdRtr = 29,
  CmdInfo = 31
};

enum ReturnCode : uint16_t {
  RcOk = 0x80,
  RcLen = 0x81,
  RcSum = 0x82,
  RcCmd = 0x83,
  RcArg = 0x84,
  RcPort = 0x85,
  RcTimeout = 0x86,
  RcRoute = 0x87,
  RcCpu = 0x88,
  RcDead = 0x89,
  RcBuf = 0x8A,
  RcP2pNoReply = 0x8B,
  RcP2pReject = 0x8C,
  RcP2pBusy = 0x8D,
  RcP2pTimeout = 0x8E,
  RcPktTx = 0x8F
};

/// ALLOC and RTR sub-operations, signals, core states (sark.h).
enum : uint32_t {
  AllocSdram = 0,
  FreeSdram = 1,
  FreeSdramId = 2,
  AllocRtr = 3,
  FreeRtr = 4,
  FreeRtrId = 5
};
enum : uint32_t { AllocTagRetry = 4 };
enum : uint32_t { RtrInit = 0, RtrClear = 1, RtrLoad = 2 };
enum : uint32_t { SigTypeMc = 0, SigTypeNn = 2 };
enum : uint32_t { SigStop = 2, SigStart = 3 };
enum CoreState : uint32_t {
  StateDead = 0,
  StateRte = 2,
  StateWdog = 3,
  StateInit = 4,
  StateWait = 5,
  StateRun = 7,
  StateExit = 11,
  StateIdle = 15
};

/// Names for messages: "CMD_WRITE", "RC_ARG", "EXIT" (numbers when unknown).
std::string commandName(uint16_t cmd);
std::string returnCodeName(uint16_t rc);
std::string coreStateName(uint32_t state);
/// The return codes SpiNNMan resends on (a busy or lossy path), as it does.
bool isRetryable(uint16_t rc);

/// System RAM: the system variables and each core's vcpu block.
constexpr uint32_t kSysRamBase = 0xE5000000;
constexpr uint32_t kSysRamAlias = 0xF5000000;
constexpr uint32_t kSvBase = 0xE5007F00;
constexpr uint32_t kSvBytes = 256;
constexpr uint32_t kVcpuBase = 0xE5007000;
constexpr uint32_t kVcpuBytes = 128;
constexpr uint32_t kVcpuUser0 = 112;
constexpr uint32_t kVcpuState = 46;
constexpr uint32_t kVcpuAppId = 47;
constexpr uint32_t kCoresPerChip = 18;
/// SDRAM and its system staging area (APLX, router tables).
constexpr uint32_t kSdramBase = 0x60000000;
constexpr uint32_t kSdramSys = 0x67800000;
constexpr uint32_t kSdramSysBytes = 256 * 1024;
constexpr uint32_t kSdramUserBase = 0x60000000 + 18 * 128 * 1024;

/// One SCP message: a request (cmdRc a command, all three arguments
/// sent) or a reply (cmdRc a return code; `payload` is everything after
/// seq: argument words, then data).
struct ScpMessage {
  uint8_t flags = 0x87; ///< reply expected; replies come back as 0x07
  uint8_t tag = 0xFF;
  uint8_t dstPort = 0; ///< (port << 5) | cpu
  uint8_t srcPort = 0xFF;
  uint8_t dstX = 0, dstY = 0, srcX = 0, srcY = 0;
  uint16_t cmdRc = 0, seq = 0;
  std::array<uint32_t, 3> arg{};
  std::string data;
  uint32_t dstCpu() const { return dstPort & 31; }
};

/// A request's datagram (with its three arguments and data, at most
/// kMaxData bytes).
std::string encodeRequest(const ScpMessage &m);
/// Reads a request; an error says what is wrong (RC_LEN on a board).
llvm::Expected<ScpMessage> decodeRequest(llvm::StringRef datagram);
/// A reply to \p request with \p rc and \p payload (after seq): flags
/// 0x07, ports and addresses swapped, the request's seq.
std::string encodeReply(const ScpMessage &request, uint16_t rc,
                        llvm::StringRef payload);
/// Reads a reply: its return code, seq and payload.
struct ScpReply {
  uint16_t rc = 0, seq = 0;
  uint8_t srcX = 0, srcY = 0, srcCpu = 0;
  std::string payload;
  /// Argument word \p i of the payload (0 when the payload is shorter).
  uint32_t word(unsigned i) const;
};
llvm::Expected<ScpReply> decodeReply(llvm::StringRef datagram);

} // namespace board
} // namespace scnc

#endif
