#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vnet authors
"""A ring-running, hostile vhost-user backend for vnet's host tier (python3 stdlib only).

    ring_backend.py MODE SOCKET_PATH [--timeout S] [--frames N] [--done-file PATH]

Listens on SOCKET_PATH (vnet, net_vnet_user0,path=SOCKET_PATH, connects as client), does
the real handshake (VERSION_1, MRG_RXBUF, PROTOCOL_FEATURES with MQ and REPLY_ACK; every
NEED_REPLY acked), maps the memory regions of SET_MEM_TABLE (SCM_RIGHTS fds, MAP_SHARED,
mmap_offset), translates ring addresses (frontend virtual addresses, via user_addr) and
descriptor addresses (via guest_addr) through them, and then plays the device on RX queue 0
(virtqueue 0): it takes the buffers vnet posted and writes frames and used entries as MODE
says. It signals the queue's call eventfd (SET_VRING_CALL) after a used idx update unless
vnet set VRING_AVAIL_F_NO_INTERRUPT (vnet arms RX interrupts by clearing it).

Frames: frame SEQ of length LEN (sizes from a fixed list, 60..1514) is
    dst 02:76:6e:00:00:01, src 02:76:6e:00:00:02, ethertype 0x88b5, "VNH1", SEQ (u32 LE),
    LEN (u16 LE), then byte i = (SEQ * 7 + i * 13 + (i >> 8)) & 0xff
(vnet_hostile_test.c checks every byte). A frame goes into as many posted buffers as it
needs (12-byte header with num_buffers first, every buffer but the last filled completely).

Modes (GOOD = --frames good frames, 8 by default; "then" waits 0.5 s first so that vnet has
taken everything before):
    good            --frames frames (300 by default: the 16-bit indexes pass 256 and
                    vnet refills) of 1, 2 and 3 buffers
    mrg-zero        GOOD, then one full buffer whose header says num_buffers 0, then GOOD
    mrg-huge        GOOD, then one full buffer with num_buffers = ring size + 1, then GOOD
    mrg-short       GOOD, then a frame whose header says num_buffers 3 in 2 full buffers,
                    and nothing after it (the third buffer never comes)
    bad-id          GOOD, then a used entry with id = ring size, then GOOD
    not-inflight    GOOD, then one frame whose id is used twice (both entries published
                    by one used idx update), then GOOD
    bad-len         GOOD, then a used entry whose len is the buffer's len + 1, then GOOD
    used-idx-jump   GOOD, then used idx moved by ring size + 1 (no new entries), then GOOD
    tx-bad-id       RX idle; TX queue 0 (virtqueue 1): completes the first 64 chains
                    correctly, then one used entry with id = ring size
    tx-used-idx-jump  TX queue 0: 64 chains completed, then used idx moved by ring size + 1
    recover-rx      GOOD, then a used entry with id = ring size (vnet's queue breaks and vnet
                    recovers: it stops the rings, GET_VRING_BASE, and sets them up again);
                    on the second run of the ring GOOD more frames (sequence numbers after
                    the lost one). --done-file only after the second run.
    recover-tx      TX queue 0: 64 chains completed, then used id = ring size; on the second
                    run every chain vnet posts is completed until none comes for 1 s.

Prints one line per message and per script step ("script complete" at the end); at
GET_VRING_BASE of the played queue it prints whether the script had completed before vnet
stopped the ring ("stop vq N: script complete" or "... INCOMPLETE"), and creates
--done-file once the script is over (vnet-hostile-test waits for it). Exits when the peer
closes or after --timeout seconds.
"""

import array
import mmap
import os
import socket
import struct
import sys
import threading
import time

from vhost_user import (HDR, U64, VERSION, REPLY, NEED_REPLY, GET_FEATURES, SET_FEATURES,
                        SET_MEM_TABLE, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE,
                        GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL, GET_PROTOCOL_FEATURES,
                        SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE, NAMES,
                        F_MRG_RXBUF, F_PROTOCOL_FEATURES, F_VERSION_1, PROTO_FEATURES,
                        recv_exact)
import vhost_user

