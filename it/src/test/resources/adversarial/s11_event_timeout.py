"""Scenario 11, the watch-event timeout (XSA-326): events a guest leaves unread are dropped.

python3 -B s11_event_timeout.py SHARED DIR run A EVENTS

The daemon runs with -w watch-event=1. A watches its home and reads nothing more. dom0 writes
EVENTS distinct nodes below it: the first events fill A's response ring, the rest queue in the
daemon (memreport's queued output). Waited for with a deadline (the daemon looks at every guest's
ring at least every 5 s): the queued events are dropped, all but one that may already be partly
in the ring. A then reads its ring: it gets what the ring held, fewer than EVENTS, and is served.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, err, guest, sc, served, memreport, wait_until, run  # noqa: E402

# What memreport counts of the one event that may stay, partly in the ring: its unsent bytes
# (an event here is at most 64) and 192 bytes of bookkeeping a queued message.
ONE_EVENT = 192 + 64


def run_all():
    da, events = (int(x) for x in sys.argv[4:6])
    home = f"/local/domain/{da}"
    a = guest(da)
    step("a-watch", err(lambda: a.watch(home, "t")))
    a.collect_events(0.2, limit=1)    # the initial event; from now on A reads nothing
    s = sc()
    bad = sum(err(lambda: s.write(f"{home}/e{i}", "x")) != "OK" for i in range(events))
    s.close()
    step("dom0-writes-failed", bad)
    queued = memreport().get("queued output", -1)
    step("events-queued", "YES" if queued > 10 * ONE_EVENT else f"NO:{queued}")
    left = wait_until(lambda: memreport().get("queued output", -1) < ONE_EVENT, timeout=15.0, poll=0.1)
    step("queued-events-dropped", "YES" if left else f"NO:{memreport().get('queued output', -1)}")
    got = a.collect_events(0.5)
    step("a-got-what-the-ring-held", "YES" if 0 < len(got) < events else f"NO:{len(got)}")
    step("a-served", served(a))
    a.close()


run({"run": run_all})
