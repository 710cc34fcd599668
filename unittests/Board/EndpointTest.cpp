//===- EndpointTest.cpp - The emulated board's answers
//---------------------===//
//
// Every kind of bad request gets the board's return code and changes
// nothing; memory reads back what was written; allocation is bounded.
//
//===----------------------------------------------------------------------===//
#include "scnc/Board/Endpoint.h"
#include "scnc/Board/Scp.h"
#include "llvm/Support/Endian.h"
#include "gtest/gtest.h"

using namespace scnc;
using namespace scnc::board;

namespace {

struct Board {
  Machine m = Machine::rectangle(2, 2, false, false);
  EndpointOptions o;
  std::unique_ptr<BoardEndpoint> ep;
  uint16_t seq = 0;
  explicit Board(uint64_t maxMemory = uint64_t(1) << 30) {
    o.maxMemory = maxMemory;
    ep = std::make_unique<BoardEndpoint>(m, o);
  }
  /// The reply's return code (0: no reply) and payload.
  std::pair<uint16_t, std::string> ask(uint16_t cmd, uint32_t a1 = 0,
                                       uint32_t a2 = 0, uint32_t a3 = 0,
                                       std::string data = "", uint8_t x = 0,
                                       uint8_t y = 0, uint8_t port = 0) {
    ScpMessage q;
    q.dstX = x, q.dstY = y, q.dstPort = port, q.cmdRc = cmd, q.seq = ++seq;
    q.arg = {a1, a2, a3};
    q.data = data;
    std::string r = ep->handle(encodeRequest(q));
    if (r.empty())
      return {0, ""};
    llvm::Expected<ScpReply> rep = decodeReply(r);
    EXPECT_TRUE(bool(rep));
    EXPECT_EQ(rep->seq, seq);
    return {rep->rc, rep->payload};
  }
};

uint32_t word(const std::string &s, unsigned i) {
  return llvm::support::endian::read32le(s.data() + 4 * i);
}

} // namespace

TEST(Endpoint, Version) {
  Board b;
  auto [rc, p] = b.ask(CmdVer, 0, 0, 0, "", 1, 1);
  ASSERT_EQ(rc, RcOk);
  EXPECT_EQ(word(p, 0), (0x0101u << 16) | 0);
  EXPECT_EQ(word(p, 1), 0xFFFF0000u | 256);
  EXPECT_EQ(p.substr(12, 5), "SC&MP");
  // The system variables: y_size, x_size.
  auto [rc2, dims] = b.ask(CmdRead, kSvBase + 2, 2, 0);
  ASSERT_EQ(rc2, RcOk);
  EXPECT_EQ(dims, std::string("\x02\x02", 2));
}