FEATURES = (1 << F_VERSION_1) | (1 << F_PROTOCOL_FEATURES) | (1 << F_MRG_RXBUF)

DESC_F_NEXT = 1
DESC_F_WRITE = 2
DESC_F_INDIRECT = 4
NET_HDR_MRG = 12

SIZES = [60, 500, 512, 513, 1000, 1514, 61, 1036, 1037, 128, 1200, 524]

T0 = time.monotonic()


def log(*a):
    print("ring-backend: [%.3f]" % (time.monotonic() - T0), *a, flush=True)


class Stop(Exception):
    pass


def frame(seq, length):
    b = bytearray(length)
    b[0:6] = bytes([0x02, 0x76, 0x6e, 0x00, 0x00, 0x01])
    b[6:12] = bytes([0x02, 0x76, 0x6e, 0x00, 0x00, 0x02])
    b[12:14] = b"\x88\xb5"
    b[14:18] = b"VNH1"
    struct.pack_into("<IH", b, 18, seq, length)
    for i in range(24, length):
        b[i] = (seq * 7 + i * 13 + (i >> 8)) & 0xff
    return bytes(b)


class Memory:
    """The regions of the last SET_MEM_TABLE, mapped."""

    def __init__(self):
        self.regions = []       # (guest_addr, size, user_addr, mmap, base offset in the mmap)

    def set_table(self, payload, fds):
        nregions, = struct.unpack_from("<I", payload, 0)
        if nregions != len(fds):
            raise Stop("SET_MEM_TABLE: %u regions but %u fds" % (nregions, len(fds)))
        new = []
        for i in range(nregions):
            ga, size, ua, off = struct.unpack_from("<QQQQ", payload, 8 + 32 * i)
            # As DPDK's vhost library does: map from the file start, use from mmap_offset
            # (hugetlbfs wants huge-page-aligned offsets; the length is rounded by the kernel).
            mm = mmap.mmap(fds[i], size + off, flags=mmap.MAP_SHARED,
                           prot=mmap.PROT_READ | mmap.PROT_WRITE)
            new.append((ga, size, ua, mm, off))
            log("region %u: guest 0x%x size 0x%x user 0x%x mmap_offset 0x%x" %
                (i, ga, size, ua, off))
        for fd in fds:
            os.close(fd)
        old, self.regions = self.regions, new
        for r in old:
            try:
                r[3].close()
            except BufferError:
                pass

    def _xlate(self, addr, length, user):
        for ga, size, ua, mm, off in self.regions:
            start = ua if user else ga
            if start <= addr and addr + length <= start + size:
                return mm, off + (addr - start)
        raise Stop("address 0x%x (+%u) is in no region (%s address)" %
                   (addr, length, "user" if user else "guest"))

    def user(self, addr, length):
        return self._xlate(addr, length, True)

    def guest(self, addr, length):
        return self._xlate(addr, length, False)


class Vq:
    def __init__(self, idx):
        self.idx = idx
        self.num = 0
        self.base = 0
        self.addrs = None
        self.enabled = False
        self.kick = False
        self.callfd = -1
        self.signals = 0

    def attach(self, mem):
        """Map the three ring parts (split ring, 2.7).

        The indexes vnet and this backend update concurrently (avail idx, used idx) go
        through native memoryview casts: one 16-bit load or store each. struct's "<H"
        reads and writes them a byte at a time (a torn avail idx read as 0 while vnet
        moves it from 192 to 256 made this backend pop stale heads)."""
        d, a, u = self.addrs
        n = self.num
        self.desc = mem.user(d, 16 * n)
        self.avail = mem.user(a, 6 + 2 * n)
        self.used = mem.user(u, 6 + 8 * n)
        mm, off = self.avail
        self.avail16 = memoryview(mm)[off:off + 4 + 2 * n].cast("H")
        mm, off = self.used
        self.used16 = memoryview(mm)[off:off + 4].cast("H")
        self.last_avail = self.base
        self.used_idx = self.base

    def release(self):
        for v in ("avail16", "used16"):
            if hasattr(self, v):
                getattr(self, v).release()
                delattr(self, v)

    def avail_idx(self):
        return self.avail16[1]

    def avail_ring(self, i):
        return self.avail16[2 + i % self.num]

    def desc_at(self, i):
        mm, off = self.desc
        return struct.unpack_from("<QIHH", mm, off + 16 * i)

    def put_used(self, k, vid, vlen):
        """Used entry at used_idx + k (not yet published; vnet reads it only after the
        used idx store below, and x86 keeps stores in order)."""
        mm, off = self.used
        struct.pack_into("<II", mm, off + 4 + 8 * ((self.used_idx + k) % self.num), vid, vlen)

    def publish(self, n):
        """Move used idx by n: one 16-bit store."""
        self.used_idx = (self.used_idx + n) & 0xffff
        self.used16[1] = self.used_idx
        # Used buffer notification (2.7.10): unless the driver set VRING_AVAIL_F_NO_INTERRUPT
        # (no EVENT_IDX is offered). vnet arms RX interrupts by clearing it.
        if self.callfd >= 0 and not self.avail16[0] & 1:
            os.write(self.callfd, struct.pack("<Q", 1))
            self.signals += 1


