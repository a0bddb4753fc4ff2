package org.jxenstore.access;

import org.jxenstore.protocol.Permission.Access;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's permission list. Entry 0 names the owner, and its access is the default for every
 * domain not listed; later entries are per-domain ACL entries, first match wins.
 */
public record Perms(List<Perm> entries) {

    public Perms {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a permission list names at least its owner");
        }
        entries = List.copyOf(entries);
    }

    /** Owned by {@code owner}, nobody else may do anything: C's {@code n0} for dom0's nodes. */
    public static Perms ownedBy(int owner) {
        return new Perms(List.of(new Perm(Access.NONE, owner)));
    }

    public int owner() {
        return entries.getFirst().domid();
    }

    /** The same list with entry 0 naming a new owner (its access unchanged). */
    public Perms withOwner(int owner) {
        List<Perm> l = new ArrayList<>(entries);
        Perm first = l.getFirst();
        l.set(0, new Perm(first.access(), owner, false));
        return new Perms(l);
    }

    /** The list without ACL entries for {@code domid}; the owner entry stays. */
    public Perms withoutAclFor(int domid) {
        List<Perm> l = new ArrayList<>(entries.size());
        l.add(entries.getFirst());
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).domid() != domid) {
                l.add(entries.get(i));
            }
        }
        return new Perms(l);
    }

    /** The wire form: each entry NUL-terminated. */
    public List<String> strings() {
        List<String> out = new ArrayList<>(entries.size());
        for (Perm p : entries) {
            out.add(p.toString());
        }
        return out;
    }
}
