"""Scenario 26: the RECONNECTION feature (Scenario26ReconnectionTest).

python3 -B s26_reconnect.py SHARED DIR reconnect      offender: guest 260
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import (step, sc, guest, destroy, run, err, z, memreport, mem_diff, reconnect,  # noqa: E402
                        ring_err, W_FEATURES, W_REQ_CONS, W_REQ_PROD, W_RSP_CONS, W_RSP_PROD, XS_READ)

D = 260
HOME = f"/local/domain/{D}"
STATE = ("watches", "transactions", "queued output", "connections", "domains")


def messy(g, s, n):
    """A watch, an open transaction with a write, events queued and unread, half a request."""
    g.watch(HOME, f"w{n}")
    tx = g.transaction_start()
    g.write("tx", "1", tx)
    for i in range(5):
        s.write(f"{HOME}/ev{i}", str(n))                  # events for g, which does not read
    g.raw_bytes(b"\x02\x00\x00\x00\x07\x00", notify=True)  # 6 bytes of a 16-byte header
    return tx


def run_():
    g = guest(D)
    step("feature", "YES" if g.ring.get(W_FEATURES) & 1 else "NO")
    s = sc()
    base = memreport()
    tx = messy(g, s, 0)
    step("reconnect", reconnect(g))
    idx = [g.ring.get(w) for w in (W_REQ_CONS, W_REQ_PROD, W_RSP_CONS, W_RSP_PROD)]
    step("indices", ",".join(map(str, idx)))
    step("tx-dropped", ring_err(g, XS_READ, z("tx"), tx))
    step("watch-dropped", err(lambda: g.unwatch(HOME, "w0")))
    step("mem-after-reconnect", mem_diff(base, memreport(), STATE))
    step("served-after", err(lambda: (g.write("x", "1"), g.read("x"))[1]))
    g.watch(HOME, "again")
    step("watch-after", "YES" if g.wait_event(5.0, lambda e: e[1] == "again") else "NO")
    g.unwatch(HOME, "again")
    base = memreport()
    fails = []
    for n in range(1, 101):
        messy(g, s, n)
        if reconnect(g) != "OK":
            fails.append(n)
    step("loop-resets", "ALL" if not fails else f"FAILED:{fails[:5]}")
    step("loop-mem", mem_diff(base, memreport(), STATE))
    step("served-after-loop", err(lambda: (g.write("y", "2"), g.read("y"))[1]))
    s.close()
    g.close()
    step("destroy", destroy(D))


run({"reconnect": run_})
