"""Writes the seed corpora of the fuzz tests (run from this directory: python3 tools/make_seeds.py).

Each seed replays the harness's FuzzedDataProvider calls in order (tools/fdp.py), so the harness
and this file must change together. Crash reproducers found by fuzzing are kept beside the seeds
under their crash-<sha1> names and are not written here.
"""
import struct
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fdp import Seed  # noqa: E402


def msg(t, req, tx, payload, length=None):
    return struct.pack('<IIII', t, req, tx, len(payload) if length is None else length) + payload


# ---- FrameDecoderFuzzTest.frames: chunk sizes consumeInt(0, 5000), chunks from the front ----
def frames(name, chunks):
    s = Seed()
    for c in chunks:
        s.int_in(0, 5000, len(c)).bytes(c)
    s.write('FrameDecoderFuzzTestInputs/frames', name)


read = msg(2, 1, 0, b'/local/domain/0/name\0')
write = msg(11, 2, 0, b'/local/domain/1/device/vif/0/state\x004')
dirm = msg(1, 3, 0, b'/local/domain/1/device\0')
frames('read-one-chunk', [read])
both = write + dirm
frames('write-dir-byte-at-a-time', [both[i:i + 1] for i in range(20)] + [both[20:]])
frames('oversized-4097', [msg(2, 4, 0, b'', length=4097)])
frames('oversized-ffffffff-after-valid', [read + msg(11, 5, 0, b'', length=0xffffffff)[:16]])
big = msg(11, 6, 7, b'/a\0' + b'x' * (4096 - 3))
frames('max-payload-three-chunks', [big[:10], big[10:2000], big[2000:]])
frames('header-only-partial', [msg(2, 8, 0, b'/a\0')[:16]])
burst = msg(6, 9, 0, b'\0') + msg(4, 10, 0, b'/local/domain/1\0tok\0') + msg(7, 11, 1, b'T\0') + msg(16, 0, 0, b'')
frames('burst-then-empty-chunk', [burst, b''])

# ---- RingFuzzTest.ring ----
PAGE, RING = 4096, 1024


def page(req_cons=0, req_prod=0, rsp_cons=0, rsp_prod=0, req=b''):
    p = bytearray(PAGE)
    p[:len(req)] = req
    struct.pack_into('<IIII', p, 2048, req_cons & 0xffffffff, req_prod & 0xffffffff,
                     rsp_cons & 0xffffffff, rsp_prod & 0xffffffff)
    return bytes(p)


class Ring(Seed):
    def read(self, cap, off=0, pos=0):
        return self.int_in(0, 7, 0).int_in(0, 2 * RING + 16, cap).int_in(0, 16, off).int_in(0, 16, pos)

    def write_rsp(self, length, off=0):
        return self.int_in(0, 7, 2).int_in(0, 2 * RING + 16, length).int_in(0, 16, off)

    def set_index(self, which, value):
        self.int_in(0, 7, 4).pick(4, which).boolean(True)
        return self.int32(value)

    def reconnect(self):
        return self.int_in(0, 7, 6)


def ring(name, seed):
    seed.write('RingFuzzTestInputs/ring', name)


req = msg(2, 1, 0, b'/local/domain/1/name\0')
ring('empty-read', Ring().bytes(page()).read(100))
ring('one-request', Ring().bytes(page(0, len(req), req=req)).read(2 * RING + 16).read(16))
wrapped = bytearray(RING)
for i, b in enumerate(req):
    wrapped[(0xfffffff0 + i) % RING] = b
ring('index-wraps-2-32', Ring().bytes(page(0xfffffff0, 0xfffffff0 + len(req), req=bytes(wrapped))).read(7, 3, 2).read(64))
ring('hostile-distance-1025', Ring().bytes(page(0, 1025, 5, 0)).read(64).write_rsp(10))
ring('response-wraps', Ring().bytes(page(rsp_cons=1000, rsp_prod=1020)).write_rsp(2000, 5).write_rsp(1))
ring('guest-moves-indexes', Ring().bytes(page()).set_index(1, 0x80000000).read(10).set_index(0, 0x7ffffc00)
     .read(10).set_index(2, -1).write_rsp(4))
