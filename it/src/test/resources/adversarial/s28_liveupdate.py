"""Scenario 28: live update with state in flight (Scenario28LiveUpdateTest).

python3 -B s28_liveupdate.py SHARED DIR update LAUNCHER
    guest 280 with a watch, an open transaction and a request cut in the middle in its ring; a
    dom0 client with a watch and an open transaction. Refusals first (C's answers), then
    CONTROL live-update -f LAUNCHER and -s until it is not BUSY, on the dom0 client's own
    connection, as xenstore-control does it.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import (step, sc, guest, destroy, run, err, z, memreport, mem_diff, ring_err, HDR,  # noqa: E402
                        XS_CONTROL, XS_READ, XS_ERROR)

TOP = "/adv28"
D = 280
ALL = ("nodes", "node bytes", "watches", "transactions", "connections", "domains", "queued output")


def dump(s, root):
    out, stack = [], [root]
    while stack:
        p = stack.pop()
        out.append((p, s.req(XS_READ, z(p)), tuple(s.get_perms(p))))
        stack += [f"{p}/{c}" if p != "/" else f"/{c}" for c in s.directory(p)]
    return sorted(out)


def control(s, *args):
    t, body = s.raw(XS_CONTROL, z("live-update", *args))
    text = body.rstrip(b"\0").decode()
    return text if t != XS_ERROR else f"ERR:{text}"


def update():
    launcher = sys.argv[4]
    s = sc()
    s.rm(TOP)
    s.write(f"{TOP}/a", "1")
    s.set_perms(f"{TOP}/a", ["n0", f"r{D}"])
    s.watch(TOP, "dom0w")
    s.wait_event(5.0, lambda e: e[1] == "dom0w")
    t0 = int(s.req(6, b"\0").rstrip(b"\0"))
    s.req(11, z(f"{TOP}/tx0") + b"v", tx=t0)
    g = guest(D)
    g.watch(TOP + "/a", "gw")
    g.wait_event(5.0, lambda e: e[1] == "gw")
    tg = g.transaction_start()
    g.write("txg", "v", tg)
    step("lu-guest", ring_err(g, XS_CONTROL, z("live-update", "-s")))
    partial = HDR.pack(XS_READ, 4242, 0, len(z(f"{TOP}/a"))) + z(f"{TOP}/a")
    g.raw_bytes(partial[:10], notify=True)             # a request cut in the middle
    for name, args in (("s", ["-s"]), ("a", ["-a"]), ("c", ["-c", "x"]), ("f-missing", ["-f", "/nonexistent"]),
                       ("bare", [])):
        step(f"lu-{name}", control(s, *args))
    mem0, tree0 = memreport(), dump(s, "/")
    step("lu-f", control(s, "-f", launcher))
    deadline = time.monotonic() + 60
    answer = control(s, "-s", "-t", "60")
    while answer == "BUSY" and time.monotonic() < deadline:
        time.sleep(0.2)                                # xenstore-control asks every second
        answer = control(s, "-s", "-t", "60")
    step("lu-start", answer)
    step("mem-unchanged", mem_diff(mem0, memreport(), ALL))
    step("tree-unchanged", "YES" if dump(s, "/") == tree0 else "NO")
    g.raw_bytes(partial[10:], notify=True)
    step("partial-completed", err(lambda: g.recv(4242)[2].decode()))
    step("guest-commit", err(lambda: g.transaction_end(tg)))
    step("guest-tx-visible", err(lambda: g.read("txg")))
    step("dom0-commit", err(lambda: s.req(7, b"T\0", tx=t0) and None))
    step("dom0-tx-visible", err(lambda: s.read(f"{TOP}/tx0")))
    s.events = []
    s.write(f"{TOP}/a", "2")
    step("dom0-watch-fires", "YES" if s.wait_event(5.0, lambda e: e == (f"{TOP}/a", "dom0w")) else "NO")
    step("guest-watch-fires", "YES" if g.wait_event(5.0, lambda e: e == (f"{TOP}/a", "gw")) else "NO")
    g.close()
    step("destroy", destroy(D))
    s.rm(TOP)
    s.close()


run({"update": update})
