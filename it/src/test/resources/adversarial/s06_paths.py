"""Scenario 6: path edge cases from a guest.

python3 -B s06_paths.py SHARED DIR ring DOMID

Steps: one per case (OK / OK:<value> / the error name).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, err, guest, XS_READ, XS_WRITE, XS_ERROR, W_ERROR, run  # noqa: E402


def long_rel(n, ch):
    """A relative path of exactly n characters in components of at most 99 (node-size)."""
    parts, left = [], n
    while left > 0:
        k = min(99, left if not parts else left - 1)
        if parts:
            left -= 1
        parts.append(ch * k)
        left -= k
    return "/".join(parts)


def ring():
    g = guest(int(sys.argv[4]))
    home = f"/local/domain/{g.domid}"

    def raw_read(payload):
        t, _, body = g.raw(XS_READ, payload)
        return body.rstrip(b"\0").decode() if t == XS_ERROR else "OK"

    step("read-empty-string", raw_read(b"\0"))
    step("read-root", err(lambda: g.read("/")))
    step("read-double-slash", err(lambda: g.read("//")))
    step("write-trailing-slash", err(lambda: g.write("a/", "1")))
    step("write-inner-double-slash", err(lambda: g.write("a//b", "1")))
    step("read-local-domain-slash-xsa481", err(lambda: g.read("/local/domain/")))
    step("write-local-domain-slash-xsa481", err(lambda: g.write("/local/domain/", "1")))
    step("read-unknown-domain", err(lambda: g.read("/local/domain/99999/x")))
    step("read-at-foo", err(lambda: g.read("@foo")))
    step("write-foo-at-bar", err(lambda: g.write("foo@bar", "1")))
    t, _, body = g.raw(XS_WRITE, "é\0".encode() + b"1")
    step("write-non-ascii", body.rstrip(b"\0").decode() if t == XS_ERROR else "OK")
    assert len(long_rel(2048, "r")) == 2048 and len(long_rel(2049, "s")) == 2049
    step("rel-2048", err(lambda: g.write(long_rel(2048, "r"), "1")))
    step("rel-2049", err(lambda: g.write(long_rel(2049, "s"), "1")))
    step("abs-home-2048", err(lambda: g.write(home + "/" + long_rel(2048, "t"), "1")))
    step("abs-home-2049", err(lambda: g.write(home + "/" + long_rel(2049, "u"), "1")))
    step("abs-3073", err(lambda: g.read(home + "/" + long_rel(3073 - len(home) - 1, "v"))))
    step("rm-rel-2048", err(lambda: g.rm(long_rel(2048, "r").split("/")[0])))
    step("rm-abs-2048", err(lambda: g.rm(home + "/" + long_rel(2048, "t").split("/")[0])))
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
