"""Scenario 19: watch permission leaks, XSA-115 (Scenario19WatchPermissionLeaksXsa115Test).

python3 -B s19_watchperms.py SHARED DIR leaks
Domids: watcher 190 (offender), 191 (granted @introduceDomain), 192/193 introduced as bait.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, err, dom0, z, ring_err  # noqa: E402
from xsguest import XS_IS_DOMAIN_INTRODUCED  # noqa: E402

W, G, BAIT1, BAIT2 = 190, 191, 192, 193
TOP = "/adv19"


class Barrier:
    """dom0 writes TOP/pub/markN (readable by the watcher); every event before its event is
    what the watcher was sent in between."""

    def __init__(self, g):
        self.g = g
        self.n = 0

    def collect(self):
        self.n += 1
        path = f"{TOP}/pub/mark{self.n}"
        s = sc()
        s.write(path, "m")
        s.close()
        seen = []
        while True:
            ev = self.g.wait_event(5.0)
            if ev is None:
                seen.append(("NO-MARKER", ""))
                return seen
            if ev[0] == path:
                return seen
            seen.append(ev)


def leaks():
    s = sc()
    s.rm(TOP)
    s.mkdir(TOP)
    s.set_perms(TOP, ["n0", f"r{W}"])
    s.mkdir(f"{TOP}/pub")
    s.set_perms(f"{TOP}/pub", ["n0", f"r{W}"])
    s.mkdir(f"{TOP}/hidden")
    s.set_perms(f"{TOP}/hidden", ["n0"])
    for name, perms in (("p3", ["n0", f"r{W}"]), ("p4", ["n0"])):
        s.write(f"{TOP}/hidden/{name}", "v")
        s.set_perms(f"{TOP}/hidden/{name}", perms)
    s.close()
    w = guest(W)
    step("watch-root", err(lambda: w.watch("/", "root")))
    step("watch-intro", err(lambda: w.watch("@introduceDomain", "intro")))
    step("watch-release", err(lambda: w.watch("@releaseDomain", "rel")))
    b = Barrier(w)
    b.collect()        # the initial events
    # phase 1: changes under an unreadable node, domains coming and going
    s = sc()
    s.write(f"{TOP}/hidden/x/leak1", "secret")
    s.write(f"{TOP}/hidden/leak2", "secret")
    s.set_perms(f"{TOP}/hidden/leak2", ["n0", f"r{G}"])
    s.rm(f"{TOP}/hidden/x")
    s.close()
    bait = guest(BAIT1)
    bait.write("y", "1")
    bait.close()
    step("bait-destroyed", destroy(BAIT1))
    seen = b.collect()
    step("phase1-events", ",".join(p for p, _ in seen) if seen else "NONE")
    # phase 2: read permission removed from a readable node under an unreadable parent: the
    # watcher could read it before, so it is told; granted: it can read it now, so it is told
    s = sc()
    s.set_perms(f"{TOP}/hidden/p3", ["n0"])
    s.close()
    step("revoked-event", ",".join(p for p, _ in b.collect()) or "NONE")
    s = sc()
    s.set_perms(f"{TOP}/hidden/p4", ["n0", f"r{W}"])
    s.close()
    step("granted-event", ",".join(p for p, _ in b.collect()) or "NONE")
    s = sc()
    s.set_perms(f"{TOP}/hidden/p3", ["n0", f"r{G}"])      # unreadable before and after
    s.close()
    step("unreadable-perm-change", ",".join(p for p, _ in b.collect()) or "NONE")
    step("read-hidden", err(lambda: w.read(f"{TOP}/hidden/p3")))
    step("dir-hidden", err(lambda: w.directory(f"{TOP}/hidden")))
    step("is-introduced", ring_err(w, XS_IS_DOMAIN_INTRODUCED, z("0")))
    # @introduceDomain granted to 191 by the special node's permissions, not to 190
    g = guest(G)
    step("grant-intro", dom0(lambda s: s.set_perms("@introduceDomain", ["n0", f"r{G}"])))
    g.watch("@introduceDomain", "intro")
    step("granted-initial", "YES" if g.wait_event(5.0, lambda e: e[1] == "intro") else "NO")
    bait = guest(BAIT2)
    step("granted-intro-event", "YES" if g.wait_event(5.0, lambda e: e[1] == "intro") else "NO")
    bait.close()
    seen = b.collect()
    step("ungranted-intro-events", ",".join(p for p, _ in seen) if seen else "NONE")
    step("restore-intro", dom0(lambda s: s.set_perms("@introduceDomain", ["n0"])))
    w.close()
    g.close()
    step("destroy", destroy(W, G, BAIT2))
    s = sc()
    s.rm(TOP)
    s.close()


run({"leaks": leaks})
