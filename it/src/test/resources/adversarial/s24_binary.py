"""Scenario 24: binary values (Scenario24BinaryValuesTest).

python3 -B s24_binary.py SHARED DIR values      offender: guest 240, dom0
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, err, z, HDR  # noqa: E402
from xsguest import XS_READ, XS_WRITE  # noqa: E402

TOP = "/adv24"
ALL = bytes(range(256)) + b"\0\0\0" + bytes(range(255, -1, -1))


def rt(write, read, path, value):
    """'SAME' if value reads back byte for byte, else what came back."""
    write(path, value)
    got = read(path)
    return "SAME" if got == value else f"DIFF:{len(got)}"


def values():
    g = guest(240)
    gw = lambda p, v: g.req(XS_WRITE, p.encode() + b"\0" + v)  # noqa: E731
    gr = lambda p: g.req(XS_READ, z(p))  # noqa: E731
    step("guest-binary", err(lambda: rt(gw, gr, "bin", ALL)))
    step("guest-nul-only", err(lambda: rt(gw, gr, "nul", b"\0")))
    step("guest-empty", err(lambda: rt(gw, gr, "empty", b"")))
    step("guest-trailing-nuls", err(lambda: rt(gw, gr, "tn", b"abc\0\0\0")))
    # node-size quota: 24 + 8 per permission entry + value + child names must stay below 2048
    step("guest-2015", err(lambda: rt(gw, gr, "q", b"\xff" * 2015)))
    step("guest-2016", err(lambda: gw("q", b"\x00" * 2016)))
    step("guest-after-refusal", err(lambda: "KEPT" if gr("q") == b"\xff" * 2015 else "CHANGED"))
    step("guest-2016-new-node", err(lambda: gw("q2", b"\x01" * 2016)))
    step("guest-2016-new-absent", err(lambda: gr("q2")))
    tx = g.transaction_start()
    step("guest-tx-binary", err(lambda: g.req(XS_WRITE, b"txbin\0" + ALL, tx) and None))
    step("guest-tx-read", err(lambda: "SAME" if g.req(XS_READ, z("txbin"), tx) == ALL else "DIFF"))
    g.transaction_end(tx)
    step("guest-after-commit", err(lambda: "SAME" if gr("txbin") == ALL else "DIFF"))
    g.close()
    step("destroy", destroy(240))
    s = sc()
    sw = lambda p, v: s.req(XS_WRITE, p.encode() + b"\0" + v)  # noqa: E731
    sr = lambda p: s.req(XS_READ, z(p))  # noqa: E731
    s.rm(TOP)
    step("dom0-binary", err(lambda: rt(sw, sr, f"{TOP}/bin", ALL)))
    big = f"{TOP}/big"
    fill = 4096 - len(big) - 1
    step("dom0-payload-max", err(lambda: rt(sw, sr, big, bytes(i % 256 for i in range(fill)))))
    s.rm(TOP)
    s.close()
    # one byte over the payload limit: this connection is dropped, nobody else notices
    s = sc()
    p = big.encode() + b"\0" + b"x" * (fill + 1)
    s.s.sendall(HDR.pack(XS_WRITE, 1, 0, len(p)) + p)
    try:
        s.read("/")
        step("dom0-over-max", "SERVED")
    except ConnectionError:
        step("dom0-over-max", "CLOSED")
    except Exception as e:  # noqa: BLE001
        step("dom0-over-max", getattr(e, "name", type(e).__name__))
    s.close()
    step("over-max-absent", err(lambda: sc().read(big)))


run({"values": values})
