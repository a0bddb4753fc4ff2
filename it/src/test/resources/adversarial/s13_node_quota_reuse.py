"""Scenario 13 (XSA-322, XSA-417, XSA-419, XSA-483): node quota, nodes outside the home, domain
death and domid reuse.

python3 -B s13_node_quota_reuse.py SHARED DIR run DOMID OUTSIDE

dom0 grants DOMID write on /adv13/pub and read on /adv13/acl.  Incarnation 1 of DOMID reads
/adv13/acl, creates OUTSIDE nodes in /adv13/pub and fills its quota in its home; it dies.
Incarnation 2 (same domid) must not inherit anything: no access to /adv13/acl or /adv13/pub,
the nodes of incarnation 1 are gone, and it can fill its whole quota again.
The second incarnation is left introduced (the Java test destroys it).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import quota_of, step, err, guest, sc, send_control, wait_released, DIR, run  # noqa: E402


def fill(g):
    n = 0
    while n < 2000:
        e = err(lambda: g.write(f"d{n // 40}/k{n % 40}", "x"))
        if e != "OK":
            return n, e
        n += 1
    return n, "NONE"


def run_all():
    d, outside = int(sys.argv[4]), int(sys.argv[5])
    s = sc()
    s.rm("/adv13")
    s.write("/adv13/acl", "secret")
    s.set_perms("/adv13/acl", ["n0", f"r{d}"])
    s.mkdir("/adv13/pub")
    s.set_perms("/adv13/pub", ["n0", f"b{d}"])
    g = guest(d)
    step("1-acl-read", err(lambda: g.read("/adv13/acl")))
    bad = sum(1 for i in range(outside) if err(lambda: g.write(f"/adv13/pub/o{i}", "x")) != "OK")
    step("1-outside-errors", bad)
    n1, e1 = fill(g)
    step("1-fill-error", e1)
    step("1-owned-at-quota", quota_of(d, "nodes"))
    g.close()
    send_control(DIR, f"destroy {d}")
    step("released", "YES" if wait_released(d, timeout=10.0) else "NO")
    step("dead-outside-nodes", ",".join(s.directory("/adv13/pub")) or "NONE")
    step("dead-home", err(lambda: s.read(f"/local/domain/{d}")))
    g2 = guest(d)
    step("2-acl-read", err(lambda: g2.read("/adv13/acl")))
    step("2-outside-write", err(lambda: g2.write("/adv13/pub/new", "x")))
    n2, e2 = fill(g2)
    step("2-fill-error", e2)
    step("2-owned-at-quota", quota_of(d, "nodes"))
    # nodes created by the fill: n leaves plus one directory per 40 leaves
    c1, c2 = n1 + (n1 + 39) // 40, n2 + (n2 + 39) // 40
    step("2-fills-full-quota", "YES" if c2 == c1 + outside else f"NO:{c1}+{outside}!={c2}")
    s.close()


run({"run": run_all})
