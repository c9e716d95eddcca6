#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Host side of the guest tier's tap offload boot (run.sh tap_offload_case) and of
tests/qemu/tcp-bench.sh: Linux TCP between two host network namespaces through a guest that
runs testpmd on two tap-backed (vnet_hdr=on) virtio-net-pci NICs as a forwarder.

Layout (made by common.sh qg_offload_net): namespaces NSA and NSB; pair N (1..3) = tap
<prefix>aN in NSA (10.77.N.1, MAC 02:77:00:00:0N:0a) and <prefix>bN in NSB (10.77.N.2,
02:77:00:00:0N:0b), static neighbours, no IPv6, tcp_no_metrics_save=1.
Pair 1: default NICs; pair 2: host_mtu=9000,mrg_rxbuf=on; pair 3: host_mtu=9000,mrg_rxbuf=off.

  serve   tails the guest console; on "VNET-SYNC <session>" (guest/offload-test.sh: testpmd
          forwards) runs that session's traffic, records what it saw in --record (JSON) and
          answers "ack <session>" on the guest's ttyS1 (--ctl, QEMU's -serial unix socket).
            io, csum       pair 1: ethtool -k of both taps, nstat before/after in both
                           namespaces, tcpdump on both taps, a random file A->B and B->A over
                           a python TCP socket (sha256 at the receiver)
            jumbo-mrg/-nomrg  pair 2/3 at MTU 9000: ping -s 8972 -M do both ways, the file
                           both ways, then tap A's MTU raised to 9200 and ping -s 9100 -M do
                           (a frame over host_mtu: must not arrive whole or cut at B)
            bench-*        pair 1: iperf3 -J 10 s A->B, nstat TcpRetransSegs of NSA
  check   after QEMU exits: the guest's testpmd logs + the record -> one
          "VNET-CASE <case> PASS|FAIL <detail>" line per session asked for.
  bench   the benchmark table from the record + console (tcp-bench.sh).
  send / recv   the TCP file transfer ends (run inside a namespace).
