package org.jxenstore.access;

import org.jxenstore.protocol.Permission;
import org.jxenstore.protocol.Permission.Access;

/**
 * One permission entry of a node.
 *
 * @param access  what the entry grants
 * @param domid   the domain it names
 * @param stale   set for an entry that must never be honoured though it is kept and listed by
 *                GET_PERMS: a DOMID_ANY entry written by a connection without that feature.
 *                (Entries for domains younger than the node, XSA-322, are found stale when
 *                checked, from generation counts.)
 */
public record Perm(Access access, int domid, boolean stale) {

    public Perm(Access access, int domid) {
        this(access, domid, false);
    }

    /** Parses the wire form, e.g. {@code r5}; {@code null} if malformed (the caller answers EINVAL). */
    public static Perm parse(String s) {
        try {
            Permission p = Permission.parse(s);
            return new Perm(p.access(), p.domid());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return new Permission(access, domid).toString();
    }
}
