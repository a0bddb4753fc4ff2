package org.jxenstore.access;

import org.jxenstore.protocol.Permission;
import org.jxenstore.protocol.Permission.Access;

/**
 * One permission entry of a node.
 *
 * @param access  what the entry grants
 * @param domid   the domain it names
 * @param stale   set when the entry named a domain that did not exist when the node was written
 *                (XSA-322): it is kept, listed by GET_PERMS, but never honoured
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
