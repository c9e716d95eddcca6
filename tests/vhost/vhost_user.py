# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
"""What the host tier's vhost-user backends share (python3 stdlib only): the message
header, request numbers and flags, the features they offer, option parsing and the
listen / accept / serve / clean-up sequence. fake_backend.py and ring_backend.py import it
from their own directory."""

import os
import socket
import struct
import sys
import time

HDR = struct.Struct("<III")     # request, flags, payload size
U64 = struct.Struct("<Q")
VERSION = 0x1
REPLY = 0x4
NEED_REPLY = 0x8

GET_FEATURES = 1
SET_FEATURES = 2
SET_OWNER = 3
SET_MEM_TABLE = 5
SET_VRING_NUM = 8
SET_VRING_ADDR = 9
SET_VRING_BASE = 10
GET_VRING_BASE = 11
SET_VRING_KICK = 12
SET_VRING_CALL = 13
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17
SET_VRING_ENABLE = 18

# request number -> name, for the logs (every GET_* / SET_* above)
NAMES = {v: k for k, v in list(globals().items())
         if k.startswith(("GET_", "SET_")) and isinstance(v, int)}

F_MRG_RXBUF = 15
F_EVENT_IDX = 29
F_PROTOCOL_FEATURES = 30
F_VERSION_1 = 32
PROTO_FEATURES = (1 << 0) | (1 << 3)    # MQ, REPLY_ACK


def option(name, default, conv=str):
    """The value after NAME on the command line (converted by conv), or default."""
    if name in sys.argv:
        return conv(sys.argv[sys.argv.index(name) + 1])
    return default


def recv_exact(c, n):
    """n bytes from the socket c, or None if the peer closed it first."""
    buf = b""
    while len(buf) < n:
        chunk = c.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def accept_one(path, deadline, mode, log):
    """Listen on path (replacing a stale socket file) and accept one connection before the
    monotonic deadline. Returns (server socket, connection), the connection None if nobody
    connected; the connection times out at the deadline too (at least 1 s from now)."""
    unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(max(1.0, deadline - time.monotonic()))
    log("listening on", path, "mode", mode)
    try:
        c, _ = srv.accept()
    except socket.timeout:
        log("nobody connected")
        return srv, None
    log("accepted a connection")
    c.settimeout(max(1.0, deadline - time.monotonic()))
    return srv, c


def serve(c, handler, log):
    """handler(c) until it returns; a timeout or socket error ends it, logged."""
    try:
        handler(c)
    except socket.timeout:
        log("timeout")
    except OSError as e:
        log("socket error:", e)


def close(srv, c, path):
    c.close()
    srv.close()
    unlink(path)
