"""Ring attacks by an unprivileged guest (RingAttackTest).

python3 -B ring_attack.py SHARED DIR index|badlen|rspindex|pipeline

Domids: index 110/111, badlen 112/113, rspindex 114/115, pipeline 116/117 (attacker, bystander).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import (step, info, err, guest, served, is_introduced, wait_until, z,  # noqa: E402
                      RequestFeeder, feed_until_stalled, read_replies, HDR, M32, W_REQ_CONS,
                      W_RSP_CONS, W_RSP_PROD, W_ERROR, XS_READ, run)


def cut_off_checks(a, o):
    """After an attack that must cut the attacker off: error field, others served, the
    attacker's next request (after it repaired its ring) unanswered, still introduced."""
    got = wait_until(lambda: a.ring.get(W_ERROR) != 0, timeout=5.0)
    step("error", a.ring.get(W_ERROR) if got else "0(not-set-within-5s)")
    step("others-served", served(o))
    # the attacker repairs its indexes and tries a well-formed request
    a.replies.clear()
    a.inbuf = b""
    a.set_index(notify=False, req_prod=a.ring.get(W_REQ_CONS), rsp_cons=a.ring.get(W_RSP_PROD))
    rsp_prod = a.ring.get(W_RSP_PROD)
    req_cons = a.ring.get(W_REQ_CONS)
    rid = a.send(XS_READ, z("pre"))
    # barrier: the daemon serves dom0 and another guest after the attacker's notification
    step("others-served-after", served(o, tag="alive2"))
    untouched = a.ring.get(W_RSP_PROD) == rsp_prod and a.ring.get(W_REQ_CONS) == req_cons
    try:
        a.recv(rid, timeout=0.5)
        reply = "REPLIED"
    except Exception:  # noqa: BLE001 - XsTimeout expected
        reply = "NONE"
    step("attacker-ring-untouched", "YES" if untouched else "NO")
    step("attacker-reply", reply)
    step("introduced", is_introduced(a.domid))
    step("error-after", a.ring.get(W_ERROR))
    step("others-served-end", served(o, tag="alive3"))


def index():
    # XSA-38: req_prod - req_cons = 2000 > 1024
    a, o = guest(110), guest(111)
    a.write("pre", "1")
    a.set_index(req_prod=a.ring.get(W_REQ_CONS) + 2000)
    cut_off_checks(a, o)


def badlen():
    # header len 5000 > XENSTORE_PAYLOAD_MAX (4096)
    a, o = guest(112), guest(113)
    a.write("pre", "1")
    a.raw_header(XS_READ, 5000, body=b"x" * 100)
    cut_off_checks(a, o)


def rspindex():
    # rsp_cons moved past rsp_prod (rsp_prod - rsp_cons > 1024), then a valid request whose
    # reply the daemon must refuse to write
    a, o = guest(114), guest(115)
    a.write("pre", "1")
    a.set_index(notify=False, rsp_cons=a.ring.get(W_RSP_PROD) + 3000)
    a.raw_header(XS_READ, 4, body=b"pre\0")
    cut_off_checks(a, o)


def pipeline():
    """XSA-416: 500 pipelined READs, replies never consumed until the end."""
    a, o = guest(116), guest(117)
    a.write("x", "val")
    n_req = 500
    reqs = [HDR.pack(XS_READ, 1000 + i, 0, 2) + b"x\0" for i in range(n_req)]
    req_len = len(reqs[0])                 # 18 bytes
    rep_len = 16 + len("val")              # 19 bytes: READ reply, value without NUL
    feeder = RequestFeeder(a, b"".join(reqs))
    cons0 = a.ring.get(W_REQ_CONS)
    rspc0 = a.ring.get(W_RSP_CONS)
    # The daemon has stopped reading once the request ring stays full (or everything is
    # consumed) across 3 barriers: a bystander guest and dom0 each served one write + read
    # after the attacker's last notification.
    rounds, others = feed_until_stalled(feeder, lambda r: served(o, tag=f"p{r % 4}"))
    consumed_bytes = (a.ring.get(W_REQ_CONS) - cons0) & M32
    pending_rsp = (a.ring.get(W_RSP_PROD) - a.ring.get(W_RSP_CONS)) & M32
    consumed = consumed_bytes // req_len
    complete = pending_rsp // rep_len
    step("stalled", "YES" if consumed < n_req else "NO")
    step("consumed-requests", consumed if consumed_bytes % req_len == 0 else f"{consumed_bytes}B")
    step("rsp-ring-pending-bytes", pending_rsp)
    step("complete-replies-in-ring", complete)
    step("outstanding", consumed - complete)
    step("others-served-during", others)
    step("attacker-notifications-dropped", a.evt.dropped)
    info(f"rounds={rounds} state={a.state()} rsp_cons0={rspc0}")

    # Now the guest reads: all 500 replies, in order, correct, while it pushes the rest.
    got = read_replies(feeder, n_req)
    want = [(XS_READ, 1000 + i, b"val") for i in range(n_req)]
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
    step("replies", len(got))
    step("replies-in-order-and-correct", "YES" if got == want else f"NO:first-bad={bad[:3]}")
    step("attacker-after", err(lambda: a.read("x")))
    step("others-served-end", served(o, tag="alive3"))


run({"index": index, "badlen": badlen, "rspindex": rspindex, "pipeline": pipeline})
