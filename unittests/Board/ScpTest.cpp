//===- ScpTest.cpp - SDP/SCP framing --------------------------------------===//
#include "scnc/Board/Scp.h"
#include "gtest/gtest.h"

using namespace scnc::board;

// A READ request's bytes, as SpiNNMan frames it, and back.
TEST(Scp, RequestBytes) {
  ScpMessage m;
  m.dstX = 1;
  m.dstY = 2;
  m.dstPort = 3;
  m.cmdRc = CmdRead;
  m.seq = 0x1234;
  m.arg = {0x60000000, 256, 2};
  std::string d = encodeRequest(m);
  ASSERT_EQ(d.size(), 26u);
  const unsigned char want[26] = {0, 0, 0x87, 0xFF, 3,    0xFF, 2, 1, 0,
                                  0, 2, 0,    0x34, 0x12, 0,    0, 0, 0x60,
                                  0, 1, 0,    0,    2,    0,    0, 0};
  for (unsigned i = 0; i < 26; ++i)
    EXPECT_EQ((unsigned char)d[i], want[i]) << i;
  llvm::Expected<ScpMessage> back = decodeRequest(d);
  ASSERT_TRUE(bool(back));
  EXPECT_EQ(back->dstX, 1);
  EXPECT_EQ(back->dstY, 2);
  EXPECT_EQ(back->dstCpu(), 3u);
  EXPECT_EQ(back->cmdRc, CmdRead);
  EXPECT_EQ(back->seq, 0x1234);
  EXPECT_EQ(back->arg[1], 256u);
}

// A reply swaps ports and addresses, clears the reply bit, keeps seq.
TEST(Scp, ReplyBytes) {
  ScpMessage q;
  q.dstX = 1, q.dstY = 2, q.dstPort = 3, q.srcPort = 0xFF, q.seq = 7;
  std::string r = encodeReply(q, RcArg, std::string("\x01\0\0\0", 4));
  ASSERT_EQ(r.size(), 18u);
  EXPECT_EQ((unsigned char)r[2], 0x07);
  EXPECT_EQ((unsigned char)r[4], 0xFF); // dst port: the request's source
  EXPECT_EQ((unsigned char)r[5], 3);
  EXPECT_EQ((unsigned char)r[8], 2); // src y, x: the request's destination
  EXPECT_EQ((unsigned char)r[9], 1);
  llvm::Expected<ScpReply> back = decodeReply(r);
  ASSERT_TRUE(bool(back));
  EXPECT_EQ(back->rc, RcArg);
  EXPECT_EQ(back->seq, 7);
  EXPECT_EQ(back->word(0), 1u);
  EXPECT_EQ(back->word(1), 0u);
}

TEST(Scp, BadDatagrams) {
  EXPECT_FALSE(bool(decodeRequest(std::string(25, '\0'))));
  EXPECT_FALSE(bool(decodeRequest(std::string(kMaxDatagram + 1, '\0'))));
  EXPECT_TRUE(bool(decodeRequest(std::string(kMaxDatagram, '\0'))));
  EXPECT_FALSE(bool(decodeReply(std::string(13, '\0'))));
  // The reply bit set: a request, not a reply.
  std::string r(14, '\0');
  r[2] = char(0x87);
  EXPECT_FALSE(bool(decodeReply(r)));
  EXPECT_EQ(returnCodeName(RcP2pBusy), "RC_P2P_BUSY");
  EXPECT_EQ(returnCodeName(0x42), "return code 66");
  EXPECT_EQ(commandName(CmdAlloc), "CMD_ALLOC");
  EXPECT_TRUE(isRetryable(RcTimeout));
  EXPECT_FALSE(isRetryable(RcArg));
}
