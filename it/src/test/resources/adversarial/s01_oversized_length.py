"""Scenario 1 (XSA-420): a guest writes a header whose len exceeds XENSTORE_PAYLOAD_MAX.

python3 -B s01_oversized_length.py SHARED DIR ring DOMID...

Each DOMID gets one length, in order: 4097, 65535, 0x7fffffff, 0xffffffff.  Steps:
pre-<len> (a normal write first), error-<len> (the ring's error field once set, 3 = PROTO),
rsp-<len> (YES if the daemon wrote no reply for the bad header).  The offenders are left
introduced (the Java test destroys them).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import (step, err, guest, wait_until, XS_READ, W_ERROR, W_RSP_PROD, run)  # noqa: E402

LENGTHS = [4097, 65535, 0x7fffffff, 0xffffffff]


def ring():
    domids = [int(d) for d in sys.argv[4:]]
    for d, ln in zip(domids, LENGTHS):
        a = guest(d)
        step(f"pre-{ln}", err(lambda: a.write("pre", "1")))
        rsp = a.ring.get(W_RSP_PROD)
        a.raw_header(XS_READ, ln, body=b"x" * 100)
        got = wait_until(lambda: a.ring.get(W_ERROR) != 0, timeout=5.0)
        step(f"error-{ln}", a.ring.get(W_ERROR) if got else "0(not-set)")
        step(f"rsp-{ln}", "YES" if a.ring.get(W_RSP_PROD) == rsp else "NO")


run({"ring": ring})
