#!/usr/bin/env python3
"""fake-board.py MODE -- COMMAND...: a UDP "board" that misbehaves, for the
loader's error tests. Runs COMMAND with @BOARD@ replaced by its address and
exits with COMMAND's status; stops answering when COMMAND ends.
MODE: garbage (every reply 5 bytes long), sark (VER says SARK, not SC&MP),
error (every request answered with RC_CMD)."""
import socket, struct, subprocess, sys, threading

mode = sys.argv[1]
cmd = sys.argv[3:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(0.1)
done = False

def serve():
    while not done:
        try:
            d, addr = s.recvfrom(4096)
        except socket.timeout:
            continue
        if len(d) < 14:
            continue
        seq = d[12:14]
        head = b"\0\0\x07" + d[3:4] + d[5:6] + d[4:5] + d[8:10] + d[6:8]
        if mode == "garbage":
            s.sendto(b"\0\0\x07\xff\0", addr)
        elif mode == "sark":
            s.sendto(head + struct.pack("<H", 0x80) + seq +
                     struct.pack("<III", 1 << 16, 0xFFFF0100, 0) +
                     b"SARK/SpiNNaker\0" + b"4.0.0\0", addr)
        elif mode == "error":
            s.sendto(head + struct.pack("<H", 0x83) + seq, addr)

t = threading.Thread(target=serve)
t.start()
board = "127.0.0.1:%d" % s.getsockname()[1]
rc = subprocess.call([a.replace("@BOARD@", board) for a in cmd])
done = True
t.join()
sys.exit(rc)
