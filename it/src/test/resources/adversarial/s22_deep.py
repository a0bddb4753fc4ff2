"""Scenario 22: deep trees, XSA-418 (Scenario22DeepTreesXsa418Test).

python3 -B s22_deep.py SHARED DIR dom0|guest      guest: offender 220
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, err, dom0, check, memreport  # noqa: E402

TOP = "/adv22"


def chain(base, depth, leaf="a"):
    return base + f"/{leaf}" * depth


def dom0_():
    s = sc()
    s.rm(TOP)
    depth = (2048 - len(TOP)) // 2              # 1021 one-character levels: a 2048-char path
    deep = chain(TOP, depth)
    step("path-length", len(deep))
    nodes0 = memreport()["nodes"]
    step("write-deepest", err(lambda: s.write(deep, "bottom")))
    step("nodes-added", memreport()["nodes"] - nodes0)
    step("too-long", err(lambda: s.write(deep + "/a", "x")))
    step("read-deepest", err(lambda: s.read(deep)))
    step("perms-deepest", err(lambda: s.get_perms(deep)))
    step("dir-middle", err(lambda: s.directory(chain(TOP, 500))))
    step("check-deep", check())
    s.watch(TOP, "top")
    s.wait_event(5.0, lambda e: e[1] == "top")
    # a second deep chain created and the first removed in one transaction
    tx = s.req(6, b"\0")
    t = int(tx.rstrip(b"\0"))
    step("tx-write-deep", err(lambda: s.req(11, chain(TOP + "/b", depth - 1).encode() + b"\0v", tx=t) and None))
    step("tx-rm-deep", err(lambda: s.req(13, (TOP + "/a\0").encode(), tx=t) and None))
    step("tx-commit", err(lambda: s.req(7, b"T\0", tx=t) and None))
    step("first-chain-gone", err(lambda: s.read(deep)))
    step("second-chain", err(lambda: s.read(chain(TOP + "/b", depth - 1))))
    s.events = []
    step("rm-deep", err(lambda: s.rm(TOP, missing_ok=False)))
    step("rm-event", "YES" if s.wait_event(5.0, lambda e: e == (TOP, "top")) else "NO")
    step("nodes-after-rm", memreport()["nodes"] - nodes0)
    step("check-after", check())
    s.close()


def guest_():
    g = guest(220)
    depth = 900
    g.watch("/local/domain/220", "home")
    step("guest-write-deep", err(lambda: g.write(chain("d", depth - 1), "bottom")))
    step("guest-read-deep", err(lambda: g.read(chain("d", depth - 1))))
    step("guest-rm-deep", err(lambda: g.rm("d")))
    step("guest-write-again", err(lambda: g.write(chain("d", depth - 1), "bottom")))
    step("check-guest-deep", check())
    g.close()
    # the domain dies with 900 levels below its home: the daemon deletes them all
    step("destroy", destroy(220))
    step("home-after-death", dom0(lambda s: s.directory("/local/domain/220")))


run({"dom0": dom0_, "guest": guest_})