ring('reconnect', Ring().bytes(page(3, 9, 1, 2)).reconnect().read(10).write_rsp(10))


# ---- DispatcherFuzzTest.dispatch ----
PATHS = ["/", "/local", "/local/domain", "/local/domain/", "/local/domain/1", "/local/domain/1/a",
         "/local/domain/1/a/b", "/local/domain/2", "/local/domain/2/x", "/local/domain/0", "/tool/xenstored",
         "/vm", "/vm/u", "/a", "/a/b", "/a/b/c", "a", "a/b", "data", "device/vif/0/state", "", "//", "/a/",
         "a//b", "/a b", "/local/domain/99999/x", "@introduceDomain", "@releaseDomain", "@releaseDomain/1",
         "@foo", "/foo@bar", "/\u00e9"]
NUMBERS = ["0", "1", "2", "3", "-1", "65535", "65536", "32752", "4294967296", "abc", " 7", "+1", "99999999999", ""]
PERMS = ["n0", "r0", "b0", "w0", "n1", "r1", "b1", "w1", "n2", "r2", "b2", "r32757", "x5", "r", "r-1",
         "r99999999999", "n", "b65535", "r00001"]
WORDS = ["T", "F", "check", "help", "quota", "quota-soft", "set", "nodes", "watches", "memory", "transactions",
         "node-size", "path-max", "log", "on", "off", "print", "memreport", "live-update", "tok", "t1"]
KINDS = [(0, PATHS), (2, NUMBERS), (3, PERMS), (4, WORDS)]


class Dispatch(Seed):
    def __init__(self, extra_peer=False):
        super().__init__()
        self.peers = 4 if extra_peer else 3
        self.boolean(extra_peer)

    def req(self, peer, type_, tx, pieces, terminated=True, value=None):
        """tx: 0, or ('open', i) for the i-th open transaction (sorted), or a small id 1..4."""
        self.int_in(0, self.peers - 1, peer).int_in(0, 31, 31 if type_ == 0xffff else type_)
        if tx == 0:
            self.int_in(0, 5, 0)
        elif isinstance(tx, tuple):
            self.int_in(0, 5, 2)
            if tx[2] > 1:
                self.int_in(0, tx[2] - 1, tx[1])
        else:
            self.int_in(0, 5, 4).int_in(1, 4, tx)
        self.int_in(0, 5, len(pieces))
        for i, s in enumerate(pieces):
            for kind, table in KINDS:
                if s in table:
                    self.int_in(0, 6, kind).pick(len(table), table.index(s))
                    break
            else:
                raise ValueError(s)
            if i == len(pieces) - 1:
                self.int_in(0, 3, 1 if terminated else 0)
        if type_ == 11:
            self.boolean(value is not None)
            if value is not None:
                self.int_in(0, 4096, len(value)).bytes(value)
        return self


def dispatch(name, seed):
    seed.write('DispatcherFuzzTestInputs/dispatch', name)


DOM0, G1, G2, G3 = 0, 1, 2, 3
dispatch('guest-writes-home-and-reads', Dispatch()
         .req(G1, 11, 0, ["/local/domain/1/a"], value=b'hello\0world')
         .req(G1, 2, 0, ["/local/domain/1/a"])
         .req(G1, 1, 0, ["/local/domain/1"])
         .req(G2, 2, 0, ["/local/domain/1/a"])
         .req(G1, 3, 0, ["/local/domain/1/a"])
         .req(G1, 14, 0, ["/local/domain/1/a", "n1", "r2"])
         .req(G2, 2, 0, ["/local/domain/1/a"])
         .req(G1, 14, 0, ["/local/domain/1/a", "n2"]))
dispatch('transactions-both-sides', Dispatch()
         .req(G1, 6, 0, ["T"])  # TRANSACTION_START ignores its argument
         .req(G1, 11, ('open', 0, 1), ["a"], value=b'1')
         .req(DOM0, 11, 0, ["/local/domain/1/a"], value=b'2')
         .req(G1, 7, ('open', 0, 1), ["T"])
         .req(G1, 7, 1, ["T"])
         .req(DOM0, 6, 0, ["T"])
         .req(DOM0, 6, ('open', 0, 1), ["T"])
         .req(DOM0, 13, ("open", 0, 1), ["/tool/xenstored"])
         .req(DOM0, 7, ('open', 0, 1), ["F"]))
