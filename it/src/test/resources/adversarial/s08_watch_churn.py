"""Scenario 8: duplicate WATCH, unknown UNWATCH, WATCH with tx_id set, WATCH/UNWATCH churn.

python3 -B s08_watch_churn.py SHARED DIR ring DOMID CYCLES

The guest is left introduced, with no watch registered (the Java test checks the daemon's
watch count, then destroys it).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import quota_of, step, err, guest, z, XS_ERROR, W_ERROR, run  # noqa: E402
from xsguest import XS_WATCH, XS_UNWATCH  # noqa: E402


def ring():
    g = guest(int(sys.argv[4]))
    cycles = int(sys.argv[5])
    home = f"/local/domain/{g.domid}"
    step("watch", err(lambda: g.watch("w", "t")))
    step("watch-duplicate", err(lambda: g.watch("w", "t")))
    step("watch-duplicate-absolute", err(lambda: g.watch(home + "/w", "t")))
    step("unwatch-unknown-token", err(lambda: g.unwatch("w", "other")))
    step("unwatch-unknown-path", err(lambda: g.unwatch("nowhere", "t")))
    step("unwatch", err(lambda: g.unwatch("w", "t")))
    # WATCH with the id of an open transaction: not transactional
    tx = g.transaction_start()
    t, _, body = g.raw(XS_WATCH, z("x", "tx"), tx)
    step("watch-in-tx", body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
    step("watch-in-tx-initial", "YES" if g.wait_event(5.0, lambda e: e[1] == "tx") else "NO")
    step("tx-abort", err(lambda: g.transaction_end(tx, False)))
    step("write-after-abort", err(lambda: g.write("x", "1")))
    step("watch-in-tx-still-fires", "YES" if g.wait_event(5.0, lambda e: e[1] == "tx" and e[0] == "x") else "NO")
    t, _, body = g.raw(XS_WATCH, z("y", "bogus-tx"), 999)
    step("watch-unknown-tx", body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
    step("unwatch-in-tx", err(lambda: g.unwatch("x", "tx")))
    t, _, body = g.raw(XS_UNWATCH, z("y", "bogus-tx"), 999)
    step("unwatch-unknown-tx", body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
    # churn, pipelined 8 requests at a time
    bad = 0
    i = 0
    while i < cycles:
        rids = []
        for k in range(4):
            tok = f"c{i + k}"
            rids.append(g.send(XS_WATCH, z("churn", tok)))
            rids.append(g.send(XS_UNWATCH, z("churn", tok)))
        for rid in rids:
            t, _, body = g.recv(rid)
            if t == XS_ERROR:
                bad += 1
        g.events.clear()
        i += 4
    step("churn-errors", bad)
    step("quota-watches", quota_of(g.domid, "watches"))
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
