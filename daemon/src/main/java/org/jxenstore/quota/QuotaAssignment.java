package org.jxenstore.quota;

/**
 * One {@code <name>=<value>} of the command line: {@code -Q} sets a hard quota, {@code -q} the
 * soft one (C has a soft variant of {@code memory} only).
 */
public record QuotaAssignment(Quota quota, int value) {

    /**
     * Parses {@code -Q <name>=<value>}.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static QuotaAssignment hard(String text) {
        String name = name(text);
        Quota quota = Quota.byName(name);
        if (quota == null) {
            throw new IllegalArgumentException("unknown quota \"" + name + "\"");
        }
        return new QuotaAssignment(quota, count(value(text)));
    }

    /**
     * Parses {@code -q memory=<value>}.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static QuotaAssignment soft(String text) {
        String name = name(text);
        if (!Quota.MEMORY.wireName().equals(name)) {
            throw new IllegalArgumentException("unknown soft quota \"" + name + "\" (only memory)");
        }
        return new QuotaAssignment(Quota.MEMORY, count(value(text)));
    }

    /**
     * An unsigned decimal up to INT_MAX, as C's {@code get_optval_uint()} takes for every
     * numeric option.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static int count(String text) {
        if (text.matches("[0-9]{1,10}")) {
            long value = Long.parseLong(text);
            if (value <= Integer.MAX_VALUE) {
                return (int) value;
            }
        }
        throw new IllegalArgumentException("invalid value \"" + text + "\" (expected 0.." + Integer.MAX_VALUE + ")");
    }

    /** The part before {@code =}, in the form C's {@code -Q}, {@code -q} and {@code -w} share. */
    public static String name(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("expected <what>=<value>, got \"" + assignment + "\"");
        }
        return assignment.substring(0, eq);
    }

    /** The part after {@code =}. */
    public static String value(String assignment) {
        return assignment.substring(assignment.indexOf('=') + 1);
    }
}
