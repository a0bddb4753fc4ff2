"""Scenario 21: a domain and its stub domain die together, XSA-233 (Scenario21DomainAndStubDieTogetherXsa233Test).

python3 -B s21_stubdie.py SHARED DIR batch|release-and-virq
Domids: batch 210 (target) / 211 (stub); release-and-virq 212 (target) / 213 (stub).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import (step, sc, guest, run, dom0, z, send_control, DIR, DOMAINS_FILE,  # noqa: E402
                        wait_released, is_introduced)
from xsguest import XS_SET_TARGET, XS_RELEASE, XS_WRITE  # noqa: E402

TOP = "/adv21"


def pair(t_id, s_id):
    t, st = guest(t_id), guest(s_id)
    t.write("dev/x", "1")
    st.write("dm", "1")
    s = sc()
    s.req(XS_SET_TARGET, z(str(s_id), str(t_id)))
    s.rm(TOP)
    s.mkdir(TOP)
    s.write(f"{TOP}/mark", "0")
    for path, tok in ((f"@releaseDomain/{t_id}", "t"), (f"@releaseDomain/{s_id}", "s"),
                      ("@releaseDomain", "rel"), (f"/local/domain/{t_id}", "home")):
        s.watch(path, tok)
    s.watch(f"{TOP}/mark", "mark")
    s.wait_event(5.0, lambda e: e[1] == "mark")
    s.events = []
    # the stub holds state about its target: a watch, a transaction, requests in flight
    st.watch(f"/local/domain/{t_id}/dev", "tw")
    st.wait_event(5.0, lambda e: e[1] == "tw")
    tx = st.transaction_start()
    st.write(f"/local/domain/{t_id}/dev/y", "2", tx)
    for i in range(30):
        st.send(XS_WRITE, z(f"/local/domain/{t_id}/dev/p{i}") + b"v")
    t.close()
    st.close()
    return s


def after(s, t_id, s_id):
    step("released", "YES" if wait_released(t_id, s_id) else "NO")
    s.write(f"{TOP}/mark", "1")
    s.wait_event(5.0, lambda e: e[1] == "mark")
    n = {}
    for _, tok in s.events:
        n[tok] = n.get(tok, 0) + 1
    step("target-release-events", n.get("t", 0))
    step("stub-release-events", n.get("s", 0))
    step("generic-release-events", "1-2" if n.get("rel", 0) in (1, 2) else n.get("rel", 0))
    step("home-removed-event", "YES" if n.get("home", 0) >= 1 else "NO")
    s.close()
    step("introduced", is_introduced(t_id) + is_introduced(s_id))
    step("target-home", dom0(lambda c: c.directory(f"/local/domain/{t_id}")))
    step("stub-home", dom0(lambda c: c.directory(f"/local/domain/{s_id}")))
    c = sc()
    c.rm(TOP)
    c.close()


def with_domains_file(content, fn):
    orig = open(DOMAINS_FILE).read()
    tmp = DOMAINS_FILE + ".tmp"
    try:
        with open(tmp, "w") as f:
            f.write(content)
        os.rename(tmp, DOMAINS_FILE)
        fn()
    finally:
        with open(tmp, "w") as f:
            f.write(orig)
        os.rename(tmp, DOMAINS_FILE)


def batch():
    t_id, s_id = 210, 211
    s = pair(t_id, s_id)
    # both vanish from the fake hypervisor at once, then one VIRQ_DOM_EXC
    with_domains_file(f"0-{t_id - 1},{s_id + 1}-32751\n",
                      lambda: (send_control(DIR, "virq"), after(s, t_id, s_id)))


def release_and_virq():
    t_id, s_id = 212, 213
    s = pair(t_id, s_id)
    # the toolstack RELEASEs the target while the stub vanishes (one VIRQ) at the same moment
    with_domains_file(f"0-{s_id - 1},{s_id + 1}-32751\n", lambda: (
        send_control(DIR, "virq"),
        step("release-target", dom0(lambda c: c.req(XS_RELEASE, z(str(t_id))) and None)),
        after(s, t_id, s_id)))


run({"batch": batch, "release-and-virq": release_and_virq})