dispatch('watches-and-reset', Dispatch()
         .req(G1, 4, 0, ["/local/domain/1", "tok"])
         .req(G1, 4, 0, ["/local/domain/1", "tok"])
         .req(G2, 4, 0, ["@releaseDomain", "t1"])
         .req(DOM0, 4, 0, ["/", "tok", "1"])
         .req(DOM0, 11, 0, ["/local/domain/1/a"], value=b'x')
         .req(G1, 5, 0, ["/local/domain/1", "t1"])
         .req(G1, 21, 0, [])
         .req(DOM0, 13, 0, ["/local/domain/1"]))
dispatch('domain-lifecycle', Dispatch(extra_peer=True)
         .req(DOM0, 8, 0, ["3", "1", "1"])
         .req(DOM0, 17, 0, ["3"])
         .req(DOM0, 19, 0, ["3", "1"])
         .req(G3, 2, 0, ["/local/domain/1/a"])
         .req(DOM0, 24, 0, ["2", "0"])
         .req(DOM0, 23, 0, ["2"])
         .req(DOM0, 18, 0, ["2"])
         .req(DOM0, 9, 0, ["2"])
         .req(DOM0, 9, 0, ["0"])
         .req(DOM0, 10, 0, ["65535"])
         .req(G1, 8, 0, ["1", "1", "1"]))
dispatch('malformed-and-unknown', Dispatch()
         .req(G1, 2, 0, ["/local/domain/1"], terminated=False)
         .req(G1, 0, 0, ["check"])
         .req(DOM0, 0, 0, ["quota", "set", "nodes", "1"])
         .req(G1, 11, 0, ["a/b"], value=b'v')
         .req(DOM0, 0, 0, ["quota"])
         .req(DOM0, 15, 0, ["/a"])
         .req(DOM0, 16, 0, ["/a"])
         .req(DOM0, 20, 0, [])
         .req(DOM0, 0xffff, 0, [])
         .req(DOM0, 27, 0, [])
         .req(DOM0, 22, 0, ["/", "0"])
         .req(DOM0, 25, 0, ["nodes"])
         .req(DOM0, 26, 0, ["1", "nodes", "3"])
         .req(DOM0, 14, 0, ["@introduceDomain", "r1"])
         .req(DOM0, 11, 0, ["/local/domain/"], value=b'x')
         .req(DOM0, 14, 0, ["/a", "x5", "r-1"]))


# ---- DifferentialFuzzTest.differential ----
OPS = ["READ", "WRITE", "MKDIR", "RM", "DIRECTORY", "GET_PERMS", "SET_PERMS", "TRANSACTION_START",
       "TRANSACTION_END", "TRANSACTION_END"]
NAMES = ["a", "b", "c"]
ODD = ["", "/a/", "a//b", "@a", "/a b", "a", "b/c"]
DPERMS = ["n0", "r0", "b0", "w1", "r1", "n2", "b7", "r00003", "x1", "r70000", "r"]


class Diff(Seed):
    def path(self, p):
        if p in ODD:
            return self.int_in(0, 4, 4).pick(len(ODD), ODD.index(p))
        parts = [] if p == "/" else p[1:].split("/")
        self.int_in(0, 4, len(parts))
        for c in parts:
            self.pick(3, NAMES.index(c))
        return self

    def op(self, conn, op, tx=0, path=None, value=b'', perms=(), malformed=0):
        i = 9 if op == "ABORT" else OPS.index(op)
        self.int_in(0, 1, conn).int_in(0, 9, i)
        if tx == 0:
            self.int_in(0, 3, 0)
        else:
            self.int_in(0, 3, 3).int_in(1, 9, tx)
        if op == "WRITE":
            self.path(path).int_in(0, 8, len(value)).bytes(value)
        elif op == "SET_PERMS":
            self.path(path).int_in(1, 3, len(perms))
            for p in perms:
                self.pick(len(DPERMS), DPERMS.index(p))
        elif op not in ("TRANSACTION_START", "TRANSACTION_END", "ABORT"):
            self.path(path)
        if op not in ("WRITE", "SET_PERMS", "TRANSACTION_START"):
            self.int_in(0, 15, malformed)
        return self


