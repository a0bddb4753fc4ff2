package org.jxenstore.access;

import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.protocol.Strtol;

/**
 * One permission entry of a node.
 *
 * @param access  what the entry grants
 * @param domid   the domain it names: 32 bits, as C keeps it, so that an entry naming no
 *                possible domain (C 4.17 accepts {@code r99999999} and {@code r-1}) is kept and
 *                listed as written
 * @param stale   set for an entry that must never be honoured though it is kept and listed by
 *                GET_PERMS: one naming a domain that does not exist when it is written, or a
 *                DOMID_ANY entry written by a connection without that feature. (Entries for
 *                domains younger than the node, XSA-322, are found stale when checked, from
 *                generation counts.)
 */
public record Perm(Access access, int domid, boolean stale) {

    public Perm(Access access, int domid) {
        this(access, domid, false);
    }

    /** The same entry, never to be honoured. */
    public Perm ignored() {
        return new Perm(access, domid, true);
    }

    /**
     * Parses an entry as C xenstored does ({@code xs_strings_to_perms}): one of {@code nrwb},
     * then a number as {@code strtol(s, &end, 0)} reads it (blanks, a sign, {@code 0x} for hex
     * and a leading {@code 0} for octal allowed) that must take the rest of the string, kept to
     * its low 32 bits.
     *
     * @return the entry, or {@code null} if malformed (the caller answers EINVAL)
     */
    public static Perm parse(String s) {
        if (s.isEmpty()) {
            return null;
        }
        Access access = accessOf(s.charAt(0));
        String number = s.substring(1);
        Strtol id = Strtol.parse(number, 0);
        if (access == null || number.isEmpty() || id.end() != number.length()) {
            return null;
        }
        return new Perm(access, (int) id.value());
    }

    /** The access a letter of {@code nrwb} names, {@code null} for any other character. */
    public static Access accessOf(char letter) {
        return switch (letter) {
            case 'n' -> Access.NONE;
            case 'r' -> Access.READ;
            case 'w' -> Access.WRITE;
            case 'b' -> Access.BOTH;
            default -> null;
        };
    }

    /** The wire form, the domid printed as C prints it ({@code %i} of its 32 bits). */
    @Override
    public String toString() {
        return access.letter() + Integer.toString(domid);
    }
}
