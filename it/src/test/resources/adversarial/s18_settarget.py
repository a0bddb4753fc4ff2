"""Scenario 18: SET_TARGET (Scenario18SetTargetTest).

python3 -B s18_settarget.py SHARED DIR rights
Domids: target 180, stub 181, chained stub 182, unrelated 183.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, err, dom0, z, ring_err  # noqa: E402
from xsguest import XS_SET_TARGET, XS_INTRODUCE, XS_IS_DOMAIN_INTRODUCED  # noqa: E402

T, S, C, O = 180, 181, 182, 183
TOP = "/adv18"


def set_target(s, d, t):
    s.req(XS_SET_TARGET, z(str(d), str(t)))


def rights():
    t, st, c, o = guest(T), guest(S), guest(C), guest(O)
    t.write("secret", "t1")
    o.write("private", "o1")
    s = sc()
    s.rm(TOP)
    s.write(f"{TOP}/acl", "a")
    s.set_perms(f"{TOP}/acl", ["n0", f"r{T}"])
    s.close()
    step("before-set-target", err(lambda: st.read(f"/local/domain/{T}/secret")))
    step("set-target", dom0(lambda s: set_target(s, S, T)))
    step("stub-reads-target", err(lambda: st.read(f"/local/domain/{T}/secret")))
    step("stub-writes-target", err(lambda: st.write(f"/local/domain/{T}/fromstub", "s")))
    step("stub-uses-target-acl", err(lambda: st.read(f"{TOP}/acl")))
    step("stub-reads-other", err(lambda: st.read(f"/local/domain/{O}/private")))
    step("stub-set-target", ring_err(st, XS_SET_TARGET, z(str(C), str(T))))
    step("stub-introduce", ring_err(st, XS_INTRODUCE, z("300", "1", "1")))
    step("stub-is-introduced", ring_err(st, XS_IS_DOMAIN_INTRODUCED, z(str(T))))
    step("stub-owner-change", err(lambda: st.set_perms(f"/local/domain/{T}/secret", [f"n{S}"])))
    step("target-perms-after", dom0(lambda s: s.get_perms(f"/local/domain/{T}/secret")))
    # chained: C targets the stub, which targets T: C gets S's rights, not T's
    st.write("stubnode", "x")
    step("chain-set-target", dom0(lambda s: set_target(s, C, S)))
    step("chain-reads-stub", err(lambda: c.read(f"/local/domain/{S}/stubnode")))
    step("chain-reads-target", err(lambda: c.read(f"/local/domain/{T}/secret")))
    # self target and unknown targets
    step("self-target", dom0(lambda s: set_target(s, O, O)))
    step("self-reads-target", err(lambda: o.read(f"/local/domain/{T}/secret")))
    step("self-served", err(lambda: (o.write("again", "1"), o.read("again"))[1]))
    step("unknown-target", dom0(lambda s: set_target(s, S, 999)))
    step("unknown-stub", dom0(lambda s: set_target(s, 998, T)))
    step("stub-still-reads-target", err(lambda: st.read(f"/local/domain/{T}/secret")))
    # the target dies: its rights go with it, also for a new domain reusing its domid
    t.close()
    step("destroy-target", destroy(T))
    step("stub-acl-after-death", err(lambda: st.read(f"{TOP}/acl")))
    t2 = guest(T)
    t2.write("secret", "t2")
    step("stub-reads-reused-domid", err(lambda: st.read(f"/local/domain/{T}/secret")))
    step("stub-served", err(lambda: (st.write("own", "1"), st.read("own"))[1]))
    for g in (t2, st, c, o):
        g.close()
    step("destroy", destroy(T, S, C, O))
    s = sc()
    s.rm(TOP)
    s.close()


run({"rights": rights})