def diff(name, seed):
    seed.write('DifferentialFuzzTestInputs/differential', name)


diff('tree-basics', Diff()
     .op(0, "WRITE", path="/a/b/c", value=b'v\0w')
     .op(0, "DIRECTORY", path="/a")
     .op(1, "READ", path="/a/b/c")
     .op(1, "MKDIR", path="/a/c")
     .op(0, "DIRECTORY", path="/a")
     .op(0, "SET_PERMS", path="/a", perms=["r1", "b7"])
     .op(0, "WRITE", path="/a/b/b", value=b'')
     .op(1, "GET_PERMS", path="/a/b/b")
     .op(1, "RM", path="/a/b")
     .op(1, "RM", path="/a/b")
     .op(1, "RM", path="/c/b")
     .op(0, "RM", path="/")
     .op(0, "WRITE", path="a", value=b'rel')
     .op(0, "READ", path="/a/b/c"))
diff('conflicting-transactions', Diff()
     .op(0, "TRANSACTION_START")
     .op(1, "TRANSACTION_START")
     .op(0, "WRITE", tx=1, path="/a/b", value=b'0')
     .op(1, "WRITE", tx=1, path="/a/c", value=b'1')
     .op(0, "TRANSACTION_END", tx=1)
     .op(1, "DIRECTORY", tx=1, path="/a")
     .op(1, "TRANSACTION_END", tx=1)
     .op(1, "DIRECTORY", path="/a"))
diff('transaction-private-view', Diff()
     .op(0, "WRITE", path="/b", value=b'old')
     .op(0, "TRANSACTION_START")
     .op(0, "READ", tx=1, path="/b")
     .op(1, "WRITE", path="/b", value=b'new')
     .op(0, "READ", tx=1, path="/b")
     .op(0, "READ", tx=1, path="/c")
     .op(0, "RM", tx=1, path="/b")
     .op(0, "READ", path="/b")
     .op(0, "TRANSACTION_END", tx=1)
     .op(0, "TRANSACTION_START")
     .op(0, "RM", tx=2, path="/b")
     .op(0, "MKDIR", tx=2, path="/b/a")
     .op(0, "TRANSACTION_START", tx=2)
     .op(0, "TRANSACTION_END", tx=2)
     .op(0, "DIRECTORY", path="/b"))
diff('errors-and-malformed', Diff()
     .op(0, "READ", path="/a", malformed=1)
     .op(0, "READ", path="/a", malformed=2)
     .op(0, "READ", path="@a")
     .op(0, "MKDIR", path="/a/")
     .op(0, "SET_PERMS", path="/", perms=["x1"])
     .op(0, "SET_PERMS", path="/", perms=["r70000"])
     .op(0, "SET_PERMS", path="/a", perms=["r00003", "n2"])
     .op(0, "GET_PERMS", path="/a")
     .op(0, "TRANSACTION_END", tx=3)
     .op(0, "ABORT")
     .op(1, "READ", tx=5, path="/a"))
diff('abort-and-ids', Diff()
     .op(0, "TRANSACTION_START")
     .op(0, "TRANSACTION_START")
     .op(0, "WRITE", tx=2, path="/c", value=b'x')
     .op(0, "ABORT", tx=2)
     .op(0, "READ", path="/c")
     .op(0, "TRANSACTION_START")
     .op(0, "TRANSACTION_END", tx=1)
     .op(0, "TRANSACTION_START"))

# The transaction looks at /a/b, another connection removes /a, the transaction removes /a/b:
# jxenstored's Transaction.remove finds no parent and throws (docs/fuzzing.md, known bugs).
diff('txn-rm-after-parent-removed', Diff()
     .op(0, "WRITE", path="/a/b", value=b'x')
     .op(1, "TRANSACTION_START")
     .op(1, "READ", tx=1, path="/a/b")
     .op(0, "RM", path="/a")
     .op(1, "RM", tx=1, path="/a/b")
     .op(1, "TRANSACTION_END", tx=1))
print('seeds written')
