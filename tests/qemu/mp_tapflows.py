#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
#
# Host side of mp-guest-symmetric: once the guest prints MARKER, bring both taps up (IPv6
# off: only these frames), send COUNT IPv4/UDP frames over FLOWS flows (distinct UDP ports,
# so the multi-queue tap spreads them over the guest's RX queues) into TX_TAP, and count
# the ones that come back out of RX_TAP (the guest's symmetric_mp forwards C -> D).
#   mp_tapflows.py --console FILE --marker TEXT --tx TAP --rx TAP [--count N] [--flows F]
#                  [--seconds S] [--timeout S]
# Prints "TAPFLOWS sent N received M flows-seen K"; exit 0 when M > 0.
import argparse
import select
import socket
import struct
import subprocess
import sys
import time

MAGIC = b"VNETMP01"


def csum(b):
    if len(b) & 1:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(dst, src, sport, seq):
    payload = MAGIC + struct.pack("!HI", sport, seq) + b"\0" * 10
    udp = struct.pack("!HHHH", sport, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xffff, 0, 64, 17, 0,
                     bytes([10, 78, 0, 1]), bytes([10, 78, 0, 2]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst + src + b"\x08\x00" + ip + udp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--console", required=True)
    ap.add_argument("--marker", required=True)
    ap.add_argument("--tx", required=True)
    ap.add_argument("--rx", required=True)
    ap.add_argument("--dst", default="52:54:00:00:00:12")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--flows", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--timeout", type=float, default=280)
    ap.add_argument("--abort", default="VNET-DONE")
    a = ap.parse_args()
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        try:
            with open(a.console, "rb") as f:
                con = f.read()
        except OSError:
            con = b""
        if a.marker.encode() in con:
            break
        if a.abort.encode() in con:
            print("TAPFLOWS FAIL the guest ended before '%s'" % a.marker)
            return 1
        time.sleep(0.2)
    else:
        print("TAPFLOWS FAIL no '%s' on the guest console" % a.marker)
        return 1
    for tap in (a.tx, a.rx):
        subprocess.run(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % tap], check=False)
        subprocess.run(["ip", "link", "set", "dev", tap, "up"], check=True)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((a.tx, 0))
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    rx.bind((a.rx, 0))
    dst = bytes(int(x, 16) for x in a.dst.split(":"))
    src = bytes([0x02, 0, 0, 0x4d, 0x50, 0x01])
    sent = recv = 0
    flows = set()
    gap = a.seconds / a.count
    t_end = time.time() + a.seconds + 4
    nxt = time.time()
    while time.time() < t_end:
        if sent < a.count and time.time() >= nxt:
            tx.send(frame(dst, src, 40000 + sent % a.flows, sent))
            sent += 1
            nxt += gap
        r, _, _ = select.select([rx], [], [], 0 if sent < a.count else 0.2)
        while r:
            pkt, addr = rx.recvfrom(2048)
            if addr[2] != socket.PACKET_OUTGOING and MAGIC in pkt:
                recv += 1
                flows.add(struct.unpack("!H", pkt[pkt.index(MAGIC) + 8:][:2])[0])
            r, _, _ = select.select([rx], [], [], 0)
    print("TAPFLOWS sent %d received %d flows-seen %d" % (sent, recv, len(flows)), flush=True)
    return 0 if recv > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
