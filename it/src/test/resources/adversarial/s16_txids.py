"""Scenario 16: transaction ids (Scenario16TransactionIdsTest).

python3 -B s16_txids.py SHARED DIR socket|ring      offender: a dom0 socket client / guest 160
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import (step, sc, guest, destroy, run, z, XS_TRANSACTION_START,  # noqa: E402
                        XS_TRANSACTION_END, XS_READ, XS_WRITE, XS_ERROR)

OFFENDER = 160


def attack(call, base):
    """call(typ, payload, tx) -> (type, body); base: a writable folder."""
    def res(typ, payload, tx=0):
        t, body = call(typ, payload, tx)
        if t == XS_ERROR:
            return body.rstrip(b"\0").decode()
        return "OK:" + body.rstrip(b"\0").decode(errors="replace")

    def start(tx=0):
        r = res(XS_TRANSACTION_START, b"\0", tx)
        return int(r[3:]) if r.startswith("OK:") else r

    t1 = start()
    step("first-id", "NONZERO" if isinstance(t1, int) and t1 != 0 else f"BAD:{t1}")
    step("nested", res(XS_TRANSACTION_START, b"\0", t1))
    step("end-0", res(XS_TRANSACTION_END, z("T"), 0))
    step("end-unknown", res(XS_TRANSACTION_END, z("T"), t1 + 1000))
    step("read-unknown", res(XS_READ, z(base), 0xffffffff))
    step("end-bad-arg", res(XS_TRANSACTION_END, z("X"), t1))
    ids = [t1] + [start() for _ in range(9)]
    ok = all(isinstance(i, int) and i != 0 for i in ids) and len(set(ids)) == len(ids)
    step("ten-ids-distinct-nonzero", "YES" if ok else f"NO:{ids}")
    gone = ids[3]
    step("abort", res(XS_TRANSACTION_END, z("F"), gone))
    step("read-after-end", res(XS_READ, z(base), gone))
    step("write-after-end", res(XS_WRITE, z(f"{base}/late") + b"v", gone))
    step("end-after-end", res(XS_TRANSACTION_END, z("T"), gone))
    step("late-write-absent", res(XS_READ, z(f"{base}/late")))
    open_ids = [i for i in ids if i != gone]
    new = start()
    step("new-id-unused", "YES" if isinstance(new, int) and new != 0 and new not in open_ids
         else f"NO:{new}:{open_ids}")
    step("write-in-tx", res(XS_WRITE, z(f"{base}/c") + b"1", new))
    step("invisible-outside", res(XS_READ, z(f"{base}/c")))
    step("commit", res(XS_TRANSACTION_END, z("T"), new))
    step("visible-after-commit", res(XS_READ, z(f"{base}/c")))
    step("commit-again", res(XS_TRANSACTION_END, z("T"), new))
    # leave nine transactions open, each with a write: they die with the connection / domain
    for i in open_ids:
        res(XS_WRITE, z(f"{base}/open{i}") + b"x", i)
    return open_ids


def socket_():
    base = "/adv16"
    s = sc()
    s.rm(base)
    s.mkdir(base)
    attack(lambda typ, p, tx: s.raw(typ, p, tx), base)
    s.close()
    s = sc()
    step("open-writes-discarded", "YES" if s.directory(base) == ["c"] else f"NO:{s.directory(base)}")
    s.rm(base)
    s.close()


def ring():
    g = guest(OFFENDER)
    base = f"/local/domain/{OFFENDER}"

    def call(typ, p, tx):
        t, _, body = g.raw(typ, p, tx)
        return t, body
    open_ids = attack(call, base)
    # quota: 11 open transactions per guest (C compares with > before adding); the 12th ENOSPC
    n = len(open_ids)
    last = "OK"
    while n < 20:
        t, _, body = g.raw(XS_TRANSACTION_START, b"\0")
        if t == XS_ERROR:
            last = body.rstrip(b"\0").decode()
            break
        n += 1
    step("open-until-refused", f"{n}:{last}")
    g.close()
    step("destroy", destroy(OFFENDER))


run({"socket": socket_, "ring": ring})
