"""Scenario 23: wide trees (Scenario23WideTreesTest).

python3 -B s23_wide.py SHARED DIR wide      offender: dom0 (5000 children), guest 230
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, err, z, HDR, XS_ERROR  # noqa: E402
from xsguest import XS_WRITE, XS_DIRECTORY_PART  # noqa: E402

TOP = "/adv23"
N = 5000


def pipelined(s, msgs):
    """Send every (type, payload) at once, then read all replies; returns the error names."""
    out = b""
    for i, (t, p) in enumerate(msgs):
        out += HDR.pack(t, 100000 + i, 0, len(p)) + p
    s.s.sendall(out)
    import time
    errors = []
    deadline = time.time() + 30
    for _ in msgs:
        t, _, _, body = s._recv_msg(deadline)
        if t == XS_ERROR:
            errors.append(body.rstrip(b"\0").decode())
    return errors


def part(req, path, offset):
    """(generation, names, complete) of one DIRECTORY_PART reply."""
    body = req(XS_DIRECTORY_PART, z(path, str(offset)))
    gen, _, rest = body.partition(b"\0")
    complete = rest.endswith(b"\0\0") or rest == b"\0"
    names = [n.decode() for n in rest.split(b"\0") if n]
    return gen.decode(), names, complete


def paginate(req, path):
    """All names, restarting when the generation changes (as xs_directory_part does)."""
    restarts = 0
    while True:
        offset, names, gen0, pages = 0, [], None, 0
        while True:
            gen, chunk, complete = part(req, path, offset)
            pages += 1
            if gen0 is None:
                gen0 = gen
            elif gen != gen0:
                restarts += 1
                break
            names += chunk
            offset += sum(len(n) + 1 for n in chunk)
            if complete:
                return names, pages, restarts


def wide():
    s = sc()
    s.rm(TOP)
    s.mkdir(TOP)
    s.set_perms(TOP, ["r0"])                 # readable by every domain
    want = [f"c{i:04d}" for i in range(N)]
    errs = pipelined(s, [(XS_WRITE, z(f"{TOP}/w/{n}") + b"v") for n in want])
    step("create-5000", "OK" if not errs else f"ERRORS:{len(errs)}:{errs[0]}")
    step("directory", err(lambda: s.directory(f"{TOP}/w")))
    names, pages, restarts = paginate(s.req, f"{TOP}/w")
    step("part-names", "ALL" if names == want else f"DIFF:{len(names)}")
    step("part-pages", "MANY" if pages > 5 else pages)
    step("part-past-end", err(lambda: part(s.req, f"{TOP}/w", 10 ** 6)[1:]))
    step("part-bad-offset", err(lambda: part(s.req, f"{TOP}/w", "x")[1][0]))          # atoi, as C: 0
    # concurrent modification: generation differs between two chunks
    gen1, chunk, _ = part(s.req, f"{TOP}/w", 0)
    s.write(f"{TOP}/w/c{N:04d}", "v")
    gen2, _, _ = part(s.req, f"{TOP}/w", sum(len(n) + 1 for n in chunk))
    step("generation-changed", "YES" if gen1 != gen2 else "NO")
    names, _, _ = paginate(s.req, f"{TOP}/w")
    step("part-after-change", len(names))
    # a guest lists the same directory over its ring
    g = guest(230)
    step("guest-directory", err(lambda: g.directory(f"{TOP}/w")))
    names, _, _ = paginate(lambda t, p: g.req(t, p), f"{TOP}/w")
    step("guest-part-names", len(names))
    # the guest makes its own home as wide as it may: node-size quota (child names count)
    n = 0
    last = "OK"
    while n < 2000:
        try:
            g.write(f"k{n}", "")
        except Exception as e:  # noqa: BLE001
            last = getattr(e, "name", type(e).__name__)
            break
        n += 1
    step("guest-children", f"{n}:{last}")
    step("guest-home-listed", err(lambda: len(g.directory("/local/domain/230"))))
    g.close()
    step("destroy", destroy(230))
    s.watch(f"{TOP}/w", "w")
    s.wait_event(5.0, lambda e: e[1] == "w")
    s.events = []
    step("rm-wide", err(lambda: s.rm(TOP, missing_ok=False)))
    step("rm-event", "YES" if s.wait_event(5.0, lambda e: e == (f"{TOP}/w", "w")) else "NO")
    s.close()


run({"wide": wide})
