#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Host side of the guest tier's tap cases (run.sh tap_case): RSS, steering and RX filtering.

The guest (guest/mq-test.sh) runs testpmd sessions on two tap-backed virtio-net-pci NICs of
QEMU's userspace device: one with mq=on,rss=on,hash=on, one with mq=on,rss=off. Whenever a
session reaches a state worth checking, the guest prints "VNET-SYNC <tag>" on its console and
waits for "ack <tag>" on its second serial port.

  serve   runs inside the test's network namespace (ip netns exec), next to QEMU: tails the
          console file; on a sync line it reads the NIC's receive filter over QMP
          (query-rx-filter) when the tag asks for it, sends that phase's frames with raw
          AF_PACKET sockets on the tap, waits a moment and acks on the control socket.
          Writes what it did (flows, QMP replies) to --record (JSON).
  check   after QEMU exits: parses the guest's dumped testpmd logs and prints one
          "VNET-CASE <name> PASS|FAIL|SKIP <detail>" line per case.

Frames carry their identity in the source MAC, 02:00:00:PP:HH:LL (PP = phase, HHLL = frame
number), because testpmd's verbose dump prints MACs, not IPs or ports.

RSS model (virtio 1.2, 5.1.6.4.3; QEMU 7.2 virtio_net_process_rss): Toeplitz hash of the
packet's hash input with the key testpmd shows (show port 0 rss-hash key): IPv4 = source and
destination address; TCPv4/UDPv4 = addresses then ports, used when that type is enabled; the
queue is RETA[hash & (RETA size - 1)] (RETA read back with show port 0 rss reta).

