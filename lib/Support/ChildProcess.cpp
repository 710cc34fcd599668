//===- ChildProcess.cpp - Work in forked child processes ------------------===//
#include "scnc/Support/ChildProcess.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace scnc;
using namespace llvm;

namespace {
/// The child's side: run, send, exit (never returns).
[[noreturn]] void runChild(unsigned k, int out,
                           function_ref<std::string(unsigned)> work,
                           const ChildOptions &o) {
  if (o.quiet) {
    int nul = open("/dev/null", O_WRONLY);
    if (nul >= 0)
      dup2(nul, 2);
    setenv("LIBC_FATAL_STDERR_", "1", 1);
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGALRM})
      signal(sig, SIG_DFL);
  }
  if (o.timeoutSeconds)
    alarm(o.timeoutSeconds);
  std::string bytes = work(k);
  const char *p = bytes.data();
  size_t left = bytes.size();
  while (left) {
    ssize_t n = write(out, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      _exit(2);
    p += n;
    left -= size_t(n);
  }
  _exit(0);
}
} // namespace

Expected<std::vector<ChildResult>>
scnc::runInChildren(unsigned tasks, function_ref<std::string(unsigned)> work,
                    const ChildOptions &o) {
  std::vector<ChildResult> results(tasks);
  struct Running {
    unsigned task;
    pid_t pid;
    int fd;
  };
  std::vector<Running> running;
  const unsigned jobs = o.jobs ? o.jobs : 1;
  unsigned next = 0;
  // Output buffered in this process would be written again by each child.
  outs().flush();
  errs().flush();
  auto finish = [&](size_t r) {
    close(running[r].fd);
    int status = 0;
    while (waitpid(running[r].pid, &status, 0) < 0 && errno == EINTR) {
    }
    ChildResult &res = results[running[r].task];
    res.exited = WIFEXITED(status);
    res.code = res.exited ? WEXITSTATUS(status)
                          : (WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    running.erase(running.begin() + long(r));
  };
  auto cleanUp = [&] {
    for (Running &r : running) {
      kill(r.pid, SIGKILL);
      close(r.fd);
      while (waitpid(r.pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  };
  while (next < tasks || !running.empty()) {
    while (next < tasks && running.size() < jobs) {
      int fds[2];
      if (pipe(fds) != 0) {
        cleanUp();
        return createStringError(inconvertibleErrorCode(),
                                 Twine("cannot make a pipe: ") +
                                     std::strerror(errno));
      }
      pid_t pid = fork();
      if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        cleanUp();
        return createStringError(inconvertibleErrorCode(),
                                 Twine("cannot start a process: ") +
                                     std::strerror(e));
      }
      if (pid == 0) {
        close(fds[0]);
        for (Running &r : running)
          close(r.fd);
        runChild(next, fds[1], work, o);
      }
      close(fds[1]);
      running.push_back({next++, pid, fds[0]});
    }
    // Read from whichever child has something (a child blocked on a full
    // pipe must not wait for another to finish).
    std::vector<pollfd> polls;
    for (Running &r : running)
      polls.push_back({r.fd, POLLIN, 0});
    if (poll(polls.data(), polls.size(), -1) < 0) {
      if (errno == EINTR)
        continue;
      cleanUp();
      return createStringError(inconvertibleErrorCode(),
                               Twine("poll: ") + std::strerror(errno));
    }
    for (size_t r = running.size(); r-- > 0;) {
      if (!polls[r].revents)
        continue;
      char buf[1 << 16];
      ssize_t n = read(running[r].fd, buf, sizeof buf);
      if (n > 0)
        results[running[r].task].bytes.append(buf, size_t(n));
      else if (n == 0 || errno != EINTR)
        finish(r); // end of file (or a broken pipe): the child is done
    }
  }
  return results;
}
