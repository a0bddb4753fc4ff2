"""Scenario 15 (XSA-206): a guest rewrites its status node in a tight loop.

python3 -B s15_starvation.py SHARED DIR writer DOMID STOPFILE

Prints "STEP started 1" once writing, then writes (8 pipelined writes at a time, value = a
running counter) until STOPFILE exists; then "STEP writes N", "STEP errors N".  The guest is
left introduced.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, guest, XS_WRITE, XS_ERROR, run  # noqa: E402


def writer():
    d, stop = int(sys.argv[4]), sys.argv[5]
    g = guest(d, timeout=30.0)
    g.write("status", "0")
    n, errors = 0, 0
    step("started", 1)
    while not os.path.exists(stop):
        rids = []
        for _ in range(8):
            n += 1
            rids.append(g.send(XS_WRITE, b"status\0" + str(n).encode()))
        for rid in rids:
            t, _, _ = g.recv(rid)
            if t == XS_ERROR:
                errors += 1
    step("writes", n)
    step("errors", errors)


run({"writer": writer})
