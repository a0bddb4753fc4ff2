"""Scenario 30: known assertion triggers, XSA-440/481/484 (Scenario30NoReachableAssertionXsa440Xsa481Xsa484Test).

python3 -B s30_asserts.py SHARED DIR socket|ring      offender: a dom0 socket client / guest 300
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, z, check, control, XS_ERROR  # noqa: E402
from xsguest import (XS_READ, XS_WRITE, XS_MKDIR, XS_RM, XS_DIRECTORY, XS_GET_PERMS,  # noqa: E402
                     XS_SET_PERMS, XS_WATCH, XS_UNWATCH, XS_DIRECTORY_PART, XS_RESET_WATCHES,
                     XS_TRANSACTION_START, XS_TRANSACTION_END)

DOMID = 300


def attack(call, base):
    def res(typ, payload, tx=0):
        t, body = call(typ, payload, tx)
        if t == XS_ERROR:
            return body.rstrip(b"\0").decode()
        return "OK"

    def start():
        t, body = call(XS_TRANSACTION_START, b"\0", 0)
        return int(body.rstrip(b"\0"))

    # XSA-440: two transactions delete the same 50 nodes; both commit
    for i in range(50):
        res(XS_WRITE, z(f"{base}/d/n{i}") + b"v")
    t1, t2 = start(), start()
    r1 = [res(XS_RM, z(f"{base}/d/n{i}"), t1) for i in range(50)]
    r2 = [res(XS_RM, z(f"{base}/d/n{i}"), t2) for i in range(50)]
    step("xsa440-rm", "OK" if set(r1 + r2) == {"OK"} else ",".join(sorted(set(r1 + r2))))
    step("xsa440-commit1", res(XS_TRANSACTION_END, z("T"), t1))
    step("xsa440-commit2", res(XS_TRANSACTION_END, z("T"), t2))
    # and the whole subtree removed twice, once in each transaction, with the same nodes re-created
    for i in range(50):
        res(XS_WRITE, z(f"{base}/d/n{i}") + b"v")
    t1, t2 = start(), start()
    res(XS_RM, z(f"{base}/d"), t1)
    res(XS_RM, z(f"{base}/d"), t2)
    res(XS_WRITE, z(f"{base}/d/n0") + b"again", t2)
    step("xsa440-subtree-commit1", res(XS_TRANSACTION_END, z("T"), t1))
    step("xsa440-subtree-commit2", res(XS_TRANSACTION_END, z("T"), t2))
    step("xsa440-check", check())
    # XSA-481: "/local/domain/" (trailing slash) in every path-taking request
    bad = {"read": (XS_READ, z("/local/domain/")), "write": (XS_WRITE, z("/local/domain/") + b"x"),
           "mkdir": (XS_MKDIR, z("/local/domain/")), "rm": (XS_RM, z("/local/domain/")),
           "directory": (XS_DIRECTORY, z("/local/domain/")), "getperms": (XS_GET_PERMS, z("/local/domain/")),
           "setperms": (XS_SET_PERMS, z("/local/domain/", "n0")),
           "watch": (XS_WATCH, z("/local/domain/", "t")),
           "dirpart": (XS_DIRECTORY_PART, z("/local/domain/", "0")),
           "double-slash": (XS_READ, z("/local/domain//")), "own-home-slash": (XS_READ, z(base + "/"))}
    got = {k: res(*v) for k, v in bad.items()}
    step("xsa481", "EINVAL" if set(got.values()) == {"EINVAL"} else str(got).replace(" ", ""))
    # UNWATCH compares the path unchecked, as C does: no watch has it
    step("xsa481-unwatch", res(XS_UNWATCH, z("/local/domain/", "t")))
    # XSA-484: RESET_WATCHES inside a transaction (with its tx_id), twice, then END
    res(XS_WATCH, z(f"{base}/w", "tok"))
    t = start()
    res(XS_WRITE, z(f"{base}/txw") + b"1", t)
    step("xsa484-reset-in-tx", res(XS_RESET_WATCHES, b"", t))
    step("xsa484-reset-again", res(XS_RESET_WATCHES, b"", t))
    step("xsa484-end", res(XS_TRANSACTION_END, z("T"), t))
    step("xsa484-tx-write-dropped", res(XS_READ, z(f"{base}/txw")))
    step("xsa484-watch-dropped", res(XS_UNWATCH, z(f"{base}/w", "tok")))
    t = start()
    step("xsa484-reset-no-txid", res(XS_RESET_WATCHES, b""))
    step("xsa484-end-after", res(XS_TRANSACTION_END, z("F"), t))
    step("xsa484-new-tx", "OK" if start() > 0 else "BAD")
    res(XS_RESET_WATCHES, b"")
    # zero-length and unterminated requests after RM
    res(XS_WRITE, z(f"{base}/gone") + b"v")
    res(XS_RM, z(f"{base}/gone"))
    empty = {"read": XS_READ, "write": XS_WRITE, "mkdir": XS_MKDIR, "rm": XS_RM, "directory": XS_DIRECTORY,
             "getperms": XS_GET_PERMS, "setperms": XS_SET_PERMS, "watch": XS_WATCH,
             "unwatch": XS_UNWATCH, "dirpart": XS_DIRECTORY_PART, "txend": XS_TRANSACTION_END}
    got = {k: res(t, b"") for k, t in empty.items()}
    step("zero-length", "EINVAL" if set(got.values()) == {"EINVAL"} else str(got).replace(" ", ""))
    got = {k: res(t, f"{base}/gone".encode()) for k, t in (("read", XS_READ), ("rm", XS_RM),
                                                          ("mkdir", XS_MKDIR), ("write", XS_WRITE))}
    step("unterminated", "EINVAL" if set(got.values()) == {"EINVAL"} else str(got).replace(" ", ""))
    step("usable", res(XS_WRITE, z(f"{base}/end") + b"1"))
    res(XS_RM, z(f"{base}/d"))
    step("check", check())


def socket_():
    s = sc()
    s.rm("/adv30")
    attack(lambda t, p, tx: s.raw(t, p, tx), "/adv30")
    s.rm("/adv30")
    s.close()


def ring():
    g = guest(DOMID)

    def call(t, p, tx):
        typ, _, body = g.raw(t, p, tx)
        return typ, body
    attack(call, f"/local/domain/{DOMID}")
    # the node accounting survived XSA-440's double deletion: quota count = nodes really owned
    quota = control("quota", str(DOMID))
    counted = [int(line.split(":")[1].split()[0]) for line in quota.splitlines() if line.strip().startswith("nodes")]
    s = sc()
    real, stack = 0, [f"/local/domain/{DOMID}"]
    while stack:
        p = stack.pop()
        real += 1
        stack += [f"{p}/{c}" for c in s.directory(p)]
    s.close()
    step("node-accounting", "EXACT" if counted == [real] else f"counted:{counted}:real:{real}")
    g.close()
    step("destroy", destroy(DOMID))


run({"socket": socket_, "ring": ring})
