"""Crash recovery over rings and the socket (CrashRecoveryTest).

python3 -B crash.py SHARED DIR guest|writer

guest:  dom5 is introduced, watches w (its initial event is consumed), and opens a transaction
        with a write in it; prints READY. The test then kills the daemon with SIGKILL and starts
        it again. The guest waits for its watch to fire (the restarted daemon fires every watch
        it takes over once), then reports: the transaction's commit (EAGAIN expected), the
        commit of a retry, a read and a write of its own, and dom0's view of it.
writer: writes /crash/k<i> = i for i = 0, 1, ... on one socket connection, printing
        "ACK <i>" after each reply, until the connection fails; then prints "FAILED <why>".
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import step, err, guest, sc, XsError, run  # noqa: E402

DOMID = 5


def guest_across_crash():
    g = guest(DOMID)
    g.write("w", "0")
    g.watch("w", "tok")
    first = g.wait_event(5.0)
    step("initial-event", "OK" if first is not None else "NONE")
    t = g.transaction_start()
    g.write("in-tx", "1", t)
    print("READY", flush=True)
    ev = g.wait_event(120.0)
    step("watch-after-restart", f"{ev[0]} {ev[1]}" if ev is not None else "NONE")
    step("commit-open-tx", err(lambda: g.transaction_end(t)))

    def retry():
        while True:
            t2 = g.transaction_start()
            g.write("in-tx", "2", t2)
            try:
                g.transaction_end(t2)
                return
            except XsError as e:
                if e.name != "EAGAIN":
                    raise
    step("commit-retry", err(retry))
    step("read-own", err(lambda: g.read("in-tx")))
    step("write-own", err(lambda: g.write("after", "1")))
    s = sc()
    try:
        step("introduced", "T" if s.is_introduced(DOMID) else "F")
        step("dom0-reads-guest", err(lambda: s.read(f"/local/domain/{DOMID}/after")))
    finally:
        s.close()


def writer():
    s = sc()
    i = 0
    try:
        while True:
            s.write(f"/crash/k{i}", str(i))
            print(f"ACK {i}", flush=True)
            i += 1
    except Exception as e:  # noqa: BLE001 - the daemon was killed: that is the point
        print(f"FAILED {type(e).__name__}", flush=True)


run({"guest": guest_across_crash, "writer": writer}, folder="/crash")
