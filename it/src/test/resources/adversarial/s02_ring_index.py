"""Scenario 2 (XSA-38): a guest corrupts its ring indexes.

python3 -B s02_ring_index.py SHARED DIR attacks D1 D2 D3 D4 D5 D6

D1 far:       req_prod = req_cons + 2000 (> 1024)                     -> error 2 (RINGIDX)
D2 behind:    req_prod = req_cons - 1 (distance 0xffffffff)           -> error 2
D3 rspback:   rsp_cons = rsp_prod - 2000, then a READ                 -> error 2, no reply written
D4 rspahead:  rsp_cons = rsp_prod + 5, then a READ                    -> error 2, no reply written
D5 toctou:    req_prod flipped 3000 times between valid and wild values while notifying,
              ending at req_cons + 0x80000000                         -> error 2, daemon alive
D6 wrap:      (legitimate) all four indexes set to 0xfffffe00 while idle, then 40
              write/read pairs cross the 2^32 wrap                    -> all correct, error 0
The offenders D1..D5 stay introduced (the Java test destroys them all).
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import (step, err, guest, wait_until, XS_READ, M32, W_ERROR, W_REQ_CONS,  # noqa: E402
                      W_REQ_PROD, W_RSP_PROD, run)


def error_of(a):
    got = wait_until(lambda: a.ring.get(W_ERROR) != 0, timeout=5.0)
    return a.ring.get(W_ERROR) if got else "0(not-set)"


def attacks():
    d = [int(x) for x in sys.argv[4:10]]

    a = guest(d[0])
    step("far-pre", err(lambda: a.write("pre", "1")))
    a.set_index(req_prod=a.ring.get(W_REQ_CONS) + 2000)
    step("far-error", error_of(a))

    a = guest(d[1])
    step("behind-pre", err(lambda: a.write("pre", "1")))
    a.set_index(req_prod=(a.ring.get(W_REQ_CONS) - 1) & M32)
    step("behind-error", error_of(a))

    for name, domid, delta in (("rspback", d[2], -2000), ("rspahead", d[3], 5)):
        a = guest(domid)
        step(f"{name}-pre", err(lambda: a.write("pre", "1")))
        prod = a.ring.get(W_RSP_PROD)
        a.set_index(notify=False, rsp_cons=(prod + delta) & M32)
        a.raw_header(XS_READ, 4, body=b"pre\0")
        step(f"{name}-error", error_of(a))
        step(f"{name}-no-reply", "YES" if a.ring.get(W_RSP_PROD) == prod else "NO")

    a = guest(d[4])
    step("toctou-pre", err(lambda: a.write("pre", "1")))
    rnd = random.Random(38)
    cons = a.ring.get(W_REQ_CONS)
    a.raw_bytes(b"\x02\0\0\0" + b"\0" * 12, notify=False)   # a READ header with len 0 at cons
    for i in range(3000):
        choice = rnd.choice((cons + 16, cons + 1025, cons - 1, cons + 0x80000000, rnd.getrandbits(32), cons))
        a.set_index(notify=(i % 3 == 0), req_prod=choice & M32)
    a.set_index(req_prod=(a.ring.get(W_REQ_CONS) + 0x80000000) & M32)
    step("toctou-error", error_of(a))

    a = guest(d[5])
    start = 0xfffffe00
    step("wrap-pre", err(lambda: a.write("pre", "1")))
    # idle now (the reply was consumed): move every index to just below 2^32
    a.set_index(notify=False, req_cons=start, req_prod=start, rsp_cons=start, rsp_prod=start)
    bad = 0
    for i in range(40):
        v = f"value-{i}-" + "w" * 60
        if err(lambda: a.write(f"wrap/k{i % 5}", v)) != "OK" or err(lambda: a.read(f"wrap/k{i % 5}")) != "OK:" + v:
            bad += 1
    step("wrap-bad", bad)
    step("wrap-crossed", "YES" if a.ring.get(W_REQ_PROD) < 0x10000 and a.ring.get(W_RSP_PROD) < 0x10000 else "NO")
    step("wrap-error", a.ring.get(W_ERROR))


run({"attacks": attacks})
