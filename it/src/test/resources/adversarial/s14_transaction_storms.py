"""Scenario 14 (XSA-421, XSA-440, XSA-415): transaction storms from a guest.

python3 -B s14_transaction_storms.py SHARED DIR run DOMID READS

The guest is left introduced with no open transaction.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import quota_of, step, err, guest, sc, XS_ERROR, W_ERROR, run  # noqa: E402
from xsguest import XS_TRANSACTION_START  # noqa: E402


def run_all():
    d, reads = int(sys.argv[4]), int(sys.argv[5])
    g = guest(d)
    # 1. concurrent transactions until refused
    txs = []
    while len(txs) < 100:
        t, _, body = g.raw(XS_TRANSACTION_START, b"\0")
        if t == XS_ERROR:
            step("open-error", body.rstrip(b"\0").decode())
            break
        txs.append(int(body.rstrip(b"\0")))
    step("open-ok", len(txs))
    step("end-all-errors", sum(1 for t in txs if err(lambda: g.transaction_end(t, False)) != "OK"))
    # 2. one transaction touching more than transaction-nodes (1024) nodes
    s = sc()
    s.rm("/adv14")
    s.mkdir("/adv14")
    s.set_perms("/adv14", ["n0", f"r{d}"])
    for i in range(reads):
        s.write(f"/adv14/r/d{i // 40}/k{i % 40}", "x")
    before = quota_of(d, "nodes")
    tx = g.transaction_start()
    step("big-marker-write", err(lambda: g.write("big/marker", "1", tx)))
    first_err, name = None, "NONE"
    for i in range(reads):
        e = err(lambda: g.read(f"/adv14/r/d{i // 40}/k{i % 40}", tx))
        if e != "OK:x":
            first_err, name = i, e
            break
    step("big-read-error", name)
    step("big-refused-before-all", "YES" if first_err is not None and first_err < reads else "NO")
    step("big-commit", err(lambda: g.transaction_end(tx, True)))
    step("big-marker-after", err(lambda: g.read("big/marker")))
    after = quota_of(d, "nodes")
    step("big-owned-unchanged", "YES" if after == before else f"NO:{before}->{after}")
    g.rm("big")
    # 3. create then delete the same node in one transaction, 200 times (XSA-421)
    g.mkdir("cd")
    before = quota_of(d, "nodes")
    bad = 0
    for i in range(200):
        tx = g.transaction_start()
        if err(lambda: g.write("cd/node", "x", tx)) != "OK" or err(lambda: g.rm("cd/node", tx)) != "OK":
            bad += 1
        if err(lambda: g.transaction_end(tx, True)) != "OK":
            bad += 1
    step("create-delete-errors", bad)
    after = quota_of(d, "nodes")
    step("create-delete-owned-unchanged", "YES" if after == before else f"NO:{before}->{after}")
    # 4. two overlapping transactions delete the same 50 nodes (XSA-440)
    before = quota_of(d, "nodes")
    for i in range(50):
        g.write(f"del/k{i}", "x")
    t1 = g.transaction_start()
    t2 = g.transaction_start()
    e1 = sum(1 for i in range(50) if err(lambda: g.rm(f"del/k{i}", t1)) != "OK")
    e2 = sum(1 for i in range(50) if err(lambda: g.rm(f"del/k{i}", t2)) != "OK")
    step("overlap-rm-errors", e1 + e2)
    step("overlap-commit-1", err(lambda: g.transaction_end(t1, True)))
    step("overlap-commit-2", err(lambda: g.transaction_end(t2, True)))
    step("overlap-nodes-gone", ",".join(g.directory("del")) or "NONE")
    g.rm("del")
    after = quota_of(d, "nodes")
    step("overlap-owned-restored", "YES" if after == before else f"NO:{before}->{after}")
    # 5. a failed multi-node write inside a transaction (XSA-415)
    before = quota_of(d, "nodes")
    tx = g.transaction_start()
    step("fail-ok-write", err(lambda: g.write("p0", "ok", tx)))
    step("fail-big-write", err(lambda: g.write("p1/p2/p3", "v" * 3000, tx)))
    step("fail-commit", err(lambda: g.transaction_end(tx, True)))
    step("fail-p0-after", err(lambda: g.read("p0")))
    step("fail-p1-after", err(lambda: g.read("p1")))
    after = quota_of(d, "nodes")
    step("fail-owned-unchanged", "YES" if after == before else f"NO:{before}->{after}")
    s.rm("/adv14")
    s.close()
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"run": run_all})
