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

from vhost_user import (HDR, U64, VERSION, REPLY, NEED_REPLY, GET_FEATURES,
                        GET_PROTOCOL_FEATURES, GET_QUEUE_NUM, NAMES, F_MRG_RXBUF, F_EVENT_IDX,
                        F_PROTOCOL_FEATURES, F_VERSION_1, PROTO_FEATURES, recv_exact)
import vhost_user

# vnet must not take what it did not ask for (EVENT_IDX)
FEATURES = (1 << F_VERSION_1) | (1 << F_PROTOCOL_FEATURES) | (1 << F_EVENT_IDX) | \
    (1 << F_MRG_RXBUF)


def log(*a):
    print("fake-backend:", *a, flush=True)


def send(c, req, payload, flags=VERSION | REPLY, size=None, fds=None):
    data = HDR.pack(req, flags, len(payload) if size is None else size) + payload
    if fds:
        c.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        c.sendall(data)


def send_with_fd(c, req, payload):
    """A reply with a file descriptor attached (to /dev/null): a protocol violation."""
    fd = os.open("/dev/null", os.O_RDONLY)
    send(c, req, payload, fds=[fd])
    os.close(fd)


def serve(c, mode):
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
                send(c, GET_PROTOCOL_FEATURES, U64.pack(FEATURES))
            elif mode == "no-reply-flag":
                send(c, req, U64.pack(FEATURES), flags=VERSION)
            elif mode == "bad-version":
                send(c, req, U64.pack(FEATURES), flags=0x2 | REPLY)
            elif mode == "huge-size":
                send(c, req, U64.pack(FEATURES), size=1 << 20)
            elif mode == "no-version-1":
                send(c, req, U64.pack(FEATURES & ~(1 << F_VERSION_1)))
            elif mode == "fd-in-reply":
                send_with_fd(c, req, U64.pack(FEATURES))
            else:
                send(c, req, U64.pack(FEATURES))
        elif req == GET_PROTOCOL_FEATURES:
            if mode == "fd-late":
                send_with_fd(c, req, U64.pack(PROTO_FEATURES))
            else:
                send(c, req, U64.pack(PROTO_FEATURES))
        elif req == GET_QUEUE_NUM:
            send(c, req, U64.pack(1 if mode == "mq-lie" else 8))
        elif flags & NEED_REPLY:
            send(c, req, U64.pack(0))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    mode, path = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + vhost_user.option("--timeout", 40.0, float)

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

    srv, c = vhost_user.accept_one(path, deadline, mode, log)
    if c is None:
        return 1
    if mode == "hangup":
        c.close()
        log("hung up")
        time.sleep(0.5)
        return 0
    vhost_user.serve(c, lambda c: serve(c, mode), log)
    vhost_user.close(srv, c, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
