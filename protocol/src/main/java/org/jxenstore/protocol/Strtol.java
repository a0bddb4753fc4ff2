package org.jxenstore.protocol;

/**
 * C's {@code strtol(s, &end, base)}, for the numbers C xenstored reads with it: blanks, an
 * optional sign, then digits; with base 0 a {@code 0x} prefix means hex and a leading {@code 0}
 * octal. The value saturates at the range of a long, as glibc's does.
 *
 * @param value what was read (0 if nothing was)
 * @param end   where reading stopped; 0 if there were no digits, as C then sets {@code end} to
 *              the start
 */
public record Strtol(long value, int end) {

    /**
     * Reads a number from the start of {@code s}.
     *
     * @param base 10, or 0 to take the base from the prefix
     */
    public static Strtol parse(String s, int base) {
        int i = 0;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = base;
        if (base == 0) {
            radix = 10;
            if (s.startsWith("0", i)) {
                radix = 8;
                if (i + 2 < s.length() && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                        && digit(s.charAt(i + 2), 16) >= 0) {
                    radix = 16;
                    i += 2;
                }
            }
        }
        int start = i;
        long value = 0;
        boolean overflow = false;
        for (int d; i < s.length() && (d = digit(s.charAt(i), radix)) >= 0; i++) {
            if (value > (Long.MAX_VALUE - d) / radix) {
                overflow = true;
            } else {
                value = value * radix + d;
            }
        }
        if (i == start) {
            return new Strtol(0, 0);
        }
        if (overflow) {
            return new Strtol(negative ? Long.MIN_VALUE : Long.MAX_VALUE, i);
        }
        return new Strtol(negative ? -value : value, i);
    }

    private static int digit(char c, int radix) {
        return c < 128 ? Character.digit(c, radix) : -1;
    }
}
