"""Scenario 4: unknown and server-only message types from a guest.

python3 -B s04_unknown_types.py SHARED DIR ring DOMID

For each type (15 WATCH_EVENT, 16 ERROR, 20 RESTRICT, 27, 0xffff, 0xffffffff): step
type-<n> = the error name of the reply; then the guest writes and reads back (usable).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, err, guest, z, XS_ERROR, W_ERROR, run  # noqa: E402

TYPES = [15, 16, 20, 27, 0xffff, 0xffffffff]


def ring():
    g = guest(int(sys.argv[4]))
    for t in TYPES:
        try:
            rt, _, body = g.raw(t, z("/local/domain", "tok"))
            step(f"type-{t}", body.rstrip(b"\0").decode() if rt == XS_ERROR else f"REPLY{rt}")
        except Exception as e:  # noqa: BLE001
            step(f"type-{t}", type(e).__name__)
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