"""
import argparse
import hashlib
import json
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

from qgnet import ConsoleTail, connect_unix, save_json, sections

PAIR_OF = {"io": 1, "csum": 1, "jumbo-mrg": 2, "jumbo-nomrg": 3}
CASE_OF = {"io": "offload-io", "csum": "offload-csum-tso", "jumbo-mrg": "offload-jumbo-mrg",
           "jumbo-nomrg": "offload-jumbo-nomrg"}
XFER_PORT = 5001
IPERF_PORT = 5201


def ip_a(n):
    return "10.77.%d.1" % n


def ip_b(n):
    return "10.77.%d.2" % n


def nsx(ns, *cmd):
    return ["ip", "netns", "exec", ns] + list(cmd)


def run(cmd, timeout=30):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return 124, (e.stdout or b"").decode("utf-8", "replace") + "\n(timed out)"


# ---------------------------------------------------------------- transfer ends
def cmd_recv(a):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind, a.port))
    s.listen(1)
    s.settimeout(a.timeout)
    print("ready", flush=True)
    res = {"ok": False}
    try:
        c, peer = s.accept()
        c.settimeout(a.timeout)
        h = hashlib.sha256()
        n = 0
        t0 = time.time()
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
        res = {"ok": True, "bytes": n, "sha256": h.hexdigest(), "seconds": time.time() - t0}
    except OSError as e:
        res = {"ok": False, "error": str(e)}
    with open(a.result, "w") as f:
        json.dump(res, f)
    return 0 if res["ok"] else 1


def cmd_send(a):
    data = open(a.file, "rb").read()
    deadline = time.time() + a.timeout
    while True:
        try:
            c = socket.create_connection((a.to, a.port), timeout=a.timeout)
            break
        except OSError as e:
            if time.time() > deadline:
                print(json.dumps({"ok": False, "error": "connect: %s" % e}))
                return 1
            time.sleep(0.3)
    c.settimeout(a.timeout)
    t0 = time.time()
    try:
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        c.recv(1)  # wait for the receiver's close
    except OSError as e:
        print(json.dumps({"ok": False, "error": str(e)}))
        return 1
    c.close()
    print(json.dumps({"ok": True, "bytes": len(data), "seconds": time.time() - t0}))
    return 0


# ---------------------------------------------------------------- host probes
def nstat(ns):
    rc, out = run(nsx(ns, "nstat", "-asz", "TcpInCsumErrors", "TcpRetransSegs", "TcpExtTCPCsumErrors"))
    v = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[1].isdigit():
            v[f[0]] = int(f[1])
    return v


def ethtool_k(ns, dev):
    rc, out = run(nsx(ns, "ethtool", "-k", dev))
    v = {}
    for line in out.splitlines():
        m = re.match(r"\s*([a-z0-9-]+): (on|off)", line)
        if m:
            v[m.group(1)] = m.group(2)
    return {k: v.get(k, "?") for k in ("tx-checksumming", "tcp-segmentation-offload",
                                        "generic-segmentation-offload", "rx-checksumming")}


class Dump:
    """tcpdump on one tap (in its namespace) to a pcap file, headers only"""

    def __init__(self, ns, dev, path):
        self.path = path
        # --immediate-mode: without it libpcap hands frames over a ring block at a time
        # (filled, or after its 1 s timeout), and the SIGINT of stop() drops the block still
        # open: a 16 MB transfer ending less than a second before the stop went uncaptured.
        self.p = subprocess.Popen(nsx(ns, "tcpdump", "--immediate-mode", "-i", dev, "-n", "-s", "96",
                                      "-U", "-w", path, "ip"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t0 = time.time()
        os.set_blocking(self.p.stderr.fileno(), False)
        buf = b""
        while time.time() - t0 < 10:
            try:
                buf += self.p.stderr.read() or b""
            except (BlockingIOError, TypeError):
                pass
            if b"listening on" in buf or self.p.poll() is not None:
                break
            time.sleep(0.1)
        self.err = buf.decode("utf-8", "replace")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return pcap_summary(self.path)


def pcap_summary(path):
    """{"src>dst": {"n", "max", "over1514", "over9014", "truncated"}} of IPv4 frames"""
    res = {}
    try:
        data = open(path, "rb").read()
    except OSError:
        return {"error": "no pcap"}
    if len(data) < 24:
        return res
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(fr) < 34 or fr[12:14] != b"\x08\x00":
            continue
        tot = struct.unpack("!H", fr[16:18])[0]
        key = "%s>%s" % (socket.inet_ntoa(fr[26:30]), socket.inet_ntoa(fr[30:34]))
        s = res.setdefault(key, {"n": 0, "max": 0, "max_mtu9000": 0, "over1514": 0, "over9014": 0,
                                "truncated": 0})
        s["n"] += 1
        s["max"] = max(s["max"], orig)
        if orig <= 9014:
            s["max_mtu9000"] = max(s["max_mtu9000"], orig)
        s["over1514"] += orig > 1514
        s["over9014"] += orig > 9014
        # an IPv4 packet cut short (the frame holds less than the IP total length says)
        s["truncated"] += orig < 14 + tot
    return res


def transfer(a, sess, frm, to, n, path, size):
    """the file from namespace frm to namespace to over pair n; returns a record"""
    src_ip, dst_ip = (ip_a(n), ip_b(n)) if frm == a.nsa else (ip_b(n), ip_a(n))
    res_path = os.path.join(a.workdir, "%s-%s.recv.json" % (sess, "ab" if frm == a.nsa else "ba"))
    try:
        os.unlink(res_path)
    except OSError:
        pass
    r = subprocess.Popen(nsx(to, sys.executable, __file__, "recv", "--bind", dst_ip, "--port",
                             str(XFER_PORT), "--result", res_path, "--timeout", "60"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    r.stdout.readline()
    rc, out = run(nsx(frm, sys.executable, __file__, "send", "--to", dst_ip, "--port",
                      str(XFER_PORT), "--file", path, "--timeout", "60"), timeout=90)
    try:
        r.wait(70)
    except subprocess.TimeoutExpired:
        r.kill()
        r.wait()
    try:
        got = json.load(open(res_path))
    except (OSError, ValueError):
        got = {"ok": False, "error": "receiver wrote no result"}
    try:
        sent = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        sent = {"ok": False, "error": out[-300:]}
    return {"from": src_ip, "to": dst_ip, "bytes": size, "sha256": file_sha(path),
            "sent": sent, "got": got}


def file_sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def ping(ns, dst, size, count=3):
    rc, out = run(nsx(ns, "ping", "-c", str(count), "-i", "0.3", "-W", "3", "-s", str(size), "-M", "do", dst),
                  timeout=count * 4 + 10)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    return {"sent": int(m.group(1)) if m else 0, "received": int(m.group(2)) if m else 0,
            "rc": rc, "tail": out.strip().splitlines()[-3:] if out.strip() else []}


def randfile(workdir, mb):
    p = os.path.join(workdir, "rand-%dM.bin" % mb)
    if not os.path.exists(p) or os.path.getsize(p) != mb << 20:
        with open(p, "wb") as f:
            f.write(os.urandom(mb << 20))
    return p


def tap(a, side, n):
    return "%s%s%d" % (a.prefix, side, n)


def session_traffic(a, sess):
    n = PAIR_OF[sess]
    ta, tb = tap(a, "a", n), tap(a, "b", n)
    rec = {"pair": n, "ethtool": {ta: ethtool_k(a.nsa, ta), tb: ethtool_k(a.nsb, tb)},
           "nstat0": {a.nsa: nstat(a.nsa), a.nsb: nstat(a.nsb)}}
    wd = a.workdir
    da = Dump(a.nsa, ta, os.path.join(wd, "%s-%s.pcap" % (sess, ta)))
    db = Dump(a.nsb, tb, os.path.join(wd, "%s-%s.pcap" % (sess, tb)))
    jumbo = sess.startswith("jumbo")
    if jumbo:
        rec["ping_ab"] = ping(a.nsa, ip_b(n), 8972)
        rec["ping_ba"] = ping(a.nsb, ip_a(n), 8972)
    f = randfile(wd, 8 if jumbo else 16)
    rec["xfer_ab"] = transfer(a, sess, a.nsa, a.nsb, n, f, os.path.getsize(f))
    rec["xfer_ba"] = transfer(a, sess, a.nsb, a.nsa, n, f, os.path.getsize(f))
    if jumbo:
        # a frame over host_mtu: tap A's MTU above the guest's, DF set
        run(nsx(a.nsa, "ip", "link", "set", ta, "mtu", "9200"))
        time.sleep(0.5)
        rec["ping_over"] = ping(a.nsa, ip_b(n), 9100)
        run(nsx(a.nsa, "ip", "link", "set", ta, "mtu", "9000"))
    time.sleep(0.5)
    rec["pcap"] = {ta: da.stop(), tb: db.stop()}
    rec["tcpdump_err"] = {ta: da.err[-200:], tb: db.err[-200:]}
    rec["nstat1"] = {a.nsa: nstat(a.nsa), a.nsb: nstat(a.nsb)}
    rec["ethtool_after"] = {ta: ethtool_k(a.nsa, ta), tb: ethtool_k(a.nsb, tb)}
    return rec


def bench_traffic(a, sess):
    n = 1
    n0 = nstat(a.nsa)
    srv = subprocess.Popen(nsx(a.nsb, "iperf3", "-s", "-1", "-B", ip_b(n), "-p", str(IPERF_PORT)),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    # --bench-rate: an offered load below both forwarders' capacity compares TX drops at the
    # same load (unlimited TCP grows its window until the faster forwarder drops too)
    rate = ["-b", a.bench_rate] if a.bench_rate else []
    rc, out = run(nsx(a.nsa, "iperf3", "-c", ip_b(n), "-B", ip_a(n), "-p", str(IPERF_PORT),
                      "-t", str(a.bench_seconds), "-J", *rate), timeout=a.bench_seconds + 40)
    try:
        srv.wait(10)
    except subprocess.TimeoutExpired:
        srv.kill()
        srv.wait()
    n1 = nstat(a.nsa)
    rec = {"rc": rc, "retrans_nstat": n1.get("TcpRetransSegs", 0) - n0.get("TcpRetransSegs", 0)}
    try:
        j = json.loads(out)
        rec["error"] = j.get("error")
        end = j.get("end", {})
        rec["bps"] = end.get("sum_received", {}).get("bits_per_second", 0)
        rec["bytes"] = end.get("sum_received", {}).get("bytes", 0)
        rec["retrans"] = end.get("sum_sent", {}).get("retransmits")
    except ValueError:
        rec["error"] = "iperf3 output is not JSON: " + out[-200:]
    rec["ethtool"] = {tap(a, "a", 1): ethtool_k(a.nsa, tap(a, "a", 1))}
    return rec


def cmd_serve(a):
    t0 = time.time()
    deadline = t0 + a.timeout

    def log(msg):
        print("%7.2f %s" % (time.time() - t0, msg), flush=True)

    rec = {"sessions": {}}
    save_json(a.record, rec)
    ctl = connect_unix(a.ctl, deadline)
    if ctl is None:
        log("cannot connect to the control serial socket " + a.ctl)
        return 1
    log("connected to the guest's ttyS1")
    tail = ConsoleTail(a.console, deadline)
    for line in tail:
        m = re.match(r"VNET-SYNC (\S+)( noforward)?", line)
        if not m:
            continue
        sess = m.group(1)
        ts = time.time()
        try:
            if m.group(2):
                r = {"error": "testpmd did not start forwarding (guest log)"}
            elif sess.startswith("bench-"):
                r = bench_traffic(a, sess)
            elif sess in PAIR_OF:
                r = session_traffic(a, sess)
            else:
                r = {"error": "unknown session"}
        except Exception as e:  # keep serving: the verdict reports it
            r = {"error": "host side raised %r" % e}
        r["host_seconds"] = round(time.time() - ts, 1)
        rec["sessions"][sess] = r
        save_json(a.record, rec)
        ctl.sendall(("ack %s\n" % sess).encode())
        log("session %s: host side done in %.1f s, acked" % (sess, r["host_seconds"]))
    log("done (%s)" % ("guest finished" if tail.done else "deadline"))
    return 0


# ---------------------------------------------------------------- check
def parse_tp(lines):
    """testpmd log -> dict: rc, seconds, probes, drivers, mtu, fwd (per port), stats, xstats"""
    t = {"rc": None, "seconds": None, "probes": [], "drivers": [], "mtu": {}, "fwd": {},
         "stats": {}, "xstats": {}, "errors": []}
    mode, port = None, None
    for l in lines:
        m = re.search(r"VNET-TP-EXIT (\d+)", l)
        if m:
            t["rc"] = int(m.group(1))
        m = re.search(r"VNET-TP-SECONDS (\d+)", l)
        if m:
            t["seconds"] = int(m.group(1))
        m = re.search(r"EAL: Probe PCI driver: (\S+)", l)
        if m:
            t["probes"].append(m.group(1))
        m = re.search(r"Driver name: (\S+)", l)
        if m:
            t["drivers"].append(m.group(1))
        if re.search(r"doesn't match|Fail|fail|not supported|Invalid|invalid|rror", l) and \
                not re.search(r"RX-errors|TX-errors|errors: |Bad-", l):
            t["errors"].append(l.strip())
        m = re.search(r"Infos for port (\d+)", l)
        if m:
            mode, port = "info", int(m.group(1))
            continue
        m = re.search(r"Forward statistics for port (\d+)", l)
        if m:
            mode, port = "fwd", int(m.group(1))
            t["fwd"][port] = {}
            continue
        m = re.search(r"NIC statistics for port (\d+)", l)
        if m:
            mode, port = "stats", int(m.group(1))
            t["stats"][port] = {}
            continue
        m = re.search(r"NIC extended statistics for port (\d+)", l)
        if m:
            mode, port = "xstats", int(m.group(1))
            t["xstats"][port] = {}
            continue
        if re.search(r"Accumulated forward statistics", l):
            mode = None
            continue
        if mode == "info":
            m = re.match(r"\s*MTU: (\d+)", l)
            if m:
                t["mtu"][port] = int(m.group(1))
        elif mode in ("fwd", "stats"):
            for k, v in re.findall(r"([A-Za-z][A-Za-z0-9-]*): +(\d+)", l):
                t[mode][port][k] = int(v)
        elif mode == "xstats":
            m = re.match(r"\s*([a-z_0-9]+): (\d+)$", l)
            if m:
                t["xstats"][port][m.group(1)] = int(m.group(2))
            elif l.strip() and not l.strip().startswith("#"):
                mode = None
    return t


def xfer_ok(x):
    if not x:
        return "no transfer"
    g = x.get("got", {})
    if not g.get("ok"):
        return "receive failed: %s (sender: %s)" % (g.get("error"), x.get("sent", {}).get("error"))
    if g.get("bytes") != x["bytes"]:
        return "received %s of %d bytes" % (g.get("bytes"), x["bytes"])
    if g.get("sha256") != x["sha256"]:
        return "sha256 differs (%s... vs %s...)" % (g.get("sha256", "")[:12], x["sha256"][:12])
    return None


def mbps(x):
    g = x.get("got", {})
    s = g.get("seconds") or 0
    return "%.0f" % (g.get("bytes", 0) * 8 / s / 1e6) if s else "?"


def judge(sess, r, t, drv):
    """-> (ok, detail)"""
    errs, notes = [], []
    n = PAIR_OF[sess]
    if t is None:
        return False, "no testpmd log for session %s (guest did not run it)" % sess
    if t["rc"] != 0:
        errs.append("testpmd exit status %s" % t["rc"])
    if t["probes"].count(drv) != 2 or len(t["probes"]) != 2:
        errs.append("expected 2 ports probed by %s, got %s" % (drv, t["probes"]))
    if len(t["fwd"]) != 2:
        key = [e for e in t["errors"] if re.search(r"doesn't match|Fail to", e)]
        key += [e for e in t["errors"] if re.search(r"not supported|rror", e) and e not in key
                and "error handling mode" not in e]
        errs.append("testpmd did not forward (configure or start failed: %s)" % "; ".join(key[:4]))
    if r is None or "error" in r:
        errs.append("host side: %s" % ("never synced" if r is None else r["error"]))
        return False, "; ".join(errs)
    ta, tb = tap_names(r)
    for k in ("xfer_ab", "xfer_ba"):
        e = xfer_ok(r.get(k))
        if e:
            errs.append("%s: %s" % (k, e))
    for ns in r["nstat1"]:
        d = r["nstat1"][ns].get("TcpInCsumErrors", 0) - r["nstat0"][ns].get("TcpInCsumErrors", 0)
        if d:
            errs.append("TcpInCsumErrors +%d in %s" % (d, ns))
    pc = r["pcap"]
    ab = "%s>%s" % (ip_a(n), ip_b(n))
    ba = "%s>%s" % (ip_b(n), ip_a(n))

    def pstat(tp, key, f):
        return pc.get(tp, {}).get(key, {}).get(f, 0)

    trunc = sum(s.get("truncated", 0) for tp in pc.values() for s in tp.values() if isinstance(s, dict))
    if trunc:
        errs.append("%d truncated IPv4 frames on the taps" % trunc)
    fwd = t["fwd"]
    st = t["stats"]
    if sess == "io":
        for tp in (ta, tb):
            e = r["ethtool"][tp]
            if e["tx-checksumming"] != "off" or e["tcp-segmentation-offload"] != "off":
                errs.append("%s has offloads on (tx-checksumming %s, TSO %s): the driver negotiated GUEST_CSUM/TSO without the application asking"
                            % (tp, e["tx-checksumming"], e["tcp-segmentation-offload"]))
        big = pstat(tb, ab, "over1514") + pstat(ta, ba, "over1514")
        if big:
            errs.append("%d frames above 1514 bytes left the guest with no TSO asked" % big)
        notes.append("A->B %s Mbit/s, B->A %s Mbit/s" % (mbps(r["xfer_ab"]), mbps(r["xfer_ba"])))
        notes.append("taps: tx-csum %s/%s TSO %s/%s" % (r["ethtool"][ta]["tx-checksumming"], r["ethtool"][tb]["tx-checksumming"],
                                                      r["ethtool"][ta]["tcp-segmentation-offload"], r["ethtool"][tb]["tcp-segmentation-offload"]))
    elif sess == "csum":
        for tp in (ta, tb):
            e = r["ethtool"][tp]
            if e["tx-checksumming"] != "on" or e["tcp-segmentation-offload"] != "on":
                errs.append("%s: offloads not on (tx-checksumming %s, TSO %s): GUEST_CSUM/GUEST_TSO not negotiated"
                            % (tp, e["tx-checksumming"], e["tcp-segmentation-offload"]))
        gso_in = pstat(ta, ab, "over1514"), pstat(tb, ba, "over1514")
        tso_out = pstat(tb, ab, "over1514"), pstat(ta, ba, "over1514")
        if not all(gso_in):
            errs.append("the hosts sent no GSO frames into the taps (A->B %d, B->A %d)" % gso_in)
        if not all(tso_out):
            errs.append("no frames above the MTU left the guest (TSO): A->B on %s %d, B->A on %s %d"
                        % (tb, tso_out[0], ta, tso_out[1]))
        lro = []
        for p in (0, 1):
            xs = t["xstats"].get(p, {})
            big = sum(v for k, v in xs.items() if re.match(r"rx_q\d+_size_1519_max_packets$", k))
            s = st.get(p, {})
            avg = s.get("RX-bytes", 0) / s["RX-packets"] if s.get("RX-packets") else 0
            lro.append((big, avg))
            if big == 0 and avg <= 1514:
                errs.append("port %d: no LRO frames (rx size 1519-max xstats 0, average RX frame %.0f bytes)" % (p, avg))
        # the driver's own RX/TX counters that explain a failure (vnet: rx_qN_oversize,
        # rx_qN_bad_hdr, rx_qN_lro_packets, rx_qN_csum_sw, tx_qN_ring_full)
        for p in (0, 1):
            dx = {k: v for k, v in t["xstats"].get(p, {}).items() if v and re.search(
                r"(oversize|bad_hdr|bad_num|lro|csum_sw|ring_full|broken|^rx_errors$|nombuf)", k)}
            if dx:
                notes.append("port %d xstats %s" % (p, ",".join("%s=%d" % kv for kv in sorted(dx.items()))))
        bad = [fwd[p].get("Bad-l4csum", 0) for p in sorted(fwd)]
        notes.append("GSO into guest %d/%d, TSO out %d/%d frames > 1514; LRO port0 1519-max %d avg %.0f B, port1 %d avg %.0f B; Bad-l4csum %s"
                     % (gso_in + tso_out + lro[0] + lro[1] + (bad,)))
        notes.append("A->B %s Mbit/s, B->A %s Mbit/s" % (mbps(r["xfer_ab"]), mbps(r["xfer_ba"])))
    else:  # jumbo
        for p in (0, 1):
            if t["mtu"].get(p) != 9000:
                errs.append("port %d MTU %s after port config mtu 9000" % (p, t["mtu"].get(p)))
        for k in ("ping_ab", "ping_ba"):
            pg = r.get(k, {})
            if pg.get("received", 0) != pg.get("sent", -1) or not pg.get("sent"):
                errs.append("%s -s 8972 -M do: %s/%s replies" % (k, pg.get("received"), pg.get("sent")))
        j_ab, j_ba = pstat(tb, ab, "max_mtu9000"), pstat(ta, ba, "max_mtu9000")
        if j_ab != 9014 or j_ba != 9014:
            errs.append("largest frames at the receiving taps %d (A->B) / %d (B->A), expected 9014" % (j_ab, j_ba))
        notes.append("pings 8972 ok, TCP A->B %s Mbit/s, B->A %s Mbit/s" % (mbps(r["xfer_ab"]), mbps(r["xfer_ba"])))
    if errs:
        return False, "; ".join(errs) + " || " + "; ".join(notes)
    return True, "; ".join(notes)


def overmtu(sess, r, t):
    """the over-MTU part of a jumbo session -> (sent, arrived, replies, counted, text)"""
    n = PAIR_OF[sess]
    ta, tb = tap_names(r)
    ab = "%s>%s" % (ip_a(n), ip_b(n))
    pc = r.get("pcap", {})
    sent = pc.get(ta, {}).get(ab, {}).get("over9014", 0)
    arrived = pc.get(tb, {}).get(ab, {}).get("over9014", 0)
    po = r.get("ping_over", {})
    s0, x0 = t["stats"].get(0, {}), t["xstats"].get(0, {})
    drops = {k: v for k, v in x0.items() if v and re.search(r"(err|drop|oversize|too_long|long|mtu)", k)
             and not re.search(r"size_\d", k)}
    counted = s0.get("RX-errors", 0) + s0.get("RX-missed", 0) + sum(drops.values())
    text = "%s: %d frames of 9142 bytes (ping -s 9100 -M do, tap MTU 9200) left %s, %d arrived at %s, %d replies; port 0 RX-errors %d RX-missed %d%s" % (
        sess, sent, ta, arrived, tb, po.get("received", 0), s0.get("RX-errors", 0), s0.get("RX-missed", 0),
        (" xstats " + ",".join("%s=%d" % kv for kv in drops.items())) if drops else "")
    return sent, arrived, po.get("received", 0), counted, text


def tap_names(r):
    taps = list(r["ethtool"].keys())
    return taps[0], taps[1]


def judge_overmtu(jsess, rec, secs, drv):
    """offload-overmtu over the jumbo sessions that ran -> (verdict, detail)"""
    errs, notes = [], []
    for sess in jsess:
        r = rec["sessions"].get(sess)
        t = parse_tp(secs[sess]) if sess in secs else None
        if not r or "error" in r or t is None or len(t["fwd"]) != 2:
            errs.append("%s: the session did not forward (see %s)" % (sess, CASE_OF[sess]))
            continue
        sent, arrived, replies, counted, text = overmtu(sess, r, t)
        notes.append(text)
        if sent == 0 and replies == 0 and arrived == 0:
            errs.append("%s: no over-MTU frame seen on the sending tap" % sess)
        elif arrived or replies:
            errs.append("%s: an over-MTU frame crossed the forwarder" % sess)
        elif counted == 0:
            errs.append("%s: over-MTU frames dropped but counted nowhere (port stats, xstats)" % sess)
    if drv != "net_vnet":
        return "SKIP", "vnet-only (driver %s has no RX length check: %s)" % (drv, "; ".join(notes))
    if errs:
        return "FAIL", "; ".join(errs) + " || " + "; ".join(notes)
    return "PASS", "; ".join(notes)


def cmd_check(a):
    secs = sections(a.console)
    try:
        rec = json.load(open(a.record))
    except (OSError, ValueError):
        rec = {"sessions": {}}
    for sess in a.sessions.split():
        t = parse_tp(secs[sess]) if sess in secs else None
        r = rec["sessions"].get(sess)
        try:
            ok, detail = judge(sess, r, t, a.driver)
        except Exception as e:
            ok, detail = False, "check raised %r" % e
        secs_s = t["seconds"] if t and t["seconds"] is not None else 0
        print("VNET-CASE %s %s %d %s" % (CASE_OF[sess], "PASS" if ok else "FAIL", secs_s, detail))
        if not ok and t:
            print("  testpmd error lines: %s" % " | ".join(t["errors"][:8]))
            print("  port stats: %s" % json.dumps(t["stats"]))
            print("  forward stats: %s" % json.dumps(t["fwd"]))
        if r:
            print("  host: %s" % json.dumps({k: v for k, v in r.items() if k != "tcpdump_err"}))
    jsess = [x for x in a.sessions.split() if x.startswith("jumbo")]
    if jsess:
        try:
            v, detail = judge_overmtu(jsess, rec, secs, a.driver)
        except Exception as e:
            v, detail = "FAIL", "check raised %r" % e
        print("VNET-CASE offload-overmtu %s 0 %s" % (v, detail))
    return 0


# ---------------------------------------------------------------- bench
def cmd_bench(a):
    secs = sections(a.console)
    try:
        rec = json.load(open(a.record))
    except (OSError, ValueError):
        rec = {"sessions": {}}
    rows = []
    for sess in a.sessions.split():
        _, rep, drv, eng = sess.split("-")
        t = parse_tp(secs[sess]) if sess in secs else None
        r = rec["sessions"].get(sess, {})
        txd = sum(f.get("TX-dropped", 0) for f in t["fwd"].values()) if t else None
        rxp = sum(f.get("RX-packets", 0) for f in t["fwd"].values()) if t else None
        dname = "net_vnet" if drv in ("vnet", "vnetb") else "net_virtio"
        probe_ok = t is not None and t["probes"].count(dname) == 2
        row = {"rep": int(rep), "driver": drv, "engine": eng, "gbps": (r.get("bps") or 0) / 1e9,
               "retrans": r.get("retrans"), "retrans_nstat": r.get("retrans_nstat"),
               "tx_dropped": txd, "rx_packets": rxp, "error": r.get("error"),
               "testpmd_rc": t["rc"] if t else None, "probe_ok": probe_ok,
               "tap_tso": r.get("ethtool", {}).get(list(r.get("ethtool", {"": {}}).keys())[0], {}).get("tcp-segmentation-offload") if r.get("ethtool") else None}
        if t and not probe_ok:
            row["error"] = (row["error"] or "") + " probes %s" % t["probes"]
        if t and t["rc"] != 0:
            row["error"] = (row["error"] or "") + " testpmd rc %s; %s" % (t["rc"], "; ".join(t["errors"][:3]))
        rows.append(row)
    print("%-4s %-7s %-5s %9s %8s %8s %11s %11s %5s  %s" % ("rep", "driver", "eng", "Gbit/s", "retrans", "rtx-nst",
                                                         "TX-dropped", "RX-packets", "tso", "error"))
    for w in rows:
        print("%-4d %-7s %-5s %9.3f %8s %8s %11s %11s %5s  %s" % (w["rep"], w["driver"], w["engine"], w["gbps"],
                                                              w["retrans"], w["retrans_nstat"], w["tx_dropped"],
                                                              w["rx_packets"], w["tap_tso"], w["error"] or ""))
    print()
    print("summary (median over pairs of vnet/virtio per repetition; min-max in brackets)")
    summ = []
    for eng in ("io", "csum"):
        ratios, drops = [], {"vnet": [], "virtio": [], "vnetb": []}
        dfrac = {"vnet": [], "virtio": [], "vnetb": []}
        gb = {"vnet": [], "virtio": [], "vnetb": []}
        ab = {"vnet/virtio": ratios, "vnetb/virtio": [], "vnetb/vnet": []}
        for rep in sorted({w["rep"] for w in rows}):
            pr = {w["driver"]: w for w in rows if w["rep"] == rep and w["engine"] == eng}
            for k, out in ab.items():
                x, y = k.split("/")
                if x in pr and y in pr and pr[y]["gbps"] > 0 and not pr[x]["error"] and not pr[y]["error"]:
                    out.append(pr[x]["gbps"] / pr[y]["gbps"])
            for d in pr:
                if not pr[d]["error"]:
                    gb[d].append(pr[d]["gbps"])
                    drops[d].append(pr[d]["tx_dropped"] or 0)
                    if pr[d]["rx_packets"]:
                        dfrac[d].append(1e3 * (pr[d]["tx_dropped"] or 0) / pr[d]["rx_packets"])
        def med(v, f="%.3f"):
            return (f % statistics.median(v) + " [" + f % min(v) + "-" + f % max(v) + "]") if v else "-"
        line = "%-5s throughput vnet/virtio %s (%d pairs); Gbit/s vnet %s, virtio %s; TX-dropped vnet %s, virtio %s" % (
            eng, med(ratios), len(ratios), med(gb["vnet"]), med(gb["virtio"]), med(drops["vnet"], "%d"), med(drops["virtio"], "%d"))
        print(line)
        print("%-5s TX-dropped per 1000 RX packets: vnet %s, virtio %s" % (
            eng, med(dfrac["vnet"], "%.2f"), med(dfrac["virtio"], "%.2f")))
        if gb["vnetb"] or ab["vnetb/virtio"]:
            print("%-5s vnetb: throughput vnetb/virtio %s, vnetb/vnet %s; Gbit/s %s; TX-dropped per 1000 RX packets %s" % (
                eng, med(ab["vnetb/virtio"]), med(ab["vnetb/vnet"]), med(gb["vnetb"]), med(dfrac["vnetb"], "%.2f")))
        summ.append({"engine": eng, "ratios": ratios, "gbps": gb, "tx_dropped": drops,
                     "tx_dropped_per_1000_rx": dfrac,
                     "ab_ratios": {k: v for k, v in ab.items() if k.startswith("vnetb")}})
    if a.json:
        save_json(a.json, {"rows": rows, "summary": summ})
    return 0


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    s = sp.add_parser("serve")
    s.add_argument("--console", required=True)
    s.add_argument("--ctl", required=True)
    s.add_argument("--record", required=True)
    s.add_argument("--workdir", required=True)
    s.add_argument("--nsa", required=True)
    s.add_argument("--nsb", required=True)
    s.add_argument("--prefix", required=True)
    s.add_argument("--timeout", type=float, default=600)
    s.add_argument("--bench-seconds", type=int, default=10)
    s.add_argument("--bench-rate", default="", help="iperf3 -b (e.g. 400M); default unlimited")
    c = sp.add_parser("check")
    c.add_argument("--console", required=True)
    c.add_argument("--record", required=True)
    c.add_argument("--driver", required=True)
    c.add_argument("--sessions", required=True)
    b = sp.add_parser("bench")
    b.add_argument("--console", required=True)
    b.add_argument("--record", required=True)
    b.add_argument("--sessions", required=True)
    b.add_argument("--json")
    r = sp.add_parser("recv")
    r.add_argument("--bind", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--result", required=True)
    r.add_argument("--timeout", type=float, default=60)
    t = sp.add_parser("send")
    t.add_argument("--to", required=True)
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--file", required=True)
    t.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    return {"serve": cmd_serve, "check": cmd_check, "bench": cmd_bench, "recv": cmd_recv,
            "send": cmd_send}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
