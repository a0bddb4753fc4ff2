"""Scenario 11 (XSA-326): event flood towards a guest that never reads.

python3 -B s11_event_flood.py SHARED DIR run A B BYSTANDER WATCHES TOKENLEN B_NODES DOM0_NODES QUOTA

A watches its home WATCHES times (tokens of TOKENLEN bytes), lets B write below
/local/domain/A/flood, and never reads again.  B (a cooperating guest) pipelines B_NODES
create+delete pairs there and reads its replies: it must be throttled (its requests stay
outstanding while the events they caused are queued for A).  dom0 then creates and deletes
DOM0_NODES nodes there: never throttled.  While A is flooded: memreport's queued output is
bounded by A's memory quota QUOTA; dom0 and the (already introduced) BYSTANDER are served.
A is destroyed: B's requests then complete, all OK.  B is left introduced.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import (step, info, err, guest, sc, served, memreport, send_control, wait_released,  # noqa: E402
                      RequestFeeder, feed_until_stalled, DIR, SOCK, HDR, W_REQ_CONS, W_ERROR, XS_WRITE,
                      XS_ERROR, run)
from xsguest import Guest, XS_RM  # noqa: E402


def run_all():
    da, db, dby, nw, toklen, bnodes, dnodes, quota = (int(x) for x in sys.argv[4:12])
    home = f"/local/domain/{da}"
    a = guest(da)
    step("a-mkdir", err(lambda: a.mkdir("flood")))
    step("a-perms", err(lambda: a.set_perms("flood", [f"n{da}", f"b{db}"])))
    ok = sum(1 for i in range(nw) if err(lambda: a.watch(home, f"w{i:03d}-".ljust(toklen, "x"))) == "OK")
    step("a-watches", ok)
    a.collect_events(0.2, limit=nw)    # the initial events; from now on A reads nothing

    b = guest(db)
    reqs = []
    for i in range(bnodes):
        p = f"{home}/flood/b{i}".encode() + b"\0"
        reqs.append(HDR.pack(XS_WRITE, 10000 + 2 * i, 0, len(p) + 1) + p + b"x")
        reqs.append(HDR.pack(XS_RM, 10001 + 2 * i, 0, len(p)) + p)
    feeder = RequestFeeder(b, b"".join(reqs))

    def barrier(rounds):
        b._pump()
        r = served(tag=f"f{rounds % 4}")          # dom0 served after B's notification
        b._pump()
        return r

    feed_until_stalled(feeder, barrier, progress=lambda: (len(b.replies), b.ring.get(W_REQ_CONS)))
    step("b-throttled", "YES" if len(b.replies) < 2 * bnodes else f"NO:{len(b.replies)}")
    early = set(b.replies)
    info(f"B replies while A floods: {len(b.replies)} of {2 * bnodes}")

    s = sc()
    bad, generated = 0, 0
    for i in range(dnodes):
        p = f"{home}/flood/d{i}"
        bad += err(lambda: s.write(p, "x")) != "OK"
        bad += err(lambda: s.rm(p)) != "OK"
        generated += nw * (16 + len(p) + 1 + toklen + 1)
    s.close()
    step("dom0-flood-errors", bad)
    step("flood-exceeds-2x-quota", "YES" if generated > 2 * quota else f"NO:{generated}")
    q = memreport().get("queued output", -1)
    step("queued-output-bounded", "YES" if q <= quota + 2 * 4112 else f"NO:{q}")
    step("a-really-flooded", "YES" if q >= quota // 2 else f"NO:{q}")
    info(f"queued output while A is flooded: {q} (quota {quota}, generated {generated})")
    step("dom0-served", served(tag="end"))
    by = Guest(DIR, dby, socket_path=SOCK, introduce="attach")
    v = f"s11-{dby}"
    r = err(lambda: (by.write("served-s11", v), by.read("served-s11"))[1])
    step("bystander-served", "OK" if r == "OK:" + v else r)
    by.close()
    step("a-error-field", a.ring.get(W_ERROR))

    a.close()
    send_control(DIR, f"destroy {da}")
    step("a-released", "YES" if wait_released(da, timeout=10.0) else "NO")
    deadline = time.time() + 20
    while len(b.replies) < 2 * bnodes and time.time() < deadline:
        feeder.push()
        b._pump()
        b.evt.wait(0.1)
    step("b-replies-after-a-gone", len(b.replies))
    # B's requests answered before A died: all OK (later ones may fail: A's home is gone)
    step("b-errors-while-throttled", sum(1 for rid, (t, _, _) in b.replies.items() if t == XS_ERROR and rid in early))
    b.replies.clear()
    step("b-usable", err(lambda: (b.write("after", "v"), b.read("after"))[1]))
    step("b-error-field", b.ring.get(W_ERROR))


run({"run": run_all})
