package org.jxenstore.access;

/** The access letters of a permission entry. */
public enum Access {
    NONE('n', false, false),
    READ('r', true, false),
    WRITE('w', false, true),
    BOTH('b', true, true);

    private final char letter;
    private final boolean read;
    private final boolean write;

    Access(char letter, boolean read, boolean write) {
        this.letter = letter;
        this.read = read;
        this.write = write;
    }

    public char letter() {
        return letter;
    }

    /** Whether this access grants everything {@code needed} asks for. */
    public boolean grants(Access needed) {
        return (!needed.read || read) && (!needed.write || write);
    }

    public static Access fromLetter(char c) {
        for (Access a : values()) {
            if (a.letter == c) {
                return a;
            }
        }
        return null;
    }
}
