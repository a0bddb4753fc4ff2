package org.jxenstore.protocol;

import java.util.Objects;

/**
 * One entry of a node's access control list, written {@code <letter><domid>} on the wire, e.g.
 * {@code r5}. In a node's list the first entry names the owner, and its access is the default
 * for every domain not listed later.
 *
 * @param access what the domain may do
 * @param domid  the domain the entry is about (0..65535; {@code DOMID_ANY} is 0x7FF5)
 */
public record Permission(Access access, int domid) {

    /** Largest domid; domids are 16-bit on the wire ({@code domid_t}). */
    private static final int DOMID_MAX = 0xFFFF;

    /** The access letters of the protocol. */
    public enum Access {
        /** No access ({@code n}). */
        NONE('n', false, false),
        /** Read only ({@code r}). */
        READ('r', true, false),
        /** Write only ({@code w}). */
        WRITE('w', false, true),
        /** Read and write ({@code b}). */
        BOTH('b', true, true);

        private final char letter;
        private final boolean read;
        private final boolean write;

        Access(char letter, boolean read, boolean write) {
            this.letter = letter;
            this.read = read;
            this.write = write;
        }

        /**
         * Whether this access grants everything {@code needed} asks for.
         *
         * @param needed the access a request needs
         * @return true if nothing {@code needed} asks for is missing
         */
        public boolean grants(Access needed) {
            return (!needed.read || read) && (!needed.write || write);
        }

        /**
         * The letter that stands for this access on the wire.
         *
         * @return one of {@code n}, {@code r}, {@code w}, {@code b}
         */
        public char letter() {
            return letter;
        }

        /**
         * The access a wire letter stands for.
         *
         * @param letter one of {@code n}, {@code r}, {@code w}, {@code b}
         * @return the access
         * @throws IllegalArgumentException for any other letter
         */
        public static Access fromLetter(char letter) {
            for (Access a : values()) {
                if (a.letter == letter) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown access letter '" + letter + "'");
        }
    }

    /**
     * Creates an entry.
     *
     * @param access what the domain may do
     * @param domid  the domain, 0..65535
     * @throws IllegalArgumentException if {@code domid} is out of range
     */
    public Permission {
        Objects.requireNonNull(access, "access");
        if (domid < 0 || domid > DOMID_MAX) {
            throw new IllegalArgumentException("domid " + domid + " out of range 0.." + DOMID_MAX);
        }
    }

    /**
     * Parses the wire form of an entry.
     *
     * @param text an access letter followed by a decimal domid, e.g. {@code "r5"}
     * @return the entry
     * @throws IllegalArgumentException if {@code text} is not of that form
     */
    public static Permission parse(String text) {
        if (text.length() < 2) {
            throw new IllegalArgumentException("permission \"" + text + "\" is not <letter><domid>");
        }
        String digits = text.substring(1);
        // Integer.parseInt would also accept a sign, which no daemon sends.
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 5) {
            throw new IllegalArgumentException("permission \"" + text + "\" has no valid domid");
        }
        return new Permission(Access.fromLetter(text.charAt(0)), Integer.parseInt(digits));
    }

    /**
     * The wire form of this entry.
     *
     * @return the access letter followed by the decimal domid, e.g. {@code "r5"}
     */
    @Override
    public String toString() {
        return access.letter() + Integer.toString(domid);
    }
}
