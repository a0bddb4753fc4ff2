"""s16_30_kit - helpers shared by the adversarial scenario scripts 16-30.

Run as every guest scenario script:  python3 -B sNN_x.py SHARED_DIR DAEMON_DIR SCENARIO
It imports ../guest/guestkit.py (STEP output, guest(), served(), EventCounter, ...) and adds:
destroying an offender and waiting until the daemon released it, memreport comparison, raw
socket requests, and RECONNECT on a guest ring.

Waiting rules as in guestkit: no sleeps for state; every wait ends on a reply, an event or a
polled state, bounded by a deadline.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
import guestkit  # noqa: E402
from guestkit import *  # noqa: E402,F401,F403
from guestkit import SCENARIO, DIR, SOCK, step, info, done, err, sc, guest, served, wait_until  # noqa: E402,F401
from guestkit import wait_released, is_introduced, send_control, EventCounter, dom0, control, memreport  # noqa: E402,F401,E501
from xsguest import *  # noqa: E402,F401,F403
from xsguest import (XS_CONTROL, XS_TRANSACTION_START, XS_TRANSACTION_END, XS_READ, XS_RM,  # noqa: E402
                     XS_RESET_WATCHES, XS_ERROR, HDR, z, XsError, XsTimeout, W_CONNECTION,
                     W_REQ_CONS, W_REQ_PROD, W_RSP_CONS, W_RSP_PROD, W_FEATURES, W_ERROR)

COUNTERS = ("nodes", "watches", "transactions", "connections", "domains", "queued output")


def mem_diff(before, after, names=COUNTERS):
    """'SAME' or the differing counters, e.g. 'watches:3->5'."""
    diff = [f"{n.replace(' ', '_')}:{before.get(n)}->{after.get(n)}" for n in names
            if before.get(n) != after.get(n)]
    return "SAME" if not diff else ",".join(diff)


def await_mem(before, names=COUNTERS, timeout=5.0):
    """Poll memreport until the counters equal before's (a closed socket is handled
    asynchronously); returns mem_diff of the last report."""
    last = [None]

    def same():
        last[0] = memreport()
        return mem_diff(before, last[0], names) == "SAME"
    wait_until(same, timeout=timeout, poll=0.02)
    return mem_diff(before, last[0], names)


def check():
    c = control("check")
    return "OK" if c.startswith("OK") else "BAD:" + c.replace(" ", "_").replace("\n", "|")


def destroy(*domids, timeout=5.0):
    """The fake hypervisor kills the domains; 'OK' once the daemon released them all."""
    for d in domids:
        send_control(DIR, f"destroy {d}")
    return "OK" if wait_released(*domids, timeout=timeout) else "STILL-INTRODUCED"


def raw_sock(s, typ, payload, tx=0):
    """(type name or error name, body) of a socket request with exact payload and tx_id."""
    t, body = s.raw(typ, payload, tx)
    if t == XS_ERROR:
        return body.rstrip(b"\0").decode(errors="replace")
    return "OK"


def ring_err(g, typ, payload, tx=0, timeout=None):
    """The reply to a ring request: 'OK', 'OK:<body>' or the error name, or TIMEOUT."""
    try:
        t, _, body = g.raw(typ, payload, tx, timeout)
    except XsTimeout:
        return "TIMEOUT"
    if t == XS_ERROR:
        return body.rstrip(b"\0").decode(errors="replace")
    return "OK"


def reconnect(g, timeout=5.0):
    """RECONNECTION feature: set connection = 1, notify, wait until the daemon set it back to 0;
    then forget local state as a guest kernel does. 'OK' or 'NO-RESET'."""
    g.ring.set(W_CONNECTION, 1)
    g.notify()
    ok = wait_until(lambda: g.ring.get(W_CONNECTION) == 0, timeout=timeout, poll=0.005)
    g.inbuf = b""
    g.replies.clear()
    g.events.clear()
    return "OK" if ok else "NO-RESET"


def run(scenarios):
    """guestkit's run, creating no node: the scenarios' baselines count every node."""
    guestkit.run(scenarios, folder=None)
