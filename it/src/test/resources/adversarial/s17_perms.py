"""Scenario 17: permission matrix, XSA-352/353 (Scenario17PermissionMatrixXsa352Xsa353Test).

python3 -B s17_perms.py SHARED DIR matrix      offender: guest 170 (171: the other owner)
python3 -B s17_perms.py SHARED DIR acl         offender: guest 172
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s16_30_kit import step, sc, guest, destroy, run, err, dom0  # noqa: E402

A, B, C = 170, 171, 172
T = "/adv17"


def matrix():
    b = guest(B)
    a = guest(A)
    s = sc()
    s.rm(T)
    s.mkdir(T)
    s.set_perms(T, ["n0", f"r{A}"])
    nodes = {
        "def-r": ["r0"],                    # default letter r for everyone not listed
        "acl-w": ["n0", f"w{A}"],           # write-only ACL entry
        "first": ["n0", f"r{A}", f"w{A}"],  # first match wins: r
        "owned": [f"n{A}"],                 # A owns it
        "both": ["n0", f"b{A}"],            # A may read and write, but does not own it
        "hidden": ["n0"],                   # nobody
        "other": [f"n{B}", f"r{A}"],        # B owns it, A may read
    }
    for name, perms in nodes.items():
        s.write(f"{T}/{name}", "v")
        s.set_perms(f"{T}/{name}", perms)
    s.close()

    step("def-read", err(lambda: a.read(f"{T}/def-r")))
    step("def-write", err(lambda: a.write(f"{T}/def-r", "x")))
    step("acl-w-read", err(lambda: a.read(f"{T}/acl-w")))
    step("acl-w-write", err(lambda: a.write(f"{T}/acl-w", "x")))
    step("first-read", err(lambda: a.read(f"{T}/first")))
    step("first-write", err(lambda: a.write(f"{T}/first", "x")))
    step("owned-write", err(lambda: a.write(f"{T}/owned", "mine")))
    step("owned-setperms", err(lambda: a.set_perms(f"{T}/owned", [f"n{A}", f"r{B}"])))
    # XSA-352: an unprivileged owner gives its node away (quota transfer / bypass)
    step("owner-change", err(lambda: a.set_perms(f"{T}/owned", [f"n{B}"])))
    step("owner-change-to-dom0", err(lambda: a.set_perms(f"{T}/owned", ["n0", f"b{A}"])))
    step("owned-perms-after", err(lambda: a.get_perms(f"{T}/owned")))
    step("both-write", err(lambda: a.write(f"{T}/both", "x")))
    step("both-setperms", err(lambda: a.set_perms(f"{T}/both", ["n0", f"b{A}", f"b{B}"])))
    step("other-setperms", err(lambda: a.set_perms(f"{T}/other", [f"n{B}", f"b{A}"])))
    step("other-perms-after", dom0(lambda s: s.get_perms(f"{T}/other")))
    # ENOENT must not leak through an unreadable node: EACCES
    step("hidden-read", err(lambda: a.read(f"{T}/hidden")))
    step("hidden-child-read", err(lambda: a.read(f"{T}/hidden/missing")))
    step("hidden-child-dir", err(lambda: a.directory(f"{T}/hidden/missing/deeper")))
    step("readable-missing", err(lambda: a.read(f"{T}/missing")))
    # XSA-353: the root node
    step("root-setperms", err(lambda: a.set_perms("/", [f"b{A}"])))
    step("root-setperms-keep-owner", err(lambda: a.set_perms("/", ["n0", f"b{A}"])))
    step("root-rm", err(lambda: a.rm("/")))
    step("root-dir", err(lambda: a.directory("/")))
    step("root-write-child", err(lambda: a.write("/adv17-evil", "x")))
    step("root-rm-tool", err(lambda: a.rm("/tool")))
    step("root-perms-after", dom0(lambda s: s.get_perms("/")))
    step("root-children-kept", dom0(lambda s: "tool" in s.directory("/")))
    a.close()
    b.close()
    step("destroy", destroy(A, B))
    # nodes A owned are deleted with A, B's as well
    step("owned-after-death", dom0(lambda s: s.read(f"{T}/owned")))
    step("dom0-nodes-kept", dom0(lambda s: len(s.directory(T))))
    s = sc()
    s.rm(T)
    s.close()


def acl():
    c = guest(C)
    c.write("acl", "x")
    # ACL length quota (node-permissions 5): 5 entries fit, the 6th is ENOSPC
    step("acl-5", err(lambda: c.set_perms("acl", [f"n{C}", "r1", "r2", "r3", "r4"])))
    step("acl-6", err(lambda: c.set_perms("acl", [f"n{C}", "r1", "r2", "r3", "r4", "r5"])))
    step("acl-after", err(lambda: len(c.get_perms("acl"))))
    # garbage permission strings
    for p in ("x5", "r", "r-1", "r99999999999", ""):
        step(f"bad-perm-{p or 'empty'}", err(lambda: c.set_perms("acl", [f"n{C}", p])))
    # ACL entries naming many other (existing, never introduced) domains, then rewritten
    for d in range(1000, 1040, 4):
        c.set_perms("acl", [f"n{C}", f"r{d}", f"r{d + 1}", f"r{d + 2}", f"r{d + 3}"])
    c.set_perms("acl", [f"n{C}"])
    c.close()
    step("destroy", destroy(C))


run({"matrix": matrix, "acl": acl})
