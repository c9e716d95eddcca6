#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Minimal DPDK telemetry client (v2 socket, SOCK_SEQPACKET, JSON replies).
#   telemetry.py PREFIX COMMAND [COMMAND...]
# Connects to /var/run/dpdk/PREFIX/dpdk_telemetry.v2, reads the greeting, sends each
# COMMAND (e.g. /ethdev/dump_priv,0) and prints one JSON reply per line. Exit status 1 when
# the socket is missing or a reply is not JSON.
import json
import socket
import sys


def main():
    if len(sys.argv) < 3:
        print(__doc__ or "usage: telemetry.py PREFIX COMMAND...", file=sys.stderr)
        return 2
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(path)
    except OSError as e:
        print("cannot connect to %s: %s" % (path, e), file=sys.stderr)
        return 1
    greeting = json.loads(s.recv(65536).decode())
    bufsz = int(greeting.get("max_output_len", 16384)) + 1024
    for cmd in sys.argv[2:]:
        s.send(cmd.encode())
        raw = s.recv(bufsz)
        try:
            reply = json.loads(raw.decode())
        except ValueError as e:
            print("reply to %s is not JSON (%s): %r" % (cmd, e, raw[:200]), file=sys.stderr)
            return 1
        print(json.dumps(reply))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
