"""Domain lifecycle over rings (DomainLifecycleTest).

python3 -B lifecycle.py SHARED DIR destroy|xsa325|xsa322|settarget|xsa233-batch|xsa233-dgram|two-batch

Domids: destroy 120/121, xsa325 122/123, xsa322 124/125, settarget 126..129,
xsa233-batch 130/131 (+135 bystander), xsa233-dgram 132/133 (+136 bystander),
two-batch 137/138 (+139 bystander).
@releaseDomain is counted by one dom0 socket connection that also watches a marker node: after
the first @releaseDomain event, the marker is written and the count is taken when the marker's
event arrives (see guestkit.EventCounter).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guestkit import (DIR, DOMAINS_FILE, step, err, guest, served, is_introduced, sc, dom0,  # noqa: E402
                      wait_until, wait_released, send_control, z, EventCounter, W_REQ_CONS, W_ERROR,
                      XS_SET_TARGET, run)

TOP = "/guest-it"


def home(domid):
    return f"/local/domain/{domid}"


def destroy_seen(g, n):
    """Closes guest n's connection and destroys the domain, records whether @releaseDomain fired,
    and once the daemon has released it, returns the counter of the watch's events."""
    ev = EventCounter(f"{TOP}/mark{n}")
    g.close()
    send_control(DIR, f"destroy {n}")
    step("release-fired", "YES" if ev.first_release() else "NO")
    wait_released(n)
    return ev


def destroy():
    n, by = 120, guest(121)
    g = guest(n)
    g.write("a/b", "1")
    g.write("c", "2")
    s = sc()
    s.rm(f"{TOP}/d{n}")
    s.mkdir(f"{TOP}/d{n}")
    s.set_perms(f"{TOP}/d{n}", ["n0", f"b{n}"])     # a dom0 dir the guest may write
    s.rm(f"{TOP}/o{n}")
    s.mkdir(f"{TOP}/o{n}")
    s.set_perms(f"{TOP}/o{n}", [f"n{n}"])            # a node it owns outside its home
    s.close()
    step("write-outside-home", err(lambda: g.write(f"{TOP}/d{n}/mine", "x")))
    step("outside-node-perms", dom0(lambda s: s.get_perms(f"{TOP}/d{n}/mine")))
    ev = destroy_seen(g, n)
    step("release-count", ev.count_until_marker(already=1))
    ev.close()
    step("introduced", is_introduced(n))
    step("home", dom0(lambda s: s.directory(home(n))))
    step("created-outside-home", dom0(lambda s: s.read(f"{TOP}/d{n}/mine")))
    step("owned-outside-home", dom0(lambda s: s.read(f"{TOP}/o{n}")))
    step("dom0-dir-kept", dom0(lambda s: s.directory(f"{TOP}/d{n}")))
    step("others-served", served(by))


def xsa325():
    n, by = 122, guest(123)
    g = guest(n)
    g.write("a", "1")
    g.set_index(req_prod=g.ring.get(W_REQ_CONS) + 2000)
    got = wait_until(lambda: g.ring.get(W_ERROR) != 0, timeout=5.0)
    step("error", g.ring.get(W_ERROR) if got else "0(not-set-within-5s)")
    step("introduced-after-attack", is_introduced(n))
    ev = destroy_seen(g, n)
    step("release-count", ev.count_until_marker(already=1))
    ev.close()
    step("introduced", is_introduced(n))
    step("home", dom0(lambda s: s.directory(home(n))))
    step("others-served", served(by))


def xsa322():
    n, by = 124, guest(125)
    s = sc()
    s.write(f"{TOP}/x{n}", "secret")
    s.set_perms(f"{TOP}/x{n}", ["n0", f"r{n}"])
    s.close()
    g = guest(n)
    step("read-before", err(lambda: g.read(f"{TOP}/x{n}")))
    destroy_seen(g, n).close()
    step("introduced", is_introduced(n))
    step("perms-after-death", dom0(lambda s: s.get_perms(f"{TOP}/x{n}")))
    g2 = guest(n)                                     # create N, fresh introduce of a new dom N
    step("new-domain-read", err(lambda: g2.read(f"{TOP}/x{n}")))
    step("new-domain-ls", err(lambda: g2.directory(f"{TOP}/x{n}")))
    step("new-domain-own-write", err(lambda: g2.write("a", "1")))
    step("perms-after-reuse", dom0(lambda s: s.get_perms(f"{TOP}/x{n}")))
    step("others-served", served(g2, by))


