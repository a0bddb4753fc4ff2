"""Scenario 20: special events, XSA-325/425 (Scenario20SpecialEventsXsa325Xsa425Test).

python3 -B s20_special.py SHARED DIR events
Domids: 200 shut down / resumed, 201 misbehaves then dies, 202 released mid-request,
205..208 barrier domains (destroyed to prove the daemon handled a VIRQ).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import (step, sc, guest, destroy, run, dom0, z, ring_err, send_control,  # noqa: E402
                        DIR, wait_until, W_REQ_CONS, W_ERROR, is_introduced)
from xsguest import XS_RELEASE, XS_RESUME, XS_WRITE  # noqa: E402

TOP = "/adv20"


class Counter:
    """A dom0 connection watching the special nodes; counts events per token up to a marker."""

    def __init__(self, watches):
        self.s = sc()
        self.s.write(f"{TOP}/mark", "0")
        self.n = 0
        for path, tok in watches + [(f"{TOP}/mark", "mark")]:
            self.s.watch(path, tok)
        self.count()          # the initial events

    def wait(self, tok, timeout=5.0):
        return self.s.wait_event(timeout, lambda e: e[1] == tok) is not None

    def count(self):
        """{token: n} of every event before the marker's (the events already received too)."""
        self.n += 1
        self.s.write(f"{TOP}/mark", str(self.n))
        if self.s.wait_event(5.0, lambda e: e[1] == "mark" and True) is None:
            return {"NO-MARKER": 1}
        out = {}
        # the marker event was popped; everything queued before it counts
        for _, tok in self.s.events:
            out[tok] = out.get(tok, 0) + 1
        self.s.events = []
        return out


def fmt(d, keys):
    return ",".join(f"{k}={d.get(k, 0)}" for k in keys)


def barrier_domain(ctr, d):
    """Destroy domain d (a fresh one) and wait for its @releaseDomain/<d> event: the daemon
    has handled every VIRQ sent before."""
    g = guest(d)
    g.close()
    send_control(DIR, f"destroy {d}")
    return "OK" if ctr.wait(f"rel{d}") else "NO-EVENT"


def events():
    s = sc()
    s.rm(TOP)
    s.mkdir(TOP)
    s.close()
    watches = [("@introduceDomain", "intro"), ("@releaseDomain", "rel")]
    watches += [(f"@releaseDomain/{d}", f"rel{d}") for d in (200, 201, 202, 205, 206, 207, 208)]
    ctr = Counter(watches)
    g = guest(200)
    step("introduce", fmt(ctr.count(), ["intro", "rel"]))
    # shutdown: fires once; another VIRQ without RESUME: nothing; after RESUME: once more
    send_control(DIR, "shutdown 200")
    step("shutdown-fired", "YES" if ctr.wait("rel200") else "NO")
    step("shutdown-introduced", is_introduced(200))
    send_control(DIR, "virq")
    step("barrier1", barrier_domain(ctr, 205))
    step("virq-again", fmt(ctr.count(), ["rel200"]))
    step("resume", dom0(lambda s: s.req(XS_RESUME, z("200")) and None))
    send_control(DIR, "virq")
    step("resumed-fired", "YES" if ctr.wait("rel200") else "NO")
    step("barrier2", barrier_domain(ctr, 206))
    step("resumed-extra", fmt(ctr.count(), ["rel200"]))
    g.close()
    # XSA-325: a guest cut off for misbehaviour must still fire @releaseDomain exactly once when it dies
    m = guest(201)
    m.write("a", "1")
    m.set_index(req_prod=m.ring.get(W_REQ_CONS) + 2000)
    step("cut-off", "YES" if wait_until(lambda: m.ring.get(W_ERROR) != 0) else "NO")
    step("cut-off-introduced", is_introduced(201))
    step("cut-off-no-early-release", fmt(ctr.count(), ["rel201"]))
    m.close()
    send_control(DIR, "destroy 201")
    step("death-fired", "YES" if ctr.wait("rel201") else "NO")
    step("barrier3", barrier_domain(ctr, 207))
    step("death-extra", fmt(ctr.count(), ["rel201"]))
    # RELEASE of dom0 / unknown / by a guest
    step("release-dom0", dom0(lambda s: s.req(XS_RELEASE, z("0")) and None))
    step("release-unknown", dom0(lambda s: s.req(XS_RELEASE, z("4321")) and None))
    by = guest(203)
    step("release-by-guest", ring_err(by, XS_RELEASE, z("200")))
    # XSA-425: RELEASE while the domain has requests in flight
    r = guest(202)
    for i in range(60):
        r.send(XS_WRITE, z(f"k{i}") + b"v")
    step("release-in-flight", dom0(lambda s: s.req(XS_RELEASE, z("202")) and None))
    step("release-fired", "YES" if ctr.wait("rel202") else "NO")
    step("release-extra", fmt(ctr.count(), ["rel202"]))
    step("released-home", dom0(lambda s: s.directory("/local/domain/202")))
    step("release-again", dom0(lambda s: s.req(XS_RELEASE, z("202")) and None))
    r.close()
    by.close()
    step("barrier4", barrier_domain(ctr, 208))
    ctr.s.close()
    step("destroy", destroy(200, 203))
    s = sc()
    s.rm(TOP)
    s.close()


run({"events": events})
