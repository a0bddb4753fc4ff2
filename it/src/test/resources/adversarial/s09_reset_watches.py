"""Scenario 9 (XSA-330, XSA-484): RESET_WATCHES repeatedly, inside an open transaction, and
while events are queued.

python3 -B s09_reset_watches.py SHARED DIR ring DOMID

The guest is left introduced with no watch and no transaction.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import quota_of, step, err, guest, sc, z, XS_ERROR, W_ERROR, run  # noqa: E402
from xsguest import XS_RESET_WATCHES, XS_TRANSACTION_END  # noqa: E402


def ring():
    g = guest(int(sys.argv[4]))
    home = f"/local/domain/{g.domid}"
    for i in range(50):
        g.watch(f"w{i}", f"t{i}")
    step("quota-watches-50", quota_of(g.domid, "watches"))
    step("reset", err(g.reset_watches))
    step("quota-watches-after-reset", quota_of(g.domid, "watches"))
    g.events.clear()
    bad = sum(1 for i in range(50) if err(lambda: g.watch(f"w{i}", f"t{i}")) != "OK")
    step("reregister-same-errors", bad)
    # repeatedly
    bad = sum(1 for _ in range(200) if err(g.reset_watches) != "OK")
    step("reset-200-errors", bad)
    step("quota-watches-after-200", quota_of(g.domid, "watches"))
    # inside an open transaction (XSA-484), with the transaction's id in the header too
    for hdr_tx in (False, True):
        name = "reset-in-tx" + ("-hdr" if hdr_tx else "")
        tx = g.transaction_start()
        g.write("intx", "1", tx)
        t, _, body = g.raw(XS_RESET_WATCHES, b"", tx if hdr_tx else 0)
        step(name, body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
        t, _, body = g.raw(XS_TRANSACTION_END, z("T"), tx)
        step(name + "-then-end", body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
        step(name + "-not-committed", err(lambda: g.read("intx")))
    # while events are queued: dom0 writes 300 nodes below the watch, the guest does not read
    g.watch("q", "old")
    g.wait_event(5.0, lambda e: e[1] == "old")
    s = sc()
    for i in range(300):
        s.write(f"{home}/q/k{i}", "x")
    step("reset-with-queued-events", err(g.reset_watches))
    g.events.clear()
    g.watch("m", "mark")
    g.wait_event(5.0, lambda e: e[1] == "mark")
    s.write(f"{home}/q/after", "x")
    s.write(f"{home}/m", "x")
    got_mark = g.wait_event(5.0, lambda e: e[1] == "mark")
    step("barrier", "YES" if got_mark else "NO")
    step("old-token-events-after-reset", sum(1 for e in g.events if e[1] == "old" and e[0].endswith("/after")))
    s.rm(f"{home}/q")
    s.close()
    step("final-reset", err(g.reset_watches))
    step("quota-watches-final", quota_of(g.domid, "watches"))
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
