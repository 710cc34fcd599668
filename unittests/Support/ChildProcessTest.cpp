//===- ChildProcessTest.cpp - Work in forked child processes --------------===//
#include "scnc/Support/ChildProcess.h"
#include "gtest/gtest.h"
#include <csignal>
#include <cstdlib>
#include <unistd.h>

using namespace scnc;

namespace {

TEST(ChildProcessTest, ResultsInTaskOrder) {
  // Later tasks finish first (the first sleeps), and one sends more than a
  // pipe holds: the results still come back whole, in task order.
  for (unsigned jobs : {1u, 2u, 5u}) {
    ChildOptions o;
    o.jobs = jobs;
    auto r = runInChildren(
        5,
        [](unsigned k) {
          if (k == 0)
            usleep(50000);
          return k == 3 ? std::string(300000, 'x')
                        : "task " + std::to_string(k);
        },
        o);
    ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
    ASSERT_EQ(r->size(), 5u);
    for (unsigned k = 0; k < 5; ++k) {
      EXPECT_TRUE((*r)[k].ok());
      EXPECT_EQ((*r)[k].bytes, k == 3 ? std::string(300000, 'x')
                                      : "task " + std::to_string(k));
    }
  }
}

TEST(ChildProcessTest, ExitStatusSignalAndTimeout) {
  ChildOptions o;
  o.jobs = 3;
  o.quiet = true;
  o.timeoutSeconds = 1;
  auto r = runInChildren(
      3,
      [](unsigned k) -> std::string {
        if (k == 0)
          _exit(7);
        if (k == 1)
          raise(SIGSEGV);
        for (;;)
          pause(); // until the alarm
      },
      o);
  ASSERT_TRUE(bool(r));
  EXPECT_TRUE((*r)[0].exited);
  EXPECT_EQ((*r)[0].code, 7);
  EXPECT_FALSE((*r)[0].ok());
  EXPECT_FALSE((*r)[1].exited);
  EXPECT_EQ((*r)[1].code, SIGSEGV);
  EXPECT_FALSE((*r)[2].exited);
  EXPECT_EQ((*r)[2].code, SIGALRM);
}

TEST(ChildProcessTest, NoTasks) {
  auto r = runInChildren(0, [](unsigned) { return std::string(); });
  ASSERT_TRUE(bool(r));
  EXPECT_TRUE(r->empty());
}

} // namespace