TEST(Endpoint, BadRequests) {
  Board b;
  // Too short to answer; short but with a header: RC_LEN; too long: dropped.
  EXPECT_EQ(b.ep->handle(std::string(10, '\0')), "");
  std::string shortReq(20, '\0');
  shortReq[2] = char(0x87);
  llvm::Expected<ScpReply> r = decodeReply(b.ep->handle(shortReq));
  ASSERT_TRUE(bool(r));
  EXPECT_EQ(r->rc, RcLen);
  EXPECT_EQ(b.ep->handle(std::string(kMaxDatagram + 1, '\x87')), "");
  EXPECT_EQ(b.ask(99).first, RcCmd);
  EXPECT_EQ(b.ask(CmdVer, 0, 0, 0, "", 5, 0).first, RcRoute); // no chip 5,0
  EXPECT_EQ(b.ask(CmdVer, 0, 0, 0, "", 0, 0, 18).first, RcCpu);
  EXPECT_EQ(b.ask(CmdVer, 0, 0, 0, "", 0, 0, 1 << 5).first, RcPort);
  // Memory nobody allocated, too long a read, a length that is not the
  // data's, an unaligned fill.
  EXPECT_EQ(b.ask(CmdRead, 0x61000000, 4).first, RcArg);
  EXPECT_EQ(b.ask(CmdRead, kSvBase, 300).first, RcArg);
  EXPECT_EQ(b.ask(CmdWrite, kVcpuBase, 8, 2, "abcd").first, RcLen);
  EXPECT_EQ(b.ask(CmdFill, kVcpuBase + 2, 0, 4).first, RcArg);
  // App cores answer only the memory commands (SARK).
  EXPECT_EQ(b.ask(CmdAlloc, 0, 16, 0, "", 0, 0, 3).first, RcCmd);
  // Starting cores without the wait flag, or on the monitor: refused.
  EXPECT_EQ(b.ask(CmdAr, 30u << 24 | 1u << 4).first, RcArg);
  EXPECT_EQ(b.ask(CmdAr, 30u << 24 | 1u << 18 | 1u).first, RcArg);
  // Nothing changed: the vcpu blocks are still zero, the board idle.
  auto [rc, v] = b.ask(CmdRead, kVcpuBase + kVcpuUser0, 16);
  ASSERT_EQ(rc, RcOk);
  EXPECT_EQ(v, std::string(16, '\0'));
  EXPECT_TRUE(b.ep->idle());
  EXPECT_EQ(b.ep->stats().malformed, 3u);
  // No reply bit: no reply.
  ScpMessage q;
  q.flags = 0x07;
  EXPECT_EQ(b.ep->handle(encodeRequest(q)), "");
}

TEST(Endpoint, MemoryAndAllocation) {
  Board b(/*maxMemory=*/4096);
  auto [rc, p] = b.ask(CmdAlloc, 30u << 8 | AllocSdram, 1000, 7);
  ASSERT_EQ(rc, RcOk);
  uint32_t a = word(p, 0);
  EXPECT_EQ(a, kSdramUserBase);
  std::string data(256, '\0');
  for (unsigned i = 0; i < 256; ++i)
    data[i] = char(i);
  EXPECT_EQ(b.ask(CmdWrite, a + 744, 256, 2, data).first, RcOk);
  EXPECT_EQ(b.ask(CmdRead, a + 744, 256, 2).second, data);
  // Past the block's end.
  EXPECT_EQ(b.ask(CmdWrite, a + 745, 256, 0, data).first, RcArg);
  // A resent ALLOC with the retry flag gets the same block.
  EXPECT_EQ(
      word(b.ask(CmdAlloc, AllocTagRetry << 16 | 30u << 8 | AllocSdram, 1000, 7)
               .second,
           0),
      a);
  // Bounded: 4,096 bytes in all.
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocSdram, 3000, 8).second, 0),
            kSdramUserBase + 1000);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocSdram, 200, 9).second, 0), 0u);
  // Router entries: 1..1023 on a chip; 2 then the next 3.
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 2).second, 0), 1u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 3).second, 0), 3u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 2000).second, 0), 0u);
  // A resent ALLOC_RTR allocates again (SC&MP keeps no record of seq):
  // 1,000 entries fit once, not twice; FREE_RTR_ID (the app id in arg1,
  // like every ALLOC op) frees all of app 30's 1,005 and they fit again.
  // Another application's entries stay.
  EXPECT_EQ(word(b.ask(CmdAlloc, 31u << 8 | AllocRtr, 1).second, 0), 6u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 1000).second, 0), 7u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 1000).second, 0), 0u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | FreeRtrId, 1).second, 0), 1005u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | FreeRtrId, 1).second, 0), 0u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 1000).second, 0), 7u);
  EXPECT_EQ(word(b.ask(CmdAlloc, 30u << 8 | AllocRtr, 5).second, 0), 1u);
  // COUNT: nothing runs.
  EXPECT_EQ(word(b.ask(CmdCount, 30, StateWait).second, 0), 0u);
  // SIG STOP frees the application's blocks.
  EXPECT_EQ(b.ask(CmdSig, SigTypeNn, SigStop << 16 | 0xFF00 | 30).first, RcOk);
  EXPECT_EQ(b.ask(CmdRead, a, 4).first, RcArg);
}
