//===- Udp.h - A UDP socket for the board protocol --------------*- C++ -*-===//
//
// The host side (connected to one board) and the endpoint side (bound to an
// address, replying to senders) of SCP's datagrams, with time-outs by
// poll(2). IPv4 only, as SpiNNaker's Ethernet chips.
//
//===----------------------------------------------------------------------===//
#ifndef SCNC_BOARD_UDP_H
#define SCNC_BOARD_UDP_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>

namespace scnc {
namespace board {

/// An IPv4 address and port (host byte order).
struct UdpAddress {
  uint32_t ip = 0;
  uint16_t port = 0;
  std::string str() const;
  bool operator==(const UdpAddress &o) const {
    return ip == o.ip && port == o.port;
  }
};

/// Parses HOST[:PORT] (a name or a dotted address; \p defaultPort when no
/// port is given).
llvm::Expected<UdpAddress> parseUdpAddress(llvm::StringRef text,
                                           uint16_t defaultPort);

class UdpSocket {
public:
  UdpSocket() = default;
  UdpSocket(UdpSocket &&o) noexcept : fd(o.fd) { o.fd = -1; }
  UdpSocket &operator=(UdpSocket &&o) noexcept;
  ~UdpSocket();
  /// A socket bound to \p local (port 0: any free port).
  static llvm::Expected<UdpSocket> bind(const UdpAddress &local);
  /// A socket that sends to and only receives from \p remote.
  static llvm::Expected<UdpSocket> connect(const UdpAddress &remote);
  /// The bound address (after bind, to learn a port 0 socket's port).
  UdpAddress localAddress() const;
  llvm::Error send(llvm::StringRef datagram);
  llvm::Error sendTo(llvm::StringRef datagram, const UdpAddress &to);
  /// Waits at most \p timeoutMs (-1: forever) for a datagram; false when
  /// none came. \p from gets the sender.
  llvm::Expected<bool> receive(std::string &datagram, int timeoutMs,
                               UdpAddress *from = nullptr);

private:
  int fd = -1;
};

} // namespace board
} // namespace scnc

#endif
