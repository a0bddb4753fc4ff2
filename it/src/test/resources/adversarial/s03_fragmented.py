"""Scenario 3: byte-at-a-time delivery, bursts, chunks across the ring's wrap point; a guest
that leaves half a message in its ring.

python3 -B s03_fragmented.py SHARED DIR ring CLIENT ABANDONER

CLIENT:    bytewise (WRITE then READ delivered one byte per notification), burst (12 WRITEs
           and 12 READs in one notification), wrapchunks (40 requests in 7-byte chunks,
           crossing the 1024-byte wrap several times); every reply checked.
ABANDONER: writes half a header and then half a body, never more (left introduced).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from guestkit import (step, err, guest, HDR, XS_READ, XS_WRITE, XS_ERROR, W_REQ_CONS, W_ERROR,  # noqa: E402
                      run)


def msg(typ, rid, payload):
    return HDR.pack(typ, rid, 0, len(payload)) + payload


def check_reply(g, rid, want):
    try:
        t, _, body = g.recv(rid)
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}"
    if t == XS_ERROR:
        return body.rstrip(b"\0").decode()
    return "OK" if body == want else f"WRONG:{body[:20]!r}"


def ring():
    c, ab = int(sys.argv[4]), int(sys.argv[5])
    g = guest(c)
    # byte at a time
    bad = []
    for i in range(3):
        w = msg(XS_WRITE, 100 + i, f"bytewise{i}\0".encode() + b"v" * (50 + i))
        for k in range(len(w)):
            g.raw_bytes(w[k:k + 1])
        r = check_reply(g, 100 + i, b"OK\0")
        rd = msg(XS_READ, 200 + i, f"bytewise{i}\0".encode())
        for k in range(len(rd)):
            g.raw_bytes(rd[k:k + 1])
        r2 = check_reply(g, 200 + i, b"v" * (50 + i))
        if r != "OK" or r2 != "OK":
            bad.append(f"{i}:{r}/{r2}")
    step("bytewise", "OK" if not bad else "BAD:" + ",".join(bad))
    # burst: 12 writes then 12 reads, one notification
    data = b"".join(msg(XS_WRITE, 300 + i, f"burst/k{i}\0".encode() + str(i).encode()) for i in range(12))
    g.raw_bytes(data)
    r = [check_reply(g, 300 + i, b"OK\0") for i in range(12)]
    data = b"".join(msg(XS_READ, 400 + i, f"burst/k{i}\0".encode()) for i in range(12))
    g.raw_bytes(data)
    r += [check_reply(g, 400 + i, str(i).encode()) for i in range(12)]
    step("burst", "OK" if all(x == "OK" for x in r) else "BAD:" + ",".join(r))
    # chunks of 7 bytes across the wrap point
    bad = 0
    cons0 = g.ring.get(W_REQ_CONS)
    for i in range(40):
        w = msg(XS_WRITE, 500 + i, f"wrap/k{i % 4}\0".encode() + bytes([65 + i % 26]) * 80)
        for k in range(0, len(w), 7):
            g.raw_bytes(w[k:k + 7])
        if check_reply(g, 500 + i, b"OK\0") != "OK":
            bad += 1
    step("wrapchunks-bad", bad)
    step("wrapchunks-wrapped", "YES" if g.ring.get(W_REQ_CONS) - cons0 > 3 * 1024 else "NO")
    step("client-error", g.ring.get(W_ERROR))
    # the abandoner: half a header, then (another notification) nothing more
    a = guest(ab)
    step("abandoner-pre", err(lambda: a.write("pre", "1")))
    half = msg(XS_WRITE, 9, b"pre\0" + b"x" * 40)
    a.raw_bytes(half[:9])
    a.raw_bytes(half[9:30])


run({"ring": ring})
