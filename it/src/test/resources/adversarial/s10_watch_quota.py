"""Scenario 10: watch quota: register until refused; reset; re-register; unwatch one.

python3 -B s10_watch_quota.py SHARED DIR ring DOMID

Steps: round<k>-ok (watches accepted before the first error), round<k>-error, then
after-unwatch-one (one more accepted after UNWATCH), after-unwatch-then (the next refused).
The guest is left introduced at its quota (the Java test checks others are served).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, err, guest, W_ERROR, run  # noqa: E402


def fill(g, prefix):
    n = 0
    while n < 1000:
        e = err(lambda: g.watch(f"{prefix}{n}", "t"))
        if e != "OK":
            return n, e
        n += 1
        if n % 16 == 0:
            g.events.clear()
    return n, "NONE"


def ring():
    g = guest(int(sys.argv[4]))
    for k in range(3):
        n, e = fill(g, f"r{k}-")
        step(f"round{k}-ok", n)
        step(f"round{k}-error", e)
        if k < 2:
            step(f"round{k}-reset", err(g.reset_watches))
            g.events.clear()
    step("unwatch-one", err(lambda: g.unwatch("r2-0", "t")))
    step("after-unwatch-one", err(lambda: g.watch("extra", "t")))
    step("after-unwatch-then", err(lambda: g.watch("extra2", "t")))
    step("duplicate-at-quota", err(lambda: g.watch("extra", "t")))
    step("write-at-quota", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
