#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Host side of the hotunplug-rmv guest case: wait for the guest's ready marker on the
# console, QMP device_del the NIC, wait for QMP's DEVICE_DELETED event.
#   qmp_unplug.py --qmp SOCK --console FILE --marker TEXT --device ID [--timeout S]
# Prints "QMP-UNPLUG device_del sent", then "QMP-UNPLUG DEVICE_DELETED <id> after <s> s" or
# "QMP-UNPLUG FAIL <why>"; exit status 0 only when the event arrived.
import argparse
import json
import select
import sys
import time

from qgnet import connect_unix


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--marker", required=True)
    ap.add_argument("--device", required=True)
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--abort", default="VNET-DONE",
                    help="console text that means the guest ended before the marker")
    a = ap.parse_args()
    deadline = time.time() + a.timeout

    def fail(why):
        print("QMP-UNPLUG FAIL %s" % why, flush=True)
        sys.exit(1)

    s = connect_unix(a.qmp, deadline)
    if s is None:
        fail("cannot connect to %s" % a.qmp)
    buf = b""

    def send(name, **args):
        s.sendall((json.dumps({"execute": name, "arguments": args}) + "\n").encode())

    def messages(wait):
        """QMP messages that arrive within @wait seconds."""
        nonlocal buf
        out = []
        r, _, _ = select.select([s], [], [], wait)
        if r:
            chunk = s.recv(65536)
            if not chunk:
                fail("QEMU closed the QMP socket")
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    out.append(json.loads(line))
        return out

    send("qmp_capabilities")
    # wait for the guest: the marker on its console
    while time.time() < deadline:
        messages(0.2)
        try:
            with open(a.console, "rb") as cf:
                con = cf.read()
            if a.marker.encode() in con:
                break
            if a.abort.encode() in con:
                fail("the guest ended before '%s'" % a.marker)
        except OSError:
            pass
    else:
        fail("no '%s' on the guest console" % a.marker)
    t0 = time.time()
    send("device_del", id=a.device)
    print("QMP-UNPLUG device_del %s sent" % a.device, flush=True)
    while time.time() < deadline:
        for msg in messages(1.0):
            if "error" in msg:
                fail("QMP error: %s" % msg["error"])
            if msg.get("event") == "DEVICE_DELETED" and \
                    msg.get("data", {}).get("device") == a.device:
                print("QMP-UNPLUG DEVICE_DELETED %s after %.1f s" % (a.device, time.time() - t0),
                      flush=True)
                return 0
    fail("no DEVICE_DELETED for %s within %.0f s" % (a.device, a.timeout))


if __name__ == "__main__":
    sys.exit(main())
