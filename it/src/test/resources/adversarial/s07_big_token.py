"""Scenario 7 (XSA-324): a 4000-byte watch token, so that events for long paths exceed 4096.

python3 -B s07_big_token.py SHARED DIR ring DOMID

Steps: watch-big (registration), initial-big (its initial event arrived), then after writing
a node with a 150-character name (event 4169 bytes: must be dropped) and then a short one:
small-long (the small-token watch saw the long path), big-long (events with the big token for
the long path: 0), big-short (the big token's event for the short path arrived: YES).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import step, err, guest, W_ERROR, run  # noqa: E402

BIG = "T" * 4000


def ring():
    g = guest(int(sys.argv[4]))
    home = f"/local/domain/{g.domid}"
    step("watch-big", err(lambda: g.watch(home, BIG)))
    step("initial-big", "YES" if g.wait_event(5.0, lambda e: e[1] == BIG) else "NO")
    step("watch-small", err(lambda: g.watch(home, "small")))
    g.wait_event(5.0, lambda e: e[1] == "small")
    longname = "L" * 150
    step("write-long", err(lambda: g.write(longname, "1")))
    step("write-short", err(lambda: g.write("s", "1")))
    seen_small_long = g.wait_event(5.0, lambda e: e[1] == "small" and e[0].endswith(longname)) is not None
    big_short = g.wait_event(5.0, lambda e: e[1] == BIG and e[0] == home + "/s") is not None
    g.wait_event(5.0, lambda e: e[1] == "small" and e[0] == home + "/s")
    step("small-long", "YES" if seen_small_long else "NO")
    step("big-short", "YES" if big_short else "NO")
    step("big-long", sum(1 for e in g.events if e[1] == BIG and e[0].endswith(longname)))
    step("usable", err(lambda: (g.write("after", "v"), g.read("after"))[1]))
    step("error-field", g.ring.get(W_ERROR))


run({"ring": ring})
