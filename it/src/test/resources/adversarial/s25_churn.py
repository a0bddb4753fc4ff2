"""Scenario 25: connection churn over rings (Scenario25ConnectionChurnTest).

python3 -B s25_churn.py SHARED DIR ring      offender: guest 250, introduced and released 40 times
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, run, memreport, mem_diff, z  # noqa: E402
from xsguest import XS_WRITE  # noqa: E402


def ring():
    g = guest(250)
    g.close()
    s = sc()
    s.release(250)
    s.close()
    before = memreport()
    bad = []
    for i in range(40):
        g = guest(250)
        g.watch("/local/domain/250", "w")
        tx = g.transaction_start()
        g.write("t", "1", tx)
        g.send(XS_WRITE, z("half"))                       # a request left unanswered ...
        g.raw_bytes(b"\x02\x00\x00\x00", notify=True)     # ... and 4 bytes of a header
        g.close()
        s = sc()
        try:
            s.release(250)                                 # the toolstack releases it mid-message
        except Exception as e:  # noqa: BLE001
            bad.append(f"{i}:{e}")
        s.close()
    step("release-errors", ",".join(bad) or "NONE")
    step("mem-after-40", mem_diff(before, memreport(), ("watches", "transactions", "domains", "nodes",
                                                         "queued output")))


run({"ring": ring})