class Device(threading.Thread):
    """Plays the device on one virtqueue according to the mode's script."""

    def __init__(self, be, vq):
        super().__init__(daemon=True)
        self.be = be
        self.vq = vq
        self.mem = be.mem
        self.stop = False
        self.round = be.rounds
        self.complete = False
        self.error = None

    # -- avail side --
    def pop(self, timeout=5.0):
        """Next avail chain: (head, [(addr, len, flags)...]) or Stop."""
        vq = self.vq
        end = time.monotonic() + timeout
        while True:
            ahead = (vq.avail_idx() - vq.last_avail) & 0xffff
            if ahead > vq.num:
                raise Stop("vnet's avail idx %u is %u ahead of %u (ring %u)" %
                           (vq.avail_idx(), ahead, vq.last_avail, vq.num))
            if ahead > 0:
                break
            if self.stop:
                raise Stop("stopped")
            if time.monotonic() > end:
                raise Stop("no buffer posted within %.1f s (avail idx %u)" %
                           (timeout, vq.last_avail))
            time.sleep(0.0005)
        head = vq.avail_ring(vq.last_avail)
        vq.last_avail = (vq.last_avail + 1) & 0xffff
        if head >= vq.num:
            raise Stop("vnet posted head %u >= ring size %u" % (head, vq.num))
        chain, i = [], head
        while True:
            addr, length, flags, nxt = self.vq.desc_at(i)
            if flags & DESC_F_INDIRECT:
                raise Stop("indirect descriptor (not offered)")
            chain.append((addr, length, flags))
            if not flags & DESC_F_NEXT:
                break
            if len(chain) >= vq.num or nxt >= vq.num:
                raise Stop("bad descriptor chain from head %u" % head)
            i = nxt
        return head, chain

    def pop_rx(self):
        head, chain = self.pop()
        if len(chain) != 1 or not chain[0][2] & DESC_F_WRITE:
            raise Stop("RX chain of head %u: %r (expected one writable descriptor)" %
                       (head, chain))
        return head, chain[0][0], chain[0][1]

    def write(self, addr, data):
        mm, off = self.mem.guest(addr, len(data))
        mm[off:off + len(data)] = data

    # -- RX frames --
    def rx_frame(self, seq, length, num_buffers=None, max_bufs=None, publish=True):
        """Frame seq into as many buffers as it needs; returns the used entries written."""
        data = bytearray(NET_HDR_MRG) + frame(seq, length)
        bufs, cap = [], 0
        while cap < len(data) and (max_bufs is None or len(bufs) < max_bufs):
            head, addr, blen = self.pop_rx()
            bufs.append((head, addr, blen))
            cap += blen
        struct.pack_into("<H", data, 10, len(bufs) if num_buffers is None else num_buffers)
        pos, entries = 0, []
        for head, addr, blen in bufs:
            chunk = data[pos:pos + blen]
            self.write(addr, bytes(chunk))
            entries.append((head, len(chunk)))
            pos += len(chunk)
        for k, (head, n) in enumerate(entries):
            self.vq.put_used(k, head, n)
        if publish:
            self.vq.publish(len(entries))
        return entries

    def rx_full_buffer(self, num_buffers):
        """One buffer filled completely, its header saying num_buffers."""
        head, addr, blen = self.pop_rx()
        data = bytearray(frame(0xdead, max(blen - NET_HDR_MRG, 60)))[:blen - NET_HDR_MRG]
        data = struct.pack("<BBHHHHH", 0, 0, 0, 0, 0, 0, num_buffers) + bytes(data)
        self.write(addr, data)
        self.vq.put_used(0, head, blen)
        self.vq.publish(1)
        return head, blen

    def rx_one_bad(self, seq, bad_id=False, overlong=False):
        """Frame seq (60 bytes) into one posted buffer, published with a used entry that
        says id = ring size (bad_id) and/or len = the buffer's length + 1 (overlong).
        Returns (head, buffer length)."""
        head, addr, blen = self.pop_rx()
        self.write(addr, bytes(NET_HDR_MRG) + frame(seq, 60))
        self.vq.put_used(0, self.vq.num if bad_id else head,
                         blen + 1 if overlong else NET_HDR_MRG + 60)
        self.vq.publish(1)
        return head, blen

    def good(self, first, count):
        for s in range(first, first + count):
            entries = self.rx_frame(s, SIZES[s % len(SIZES)])
            log("frame %u: %u bytes in %u buffer(s) (heads %s)" %
                (s, SIZES[s % len(SIZES)], len(entries), ",".join(str(e[0]) for e in entries)))

    def pause(self, s=0.5):
        end = time.monotonic() + s
        while time.monotonic() < end:
            if self.stop:
                raise Stop("stopped")
            time.sleep(0.01)

    # -- TX --
    def tx_complete(self, count):
        for _ in range(count):
            head, chain = self.pop()
            self.vq.put_used(0, head, 0)
            self.vq.publish(1)

    def tx_64_then_pause(self):
        self.tx_complete(64)
        log("completed 64 TX chains")
        self.pause(0.3)

    def tx_bad_id(self):
        """The next chain completed with id = ring size. Returns its real head."""
        head, chain = self.pop()
        self.vq.put_used(0, self.vq.num, 0)
        self.vq.publish(1)
        return head

    def script(self):
        mode, n, num = self.be.mode, self.be.frames, self.vq.num
        vq = self.vq
        if mode == "good":
            self.good(0, n)
        elif mode == "mrg-zero":
            self.good(0, n)
            self.pause()
            head, blen = self.rx_full_buffer(0)
            log("HOSTILE: head %u full (%u bytes) with num_buffers 0" % (head, blen))
            self.good(n, n)
        elif mode == "mrg-huge":
            self.good(0, n)
            self.pause()
            head, blen = self.rx_full_buffer(num + 1)
            log("HOSTILE: head %u full (%u bytes) with num_buffers %u (ring %u)" %
                (head, blen, num + 1, num))
            self.good(n, n)
        elif mode == "mrg-short":
            self.good(0, n)
            self.pause()
            entries = self.rx_frame(n, 1514, num_buffers=3, max_bufs=2)
            log("HOSTILE: frame %u with num_buffers 3 in only 2 used buffers %r; nothing "
                "after it" % (n, entries))
        elif mode == "bad-id":
            self.good(0, n)
            self.pause()
            head, _ = self.rx_one_bad(n, bad_id=True)
            log("HOSTILE: used id %u (ring %u) instead of head %u" % (num, num, head))
            self.good(n + 1, n)
        elif mode == "not-inflight":
            self.good(0, n)
            self.pause()
            head, addr, blen = self.pop_rx()
            data = bytearray(NET_HDR_MRG) + frame(n, 60)
            struct.pack_into("<H", data, 10, 1)
            self.write(addr, bytes(data))
            vq.put_used(0, head, len(data))
            vq.put_used(1, head, len(data))
            vq.publish(2)
            log("HOSTILE: frame %u in head %u, then head %u used again (one idx update "
                "by 2)" % (n, head, head))
            self.good(n + 1, n)
        elif mode == "bad-len":
            self.good(0, n)
            self.pause()
            head, blen = self.rx_one_bad(n, overlong=True)
            log("HOSTILE: head %u used with len %u (buffer %u)" % (head, blen + 1, blen))
            self.good(n + 1, n)
        elif mode == "used-idx-jump":
            self.good(0, n)
            self.pause()
            vq.publish(num + 1)
            log("HOSTILE: used idx moved by %u (ring %u) to %u" % (num + 1, num, vq.used_idx))
            self.good(n, n)
        elif mode == "recover-rx" and self.round == 1:
            self.good(0, n)
            self.pause()
            head, _ = self.rx_one_bad(n, bad_id=True)
            log("HOSTILE: used id %u (ring %u) instead of head %u; waiting for vnet to "
                "recover" % (num, num, head))
        elif mode == "recover-rx":
            log("run %u of the ring (after vnet's reset): base %u" % (self.round, vq.base))
            self.good(n + 1, n)
        elif mode == "recover-tx" and self.round == 1:
            self.tx_64_then_pause()
            head = self.tx_bad_id()
            log("HOSTILE: TX used id %u (ring %u) instead of head %u; waiting for vnet to "
                "recover" % (num, num, head))
        elif mode == "recover-tx":
            log("run %u of the ring (after vnet's reset): base %u" % (self.round, vq.base))
            done = 0
            while True:
                try:
                    head, chain = self.pop(timeout=1.0)
                except Stop as e:
                    if self.stop:
                        raise
                    log("completed %u TX chains on run %u (%s)" % (done, self.round, e))
                    break
                self.vq.put_used(0, head, 0)
                self.vq.publish(1)
                done += 1
            if done == 0:
                raise Stop("no TX chain after the recovery")
        elif mode in ("tx-bad-id", "tx-used-idx-jump"):
            self.tx_64_then_pause()
            if mode == "tx-bad-id":
                head = self.tx_bad_id()
                log("HOSTILE: TX used id %u (ring %u) instead of head %u" % (num, num, head))
            else:
                vq.publish(num + 1)
                log("HOSTILE: TX used idx moved by %u (ring %u)" % (num + 1, num))
        else:
            raise Stop("unknown mode " + mode)

    def run(self):
        try:
            self.script()
            self.complete = True
            log("script complete")
            if self.be.mode.startswith("recover-") and self.round == 1:
                return      # the second run of the ring writes the done file
            if self.be.done_file is not None:
                with open(self.be.done_file, "w") as f:
                    f.write("done\n")
        except Stop as e:
            self.error = str(e)
            log("script stopped:", e)
        except Exception as e:      # pragma: no cover - report, never hang the handshake
            self.error = repr(e)
            log("script failed:", repr(e))


