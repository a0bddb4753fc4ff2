"""Metrics (MetricsTest).

python3 -B metrics.py SHARED DIR quota

quota: guest dom7 opens transactions until one is refused; reports the refusal and how many
       were open.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import step, guest, XsError, run  # noqa: E402


def quota():
    g = guest(7)
    opened = 0
    refusal = "NONE"
    for _ in range(100):
        try:
            g.transaction_start()
            opened += 1
        except XsError as e:
            refusal = e.name
            break
    step("refusal", refusal)
    step("opened", opened)


run({"quota": quota}, folder=None)
