#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent host-side peer for the guest tier (QEMU -netdev socket,udp=...).

QEMU sends every guest frame as one UDP datagram to our port and injects every datagram we send
to its localaddr port as one received frame. The guest runs testpmd macswap (--port-topology=loop)
with --tx-first on one port, so:
  * guest -> host: the tx_first burst (testpmd txonly frames: our MAC as destination via
    --eth-peer, the NIC's MAC as source, IPv4 198.18.0.1 -> 198.18.0.2, UDP 9 -> 9) is counted
    and its headers checked;
  * host -> guest -> host: COUNT frames of varied sizes (60..1514 bytes) with a sequence number and
    a seeded pseudo-random payload; each must come back exactly once, byte-exact except for the
    MAC addresses, which must be swapped.
Before the data phase, probe frames are sent until one comes back (testpmd is up).
With --pingpong N the data phase is a latency measurement instead: one frame at a time (sizes
cycle through 60..1514), each must come back byte-exact with MACs swapped within
--pp-timeout seconds before the next is sent; the round-trip time (send to receive,
time.perf_counter_ns) of each is recorded and p50/p90/p99/max in microseconds are printed and
written to --result ("rtt_us"). A frame that does not come back in time fails the run, naming
its sequence number (the guest forwarded nothing for it: a stall).
Exit 0 only if everything checked out; the last line of output is a one-line summary.
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import time

ETH_DATA = 0x88B5  # IEEE local experimental ethertype
MAGIC = b"VNET"
PROBE = b"VNPR"
SIZES = [60, 64, 100, 128, 256, 511, 512, 777, 1000, 1024, 1500, 1514]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def frame(dst, src, magic, seq, size):
    hdr = dst + src + struct.pack("!H", ETH_DATA) + magic + struct.pack("!IH", seq, size)
    body = random.Random(seq * 7919 + size).randbytes(size - len(hdr))
    return hdr + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu-port", type=int, required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--guest-mac", required=True)
    ap.add_argument("--host-mac", required=True)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--txfirst", type=int, default=32, help="frames the guest sends first")
    ap.add_argument("--deadline", type=float, default=150)
    ap.add_argument("--result")
    ap.add_argument("--pingpong", type=int, default=0, metavar="N",
                    help="latency mode: N frames one at a time instead of --count/--window")
    ap.add_argument("--pp-timeout", type=float, default=2.0,
                    help="seconds a ping-pong frame may take to come back")
    a = ap.parse_args()

    gmac, hmac = mac(a.guest_mac), mac(a.host_mac)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    dest = ("127.0.0.1", a.qemu_port)
    t0 = time.monotonic()
    end = t0 + a.deadline

    errors = []
    st = dict(sent=0, replies=0, exact=0, dup=0, probes_sent=0, probe_replies=0,
              txfirst=0, txfirst_bad=0, unknown=0, bytes_back=0)
    expect = {}  # seq -> expected reply bytes
    seen = set()
    arrived = {}  # seq -> perf_counter_ns when its reply was received
    ready = False

    def err(msg):
        if len(errors) < 20:
            errors.append(msg)
        print("peer: ERROR " + msg, flush=True)

    def handle(b, t_ns):
        nonlocal ready
        if len(b) < 14:
            st["unknown"] += 1
            err(f"runt frame of {len(b)} bytes")
            return
        dst, src, et = b[0:6], b[6:12], struct.unpack("!H", b[12:14])[0]
        if et == 0x0800:  # testpmd txonly (tx_first burst)
            ok = (dst == hmac and src == gmac and len(b) >= 42 and b[23] == 17 and
                  b[26:30] == bytes([198, 18, 0, 1]) and b[30:34] == bytes([198, 18, 0, 2]) and
                  b[34:38] == struct.pack("!HH", 9, 9))
            st["txfirst"] += 1
            if not ok:
                st["txfirst_bad"] += 1
                err(f"bad tx_first frame: {b[:42].hex()}")
            return
        if et != ETH_DATA or len(b) < 24:
            st["unknown"] += 1
            err(f"unexpected frame ethertype {et:#x} len {len(b)}")
            return
        if dst != hmac or src != gmac:
            err(f"MACs not swapped: dst {dst.hex(':')} src {src.hex(':')}")
        magic = b[14:18]
        seq, size = struct.unpack("!IH", b[18:24])
        if magic == PROBE:
            st["probe_replies"] += 1
            if b != frame(hmac, gmac, PROBE, seq, size):
                err(f"probe {seq} corrupted")
            ready = True
            return
        if magic != MAGIC:
            st["unknown"] += 1
            err("unknown payload magic")
            return
        st["replies"] += 1
        st["bytes_back"] += len(b)
        if seq in seen:
            st["dup"] += 1
            err(f"duplicate reply seq {seq}")
            return
        want = expect.pop(seq, None)
        if want is None:
            err(f"reply for seq {seq} that was never sent")
            return
        seen.add(seq)
        arrived[seq] = t_ns
        if b == want:
            st["exact"] += 1
        else:
            diff = next((i for i in range(min(len(b), len(want))) if b[i] != want[i]), None)
            err(f"seq {seq}: reply differs (len {len(b)} vs {len(want)}, first diff at {diff})")

    def pump(timeout):
        s.settimeout(max(timeout, 0.001))
        try:
            b = s.recv(65536)
        except socket.timeout:
            return False
        handle(b, time.perf_counter_ns())
        s.settimeout(0)
        while True:  # drain what is queued
            try:
                b = s.recv(65536)
            except (BlockingIOError, socket.timeout):
                return True
            handle(b, time.perf_counter_ns())

    # 1. wait for testpmd: probes until one comes back
    pseq = 0
    next_probe = 0.0
    while not ready and time.monotonic() < end:
        if time.monotonic() >= next_probe:
            s.sendto(frame(gmac, hmac, PROBE, pseq, 64), dest)
            pseq += 1
            st["probes_sent"] += 1
            next_probe = time.monotonic() + 0.5
        pump(0.1)
    t_ready = time.monotonic() - t0
    if not ready:
        err("guest never answered a probe")

    count = a.pingpong if a.pingpong > 0 else a.count
    rtts = []  # ns, in send order
    # 2a. latency: one frame at a time, each must come back before the next is sent
    while ready and a.pingpong > 0 and len(rtts) < a.pingpong and time.monotonic() < end:
        seq = len(rtts)
        size = SIZES[seq % len(SIZES)]
        want = frame(hmac, gmac, MAGIC, seq, size)
        out = frame(gmac, hmac, MAGIC, seq, size)
        expect[seq] = want
        st["sent"] += 1
        t_send = time.perf_counter_ns()
        s.sendto(out, dest)
        limit = t_send + int(a.pp_timeout * 1e9)
        while seq in expect and time.perf_counter_ns() < limit:
            pump((limit - time.perf_counter_ns()) / 1e9)
        if seq in expect:
            err(f"ping-pong frame seq {seq} ({size} bytes) lost: no reply within "
                f"{a.pp_timeout} s after {seq} good round trips")
            break
        rtts.append(arrived[seq] - t_send)
    # 2b. data: COUNT frames, at most WINDOW outstanding, each must come back byte-exact
    seq = 0
    last_progress = time.monotonic()
    while ready and not a.pingpong and (seq < a.count or expect) and time.monotonic() < end:
        while seq < a.count and len(expect) < a.window:
            size = SIZES[seq % len(SIZES)]
            s.sendto(frame(gmac, hmac, MAGIC, seq, size), dest)
            expect[seq] = frame(hmac, gmac, MAGIC, seq, size)
            seq += 1
            st["sent"] += 1
        n = len(expect)
        pump(0.2)
        if len(expect) < n:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > 10:
            err(f"no reply for 10 s, {len(expect)} outstanding (first {min(expect)})")
            break
    # 3. linger: late duplicates and the tx_first burst
    linger = time.monotonic() + 1.5
    while time.monotonic() < linger:
        pump(0.1)

    if expect and not a.pingpong:
        err(f"{len(expect)} frames never came back")
    if st["exact"] != count:
        err(f"{st['exact']} of {count} replies byte-exact")
    if st["txfirst"] != a.txfirst:
        err(f"guest tx_first frames: got {st['txfirst']}, expected {a.txfirst}")
    st["ready_after_s"] = round(t_ready, 1)
    pp = ""
    if a.pingpong > 0:
        st["pingpong"] = dict(frames=a.pingpong, round_trips=len(rtts),
                              timeout_s=a.pp_timeout)
        if rtts:
            srt = sorted(rtts)

            def pct(q):  # nearest rank
                return round(srt[max(0, -(-q * len(srt) // 100) - 1)] / 1000, 1)
            st["rtt_us"] = dict(min=round(srt[0] / 1000, 1), p50=pct(50), p90=pct(90),
                                p99=pct(99), max=round(srt[-1] / 1000, 1),
                                mean=round(sum(srt) / len(srt) / 1000, 1))
            r = st["rtt_us"]
            pp = (f", ping-pong {len(rtts)}/{a.pingpong} RTT us p50 {r['p50']} p90 {r['p90']} "
                  f"p99 {r['p99']} max {r['max']}")
            print(f"peer: ping-pong RTT (us) over {len(rtts)} frames: min {r['min']} "
                  f"p50 {r['p50']} p90 {r['p90']} p99 {r['p99']} max {r['max']} "
                  f"mean {r['mean']}", flush=True)
        else:
            pp = f", ping-pong 0/{a.pingpong}"
    st["errors"] = errors
    ok = not errors
    if a.result:
        with open(a.result, "w") as f:
            json.dump(st, f)
    print(f"peer: {'OK' if ok else 'FAILED'}: sent {st['sent']}, {st['exact']} came back "
          f"byte-exact with MACs swapped ({st['bytes_back']} bytes, {st['dup']} dup), "
          f"{st['txfirst']}/{a.txfirst} guest tx_first frames ok-headers "
          f"({st['txfirst_bad']} bad), probes {st['probe_replies']}/{st['probes_sent']}, "
          f"guest ready after {st['ready_after_s']} s{pp}, {len(errors)} errors", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