Filter model (QEMU 7.2 hw/net/virtio-net.c receive_filter()), fed with query-rx-filter:
promiscuous -> accept; 802.1Q tag whose VID is not in the VLAN table (when vlan != all) ->
drop; broadcast -> not nobcast (query-rx-filter's broadcast-allowed shows nobcast); other multicast -> none: drop, all or overflow: accept,
else in the multicast table; unicast -> none: drop, all or overflow: accept, main MAC or in
the unicast table.
"""
import argparse
import json
import random
import re
import socket
import struct
import sys
import time

from qgnet import ConsoleTail, Qmp, connect_unix, save_json, sections

NIC_RSS_MAC = "52:54:00:00:00:12"   # tap NIC with rss=on (also the filter tests' NIC)
NIC_OFF_MAC = "52:54:00:00:00:13"   # tap NIC with rss=off
RSS_NIC_ID = "nicrss"               # -device id, the name for query-rx-filter
NQ = 4
NFLOWS = 48                         # flows per RSS phase (2 frames each)
NFLOWS_OFF = 64                     # flows for the rss=off NIC (1 frame each)
RSS_PHASES = {"rss-ip": 1, "rss-reta": 2, "rss-l4": 3, "rss-off": 4}
# RETA written by the guest between phases 1 and 2 (mq-test.sh): entry i -> (i % 4) ^ 1
def reta_update(i):
    return (i % NQ) ^ 1

# filter frames: (name, destination MAC, VLAN id or None)
ADDED_UC = "02:00:00:aa:bb:01"
ADDED_MC = "01:00:5e:00:00:fb"
NEW_MAIN = "02:00:00:aa:bb:22"      # mac_addr set 0 ... (f-macset)
FILTER_FRAMES = [
    ("own", NIC_RSS_MAC, None),
    ("other-uc", "02:00:00:aa:bb:99", None),
    ("added-uc", ADDED_UC, None),
    ("added-mc", ADDED_MC, None),
    ("other-mc", "01:00:5e:00:00:01", None),
    ("bcast", "ff:ff:ff:ff:ff:ff", None),
    ("vlan100", NIC_RSS_MAC, 100),
    ("vlan200", NIC_RSS_MAC, 200),
    ("new-main", NEW_MAIN, None),
]
# filter states in the order the guest sets them, and what the ethdev calls mean: the frames
# an application must get (promiscuous off = own MAC, added MACs, broadcast; VLAN filter off
# = tags do not matter; on = only the added VIDs)
ALL = {f[0] for f in FILTER_FRAMES}
BASE = {"own", "bcast", "vlan100", "vlan200"}
FILTER_STATES = [
    ("f-promisc", ALL, "testpmd default: promiscuous on"),
    ("f-nopromisc", BASE, "set promisc 0 off"),
    ("f-allmulti", BASE | {"added-mc", "other-mc"}, "set allmulti 0 on"),
    ("f-macs", BASE | {"added-uc", "added-mc"},
     "set allmulti 0 off; mac_addr add 0 %s; mcast_addr add 0 %s" % (ADDED_UC, ADDED_MC)),
    ("f-vlan100", (BASE - {"vlan200"}) | {"added-uc", "added-mc"},
     "port stop 0; vlan set filter on 0; port start 0; rx_vlan add 100 0"),
    ("f-vlanoff", BASE | {"added-uc", "added-mc"},
     "rx_vlan rm 100 0; port stop 0; vlan set filter off 0; port start 0"),
    ("f-removed", BASE, "mac_addr remove 0 %s; mcast_addr remove 0 %s" % (ADDED_UC, ADDED_MC)),
    ("f-macset", {"new-main", "bcast"}, "mac_addr set 0 %s" % NEW_MAIN),
    ("f-promisc2", ALL, "set promisc 0 on"),
]
FILTER_PHASE0 = 0x10


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def tag_mac(phase, n):
    return "02:00:00:%02x:%02x:%02x" % (phase, n >> 8, n & 0xff)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4_frame(dst, src, sip, dip, proto, sport, dport, vlan=None, payload=b"vnet-tapnet"):
    if proto == "udp":
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        pnum = 17
    else:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 8192, 0, 0) + payload
        pnum = 6
    ph = socket.inet_aton(sip) + socket.inet_aton(dip) + struct.pack("!BBH", 0, pnum, len(l4))
    c = csum(ph + l4)
    off = 6 if pnum == 17 else 16
    l4 = l4[:off] + struct.pack("!H", c or 0xffff) + l4[off + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, pnum, 0,
                     socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = mac(dst) + mac(src)
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan)
    eth += struct.pack("!H", 0x0800)
    fr = eth + ip + l4
    return fr + b"\0" * max(0, 60 - len(fr))


def toeplitz(key, data):
    k = int.from_bytes(key, "big")
    kbits = len(key) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                h ^= (k >> (kbits - 32 - (i * 8 + b))) & 0xffffffff
    return h


def hash_input(flow, l4):
    d = socket.inet_aton(flow["sip"]) + socket.inet_aton(flow["dip"])
    if l4:
        d += struct.pack("!HH", flow["sport"], flow["dport"])
    return d


def make_flows(seed, n):
    r = random.Random(seed)
    flows = []
    for i in range(n):
        flows.append({"n": i, "proto": "udp" if i % 2 == 0 else "tcp",
                      "sip": "10.%d.%d.%d" % (r.randrange(1, 250), r.randrange(256), r.randrange(1, 255)),
                      "dip": "192.168.%d.%d" % (r.randrange(256), r.randrange(1, 255)),
                      "sport": r.randrange(1024, 65535), "dport": r.randrange(1, 65535)})
    return flows


# ---------------------------------------------------------------- serve
def serve(a):
    deadline = time.time() + a.timeout
    rec = {"flows": make_flows(8, NFLOWS), "flows_off": make_flows(9, NFLOWS_OFF),
           "filter": {}, "synced": [], "log": []}

    def log(msg):
        print("%7.2f %s" % (time.time() - t0, msg), flush=True)

    t0 = time.time()
    socks = {}

    def sock(ifname):
        if ifname not in socks:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((ifname, 0))
            socks[ifname] = s
        return socks[ifname]

    save_json(a.record, rec)
    qmp = Qmp(a.qmp, deadline)
    ctl = connect_unix(a.ctl, deadline)
    if ctl is None:
        log("cannot connect to the control serial socket " + a.ctl)
        return 1
    log("connected to QMP and the guest's ttyS1")
    tail = ConsoleTail(a.console, deadline)
    for line in tail:
        m = re.search(r"VNET-SYNC (\S+)", line)
        if not m:
            continue
        tag = m.group(1)
        sent = 0
        if tag in RSS_PHASES:
            p = RSS_PHASES[tag]
            off = tag == "rss-off"
            flows = rec["flows_off"] if off else rec["flows"]
            ifn = a.off_if if off else a.rss_if
            dst = NIC_OFF_MAC if off else NIC_RSS_MAC
            for rep in range(1 if off else 2):
                for fl in flows:
                    fr = ipv4_frame(dst, tag_mac(p, fl["n"]), fl["sip"], fl["dip"],
                                    fl["proto"], fl["sport"], fl["dport"])
                    sock(ifn).send(fr)
                    sent += 1
        elif tag.startswith("f-"):
            idx = [s[0] for s in FILTER_STATES].index(tag)
            try:
                rx = qmp.cmd("query-rx-filter", name=RSS_NIC_ID)
            except RuntimeError as e:
                rx = [{"error": str(e)}]
            rec["filter"][tag] = {"qmp": rx[0] if rx else {}}
            for rep in range(2):
                for n, (name, dst, vid) in enumerate(FILTER_FRAMES):
                    fr = ipv4_frame(dst, tag_mac(FILTER_PHASE0 + idx, n), "10.1.0.%d" % (n + 1),
                                    "10.2.0.1", "udp", 4000 + n, 5000, vlan=vid)
                    sock(a.rss_if).send(fr)
                    sent += 1
        time.sleep(0.7)  # let QEMU and the guest take them before the state changes
        ctl.sendall(("ack %s\n" % tag).encode())
        rec["synced"].append(tag)
        log("sync %s: sent %d frames, acked" % (tag, sent))
        save_json(a.record, rec)
    save_json(a.record, rec)
    log("done (%s)" % ("guest finished" if tail.done else "deadline"))
    return 0


# ---------------------------------------------------------------- check
PKT_RE = re.compile(r"VNET-PKT q=(\d+) src=([0-9A-Fa-f:]{17}) dst=([0-9A-Fa-f:]{17}) type=(\S+) hash=(\S+)")


def packets(lines):
    """[(queue, phase, n, hash or None, dst)] of the frames carrying a 02:00:00:PP:HH:LL tag"""
    res = []
    for l in lines:
        m = PKT_RE.search(l)
        if not m:
            continue
        b = mac(m.group(2))
        if b[:3] != b"\x02\x00\x00":
            continue
        h = None if m.group(5) == "-" else int(m.group(5), 16)
        res.append((int(m.group(1)), b[3], b[4] << 8 | b[5], h, m.group(3).lower()))
    return res


def tp_exit(lines):
    for l in lines:
        m = re.search(r"VNET-TP-EXIT (\d+)", l)
        if m:
            return int(m.group(1))
    return None


def check_rss(lines, rec, drv):
    txt = "\n".join(lines)
    errs, notes = [], []
    m = re.search(r"Redirection table size: (\d+)", txt)
    rsize = int(m.group(1)) if m else 0
    keys = re.findall(r"RSS key:\s*\n\s*([0-9A-Fa-f]+)", txt)
    retas = [(int(i), int(q)) for i, q in re.findall(r"hash index=(\d+), queue=(\d+)", txt)]
    rc = tp_exit(lines)
    if rc != 0:
        errs.append("testpmd exit status %s" % rc)
    if rsize == 0 or rsize & (rsize - 1):
        errs.append("show port info: Redirection table size %s" % rsize)
    if not keys:
        errs.append("no RSS key in 'show port 0 rss-hash key'")
    if len(retas) < 2 * max(rsize, 1):
        errs.append("expected 2 x %d RETA entries from 'show port 0 rss reta', got %d" % (rsize, len(retas)))
    if errs:
        return False, "; ".join(errs)
    key = bytes.fromhex(keys[0])
    if len(set(keys)) != 1:
        errs.append("RSS key changed between queries: %s" % keys)
    reta1 = [q for _, q in retas[:rsize]]
    reta2 = [q for _, q in retas[rsize:2 * rsize]]
    want2 = [reta_update(i) for i in range(rsize)]
    if reta2 != want2:
        errs.append("RETA after 'port config 0 rss reta' reads back %s..., wanted %s..." % (reta2[:8], want2[:8]))
    pk = packets(lines)
    flows = rec["flows"]
    stats = {}
    hashes_seen = hash_bad = 0
    for phase, reta, l4 in ((1, reta1, False), (2, reta2, False), (3, reta2, True)):
        byq = [0] * NQ
        wrong = []
        lost = 0
        for fl in flows:
            got = [(q, h) for q, p, n, h, _ in pk if p == phase and n == fl["n"]]
            if not got:
                lost += 1
                continue
            h = toeplitz(key, hash_input(fl, l4))
            want = reta[h & (rsize - 1)]
            for q, rh in got:
                if q < NQ:
                    byq[q] += 1
                if q != want:
                    wrong.append("flow %d (%s %s:%d > %s:%d) on queue %d, predicted %d" % (
                        fl["n"], fl["proto"], fl["sip"], fl["sport"], fl["dip"], fl["dport"], q, want))
                if rh is not None:
                    hashes_seen += 1
                    if rh != h:
                        hash_bad += 1
                        if hash_bad <= 3:
                            errs.append("phase %d flow %d: reported hash 0x%08x, computed 0x%08x" % (phase, fl["n"], rh, h))
        stats[phase] = byq
        if lost > len(flows) // 4:
            errs.append("phase %d: %d of %d flows never arrived" % (phase, lost, len(flows)))
        elif lost:
            notes.append("phase %d: %d flows lost" % (phase, lost))
        if wrong:
            errs.append("phase %d: %d frames on the wrong queue (%s%s)" % (
                phase, len(wrong), "; ".join(wrong[:3]), "; ..." if len(wrong) > 3 else ""))
        if phase == 1 and min(byq) == 0:
            errs.append("phase 1: a queue received nothing: per-queue frames %s" % byq)
    moved = 0
    for fl in flows:
        q1 = [q for q, p, n, _, _ in pk if p == 1 and n == fl["n"]]
        q2 = [q for q, p, n, _, _ in pk if p == 2 and n == fl["n"]]
        if q1 and q2 and q1[0] != q2[0]:
            moved += 1
    if moved == 0:
        errs.append("no flow moved after the RETA update")
    if hashes_seen == 0:
        if drv == "net_vnet":
            errs.append("no 'RSS hash=' in testpmd's dump: hash report (RTE_ETH_RX_OFFLOAD_RSS_HASH requested) gave no mbuf hash")
        else:
            notes.append("no hash in mbufs (%s does not negotiate VIRTIO_NET_F_HASH_REPORT)" % drv)
    detail = "RETA %d, key %s..., per-queue frames ip %s, after reta update %s (%d flows moved), l4 %s, %d hashes checked" % (
        rsize, keys[0][:8], stats.get(1), stats.get(2), moved, stats.get(3), hashes_seen)
    if notes:
        detail += "; " + "; ".join(notes)
    if errs:
        return False, "; ".join(errs) + " [" + detail + "]"
    return True, detail


def check_rss_off(lines, drv, notice):
    errs = []
    rc = tp_exit(lines)
    if rc != 0:
        errs.append("testpmd exit status %s" % rc)
    txt = "\n".join(lines)
    pk = [x for x in packets(lines) if x[1] == RSS_PHASES["rss-off"]]
    byq = [0] * NQ
    for q, _, _, _, _ in pk:
        if q < NQ:
            byq[q] += 1
    flows = {n for _, _, n, _, _ in pk}
    if len(flows) < NFLOWS_OFF * 3 // 4:
        errs.append("only %d of %d flows arrived" % (len(flows), NFLOWS_OFF))
    if sum(1 for c in byq if c) < 2:
        errs.append("fewer than 2 queues received: per-queue frames %s" % byq)
    if drv == "net_vnet" and notice not in txt:
        errs.append("no vnet NOTICE containing '%s' (mq_mode RSS on a device without RSS)" % notice)
    m = re.search(r"Max possible RX queues: (\d+)", txt)
    detail = "per-queue frames %s, %d flows" % (byq, len(flows))
    if m:
        detail += ", max RX queues %s" % m.group(1)
    if errs:
        return False, "; ".join(errs) + " [" + detail + "]"
    return True, detail


def rx_filter_model(st, dst, vid):
    """QEMU 7.2 receive_filter() on the state query-rx-filter reported"""
    if st.get("promiscuous"):
        return True
    if vid is not None and st.get("vlan") != "all" and vid not in st.get("vlan-table", []):
        return False
    d = dst.lower()
    if int(d[:2], 16) & 1:
        if d == "ff:ff:ff:ff:ff:ff":
            # QEMU 7.2 fills broadcast-allowed with n->nobcast (inverted): it reads false
            # while broadcasts are delivered
            return not st.get("broadcast-allowed")
        if st.get("multicast") == "none":
            return False
        if st.get("multicast") == "all" or st.get("multicast-overflow"):
            return True
        return d in [x.lower() for x in st.get("multicast-table", [])]
    if st.get("unicast") == "none":
        return False
    if st.get("unicast") == "all" or st.get("unicast-overflow"):
        return True
    return d == st.get("main-mac", "").lower() or d in [x.lower() for x in st.get("unicast-table", [])]


def qmp_brief(st):
    vt = st.get("vlan-table", [])
    vts = ("%d VIDs" % len(vt)) if len(vt) > 8 else str(vt)
    return "promisc=%s uc=%s mc=%s vlan=%s vlan-table=%s uc-table=%s mc-table=%s" % (
        st.get("promiscuous"), st.get("unicast"), st.get("multicast"), st.get("vlan"), vts,
        st.get("unicast-table"), st.get("multicast-table"))


def check_filter(lines, rec, drv):
    errs, devs = [], []
    rc = tp_exit(lines)
    if rc != 0:
        errs.append("testpmd exit status %s" % rc)
    pk = packets(lines)
    summary = []
    for i, (tag, intent, what) in enumerate(FILTER_STATES):
        f = rec["filter"].get(tag)
        if f is None:
            errs.append("%s: the host never got this sync" % tag)
            continue
        st = f["qmp"]
        if "error" in st or not st:
            errs.append("%s: query-rx-filter failed: %s" % (tag, st))
            continue
        got = {FILTER_FRAMES[n][0] for q, p, n, _, _ in pk if p == FILTER_PHASE0 + i and n < len(FILTER_FRAMES)}
        model = {name for name, dst, vid in FILTER_FRAMES if rx_filter_model(st, dst, vid)}
        order = [x[0] for x in FILTER_FRAMES]
        srt = lambda s: ",".join(x for x in order if x in s)
        summary.append("%s={%s}" % (tag, srt(got)))
        if got != model:
            errs.append("%s (%s): arrived {%s}, QEMU's filter (%s) delivers {%s}" % (
                tag, what, srt(got), qmp_brief(st), srt(model)))
        # the device state must be what the ethdev calls asked for
        want = []
        promisc = tag in ("f-promisc", "f-promisc2")
        if bool(st.get("promiscuous")) != promisc:
            want.append("promiscuous=%s" % promisc)
        main = NEW_MAIN if i >= [x[0] for x in FILTER_STATES].index("f-macset") else NIC_RSS_MAC
        if st.get("main-mac", "").lower() != main:
            want.append("main-mac %s" % main)
        if tag == "f-allmulti" and st.get("multicast") != "all":
            want.append("multicast=all")
        if tag in ("f-nopromisc", "f-macs", "f-removed") and st.get("multicast") == "all":
            want.append("multicast not all")
        uct = [x.lower() for x in st.get("unicast-table", [])]
        mct = [x.lower() for x in st.get("multicast-table", [])]
        if tag in ("f-macs", "f-vlan100", "f-vlanoff"):
            if ADDED_UC not in uct:
                want.append("unicast-table has %s" % ADDED_UC)
            if ADDED_MC not in mct:
                want.append("multicast-table has %s" % ADDED_MC)
        if tag in ("f-removed", "f-macset") and (ADDED_UC in uct or ADDED_MC in mct):
            want.append("added MACs removed from the tables")
        if tag == "f-vlan100" and st.get("vlan") != "all" and sorted(st.get("vlan-table", [])) != [100]:
            want.append("vlan-table [100]")
        if not promisc and got != intent:
            want.append("frames {%s} arrive (ethdev semantics), not {%s}" % (srt(intent), srt(got)))
        if want:
            d = "%s (%s): wanted %s; QMP %s" % (tag, what, ", ".join(want), qmp_brief(st))
            (errs if drv == "net_vnet" else devs).append(d)
    detail = " ".join(summary)
    if devs:
        detail += "; %s deviations from the ethdev semantics (reported, not failed for DPDK's driver): %s" % (
            drv, " | ".join(devs))
    if errs:
        return False, "; ".join(errs) + " [" + detail + "]"
    return True, detail


def check(a):
    sec = sections(a.console)
    try:
        rec = json.load(open(a.record))
    except (OSError, ValueError) as e:
        rec = None
        err = "no host record %s (%s)" % (a.record, e)
    for case, name in (("rss-steering", "rss"), ("rss-off-steering", "rssoff"), ("rx-filter", "filter")):
        if a.cases and case not in a.cases:
            continue
        if rec is None:
            ok, d = False, err
        elif name not in sec:
            ok, d = False, "the guest dumped no '%s' testpmd log (guest failed earlier?)" % name
        elif case == "rss-steering":
            ok, d = check_rss(sec[name], rec, a.driver)
        elif case == "rss-off-steering":
            ok, d = check_rss_off(sec[name], a.driver, a.norss_notice)
        else:
            ok, d = check_filter(sec[name], rec, a.driver)
        print("VNET-CASE %s %s %s" % (case, "PASS" if ok else "FAIL", d))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--console", required=True)
    s.add_argument("--qmp", required=True)
    s.add_argument("--ctl", required=True)
    s.add_argument("--rss-if", required=True)
    s.add_argument("--off-if", required=True)
    s.add_argument("--record", required=True)
    s.add_argument("--timeout", type=float, default=300)
    c = sub.add_parser("check")
    c.add_argument("--console", required=True)
    c.add_argument("--record", required=True)
    c.add_argument("--driver", required=True)
    c.add_argument("--norss-notice", default="the device has no VIRTIO_NET_F_RSS: mq_mode RSS accepted")
    c.add_argument("cases", nargs="*")
    a = ap.parse_args()
    sys.exit(serve(a) if a.cmd == "serve" else check(a))


if __name__ == "__main__":
    main()
