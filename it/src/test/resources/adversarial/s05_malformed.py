"""Scenario 5: malformed payloads from a guest.  Every case must give EINVAL and leave the
connection usable.

python3 -B s05_malformed.py SHARED DIR ring DOMID

Steps: one per case (the reply's error name, OK if accepted), then usable (write + read).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, err, guest, XS_TYPES, XS_ERROR, W_ERROR, run  # noqa: E402

T = {n: i for i, n in enumerate(XS_TYPES)}


def ring():
    g = guest(int(sys.argv[4]))
    home = f"/local/domain/{g.domid}"
    g.write("p", "1")
    cases = [
        ("read-no-nul", "READ", b"p"),
        ("read-empty", "READ", b""),
        ("read-extra-string", "READ", b"p\0extra\0"),
        ("write-no-nul", "WRITE", b"w"),
        ("mkdir-empty-path", "MKDIR", b"\0"),
        ("watch-one-string", "WATCH", b"p\0"),
        ("watch-depth-abc", "WATCH", b"p\0tok\0abc\0"),
        ("watch-depth-minus1", "WATCH", b"p\0tok\0-1\0"),
        ("domainpath-abc", "GET_DOMAIN_PATH", b"abc\0"),
        ("dirpart-offset-x", "DIRECTORY_PART", (home + "\0x\0").encode()),
        ("perms-x5", "SET_PERMS", b"p\0x5\0"),
        ("perms-r", "SET_PERMS", b"p\0r\0"),
        ("perms-r-1", "SET_PERMS", b"p\0r-1\0"),
        ("perms-r99999999999", "SET_PERMS", b"p\0r99999999999\0"),
    ]
    for name, typ, payload in cases:
        try:
            t, _, body = g.raw(T[typ], payload)
            step(name, body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
        except Exception as e:  # noqa: BLE001
            step(name, type(e).__name__)
    tx = g.transaction_start()
    for v in (b"X\0", b"\0", b"TT\0", b"t\0", b"T"):
        t, _, body = g.raw(T["TRANSACTION_END"], v, tx)
        step("txend-" + (v.rstrip(b"\0").decode() or "empty") + ("-nonul" if not v.endswith(b"\0") else ""),
             body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
    step("txend-F-after", err(lambda: g.transaction_end(tx, False)))
    step("perms-unchanged", err(lambda: g.get_perms("p")))
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