def settarget():
    t_id, s_id, by_id, x_id = 126, 127, 128, 129
    by = guest(by_id)
    t = guest(t_id)
    st = guest(s_id)
    t.write("secret", "t")
    s = sc()
    s.write(f"{TOP}/t{t_id}", "v")
    s.set_perms(f"{TOP}/t{t_id}", ["n0", f"r{t_id}"])
    s.close()
    step("stub-read-target-home-before", err(lambda: st.read(f"{home(t_id)}/secret")))
    step("set-target", dom0(lambda s: (s.req(XS_SET_TARGET, z(str(s_id), str(t_id))), None)[1]))
    step("stub-read-target-home", err(lambda: st.read(f"{home(t_id)}/secret")))
    step("stub-read-target-acl", err(lambda: st.read(f"{TOP}/t{t_id}")))
    step("stub-write-target-home", err(lambda: st.write(f"{home(t_id)}/bystub", "1")))
    step("bystub-perms", dom0(lambda s: s.get_perms(f"{home(t_id)}/bystub")))
    step("target-read-stub-home", err(lambda: t.read(f"{home(s_id)}")))
    x = guest(x_id)
    x.close()
    ev = EventCounter(f"{TOP}/mark{t_id}")
    t.close()
    # T dies; then X dies: X's @releaseDomain proves the daemon handled T's death datagram
    send_control(DIR, f"destroy {t_id}")
    send_control(DIR, f"destroy {x_id}")
    step("barrier-release-fired", "YES" if ev.first_release() else "NO")
    wait_released(x_id)
    step("release-count-after-target-death", ev.count_until_marker(already=1))
    step("target-introduced-after-death", is_introduced(t_id))
    step("barrier-introduced", is_introduced(x_id))
    step("stub-read-target-home-after-death", err(lambda: st.read(f"{home(t_id)}/secret")))
    step("stub-read-target-acl-after-death", err(lambda: st.read(f"{TOP}/t{t_id}")))
    step("stub-own-write", err(lambda: st.write("own", "1")))
    st.close()
    send_control(DIR, f"destroy {s_id}")
    step("stub-release-fired", "YES" if ev.first_release() else "NO")
    wait_released(s_id, t_id)
    step("release-count-after-stub-death", ev.count_until_marker(already=1))
    ev.close()
    step("target-introduced-end", is_introduced(t_id))
    step("stub-introduced-end", is_introduced(s_id))
    step("target-home-end", dom0(lambda s: s.directory(home(t_id))))
    step("stub-home-end", dom0(lambda s: s.directory(home(s_id))))
    step("others-served", served(by))


def _pair(t_id, s_id, by_id):
    by = guest(by_id)
    t = guest(t_id)
    st = guest(s_id)
    t.write("a/b", "1")
    st.write("c", "1")
    step("set-target", dom0(lambda s: (s.req(XS_SET_TARGET, z(str(s_id), str(t_id))), None)[1]))
    step("stub-read-target", err(lambda: st.read(f"{home(t_id)}/a/b")))
    t.close()
    st.close()
    return by


def _after_pair(ev, t_id, s_id, by):
    step("release-fired", "YES" if ev.first_release() else "NO")
    wait_released(t_id, s_id)
    step("release-count", ev.count_until_marker(already=1))
    ev.close()
    step("target-introduced", is_introduced(t_id))
    step("stub-introduced", is_introduced(s_id))
    step("target-home", dom0(lambda s: s.directory(home(t_id))))
    step("stub-home", dom0(lambda s: s.directory(home(s_id))))
    step("others-served", served(by))


def xsa233_batch():
    # both vanish from the fake hypervisor's domain list at once, then one VIRQ_DOM_EXC
    t_id, s_id, by_id = 130, 131, 135
    by = _pair(t_id, s_id, by_id)
    ev = EventCounter(f"{TOP}/mark{t_id}")
    orig = open(DOMAINS_FILE).read()
    try:
        tmp = DOMAINS_FILE + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"0-{t_id - 1},{s_id + 1}-32751\n")
        os.rename(tmp, DOMAINS_FILE)
        send_control(DIR, "virq")
        _after_pair(ev, t_id, s_id, by)
    finally:
        with open(DOMAINS_FILE + ".tmp", "w") as f:
            f.write(orig)
        os.rename(DOMAINS_FILE + ".tmp", DOMAINS_FILE)
    step("served-after-restore", served(by, tag="alive2"))


def two_batch():
    # two unrelated domains vanish at once (domains file + one VIRQ_DOM_EXC)
    a_id, b_id, by_id = 137, 138, 139
    by = guest(by_id)
    for d in (a_id, b_id):
        g = guest(d)
        g.write("x", "1")
        g.close()
    ev = EventCounter(f"{TOP}/mark{a_id}")
    orig = open(DOMAINS_FILE).read()
    try:
        tmp = DOMAINS_FILE + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"0-{a_id - 1},{b_id + 1}-32751\n")
        os.rename(tmp, DOMAINS_FILE)
        send_control(DIR, "virq")
        step("release-fired", "YES" if ev.first_release() else "NO")
        wait_released(a_id, b_id)
        step("release-count", ev.count_until_marker(already=1))
        ev.close()
        step("introduced", is_introduced(a_id) + is_introduced(b_id))
        step("homes", dom0(lambda s: [s.directory(home(a_id))]) + "," + dom0(lambda s: [s.directory(home(b_id))]))
        step("others-served", served(by))
    finally:
        with open(DOMAINS_FILE + ".tmp", "w") as f:
            f.write(orig)
        os.rename(DOMAINS_FILE + ".tmp", DOMAINS_FILE)


def xsa233_dgram():
    # two 'destroy' datagrams back to back, the target first
    t_id, s_id, by_id = 132, 133, 136
    by = _pair(t_id, s_id, by_id)
    ev = EventCounter(f"{TOP}/mark{t_id}")
    send_control(DIR, f"destroy {t_id}")
    send_control(DIR, f"destroy {s_id}")
    _after_pair(ev, t_id, s_id, by)


run({"destroy": destroy, "xsa325": xsa325, "xsa322": xsa322, "settarget": settarget,
     "xsa233-batch": xsa233_batch, "two-batch": two_batch, "xsa233-dgram": xsa233_dgram})
