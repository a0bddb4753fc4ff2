"""Scenario 27: the ERROR feature (Scenario27ErrorFeatureXsa325Test).

python3 -B s27_errorfeat.py SHARED DIR proto|ringidx      offender: guest 270 / 271; barrier guest 280 / 281
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import (step, sc, guest, run, err, is_introduced, send_control, DIR, wait_until,  # noqa: E402
                        wait_released, HDR, W_FEATURES, W_ERROR, W_REQ_CONS, W_REQ_PROD, W_RSP_PROD,
                        XS_READ)

TOP = "/adv27"


def attack(d, kind):
    s = sc()
    s.rm(TOP)
    s.write(f"{TOP}/mark", "0")
    s.watch(f"@releaseDomain/{d}", "rel")
    s.watch(f"{TOP}/mark", "mark")
    s.wait_event(5.0, lambda e: e[1] == "mark")
    s.events = []
    g = guest(d)
    # A bystander of its own per attack: re-creating a destroyed domid races the shim's
    # "create" datagram against the INTRODUCE on the socket.
    bystander = d + 10
    by = guest(bystander)
    step("feature", "YES" if g.ring.get(W_FEATURES) & 2 else "NO")
    g.write("before", "1")
    if kind == "proto":
        g.raw_header(XS_READ, 5000, body=b"x" * 8)
    else:
        g.set_index(req_prod=g.ring.get(W_REQ_CONS) + 2000)
    step("error", g.ring.get(W_ERROR) if wait_until(lambda: g.ring.get(W_ERROR) != 0) else 0)
    # the guest repairs its indexes and sends a valid request; the daemon must not look
    cons = g.ring.get(W_REQ_CONS)
    g.ring.set(W_REQ_PROD, cons)
    msg = HDR.pack(XS_READ, 77, 0, 7) + b"before\0"
    g.raw_bytes(msg, notify=True)
    page = bytes(g.ring.mm[:])
    step("others-served", err(lambda: (by.write("b", "1"), by.read("b"))[1]))   # barrier
    after = bytes(g.ring.mm[:])
    step("ring-untouched", "YES" if after == page else "NO")
    step("rsp-prod-unchanged", "YES" if g.ring.get(W_RSP_PROD) == int.from_bytes(page[2060:2064], "little") else "NO")
    step("introduced", is_introduced(d))
    g.close()
    by.close()
    send_control(DIR, f"destroy {d}")
    step("released", "YES" if wait_released(d) else "NO")
    s.write(f"{TOP}/mark", "1")
    s.wait_event(5.0, lambda e: e[1] == "mark")
    step("release-events", sum(1 for e in s.events if e[1] == "rel"))
    s.rm(TOP)
    s.close()
    send_control(DIR, f"destroy {bystander}")
    wait_released(bystander)


run({"proto": lambda: attack(270, "proto"), "ringidx": lambda: attack(271, "ringidx")})
