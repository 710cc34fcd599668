//===- Transceiver.cpp - Pipelined SCP with retries -----------------------===//
#include "scnc/Board/Transceiver.h"
#include "llvm/ADT/Twine.h"
#include <thread>

using namespace llvm;
using namespace scnc;
using namespace scnc::board;

namespace {
Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}
std::string where(uint8_t x, uint8_t y, uint8_t cpu) {
  return "chip " + std::to_string(x) + "," + std::to_string(y) + " core " +
         std::to_string(cpu);
}
} // namespace

Transceiver::Transceiver(UdpSocket socket, std::string boardName,
                         const TransceiverOptions &o)
    : sock(std::move(socket)), name(std::move(boardName)), o(o) {}

Error Transceiver::submit(uint8_t x, uint8_t y, uint8_t cpu, uint16_t cmd,
                          uint32_t a1, uint32_t a2, uint32_t a3, StringRef data,
                          OnReply onReply, unsigned minPayload) {
  while (pending.size() >= std::max(1u, o.window))
    if (Error e = receiveOne())
      return e;
  while (pending.count(nextSeq))
    ++nextSeq;
  ScpMessage m;
  m.dstX = x;
  m.dstY = y;
  m.dstPort = cpu & 31;
  m.cmdRc = cmd;
  m.seq = nextSeq++;
  m.arg = {a1, a2, a3};
  m.data = data.str();
  Pending p;
  p.datagram = encodeRequest(m);
  p.x = x, p.y = y, p.cpu = cpu, p.cmd = cmd;
  p.onReply = std::move(onReply);
  p.minPayload = minPayload;
  p.deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o.timeoutMs);
  ++st.requests;
  p.sentOrder = ++sends;
  if (Error e = sock.send(p.datagram))
    return e;
  pending.emplace(m.seq, std::move(p));
  return Error::success();
}

Error Transceiver::receiveOne() {
  auto now = std::chrono::steady_clock::now();
  auto first = pending.begin()->second.deadline;
  for (auto &[seq, p] : pending)
    first = std::min(first, p.deadline);
  int waitMs = int(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(first - now)
             .count()));
  std::string d;
  Expected<bool> got = sock.receive(d, waitMs);
  if (!got)
    return got.takeError();
  if (!*got) {
    // Time-out: resend every request whose time is up.
    now = std::chrono::steady_clock::now();
    for (auto &[seq, p] : pending) {
      if (p.deadline > now)
        continue;
      ++st.timeouts;
      if (p.tries > o.retries) {
        std::string msg = "no reply from board " + name + " to " +
                          commandName(p.cmd) + " for " +
                          where(p.x, p.y, p.cpu) + " after " +
                          std::to_string(p.tries) + " tries (" +
                          std::to_string(o.timeoutMs) + " ms each)";
        if (st.malformedReplies)
          msg += "; " + std::to_string(st.malformedReplies) +
                 " malformed replies dropped";
        return fail(msg);
      }
      ++p.tries;
      ++st.resent;
      p.deadline = now + std::chrono::milliseconds(o.timeoutMs);
      p.sentOrder = ++sends;
      if (Error e = sock.send(p.datagram))
        return e;
    }
    return Error::success();
  }
  Expected<ScpReply> r = decodeReply(d);
  if (!r) {
    // A malformed reply is dropped; the request's time-out resends it.
    consumeError(r.takeError());
    ++st.malformedReplies;
    return Error::success();
  }
  auto it = pending.find(r->seq);
  if (it == pending.end())
    return Error::success(); // a reply to a resent request, already done
  Pending &p = it->second;
  if (r->rc == RcOk && r->payload.size() < p.minPayload) {
    ++st.malformedReplies;
    return Error::success();
  }
  if (r->rc != RcOk) {
    if (isRetryable(r->rc) && p.tries <= o.retries) {
      ++p.tries;
      ++st.resent;
      ++st.retryCodes;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      p.deadline = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(o.timeoutMs);
      p.sentOrder = ++sends;
      return sock.send(p.datagram);
    }
    return fail("board " + name + ": " + commandName(p.cmd) + " to " +
                where(p.x, p.y, p.cpu) + " failed with " +
                returnCodeName(r->rc));
  }
  // Fast resend: older requests to the same chip still unanswered were
  // lost (or their replies were); each is resent once per loss.
  if (o.fastResend)
    for (auto &[seq, q] : pending)
      if (&q != &p && q.x == p.x && q.y == p.y && q.sentOrder < p.sentOrder &&
          q.tries <= o.retries) {
        ++q.tries;
        ++st.resent;
        ++st.fastResent;
        q.sentOrder = ++sends;
        q.deadline = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(o.timeoutMs);
        if (Error e = sock.send(q.datagram))
          return e;
      }
  OnReply cb = std::move(p.onReply);
  pending.erase(it);
  if (cb)
    cb(*r);
  return Error::success();
}

Error Transceiver::flush() {
  while (!pending.empty())
    if (Error e = receiveOne())
      return e;
  return Error::success();
}

Expected<ScpReply> Transceiver::call(uint8_t x, uint8_t y, uint8_t cpu,
                                     uint16_t cmd, uint32_t a1, uint32_t a2,
                                     uint32_t a3, StringRef data,
                                     unsigned minPayload) {
  ScpReply out;
  if (Error e = submit(
          x, y, cpu, cmd, a1, a2, a3, data, [&](const ScpReply &r) { out = r; },
          minPayload))
    return std::move(e);
  if (Error e = flush())
    return std::move(e);
  return out;
}

Error Transceiver::write(uint8_t x, uint8_t y, uint32_t addr, StringRef b) {
  for (uint64_t at = 0; at < b.size(); at += kMaxData) {
    StringRef piece = b.substr(at, kMaxData);
    uint32_t a = uint32_t(addr + at);
    uint32_t type = (a % 4 == 0 && piece.size() % 4 == 0)   ? 2
                    : (a % 2 == 0 && piece.size() % 2 == 0) ? 1
                                                            : 0;
    if (Error e =
            submit(x, y, 0, CmdWrite, a, uint32_t(piece.size()), type, piece))
      return e;
    st.bytesWritten += piece.size();
  }
  return Error::success();
}

Error Transceiver::read(uint8_t x, uint8_t y, uint32_t addr, uint32_t len,
                        char *out) {
  for (uint64_t at = 0; at < len; at += kMaxData) {
    uint32_t n = uint32_t(std::min<uint64_t>(kMaxData, len - at));
    uint32_t a = uint32_t(addr + at);
    uint32_t type = (a % 4 == 0 && n % 4 == 0)   ? 2
                    : (a % 2 == 0 && n % 2 == 0) ? 1
                                                 : 0;
    char *dst = out + at;
    if (Error e = submit(
            x, y, 0, CmdRead, a, n, type, "",
            [dst, n](const ScpReply &r) {
              std::copy(r.payload.begin(),
                        r.payload.begin() +
                            std::min<size_t>(n, r.payload.size()),
                        dst);
            },
            n))
      return e;
    st.bytesRead += n;
  }
  return Error::success();
}
