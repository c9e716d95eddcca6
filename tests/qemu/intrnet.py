#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Host side of the guest tier's interrupt boot (cases-intr.sh): link events, announce.

The guest (guest/intr-test.sh) prints "VNET-SYNC <tag>" on its console and waits for
"ack <tag>" on its second serial port (ttyS1):

  link-<nic>-off / link-<nic>-on   QMP set_link <nic> off|on, then ack at once
  announce                         start capturing on the tap (AF_PACKET, inside the test's
                                   network namespace), QMP announce-self (3 rounds), capture
                                   for --capture seconds, then ack

  serve   runs inside the namespace next to QEMU; records what it captured (every RARP and
          gratuitous ARP: Ethernet source, sender hardware address) to --record (JSON).
  check   after QEMU exits: the announce verdict from the record, the trace file (QEMU's
          virtio_net_handle_announce = the driver's ANNOUNCE_ACK) and the console; prints one
          "VNET-CASE announce PASS|FAIL <detail>" line.
"""
import argparse
import json
import re
import socket
import struct
import sys
import time

from qgnet import ConsoleTail, Qmp, connect_unix, save_json

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_RARP = 0x8035


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def capture(ifname, seconds, start_fn):
    """Frames of ARP/RARP type seen on ifname for `seconds` after start_fn() ran."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.settimeout(0.2)
    start_fn()
    end = time.time() + seconds
    seen = []
    while time.time() < end:
        try:
            fr, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        if len(fr) < 42:
            continue
        et = struct.unpack("!H", fr[12:14])[0]
        if et not in (ETH_P_ARP, ETH_P_RARP):
            continue
        op = struct.unpack("!H", fr[20:22])[0]
        seen.append({"t": round(time.time(), 3), "type": "rarp" if et == ETH_P_RARP else "arp",
                     "op": op, "src": mac_str(fr[6:12]), "sha": mac_str(fr[22:28]),
                     "dir": "out" if addr[2] == socket.PACKET_OUTGOING else "in"})
    s.close()
    return seen


def serve(a):
    deadline = time.time() + a.timeout
    rec = {"actions": [], "frames": []}

    def log(msg):
        print("intrnet: %.3f %s" % (time.time(), msg), flush=True)

    def save():
        save_json(a.record, rec)

    qmp = Qmp(a.qmp, deadline)
    ctl = connect_unix(a.ctl, deadline)
    if ctl is None:
        log("cannot connect to the control serial socket " + a.ctl)
        return 1
    log("connected to QMP and the guest's ttyS1")
    done = set()
    for line in ConsoleTail(a.console, deadline, poll=0.05):
        if line.startswith("VNET-DONE"):
            save()
            log("guest done")
            return 0
        m = re.match(r"VNET-SYNC (\S+)", line)
        if not m or m.group(1) in done:
            continue
        tag = m.group(1)
        done.add(tag)
        try:
            lm = re.match(r"link-(\S+)-(on|off)$", tag)
            if lm:
                qmp.cmd("set_link", name=lm.group(1), up=lm.group(2) == "on")
                rec["actions"].append({"tag": tag, "t": time.time()})
                log("set_link %s %s" % (lm.group(1), lm.group(2)))
            elif tag == "announce":
                frames = capture(a.tap, a.capture, lambda: qmp.cmd(
                    "announce-self", initial=100, max=100, rounds=3, step=100))
                rec["frames"] += frames
                rec["actions"].append({"tag": tag, "t": time.time()})
                log("announce-self: %d ARP/RARP frames on %s" % (len(frames), a.tap))
        except Exception as e:  # noqa: BLE001 - reported to the guest and the record
            rec["actions"].append({"tag": tag, "error": str(e)})
            log("%s: %s" % (tag, e))
        save()
        ctl.sendall(("ack %s\n" % tag).encode())
    save()
    log("timeout")
    return 1


def check(a):
    try:
        rec = json.load(open(a.record))
    except (OSError, ValueError) as e:
        print("VNET-CASE announce FAIL no host record (%s)" % e)
        return 1
    want = [m.lower() for m in a.want_mac]
    rarp_in = [f for f in rec["frames"] if f["type"] == "rarp" and f["dir"] == "in"]
    by_sha = {}
    for f in rarp_in:
        by_sha[f["sha"]] = by_sha.get(f["sha"], 0) + 1
    acks = 0
    try:
        acks = sum(1 for ln in open(a.trace) if "virtio_net_handle_announce" in ln)
    except OSError:
        pass
    notifies = 0
    try:
        notifies = sum(1 for ln in open(a.trace) if "virtio_net_announce_notify" in ln)
    except OSError:
        pass
    missing = [m for m in want if by_sha.get(m, 0) == 0]
    errs = [x for x in rec["actions"] if "error" in x]
    detail = "RARP senders on the tap: %s; QEMU announce notifications %d, driver acks %d" % (
        ", ".join("%s x%d" % kv for kv in sorted(by_sha.items())) or "none", notifies, acks)
    if errs:
        print("VNET-CASE announce FAIL QMP errors %s; %s" % (errs, detail))
        return 1
    if missing:
        print("VNET-CASE announce FAIL no RARP from %s (QEMU cannot send those: the driver "
              "must); %s" % (", ".join(missing), detail))
        return 1
    if acks < 1 or notifies < 1:
        print("VNET-CASE announce FAIL no ANNOUNCE_ACK seen by QEMU; %s" % detail)
        return 1
    print("VNET-CASE announce PASS %s" % detail)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--console", required=True)
    s.add_argument("--qmp", required=True)
    s.add_argument("--ctl", required=True)
    s.add_argument("--tap", required=True)
    s.add_argument("--record", required=True)
    s.add_argument("--capture", type=float, default=4.0)
    s.add_argument("--timeout", type=float, default=400)
    c = sub.add_parser("check")
    c.add_argument("--record", required=True)
    c.add_argument("--trace", required=True)
    c.add_argument("--want-mac", action="append", default=[])
    a = p.parse_args()
    return serve(a) if a.cmd == "serve" else check(a)


if __name__ == "__main__":
    sys.exit(main())