class Backend:
    def __init__(self, mode, frames):
        self.mode = mode
        self.frames = frames
        self.mem = Memory()
        self.vqs = {}
        self.features = 0
        self.protocol = 0
        self.device = None
        self.play = 1 if mode.startswith("tx-") or mode.endswith("-tx") else 0
        self.rounds = 0     # runs of the played ring so far (a vnet reset starts another)
        self.done_file = None

    def vq(self, i):
        if i not in self.vqs:
            self.vqs[i] = Vq(i)
        return self.vqs[i]

    def recv_msg(self, c):
        fds = array.array("i")
        hdr, anc, flags, _ = c.recvmsg(HDR.size, socket.CMSG_SPACE(8 * fds.itemsize))
        if not hdr:
            return None
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        rest = recv_exact(c, HDR.size - len(hdr))
        if rest is None:
            return None
        req, mflags, size = HDR.unpack(hdr + rest)
        payload = recv_exact(c, size)
        if payload is None:
            return None
        return req, mflags, payload, list(fds)

    def reply(self, c, req, payload):
        c.sendall(HDR.pack(req, VERSION | REPLY, len(payload)) + payload)

    def maybe_start(self):
        vq = self.vqs.get(self.play)
        if self.device is not None or vq is None or vq.addrs is None or not vq.kick:
            return
        # With PROTOCOL_FEATURES a ring starts disabled until SET_VRING_ENABLE.
        if (self.features & (1 << F_PROTOCOL_FEATURES)) and not vq.enabled:
            return
        vq.attach(self.mem)
        self.rounds += 1
        log("playing the device on virtqueue %u (%s queue 0): ring %u, base %u, mode %s" %
            (vq.idx, "TX" if vq.idx & 1 else "RX", vq.num, vq.base, self.mode))
        self.device = Device(self, vq)
        self.device.start()

    def stop_device(self, idx):
        d = self.device
        if d is None or d.vq.idx != idx:
            return
        d.stop = True
        d.join(5)
        d.vq.release()
        log("stop vq %u: script %s%s" % (idx, "complete" if d.complete else "INCOMPLETE",
                                         "" if d.error is None else " (" + d.error + ")"))
        self.device = None

    def serve(self, c):
        while True:
            m = self.recv_msg(c)
            if m is None:
                log("peer closed the connection")
                return
            req, flags, payload, fds = m
            name = NAMES.get(req, str(req))
            log("got", name, "flags 0x%x size %u%s" %
                (flags, len(payload), " fds %u" % len(fds) if fds else ""))
            status = 0
            if req == GET_FEATURES:
                self.reply(c, req, U64.pack(FEATURES))
                continue
            if req == GET_PROTOCOL_FEATURES:
                self.reply(c, req, U64.pack(PROTO_FEATURES))
                continue
            if req == GET_QUEUE_NUM:
                self.reply(c, req, U64.pack(8))
                continue
            if req == SET_PROTOCOL_FEATURES:
                self.protocol, = U64.unpack(payload)
            elif req == SET_FEATURES:
                self.features, = U64.unpack(payload)
                log("features 0x%x" % self.features)
            elif req == SET_MEM_TABLE:
                try:
                    self.mem.set_table(payload, fds)
                    fds = []
                except (Stop, OSError, ValueError) as e:
                    log("SET_MEM_TABLE failed:", e)
                    status = 1
            elif req == SET_VRING_NUM:
                i, n = struct.unpack("<II", payload)
                self.vq(i).num = n
            elif req == SET_VRING_BASE:
                i, n = struct.unpack("<II", payload)
                self.vq(i).base = n
            elif req == SET_VRING_ADDR:
                i, fl, d, u, a, lg = struct.unpack("<IIQQQQ", payload)
                self.vq(i).addrs = (d, a, u)
            elif req == SET_VRING_KICK:
                v, = U64.unpack(payload)
                self.vq(v & 0xff).kick = True
            elif req == SET_VRING_CALL:
                v, = U64.unpack(payload)
                q = self.vq(v & 0xff)
                if q.callfd >= 0:
                    os.close(q.callfd)
                q.callfd = -1
                if not v & 0x100 and fds:
                    q.callfd = fds.pop(0)
            elif req == SET_VRING_ENABLE:
                i, n = struct.unpack("<II", payload)
                self.vq(i).enabled = n != 0
            elif req == GET_VRING_BASE:
                i, _ = struct.unpack("<II", payload)
                self.stop_device(i)
                vq = self.vqs.get(i)
                last = vq.last_avail if vq is not None and hasattr(vq, "last_avail") else 0
                if vq is not None:
                    vq.enabled = False
                    vq.kick = False
                self.reply(c, req, struct.pack("<II", i, last))
                continue
            for fd in fds:
                os.close(fd)
            if flags & NEED_REPLY:
                self.reply(c, req, U64.pack(status))
            if req in (SET_VRING_KICK, SET_VRING_ENABLE):
                self.maybe_start()


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    mode, path = sys.argv[1], sys.argv[2]
    if sys.byteorder != "little":
        log("virtio 1 rings are little-endian: this backend runs on little-endian hosts")
        return 2
    deadline = time.monotonic() + vhost_user.option("--timeout", 40.0, float)
    be = Backend(mode, vhost_user.option("--frames", 300 if mode == "good" else 8, int))
    be.done_file = vhost_user.option("--done-file", None)

    srv, c = vhost_user.accept_one(path, deadline, mode, log)
    if c is None:
        return 1
    vhost_user.serve(c, be.serve, log)
    if be.device is not None:
        be.stop_device(be.device.vq.idx)
    vhost_user.close(srv, c, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
