#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ftm_peer.py: a hostile VMotion source, to test a destination's listener.

It speaks the wire format of kernel/frame.h (every frame: a big-endian
header of magic, version, type, flags, length, CRC32C and a per-direction
sequence number, then the payload) and the handshake of kernel/auth.c,
then misbehaves in the way --case names:

  good                 a whole migration: every page, the device state,
                       COMPLETE, COMMIT; the one case that expects READY
  wrong-secret         authenticate with another secret
  garbage              random bytes right after connecting
  silent               connect and send nothing
  unknown-id           HELLO for a migration no VM waits for
  prepare-bad-cookie   PREPARE with a cookie of another VM (UUID)
  prepare-bad-layout   PREPARE with a cookie of another memory layout
  prepare-bad-config   PREPARE with a cookie of another config (SHA-256)
  bad-magic, bad-version, bad-flags, bad-crc, bad-seq, oversized,
  truncated, unknown-type, unexpected-type
                       one malformed frame (--phase says where: right
                       after AUTH_OK, or in the page stream after PREPARED)
  pages-out-of-range   a PAGES frame for a guest address past the memory
  pages-misaligned-gpa a PAGES frame for an address not page aligned
  pages-bad-count      a PAGES frame with --count entries (0 or > 32)
  pages-short          entries for 2 data pages, data for 1
  state-out-of-order   a STATE chunk whose offset skips bytes
  state-too-big        a STATE chunk announcing more than 16 MiB
  complete-early       COMPLETE before all pages arrived
  silent-after-prepare nothing more after PREPARED
  join-first           JOIN, as if a data stream, with no migration running
  join-bad-index       after PREPARED, a data stream whose JOIN names
                       stream 2 of 2 (there is no such stream)
  end-short            --streams N, and the data stream's END claims one
                       page less than it carried

With --streams N (good, end-short), N - 1 data streams join after PREPARED
and the pages are shared among the streams as the kernel shares them.

It prints every frame it sends and receives, and the destination's
reaction: "reaction: error CODE (NAME) MSG" for an ERROR frame,
"reaction: closed" when the destination closed the connection,
"reaction: ready" or "reaction: resumed".  Exit status: 0 when the
destination reacted as --expect says (by default: error or closed, never
READY; for `good`: resumed), 1 otherwise, 2 for bad usage.
"""

import argparse
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

MAGIC = 0x46544D47
VERSION = 1
FRAME_MAX = 256 * 1024
NONCE_LEN = 32
MAC_LEN = 32
PAGES_PER_FRAME = 32
STATE_CHUNK = 128 * 1024
STATE_MAX = 16 * 1024 * 1024
ERROR_MSG_MAX = 128
PAGE_SIZE = 4096
PAGE_ZERO = 0x1
COOKIE_MAGIC = 0x46544D43
TYPE_ID_VMOTION = 0
TYPE_ID_FT = 1
MAX_DISKS = 4
FENCE_MAX = 256
CONFIG_MAX = 64 * 1024

HDR = struct.Struct(">IBBHIIQ")   # magic version type flags len crc seq

STREAM_CHUNK = 512     # pages: page p travels on stream (p // 512) % N

(HELLO, CHALLENGE, AUTH, AUTH_OK, PREPARE, PREPARED, PAGES, STATE, COMPLETE,
 READY, COMMIT, RESUMED, ERROR, CANCEL, JOIN, JOINED, END, FTCHECK,
 FTCHECK_OK) = range(1, 20)
TYPE_NAMES = {v: n for n, v in dict(
    HELLO=HELLO, CHALLENGE=CHALLENGE, AUTH=AUTH, AUTH_OK=AUTH_OK,
    PREPARE=PREPARE, PREPARED=PREPARED, PAGES=PAGES, STATE=STATE,
    COMPLETE=COMPLETE, READY=READY, COMMIT=COMMIT, RESUMED=RESUMED,
    ERROR=ERROR, CANCEL=CANCEL, JOIN=JOIN, JOINED=JOINED, END=END,
    FTCHECK=FTCHECK, FTCHECK_OK=FTCHECK_OK).items()}

# enum ftmigrate_migration_error, in the order of the netlink spec
ERROR_NAMES = ["none", "peer-lost", "auth-failed", "protocol", "timeout",
               "dest-refused", "vm-lost", "connect-failed", "local",
               "config-mismatch", "storage-not-shared"]


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC32C (Castagnoli), the value the kernel's "crc32c" digest holds."""
    crc ^= 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def auth_mac(secret, label, mig_id, first, second):
    """HMAC-SHA256(secret, label | be64 id | first nonce | second nonce)."""
    return hmac.new(secret, label + struct.pack(">Q", mig_id) + first + second,
                    hashlib.sha256).digest()


