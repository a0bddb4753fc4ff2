"""Scenario 12 (XSA-416): a guest pipelines READs of a 2000-byte value and never consumes the
replies.

python3 -B s12_non_reading.py SHARED DIR run READER STALLER NREQ

READER pipelines NREQ READs, is throttled, then reads everything (all replies checked).
STALLER pipelines NREQ READs and never reads (left introduced for the Java test).
Steps per guest (prefix r-/s-): stalled, consumed, queued-output (memreport while stalled),
others-served (dom0 write+read between pushes).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import (step, info, err, guest, sc, z, HDR, RING_SIZE, M32, OFF_REQ, OFF_RSP,  # noqa: E402
                      W_REQ_CONS, W_REQ_PROD, W_RSP_CONS, W_RSP_PROD, W_ERROR, XS_READ, run)

VALUE = "v" * 2000


def memreport():
    s = sc()
    try:
        out = s.req(0, z("memreport")).decode()
    finally:
        s.close()
    return {k.strip(): int(v) for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)
            if v.strip().isdigit()}


def dom0_served(tag):
    s = sc()
    try:
        s.write(f"/guest-it/{tag}", "1")
        return "OK" if s.read(f"/guest-it/{tag}") == "1" else "BAD"
    except Exception as e:  # noqa: BLE001
        return f"BAD:{type(e).__name__}"
    finally:
        s.close()


def pipeline(a, prefix, nreq):
    a.write("x", VALUE)
    data = b"".join(HDR.pack(XS_READ, 1000 + i, 0, 2) + b"x\0" for i in range(nreq))
    off = 0
    cons0 = a.ring.get(W_REQ_CONS)

    def push():
        nonlocal off
        cons = a.ring.get(W_REQ_CONS)
        prod = a.ring.get(W_REQ_PROD)
        n = min(RING_SIZE - ((prod - cons) & M32), len(data) - off)
        if n > 0:
            a.ring.copy_in(OFF_REQ, prod, data[off:off + n])
            a.ring.set(W_REQ_PROD, prod + n)
            off += n
            a.notify()
        return n

    stable, last, rounds, others = 0, None, 0, "OK"
    while rounds < 300 and stable < 3:
        rounds += 1
        pushed = push()
        r = dom0_served(f"p{rounds % 4}")   # barrier: the daemon served dom0 after our notification
        if r != "OK":
            others = r
        cons = a.ring.get(W_REQ_CONS)
        stable = stable + 1 if (pushed == 0 or off == len(data)) and cons == last else 0
        last = cons
    consumed = ((a.ring.get(W_REQ_CONS) - cons0) & M32) // 18
    step(f"{prefix}stalled", "YES" if consumed < nreq else "NO")
    step(f"{prefix}consumed-at-most-21", "YES" if consumed <= 21 else f"NO:{consumed}")
    q = memreport().get("queued output", -1)
    step(f"{prefix}queued-output-bounded", "YES" if 0 <= q <= 25 * 2016 else f"NO:{q}")
    step(f"{prefix}others-served", others)
    info(f"{prefix} consumed={consumed} queued={q} rounds={rounds}")
    return data, push


def run_all():
    dr, ds, nreq = (int(x) for x in sys.argv[4:7])
    a = guest(dr)
    data, push = pipeline(a, "r-", nreq)
    buf, got = b"", []
    deadline = time.time() + 30
    while len(got) < nreq and time.time() < deadline:
        push()
        cons, prod = a.ring.get(W_RSP_CONS), a.ring.get(W_RSP_PROD)
        avail = (prod - cons) & M32
        if avail:
            buf += a.ring.copy_out(OFF_RSP, cons, avail)
            a.ring.set(W_RSP_CONS, cons + avail)
            a.notify()
            while len(buf) >= 16:
                t, rid, tx, ln = HDR.unpack_from(buf)
                if len(buf) < 16 + ln:
                    break
                got.append((t, rid, buf[16:16 + ln]))
                buf = buf[16 + ln:]
        else:
            a.evt.wait(0.2)
    want = [(XS_READ, 1000 + i, VALUE.encode()) for i in range(nreq)]
    step("r-replies", len(got))
    step("r-replies-correct", "YES" if got == want else "NO")
    a.resync()
    step("r-after", err(lambda: len(a.read("x"))))
    step("r-error-field", a.ring.get(W_ERROR))
    s = guest(ds)
    pipeline(s, "s-", nreq)
    step("s-error-field", s.ring.get(W_ERROR))


run({"run": run_all})
