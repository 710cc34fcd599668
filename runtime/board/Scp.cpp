//===- Scp.cpp - SDP/SCP framing
//-------------------------------------------===//
#include "scnc/Board/Scp.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"

using namespace llvm;
using namespace scnc;
using namespace scnc::board;

namespace {
Error bad(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}
void put16(std::string &b, uint16_t v) {
  char c[2];
  support::endian::write16le(c, v);
  b.append(c, 2);
}
void put32(std::string &b, uint32_t v) {
  char c[4];
  support::endian::write32le(c, v);
  b.append(c, 4);
}
uint16_t rd16(StringRef b, size_t at) {
  return support::endian::read16le(b.data() + at);
}
uint32_t rd32(StringRef b, size_t at) {
  return support::endian::read32le(b.data() + at);
}
} // namespace

std::string board::commandName(uint16_t cmd) {
  switch (cmd) {
  case CmdVer:
    return "CMD_VER";
  case CmdRead:
    return "CMD_READ";
  case CmdWrite:
    return "CMD_WRITE";
  case CmdFill:
    return "CMD_FILL";
  case CmdCount:
    return "CMD_COUNT";
  case CmdAr:
    return "CMD_AR";
  case CmdSig:
    return "CMD_SIG";
  case CmdAs:
    return "CMD_AS";
  case CmdAlloc:
    return "CMD_ALLOC";
  case CmdRtr:
    return "CMD_RTR";
  case CmdInfo:
    return "CMD_INFO";
  }
  return "command " + std::to_string(cmd);
}

std::string board::returnCodeName(uint16_t rc) {
  static const char *names[] = {
      "RC_OK",         "RC_LEN",      "RC_SUM",         "RC_CMD",
      "RC_ARG",        "RC_PORT",     "RC_TIMEOUT",     "RC_ROUTE",
      "RC_CPU",        "RC_DEAD",     "RC_BUF",         "RC_P2P_NOREPLY",
      "RC_P2P_REJECT", "RC_P2P_BUSY", "RC_P2P_TIMEOUT", "RC_PKT_TX"};
  if (rc >= RcOk && rc <= RcPktTx)
    return names[rc - RcOk];
  return "return code " + std::to_string(rc);
}

std::string board::coreStateName(uint32_t state) {
  static const char *names[] = {"DEAD",  "PWRDN", "RTE",   "WDOG",
                                "INIT",  "WAIT",  "SARK",  "RUN",
                                "SYNC0", "SYNC1", "PAUSE", "EXIT"};
  if (state < 12)
    return names[state];
  if (state == StateIdle)
    return "IDLE";
  return "state " + std::to_string(state);
}

bool board::isRetryable(uint16_t rc) {
  return rc == RcTimeout || rc == RcP2pTimeout || rc == RcLen ||
         rc == RcP2pNoReply || rc == RcP2pBusy;
}

std::string board::encodeRequest(const ScpMessage &m) {
  std::string b;
  put16(b, 0);
  b += char(m.flags);
  b += char(m.tag);
  b += char(m.dstPort);
  b += char(m.srcPort);
  b += char(m.dstY);
  b += char(m.dstX);
  b += char(m.srcY);
  b += char(m.srcX);
  put16(b, m.cmdRc);
  put16(b, m.seq);
  for (uint32_t a : m.arg)
    put32(b, a);
  b += m.data.substr(0, kMaxData);
  return b;
}

Expected<ScpMessage> board::decodeRequest(StringRef d) {
  if (d.size() > kMaxDatagram)
    return bad("datagram of " + Twine(d.size()) + " bytes, more than " +
               Twine(kMaxDatagram));
  if (d.size() < kRequestHeader)
    return bad("datagram of " + Twine(d.size()) +
               " bytes, shorter than an SCP request's " +
               Twine(kRequestHeader));
  ScpMessage m;
  m.flags = uint8_t(d[2]);
  m.tag = uint8_t(d[3]);
  m.dstPort = uint8_t(d[4]);
  m.srcPort = uint8_t(d[5]);
  m.dstY = uint8_t(d[6]);
  m.dstX = uint8_t(d[7]);
  m.srcY = uint8_t(d[8]);
  m.srcX = uint8_t(d[9]);
  m.cmdRc = rd16(d, 10);
  m.seq = rd16(d, 12);
  for (unsigned i = 0; i < 3; ++i)
    m.arg[i] = rd32(d, 14 + 4 * i);
  m.data = d.substr(kRequestHeader).str();
  return m;
}

std::string board::encodeReply(const ScpMessage &q, uint16_t rc,
                               StringRef payload) {
  std::string b;
  put16(b, 0);
  b += char(0x07);
  b += char(q.tag);
  b += char(q.srcPort);
  b += char(q.dstPort);
  b += char(q.srcY);
  b += char(q.srcX);
  b += char(q.dstY);
  b += char(q.dstX);
  put16(b, rc);
  put16(b, q.seq);
  b += payload.str();
  return b;
}

uint32_t ScpReply::word(unsigned i) const {
  if (payload.size() < 4 * (i + 1))
    return 0;
  return rd32(payload, 4 * i);
}

Expected<ScpReply> board::decodeReply(StringRef d) {
  if (d.size() < kReplyHeader)
    return bad("reply of " + Twine(d.size()) +
               " bytes, shorter than an SCP reply's " + Twine(kReplyHeader));
  if (d.size() > kMaxDatagram)
    return bad("reply of " + Twine(d.size()) + " bytes, more than " +
               Twine(kMaxDatagram));
  if ((uint8_t(d[2]) & 0x80) != 0)
    return bad("reply with flags " + Twine(unsigned(uint8_t(d[2]))) +
               " (a request, not a reply)");
  ScpReply r;
  r.srcCpu = uint8_t(d[5]) & 31;
  r.srcY = uint8_t(d[8]);
  r.srcX = uint8_t(d[9]);
  r.rc = rd16(d, 10);
  r.seq = rd16(d, 12);
  r.payload = d.substr(kReplyHeader).str();
  return r;
}
