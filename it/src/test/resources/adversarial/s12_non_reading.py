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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import (step, info, err, guest, served, memreport, RequestFeeder, feed_until_stalled,  # noqa: E402
                      read_replies, HDR, M32, W_REQ_CONS, W_ERROR, XS_READ, run)

VALUE = "v" * 2000


def pipeline(a, prefix, nreq):
    a.write("x", VALUE)
    feeder = RequestFeeder(a, b"".join(HDR.pack(XS_READ, 1000 + i, 0, 2) + b"x\0" for i in range(nreq)))
    cons0 = a.ring.get(W_REQ_CONS)
    # barrier: the daemon served dom0 after our notification
    rounds, others = feed_until_stalled(feeder, lambda r: served(tag=f"p{r % 4}"))
    consumed = ((a.ring.get(W_REQ_CONS) - cons0) & M32) // 18
    step(f"{prefix}stalled", "YES" if consumed < nreq else "NO")
    step(f"{prefix}consumed-at-most-21", "YES" if consumed <= 21 else f"NO:{consumed}")
    q = memreport().get("queued output", -1)
    step(f"{prefix}queued-output-bounded", "YES" if 0 <= q <= 25 * 2016 else f"NO:{q}")
    step(f"{prefix}others-served", others)
    info(f"{prefix} consumed={consumed} queued={q} rounds={rounds}")
    return feeder


def run_all():
    dr, ds, nreq = (int(x) for x in sys.argv[4:7])
    a = guest(dr)
    got = read_replies(pipeline(a, "r-", nreq), nreq)
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