def frame(ftype, payload, seq, magic=MAGIC, version=VERSION, flags=0,
          length=None, crc=None):
    """A frame's bytes; any header field may be forced to a wrong value."""
    if length is None:
        length = len(payload)
    hdr = HDR.pack(magic, version, ftype, flags, length, 0, seq)
    if crc is None:
        crc = crc32c(payload, crc32c(hdr))
    return HDR.pack(magic, version, ftype, flags, length, crc, seq) + payload


class Closed(Exception):
    """The destination closed the connection."""


class Peer:
    def __init__(self, sock, timeout, prefix=""):
        self.sock = sock
        self.tx_seq = 0
        self.rx_seq = 0
        self.timeout = timeout
        self.prefix = prefix
        self.sock.settimeout(timeout)

    def log(self, msg):
        print(self.prefix + msg, flush=True)

    def send_raw(self, data, what):
        self.log(f"sent: {what} ({len(data)} bytes)")
        self.sock.sendall(data)

    def send(self, ftype, payload=b"", what=None, **bad):
        data = frame(ftype, payload, self.tx_seq, **bad)
        self.tx_seq += 1
        self.send_raw(data, what or f"{TYPE_NAMES.get(ftype, ftype)} seq {self.tx_seq - 1}")

    def read_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed()
            buf += chunk
        return buf

    def recv(self):
        """One frame from the destination, checked as the kernel checks ours."""
        hdr = self.read_exact(HDR.size)
        magic, version, ftype, flags, length, crc, seq = HDR.unpack(hdr)
        if magic != MAGIC or version != VERSION or flags or length > FRAME_MAX:
            raise ValueError(f"destination sent a malformed header {hdr.hex()}")
        if seq != self.rx_seq:
            raise ValueError(f"destination sent seq {seq}, expected {self.rx_seq}")
        payload = self.read_exact(length)
        want = crc32c(payload, crc32c(HDR.pack(magic, version, ftype, flags,
                                                length, 0, seq)))
        if crc != want:
            raise ValueError(f"destination frame has crc {crc:08x}, expected {want:08x}")
        self.rx_seq += 1
        name = TYPE_NAMES.get(ftype, str(ftype))
        if ftype == ERROR and len(payload) == 4 + ERROR_MSG_MAX:
            code = struct.unpack(">I", payload[:4])[0]
            msg = payload[4:].split(b"\0", 1)[0].decode(errors="replace")
            self.log(f"got: ERROR seq {seq} code {code} ({error_name(code)}) \"{msg}\"")
        else:
            self.log(f"got: {name} seq {seq} ({length} bytes)")
        return ftype, payload


def error_name(code):
    return ERROR_NAMES[code] if code < len(ERROR_NAMES) else "?"


class Unexpected(Exception):
    """The destination answered, but not as a willing destination would."""

    def __init__(self, ftype, payload):
        super().__init__(TYPE_NAMES.get(ftype, str(ftype)))
        self.ftype = ftype
        self.payload = payload


def expect(peer, want):
    ftype, payload = peer.recv()
    if ftype != want:
        raise Unexpected(ftype, payload)
    return payload


def cookie(args, uuid=None, regions=None, config_sha256=None, mig_id=None,
           magic=COOKIE_MAGIC):
    regions = args.regions if regions is None else regions
    body = struct.pack(">IIQII", magic, VERSION,
                       args.id if mig_id is None else mig_id,
                       args.type_id, len(regions))
    body += uuid if uuid is not None else args.uuid
    body += config_sha256 if config_sha256 is not None else args.config_sha256
    for i in range(8):
        gpa, pages = regions[i] if i < len(regions) else (0, 0)
        body += struct.pack(">QQ", gpa, pages)
    assert len(body) == 200
    return body


