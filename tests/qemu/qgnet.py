# SPDX-License-Identifier: BSD-3-Clause
"""Pieces the host-side helpers of the guest tier share (intrnet.py, offnet.py, tapnet.py,
qmp_unplug.py): unix-socket connects with a deadline, a QMP client, atomic JSON records and
a tail of the guest console that yields complete lines until the guest's VNET-DONE."""
import json
import os
import re
import socket
import time


def connect_unix(path, deadline):
    """A stream socket connected to @path (retried until @deadline, as QEMU creates it
    after start), or None."""
    while time.time() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.2)
    return None


class Qmp:
    """Synchronous QMP: cmd() returns the reply's "return", events are skipped."""

    def __init__(self, path, deadline):
        self.s = connect_unix(path, deadline)
        if self.s is None:
            raise RuntimeError("cannot connect to QMP " + path)
        self.f = self.s.makefile("rwb", buffering=0)
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError("QMP closed")
            m = json.loads(line)
            if "event" not in m:
                return m

    def cmd(self, qmp_cmd, **args):
        msg = {"execute": qmp_cmd}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        r = self._read()
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (qmp_cmd, r["error"]))
        return r["return"]


def save_json(path, obj):
    """Write @obj to @path atomically (a reader never sees half a record)."""
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(path + ".tmp", path)


class ConsoleTail:
    """Iterate over the complete, stripped lines of the guest console file as they come,
    until a line starting with VNET-DONE (yielded too; .done is then True) or @deadline."""

    def __init__(self, path, deadline, poll=0.1):
        self.path, self.deadline, self.poll = path, deadline, poll
        self.done = False

    def __iter__(self):
        pos, buf = 0, b""
        while not self.done and time.time() < self.deadline:
            try:
                with open(self.path, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
            except OSError:
                chunk = b""
            if not chunk:
                time.sleep(self.poll)
                continue
            pos += len(chunk)
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.decode("ascii", "replace").strip()
                if line.startswith("VNET-DONE"):
                    self.done = True
                yield line


def sections(console):
    """{name: [lines]} of the console's VNET-LOG-BEGIN name ... VNET-LOG-END name blocks."""
    out, cur = {}, None
    with open(console, "rb") as f:
        for raw in f:
            line = raw.decode("ascii", "replace").rstrip("\r\n")
            m = re.match(r"VNET-LOG-BEGIN (\S+)", line)
            if m:
                cur = m.group(1)
                out[cur] = []
                continue
            if cur and line.startswith("VNET-LOG-END"):
                cur = None
                continue
            if cur:
                out[cur].append(line)
    return out
