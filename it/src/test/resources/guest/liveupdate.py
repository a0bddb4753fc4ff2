"""Live update under load (LiveUpdateTest).

python3 -B liveupdate.py SHARED DIR clients|writer

clients: a dom0 socket connection watches /lu/w, guest dom5 watches w, and another socket
         connection opens a transaction and writes /lu/intx in it; their initial events are
         consumed; prints READY. The test then runs the live update and writes /lu/w and
         /local/domain/5/w. Reported: each watch's next event, the transaction's commit, what
         it wrote, and whether the connections are still served.
writer:  writes /luw/k<i mod 500> = i on one socket connection (a steady load on a tree of
         a fixed size), printing "ACK <i>" after each reply, until the file DIR/stop-writer
         exists; then prints "DONE <errors> <longest wait ms>".
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import DIR, step, err, guest, sc, run  # noqa: E402

DOMID = 5
KEYS = 500
XS_TRANSACTION_START, XS_TRANSACTION_END, XS_WRITE = 6, 7, 11


def clients():
    watcher = sc()
    watcher.write("/lu/w", "0")  # exists before the transaction, so a later write conflicts with nothing
    watcher.watch("/lu/w", "sock")
    step("socket-initial-event", "OK" if watcher.wait_event(5.0) is not None else "NONE")
    g = guest(DOMID)
    g.write("w", "0")
    g.watch("w", "ring")
    step("guest-initial-event", "OK" if g.wait_event(5.0) is not None else "NONE")
    tx = sc()
    tid = int(tx.req(XS_TRANSACTION_START, b"\0").rstrip(b"\0"))
    tx.req(XS_WRITE, b"/lu/intx\0in-transaction", tx=tid)
    print("READY", flush=True)
    ev = watcher.wait_event(120.0)
    step("socket-watch", f"{ev[0]} {ev[1]}" if ev else "NONE")
    ev = g.wait_event(30.0)
    step("guest-watch", f"{ev[0]} {ev[1]}" if ev else "NONE")
    step("commit", err(lambda: tx.req(XS_TRANSACTION_END, b"T\0", tx=tid).rstrip(b"\0").decode()))
    step("committed-value", err(lambda: watcher.read("/lu/intx")))
    step("guest-served", err(lambda: g.read("w")))


def writer():
    s = sc()
    stop = os.path.join(DIR, "stop-writer")
    i = errors = 0
    longest = 0.0
    while not os.path.exists(stop):
        t0 = time.monotonic()
        try:
            s.write(f"/luw/k{i % KEYS}", str(i))
        except Exception as e:  # noqa: BLE001 - any failure is what the test counts
            errors += 1
            print(f"ERROR {i} {type(e).__name__}: {e}", flush=True)
            break
        longest = max(longest, time.monotonic() - t0)
        print(f"ACK {i}", flush=True)
        i += 1
    print(f"DONE {errors} {int(longest * 1000)}", flush=True)


run({"clients": clients, "writer": writer}, folder="/lu")
