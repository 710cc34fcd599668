//===- Udp.cpp - POSIX UDP sockets ----------------------------------------===//
#include "scnc/Board/Udp.h"
#include "llvm/ADT/Twine.h"
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace llvm;
using namespace scnc;
using namespace scnc::board;

namespace {
Error sysError(const Twine &what) {
  return createStringError(std::error_code(errno, std::generic_category()),
                           (what + ": " + std::strerror(errno)).str());
}
sockaddr_in toSockaddr(const UdpAddress &a) {
  sockaddr_in s;
  std::memset(&s, 0, sizeof s);
  s.sin_family = AF_INET;
  s.sin_addr.s_addr = htonl(a.ip);
  s.sin_port = htons(a.port);
  return s;
}
} // namespace

std::string UdpAddress::str() const {
  return (Twine(ip >> 24) + "." + Twine((ip >> 16) & 255) + "." +
          Twine((ip >> 8) & 255) + "." + Twine(ip & 255) + ":" + Twine(port))
      .str();
}

Expected<UdpAddress> board::parseUdpAddress(StringRef text,
                                            uint16_t defaultPort) {
  StringRef host = text, port;
  size_t colon = text.rfind(':');
  if (colon != StringRef::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  UdpAddress a;
  a.port = defaultPort;
  unsigned p;
  if (!port.empty() && (port.getAsInteger(10, p) || p > 65535))
    return createStringError(inconvertibleErrorCode(), "'" + text.str() +
                                                           "': bad port '" +
                                                           port.str() + "'");
  if (!port.empty())
    a.port = uint16_t(p);
  if (host.empty())
    host = "0.0.0.0";
  addrinfo hints, *res = nullptr;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  int rc = getaddrinfo(host.str().c_str(), nullptr, &hints, &res);
  if (rc != 0 || !res)
    return createStringError(inconvertibleErrorCode(),
                             "'" + text.str() + "': cannot resolve '" +
                                 host.str() + "': " + gai_strerror(rc));
  a.ip = ntohl(reinterpret_cast<sockaddr_in *>(res->ai_addr)->sin_addr.s_addr);
  freeaddrinfo(res);
  return a;
}

UdpSocket &UdpSocket::operator=(UdpSocket &&o) noexcept {
  if (this != &o) {
    if (fd >= 0)
      ::close(fd);
    fd = o.fd;
    o.fd = -1;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd >= 0)
    ::close(fd);
}

Expected<UdpSocket> UdpSocket::bind(const UdpAddress &local) {
  UdpSocket s;
  s.fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (s.fd < 0)
    return sysError("socket");
  sockaddr_in a = toSockaddr(local);
  if (::bind(s.fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)
    return sysError("cannot listen on " + local.str());
  return std::move(s);
}

Expected<UdpSocket> UdpSocket::connect(const UdpAddress &remote) {
  UdpSocket s;
  s.fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (s.fd < 0)
    return sysError("socket");
  sockaddr_in a = toSockaddr(remote);
  if (::connect(s.fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)
    return sysError("cannot reach " + remote.str());
  return std::move(s);
}

UdpAddress UdpSocket::localAddress() const {
  sockaddr_in a;
  socklen_t len = sizeof a;
  UdpAddress r;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0) {
    r.ip = ntohl(a.sin_addr.s_addr);
    r.port = ntohs(a.sin_port);
  }
  return r;
}

Error UdpSocket::send(StringRef d) {
  // A refused earlier datagram (ICMP port unreachable) shows up here or in
  // receive; both are "nothing listening", which the caller's time-outs
  // and retries handle.
  if (::send(fd, d.data(), d.size(), 0) < 0 && errno != ECONNREFUSED)
    return sysError("send");
  return Error::success();
}

Error UdpSocket::sendTo(StringRef d, const UdpAddress &to) {
  sockaddr_in a = toSockaddr(to);
  if (::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr *>(&a),
               sizeof a) < 0)
    return sysError("send to " + to.str());
  return Error::success();
}

Expected<bool> UdpSocket::receive(std::string &d, int timeoutMs,
                                  UdpAddress *from) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, timeoutMs);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return sysError("poll");
    if (n == 0)
      return false;
    char buf[65536];
    sockaddr_in a;
    socklen_t len = sizeof a;
    ssize_t got = ::recvfrom(fd, buf, sizeof buf, 0,
                             reinterpret_cast<sockaddr *>(&a), &len);
    if (got < 0 && (errno == ECONNREFUSED || errno == EINTR))
      continue; // an ICMP error for an earlier datagram: keep waiting
    if (got < 0)
      return sysError("receive");
    d.assign(buf, size_t(got));
    if (from) {
      from->ip = ntohl(a.sin_addr.s_addr);
      from->port = ntohs(a.sin_port);
    }
    return true;
  }
}
