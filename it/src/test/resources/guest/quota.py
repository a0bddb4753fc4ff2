"""Per-domain quotas and limits of an unprivileged guest (GuestQuotaTest).

python3 -B quota.py SHARED DIR nodes|watches|transactions|node-size|perms|path|owner

Domids: nodes 140, watches 141, transactions 142, node-size 143, perms 144, path 145, owner 146;
bystander 149.  The defaults of C xenstored 4.17: nodes 1000, watches 128, transactions 10,
node-size 2048, node-permissions 5, path-max 2048 (each checked with '>' or '>=' as noted).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import step, err, guest, served, sc, XsError, run  # noqa: E402


def fill(fn, limit):
    """Call fn(i) until it fails; (number of successes, error name)."""
    for i in range(limit):
        try:
            fn(i)
        except XsError as e:
            return i, e.name
    return limit, "NONE"


def nodes():
    by = guest(149)
    q = guest(140)                       # owns /local/domain/140 (1 node)
    # 40 children per directory (a node's record, child names included, must stay < 2048 B)
    n, e = fill(lambda i: q.write(f"q/d{i // 40}/k{i % 40}", "v"), 1200)
    owned = 1 + 1 + (n + 39) // 40 + n  # home, q, the d* dirs, the k* leaves
    step("writes-ok", n)
    step("then", e)
    step("owned", owned)
    step("rewrite-existing-at-quota", err(lambda: q.write("q/d0/k0", "w")))
    step("others-served-at-quota", served(by))
    q.rm("q")
    step("after-rm", err(lambda: q.write("q/after", "v")))
    s = sc()
    dom0 = err(lambda: [s.write(f"/guest-it/many/d{i // 40}/k{i % 40}", "v") for i in range(1100)] and None)
    s.rm("/guest-it/many")
    s.close()
    step("dom0-1100-nodes", dom0)


def watches():
    by = guest(149)
    q = guest(141)
    n, e = fill(lambda i: q.watch(f"wq/{i}", f"t{i}"), 400)
    step("watches-ok", n)
    step("then", e)
    step("others-served-at-quota", served(by))
    q.events.clear()
    q.reset_watches()
    step("after-reset", err(lambda: q.watch("wq/again", "t")))


def transactions():
    by = guest(149)
    q = guest(142)
    ids = []
    n, e = fill(lambda i: ids.append(q.transaction_start()), 50)
    step("open-ok", n)
    step("then", e)
    step("others-served-at-quota", served(by))
    for t in ids:
        q.transaction_end(t, False)
    step("after-end", err(lambda: q.transaction_end(q.transaction_start(), False)))


def node_size():
    by = guest(149)
    q = guest(143)
    # a leaf with one permission entry: C's record is 24 B header + 8 B per perm + value
    # (+ child names with their NULs), and must stay below 2048 B
    step("value-2015", err(lambda: q.write("v", "x" * 2015)))
    step("value-2016", err(lambda: q.write("v", "x" * 2016)))
    step("value-2049", err(lambda: q.write("v2049", "x" * 2049)))
    q.write("p2", "")
    q.set_perms("p2", ["n143", "r0"])
    step("two-perms-value-2007", err(lambda: q.write("p2", "x" * 2007)))
    step("two-perms-value-2008", err(lambda: q.write("p2", "x" * 2008)))
    step("value-read-back", err(lambda: len(q.read("v"))))
    step("others-served", served(by))


def perms():
    by = guest(149)
    q = guest(144)
    q.write("own", "1")
    step("five-entries", err(lambda: q.set_perms("own", ["n144", "r1", "r2", "r3", "r4"])))
    step("six-entries", err(lambda: q.set_perms("own", ["n144", "r1", "r2", "r3", "r4", "r5"])))
    step("perms-now", err(lambda: q.get_perms("own")))
    step("others-served", served(by))


def _path(n):
    """A relative path of exactly n chars, components of <= 99 chars (clear of node-size)."""
    p = "q"
    while len(p) < n:
        p += "/" + "a" * min(99, n - len(p) - 1)
    return p


def path():
    by = guest(149)
    q = guest(145)
    home = "/local/domain/145/"
    # path-max counts the part below /local/domain/N/ for a guest
    step("relative-2048", err(lambda: q.write(_path(2048), "1")))
    step("relative-2049", err(lambda: q.write(_path(2049), "1")))
    step("absolute-2048-below-home", err(lambda: q.write(home + _path(2048), "2")))
    step("absolute-2049-below-home", err(lambda: q.write(home + _path(2049), "2")))
    step("read-2048", err(lambda: q.read(_path(2048))))
    step("one-component-2048", err(lambda: q.write("c/" + "b" * 2046, "1")))
    step("others-served", served(by))


def owner():
    by = guest(149)
    q = guest(146)
    q.write("own", "1")
    step("chown-to-other", err(lambda: q.set_perms("own", ["n149"])))
    step("chown-to-dom0", err(lambda: q.set_perms("own", ["n0", "r146"])))
    step("keep-owner", err(lambda: q.set_perms("own", ["n146", "r149"])))
    step("perms-now", err(lambda: q.get_perms("own")))
    step("others-served", served(by))


run({"nodes": nodes, "watches": watches, "transactions": transactions, "node-size": node_size,
     "perms": perms, "path": path, "owner": owner})
