"""100 guests at once, driven round-robin from one process (ManyGuestsTest).

python3 -B many_guests.py SHARED DIR many

Domids 200..299.  Each round, every guest has requests outstanding at the same time
(pipelined: all sends first, then all receives): a write of its own node, then a read of it.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import step, info, guest, sc, XS_READ, XS_WRITE, z, run  # noqa: E402

BASE, COUNT, ROUNDS = 200, 100, 10


def many():
    t0 = time.time()
    gs = [guest(BASE + i) for i in range(COUNT)]
    info(f"introduced {COUNT} guests in {time.time() - t0:.2f}s")
    bad = []
    replies = 0
    for rnd in range(ROUNDS):
        # every guest: 2 writes and 1 read outstanding at once
        pend = []
        for g in gs:
            w1 = g.send(XS_WRITE, f"k\0v{g.domid}-{rnd}".encode())
            w2 = g.send(XS_WRITE, f"r{rnd}\0{g.domid}".encode())
            r = g.send(XS_READ, z("k"))
            pend.append((g, w1, w2, r))
        for g, w1, w2, r in pend:
            for rid, typ, want in ((w1, XS_WRITE, b"OK\0"), (w2, XS_WRITE, b"OK\0"),
                                   (r, XS_READ, f"v{g.domid}-{rnd}".encode())):
                t, _, body = g.recv(rid, timeout=10.0)
                replies += 1
                if (t, body) != (typ, want):
                    bad.append(f"dom{g.domid}/r{rnd}:{t}:{body[:20]!r}")
    step("replies", replies)
    step("bad-replies", len(bad) if not bad else f"{len(bad)}:{bad[:3]}".replace(" ", ""))
    step("final-values", sum(1 for g in gs if g.read("k") == f"v{g.domid}-{ROUNDS - 1}"))
    step("final-children", sum(1 for g in gs if sorted(g.directory(f"/local/domain/{g.domid}")) ==
                               sorted(["k"] + [f"r{i}" for i in range(ROUNDS)])))
    s = sc()
    listed = set(s.directory("/local/domain"))
    step("dom0-lists", sum(1 for i in range(COUNT) if str(BASE + i) in listed))
    step("dom0-reads", sum(1 for i in range(COUNT)
                           if s.read(f"/local/domain/{BASE + i}/k") == f"v{BASE + i}-{ROUNDS - 1}"))
    step("introduced", sum(1 for i in range(COUNT) if s.is_introduced(BASE + i)))
    step("missed-notifications", sum(g.missed_notifications for g in gs))
    for g in gs:
        g.close()
        s.release(g.domid)
    step("released-gone", sum(1 for i in range(COUNT) if not s.is_introduced(BASE + i)))
    s.close()
    info(f"total {time.time() - t0:.2f}s")


run({"many": many})