def page_data(gpa):
    """Non-zero contents for a page, derived from its address."""
    seed = struct.pack(">Q", gpa)
    return (hashlib.sha256(seed).digest() * (PAGE_SIZE // 32))


def pages_payload(entries, data):
    return struct.pack(">I", len(entries)) + b"".join(
        struct.pack(">Q", e) for e in entries) + b"".join(data)


FNV_PRIME = 0x100000001B3
MASK64 = 0xFFFFFFFFFFFFFFFF
ZERO_PAGE = bytes(PAGE_SIZE)
# FNV-1a over a zero byte only multiplies: a zero page is one multiplication.
FNV_PRIME_PAGE = pow(FNV_PRIME, PAGE_SIZE, 1 << 64)


def fnv1a(chunks):
    h = 0xCBF29CE484222325
    for chunk in chunks:
        if chunk == ZERO_PAGE:
            h = (h * FNV_PRIME_PAGE) & MASK64
            continue
        for b in chunk:
            h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def open_stream(args, secret, index, count):
    """A data stream: a new connection, authenticated, JOINed."""
    sock = socket.create_connection((args.addr, args.port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    st = Peer(sock, args.timeout, f"[stream {index}] ")
    handshake(st, args, secret)
    st.send(JOIN, struct.pack(">II", index, count),
            f"JOIN seq {st.tx_seq}: stream {index} of {count}")
    return st


def send_pages(peer, pages, sparse):
    """PAGES frames for the guest addresses @pages (every fourth page number
    a zero page; with @sparse all but every sixteenth); returns the memory
    they describe."""
    memory = []
    for start in range(0, len(pages), PAGES_PER_FRAME):
        entries, data = [], []
        for gpa in pages[start:start + PAGES_PER_FRAME]:
            number = gpa // PAGE_SIZE
            if (number % 16 != 0) if sparse else (number % 4 == 3):
                entries.append(gpa | PAGE_ZERO)
                memory.append(bytes(PAGE_SIZE))
            else:
                entries.append(gpa)
                data.append(page_data(gpa))
                memory.append(data[-1])
        peer.send(PAGES, pages_payload(entries, data),
                  f"PAGES seq {peer.tx_seq}: {len(entries)} entries")
    return memory


def run_good(peer, args, streams=()):
    """Every page, on the stream its number belongs to (every fourth one a
    zero page), END on each data stream, the state, COMPLETE.  The case
    end-short has the data stream's END claim one page less."""
    all_pages = [gpa + i * PAGE_SIZE for gpa, n in args.regions for i in range(n)]
    conns = [peer] + list(streams)
    share = [[] for _ in conns]
    for number, gpa in enumerate(all_pages):
        share[(number // STREAM_CHUNK) % len(conns)].append(gpa)
    memory = {}
    for conn, pages in zip(conns, share):
        memory.update(zip(pages, send_pages(conn, pages, args.sparse)))
    for conn, pages in zip(conns[1:], share[1:]):
        n = len(pages) - (1 if args.case == "end-short" else 0)
        conn.send(END, struct.pack(">Q", n), f"END seq {conn.tx_seq}: {n} pages")
    if args.case == "end-short":
        return None
    sent = len(all_pages)
    memory = [memory[gpa] for gpa in all_pages]
    state = bytes(range(256)) * 12     # 3072 bytes in two chunks
    half = len(state) // 2
    for off, part in ((0, state[:half]), (half, state[half:])):
        peer.send(STATE, struct.pack(">QQ", off, len(state)) + part,
                  f"STATE seq {peer.tx_seq}: offset {off}, {len(part)} of {len(state)}")
    peer.send(COMPLETE, struct.pack(">QQ", sent, len(state)))
    expect(peer, READY)
    peer.send(COMMIT)
    expect(peer, RESUMED)
    print(f"sent memory-fnv1a {fnv1a(memory):016x}", flush=True)
    return "resumed"


def bad_frame(peer, case, args):
    """Send the one malformed frame of a frame-format case."""
    seq = peer.tx_seq
    # A well-formed PAGES frame of one data page at guest address 0.
    payload = pages_payload([args.regions[0][0]], [page_data(0)])
    if case == "bad-magic":
        peer.send(PAGES, payload, f"PAGES seq {seq} with magic 0x46544d48",
                  magic=MAGIC + 1)
    elif case == "bad-version":
        peer.send(PAGES, payload, f"PAGES seq {seq} with version 2", version=2)
    elif case == "bad-flags":
        peer.send(PAGES, payload, f"PAGES seq {seq} with flags 0x8000",
                  flags=0x8000)
    elif case == "bad-crc":
        good = frame(PAGES, payload, seq)
        crc = HDR.unpack(good[:HDR.size])[5] ^ 0x1
        peer.send(PAGES, payload, f"PAGES seq {seq} with crc off by one bit",
                  crc=crc)
    elif case == "bad-seq":
        peer.tx_seq += 1
        peer.send(PAGES, payload, f"PAGES seq {seq + 1} where {seq} is due")
    elif case == "oversized":
        # Only the header: a destination that believed it would wait for
        # FRAME_MAX + 1 bytes.
        peer.send_raw(frame(PAGES, b"", seq, length=FRAME_MAX + 1),
                      f"PAGES seq {seq} header only, len {FRAME_MAX + 1}")
    elif case == "truncated":
        data = frame(PAGES, payload, seq)
        cut = HDR.size + 100
        peer.send_raw(data[:cut], f"PAGES seq {seq}, {cut} of {len(data)} bytes")
        peer.sock.shutdown(socket.SHUT_WR)
        peer.log("sent: FIN (write side closed)")
    elif case == "unknown-type":
        peer.send(99, b"", f"frame of type 99 seq {seq}")
    elif case == "unexpected-type":
        # A known type the source never sends (the destination's own).
        peer.send(AUTH_OK, b"", f"AUTH_OK seq {seq} from the source")
    else:
        raise AssertionError(case)


FRAME_CASES = ["bad-magic", "bad-version", "bad-flags", "bad-crc", "bad-seq",
               "oversized", "truncated", "unknown-type", "unexpected-type"]
JOIN_CASES = ["join-first", "join-bad-index", "end-short"]
STREAM_CASES = ["pages-out-of-range", "pages-misaligned-gpa", "pages-bad-count",
                "pages-short", "state-out-of-order", "state-too-big",
                "complete-early", "silent-after-prepare"]
PREPARE_CASES = ["prepare-bad-cookie", "prepare-bad-layout", "prepare-bad-config"]
# Type FT: what comes instead of a well-formed FTCHECK after PREPARED.
FTCHECK_CASES = ["ftcheck-missing", "ftcheck-bad-len", "ftcheck-bad-hash",
                 "ftcheck-fence-outside", "ftcheck-fence-unterminated"]
AUTH_CASES = ["wrong-secret", "garbage", "silent", "unknown-id"]
CASES = (["good"] + AUTH_CASES + PREPARE_CASES + FRAME_CASES + STREAM_CASES +
         JOIN_CASES + FTCHECK_CASES)


def ftcheck_payload(config, fence, config_len=None):
    """FTCHECK: config length, no disks, the fence, then the config."""
    body = struct.pack(">II", len(config) if config_len is None else config_len, 0)
    body += bytes(40 * MAX_DISKS)
    body += fence[:FENCE_MAX].ljust(FENCE_MAX, b"\0")
    return body + config


def ftcheck_case(peer, case, args):
    """Send the misbehaving FTCheck of a type-FT case."""
    fence = args.fence.encode()
    if case == "ftcheck-missing":
        peer.send(PAGES, pages_payload([0], [page_data(0)]),
                  f"PAGES seq {peer.tx_seq} where FTCHECK is due")
    elif case == "ftcheck-bad-len":
        body = ftcheck_payload(args.config_bytes, fence, len(args.config_bytes) + 1)
        peer.send(FTCHECK, body, f"FTCHECK seq {peer.tx_seq}: config length one too many")
    elif case == "ftcheck-bad-hash":
        body = ftcheck_payload(b"name = another\n", fence)
        peer.send(FTCHECK, body, f"FTCHECK seq {peer.tx_seq}: a config the cookie does not hash to")
    elif case == "ftcheck-fence-outside":
        body = ftcheck_payload(args.config_bytes, b"/etc/nologin")
        peer.send(FTCHECK, body, f"FTCHECK seq {peer.tx_seq}: fence /etc/nologin")
    elif case == "ftcheck-fence-unterminated":
        body = ftcheck_payload(args.config_bytes, b"/" * FENCE_MAX)
        peer.send(FTCHECK, body, f"FTCHECK seq {peer.tx_seq}: fence without its NUL")
    else:
        raise AssertionError(case)


def stream_case(peer, case, args):
    """Send the misbehaving frames of a page/state stream case."""
    mem_pages = sum(n for _, n in args.regions)
    end = max(gpa + n * PAGE_SIZE for gpa, n in args.regions)
    if case == "pages-out-of-range":
        # One good entry, then one just past the end of the memory.
        peer.send(PAGES, pages_payload([0, end], [page_data(0), page_data(end)]),
                  f"PAGES seq {peer.tx_seq}: gpa 0x0 and 0x{end:x} (past the end)")
    elif case == "pages-misaligned-gpa":
        peer.send(PAGES, pages_payload([0x800], [page_data(0)]),
                  f"PAGES seq {peer.tx_seq}: gpa 0x800")
    elif case == "pages-bad-count":
        n = args.count
        entries = [i * PAGE_SIZE | PAGE_ZERO for i in range(n)]
        peer.send(PAGES, pages_payload(entries, []),
                  f"PAGES seq {peer.tx_seq}: count {n}, zero pages")
    elif case == "pages-short":
        peer.send(PAGES, pages_payload([0, PAGE_SIZE], [page_data(0)]),
                  f"PAGES seq {peer.tx_seq}: 2 data entries, 1 page of data")
    elif case == "state-out-of-order":
        peer.send(STATE, struct.pack(">QQ", 0, 4000) + bytes(1000),
                  f"STATE seq {peer.tx_seq}: offset 0, 1000 of 4000")
        peer.send(STATE, struct.pack(">QQ", 2000, 4000) + bytes(1000),
                  f"STATE seq {peer.tx_seq}: offset 2000 (1000 due), 1000 of 4000")
    elif case == "state-too-big":
        peer.send(STATE, struct.pack(">QQ", 0, STATE_MAX + 1) + bytes(16),
                  f"STATE seq {peer.tx_seq}: offset 0, 16 of {STATE_MAX + 1}")
    elif case == "complete-early":
        peer.send(PAGES, pages_payload([0], [page_data(0)]),
                  f"PAGES seq {peer.tx_seq}: 1 of {mem_pages} pages")
        peer.send(STATE, struct.pack(">QQ", 0, 16) + bytes(16),
                  f"STATE seq {peer.tx_seq}: offset 0, 16 of 16")
        peer.send(COMPLETE, struct.pack(">QQ", 1, 16),
                  f"COMPLETE seq {peer.tx_seq}: 1 page, 16 state bytes")
    elif case == "silent-after-prepare":
        peer.log("sent: nothing after PREPARED")
    else:
        raise AssertionError(case)


def handshake(peer, args, secret):
    nonce = os.urandom(NONCE_LEN)
    peer.send(HELLO, struct.pack(">Q", args.id) + nonce,
              f"HELLO seq {peer.tx_seq}: migration {args.id}")
    ch = expect(peer, CHALLENGE)
    dnonce, dmac = ch[:NONCE_LEN], ch[NONCE_LEN:]
    if hmac.compare_digest(dmac, auth_mac(secret, b"dst", args.id, nonce, dnonce)):
        peer.log("destination MAC verifies with our secret")
    elif args.case == "wrong-secret":
        peer.log("destination MAC does not verify with our (wrong) secret, as expected")
    else:
        raise ValueError("the destination's MAC does not verify")
    peer.send(AUTH, auth_mac(secret, b"src", args.id, dnonce, nonce))
    expect(peer, AUTH_OK)


def run_case(peer, args, secret):
    case = args.case
    if case == "garbage":
        peer.send_raw(os.urandom(64), "64 random bytes")
        return wait_reaction(peer)
    if case == "silent":
        peer.log("sent: nothing")
        return wait_reaction(peer)
    handshake(peer, args, secret)
    if case in ("wrong-secret", "unknown-id"):
        return "auth-ok"        # should not have got here
    if case == "join-first":
        peer.send(JOIN, struct.pack(">II", 1, 2),
                  f"JOIN seq {peer.tx_seq}: stream 1 of 2, with no migration running")
        return wait_reaction(peer)
    if case in FRAME_CASES and args.phase == "auth":
        bad_frame(peer, case, args)
        return wait_reaction(peer)

    ck = cookie(args)
    if case == "prepare-bad-cookie":
        uuid = bytes(b ^ 0xFF for b in args.uuid)
        ck = cookie(args, uuid=uuid)
        what = f"PREPARE seq {peer.tx_seq}: cookie for UUID {uuid.hex()}"
    elif case == "prepare-bad-layout":
        regions = [(gpa, n + 1) for gpa, n in args.regions]
        ck = cookie(args, regions=regions)
        what = f"PREPARE seq {peer.tx_seq}: cookie with regions {regions}"
    elif case == "prepare-bad-config":
        ck = cookie(args, config_sha256=hashlib.sha256(b"another VM\n").digest())
        what = f"PREPARE seq {peer.tx_seq}: cookie with another config SHA-256"
    else:
        what = f"PREPARE seq {peer.tx_seq}: cookie for UUID {args.uuid.hex()}, regions {args.regions}"
    peer.send(PREPARE, ck, what)
    expect(peer, PREPARED)
    if case in PREPARE_CASES:
        return "prepared"       # should not have got here
    if case in FTCHECK_CASES:
        ftcheck_case(peer, case, args)
        return wait_reaction(peer)

    if case == "join-bad-index":
        st = open_stream(args, secret, 2, 2)
        reaction = wait_reaction(st)
        st.sock.close()
        peer.log(f"the data stream's reaction: {reaction}")
        return wait_reaction(peer)
    if case in ("good", "end-short"):
        if args.pause:
            peer.log(f"pausing {args.pause}s")
            time.sleep(args.pause)
        streams = [open_stream(args, secret, i, args.streams)
                   for i in range(1, args.streams)]
        try:
            for st in streams:
                expect(st, JOINED)
            result = run_good(peer, args, streams)
            return result if result else wait_reaction(peer)
        finally:
            for st in streams:
                st.sock.close()
    if case in FRAME_CASES:
        bad_frame(peer, case, args)
    else:
        stream_case(peer, case, args)
    return wait_reaction(peer)


def wait_reaction(peer):
    """Read until the destination sends ERROR or closes; READY is a failure."""
    start = time.monotonic()
    try:
        while True:
            ftype, payload = peer.recv()
            if ftype == ERROR:
                return drain_after_error(peer, payload)
            if ftype == READY:
                return "ready"
    except Closed:
        peer.log(f"destination closed the connection after {time.monotonic() - start:.1f}s")
        return "closed"


def drain_after_error(peer, payload):
    """After ERROR the destination must close: wait for it, so that what it
    does on its way out (power the VM off, record the failure) is done when
    this program exits."""
    code = struct.unpack(">I", payload[:4])[0]
    try:
        while True:
            ftype, _ = peer.recv()
            if ftype == READY:
                return "ready"
    except Closed:
        peer.log("destination closed the connection after its ERROR")
        return ("error", code)
    except socket.timeout:
        peer.log("destination did not close the connection after its ERROR")
        return "error-not-closed"
    except (ValueError, OSError) as e:
        return f"failure after ERROR: {e}"


def parse_regions(text):
    regions = []
    for part in text.split(","):
        gpa, pages = part.split(":")
        regions.append((int(gpa, 0), int(pages, 0)))
    return regions


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--addr", required=True, help="destination listener address")
    ap.add_argument("--port", required=True, type=int)
    ap.add_argument("--id", required=True, type=lambda s: int(s, 0),
                    help="migration id")
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--uuid", required=True, help="the incoming VM's UUID, 32 hex digits")
    ap.add_argument("--mem", type=lambda s: int(s, 0), default=None,
                    help="bytes of guest RAM, one region at guest address 0")
    ap.add_argument("--regions", type=parse_regions, default=None,
                    help="GPA:PAGES[,GPA:PAGES...] instead of --mem")
    ap.add_argument("--config", help="the incoming VM's config file (for its SHA-256)")
    ap.add_argument("--case", choices=CASES, default="good")
    ap.add_argument("--type", choices=["vmotion", "ft"], default="vmotion",
                    help="the cookie's migration type")
    ap.add_argument("--fence", default="/nonexistent/fence",
                    help="type ft: the fence the FTCHECK cases name")
    ap.add_argument("--phase", choices=["auth", "stream"], default="stream",
                    help="frame cases: right after AUTH_OK or after PREPARED")
    ap.add_argument("--count", type=int, default=0, help="pages-bad-count: entries")
    ap.add_argument("--streams", type=int, default=1,
                    help="good, end-short: TCP streams, the control connection included")
    ap.add_argument("--sparse", action="store_true",
                    help="good, end-short: data in every sixteenth page only, "
                         "zero markers for the rest (quicker for large memory)")
    ap.add_argument("--expect", default=None,
                    help="closed | error | error:NAME | resumed (default: "
                         "resumed for good, else error or closed)")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds to wait for any one answer")
    ap.add_argument("--pause", type=float, default=0.0,
                    help="good: seconds to wait after PREPARED, holding the migration")
    ap.add_argument("--print-cookie", action="store_true",
                    help="print the cookie of --id, --uuid, --mem/--regions and "
                         "--config in hex (for migration-prepare) and exit")
    args = ap.parse_args()

    args.uuid = bytes.fromhex(args.uuid.replace("-", ""))
    if len(args.uuid) != 16:
        ap.error("--uuid needs 32 hex digits")
    if args.regions is None:
        if not args.mem or args.mem % PAGE_SIZE:
            ap.error("--mem (a multiple of the page size) or --regions is needed")
        args.regions = [(0, args.mem // PAGE_SIZE)]
    if args.config:
        with open(args.config, "rb") as f:
            config = f.read()
    else:
        config = b""
    args.config_sha256 = hashlib.sha256(config).digest()
    args.config_bytes = config
    args.type_id = TYPE_ID_FT if args.type == "ft" else TYPE_ID_VMOTION
    with open(args.secret_file, "rb") as f:
        secret = f.read()
    if args.print_cookie:
        print(cookie(args).hex())
        return 0
    if args.case == "wrong-secret":
        secret = bytes(b ^ 0x5A for b in secret)
    if args.case == "unknown-id":
        args.id ^= 0x7FFF0000
    if args.expect is None:
        args.expect = "resumed" if args.case == "good" else "error-or-closed"

    sock = socket.create_connection((args.addr, args.port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    peer = Peer(sock, args.timeout)
    print(f"case {args.case}: migration {args.id} at {args.addr}:{args.port}", flush=True)
    try:
        result = run_case(peer, args, secret)
    except Unexpected as e:
        if e.ftype == ERROR:
            result = drain_after_error(peer, e.payload)
        elif e.ftype == READY:
            result = "ready"
        else:
            result = "unexpected " + str(e)
    except Closed:
        peer.log("destination closed the connection")
        result = "closed"
    except socket.timeout:
        result = "timeout"
    except (ValueError, OSError) as e:
        result = f"failure: {e}"
    finally:
        sock.close()

    if isinstance(result, tuple):
        code = result[1]
        print(f"reaction: error {code} ({error_name(code)})", flush=True)
        got = ["error", f"error:{error_name(code)}", "error-or-closed"]
    else:
        print(f"reaction: {result}", flush=True)
        got = [result] + (["error-or-closed"] if result == "closed" else [])
    if args.expect in got:
        print(f"as expected ({args.expect})", flush=True)
        return 0
    print(f"NOT as expected: wanted {args.expect}", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
