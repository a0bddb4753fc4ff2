package org.jxenstore.access;

/**
 * One permission entry.
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

    /** Parses {@code <letter><decimal domid>}, e.g. {@code r5}; {@code null} if malformed. */
    public static Perm parse(String s) {
        if (s.length() < 2 || s.length() > 7) {
            return null;
        }
        Access a = Access.fromLetter(s.charAt(0));
        if (a == null) {
            return null;
        }
        int domid = 0;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            domid = domid * 10 + (c - '0');
        }
        return domid > 0xFFFF ? null : new Perm(a, domid);
    }

    @Override
    public String toString() {
        return access.letter() + Integer.toString(domid);
    }
}
