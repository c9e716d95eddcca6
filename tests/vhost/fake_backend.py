#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
"""A misbehaving vhost-user backend for vnet's host tier (stdlib only).

    fake_backend.py MODE SOCKET_PATH [--timeout S]

Listens on SOCKET_PATH (vnet connects as client), or with a client-* mode connects to
SOCKET_PATH (vnet is the server), and answers vnet's handshake correctly except for the one
thing MODE breaks:

    hangup          close the connection right after accepting it
    short-reply     GET_FEATURES reply with a 4-byte payload (size 4 instead of 8)
    wrong-request   GET_FEATURES answered with a GET_PROTOCOL_FEATURES reply
    no-reply-flag   GET_FEATURES reply without the REPLY flag
    bad-version     GET_FEATURES reply with version 2 in the flags
    huge-size       GET_FEATURES reply header announcing 1 MiB of payload
    fd-in-reply     GET_FEATURES reply carrying a file descriptor (SCM_RIGHTS)
    fd-late         GET_PROTOCOL_FEATURES reply carrying a file descriptor
    mq-lie          offers multi-queue but GET_QUEUE_NUM says 1 queue pair
    no-version-1    offers no VIRTIO_F_VERSION_1 (a legacy backend)
    silent          reads GET_FEATURES and never answers
    client-hangup   connects to vnet's server socket and hangs up at once

Prints one line per message; exits when the peer closes or after --timeout seconds.
"""

import array
import os
import socket
import struct
import sys
import time

HDR = struct.Struct("<III")
VERSION = 0x1
REPLY = 0x4
NEED_REPLY = 0x8

GET_FEATURES = 1
SET_OWNER = 3
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17

# VERSION_1 | PROTOCOL_FEATURES | EVENT_IDX | MRG_RXBUF (vnet must not take what it did not ask)
FEATURES = (1 << 32) | (1 << 30) | (1 << 29) | (1 << 15)
PROTO_FEATURES = (1 << 0) | (1 << 3)    # MQ, REPLY_ACK

NAMES = {1: "GET_FEATURES", 2: "SET_FEATURES", 3: "SET_OWNER", 5: "SET_MEM_TABLE",
         8: "SET_VRING_NUM", 9: "SET_VRING_ADDR", 10: "SET_VRING_BASE",
         11: "GET_VRING_BASE", 12: "SET_VRING_KICK", 13: "SET_VRING_CALL",
         15: "GET_PROTOCOL_FEATURES", 16: "SET_PROTOCOL_FEATURES", 17: "GET_QUEUE_NUM",
         18: "SET_VRING_ENABLE"}


def log(*a):
    print("fake-backend:", *a, flush=True)


def recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        chunk = c.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def send(c, req, payload, flags=VERSION | REPLY, size=None, fds=None):
    data = HDR.pack(req, flags, len(payload) if size is None else size) + payload
    if fds:
        c.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        c.sendall(data)


def serve(c, mode):
    u64 = struct.Struct("<Q")
    while True:
        hdr = recv_exact(c, HDR.size)
        if hdr is None:
            log("peer closed the connection")
            return
        req, flags, size = HDR.unpack(hdr)
        payload = recv_exact(c, size) if size else b""
        if size and payload is None:
            log("peer closed the connection mid-message")
            return
        log("got", NAMES.get(req, str(req)), "flags 0x%x size %u" % (flags, size))
        if req == GET_FEATURES:
            if mode == "silent":
                log("not answering")
                continue
            if mode == "short-reply":
                send(c, req, struct.pack("<I", FEATURES & 0xffffffff))
            elif mode == "wrong-request":
                send(c, GET_PROTOCOL_FEATURES, u64.pack(FEATURES))
            elif mode == "no-reply-flag":
                send(c, req, u64.pack(FEATURES), flags=VERSION)
            elif mode == "bad-version":
                send(c, req, u64.pack(FEATURES), flags=0x2 | REPLY)
            elif mode == "huge-size":
                send(c, req, u64.pack(FEATURES), size=1 << 20)
            elif mode == "no-version-1":
                send(c, req, u64.pack(FEATURES & ~(1 << 32)))
            elif mode == "fd-in-reply":
                fd = os.open("/dev/null", os.O_RDONLY)
                send(c, req, u64.pack(FEATURES), fds=[fd])
                os.close(fd)
            else:
                send(c, req, u64.pack(FEATURES))
        elif req == GET_PROTOCOL_FEATURES:
            if mode == "fd-late":
                fd = os.open("/dev/null", os.O_RDONLY)
                send(c, req, u64.pack(PROTO_FEATURES), fds=[fd])
                os.close(fd)
            else:
                send(c, req, u64.pack(PROTO_FEATURES))
        elif req == GET_QUEUE_NUM:
            send(c, req, u64.pack(1 if mode == "mq-lie" else 8))
        elif flags & NEED_REPLY:
            send(c, req, u64.pack(0))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    mode, path = sys.argv[1], sys.argv[2]
    timeout = 40.0
    if "--timeout" in sys.argv:
        timeout = float(sys.argv[sys.argv.index("--timeout") + 1])
    deadline = time.monotonic() + timeout

    if mode.startswith("client-"):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                c.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    log("could not connect to", path)
                    return 1
                time.sleep(0.05)
        log("connected to", path)
        if mode == "client-hangup":
            c.close()
            log("hung up")
            return 0
        return 2

    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(max(1.0, deadline - time.monotonic()))
    log("listening on", path, "mode", mode)
    try:
        c, _ = srv.accept()
    except socket.timeout:
        log("nobody connected")
        return 1
    log("accepted a connection")
    if mode == "hangup":
        c.close()
        log("hung up")
        time.sleep(0.5)
        return 0
    c.settimeout(max(1.0, deadline - time.monotonic()))
    try:
        serve(c, mode)
    except socket.timeout:
        log("timeout")
    except OSError as e:
        log("socket error:", e)
    c.close()
    srv.close()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
