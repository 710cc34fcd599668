#!/usr/bin/env python3
"""loopback.py [--machine M] [--drop P] [--runs N] [--serve-arg A]... -- COMMAND...

Starts an emulated board (scnc-run --serve 127.0.0.1:0) in the background,
waits until it listens, runs COMMAND with every "@BOARD@" replaced by its
address, then waits for the board to exit (--runs runs) and prints its log
to stderr (each --serve-arg is passed on to the board's scnc-run). Exits
with COMMAND's status. The board is killed after 120 s
at most, so a test never hangs.
"""
import os, subprocess, sys, tempfile, time

def main():
    args = sys.argv[1:]
    machine, drop, runs = "spinn3", "0", "1"
    extra = []
    while args and args[0] != "--":
        if args[0] == "--machine":
            machine = args[1]; args = args[2:]
        elif args[0] == "--drop":
            drop = args[1]; args = args[2:]
        elif args[0] == "--runs":
            runs = args[1]; args = args[2:]
        elif args[0] == "--serve-arg":
            extra.append(args[1]); args = args[2:]
        else:
            sys.exit("loopback.py: unknown option " + args[0])
    cmd = args[1:]
    with tempfile.TemporaryDirectory() as d:
        port_file = os.path.join(d, "port")
        log = open(os.path.join(d, "log"), "w+")
        server = subprocess.Popen(
            ["scnc-run", "--serve", "127.0.0.1:0", "--machine", machine,
             "--serve-drop", drop, "--serve-runs", runs, *extra,
             "--serve-port-file", port_file], stderr=log)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        port = open(port_file).read().strip()
        board = "127.0.0.1:" + port
        rc = subprocess.call([a.replace("@BOARD@", board) for a in cmd])
        try:
            server.wait(timeout=120 if rc == 0 and runs != "0" else 1)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.seek(0)
        sys.stderr.write(log.read().replace(port, "PORT"))
        sys.exit(rc)

main()
