package org.jxenstore.protocol;

/**
 * The strict numbers of the protocol and CONTROL (watch depth, feature bits, quota values, domids
 * in the newer requests): digits only, nothing around them. The older requests read domids with
 * C's lenient {@code atoi} instead ({@link RequestDecoder#atoi(String)}).
 */
public final class Decimal {
    private Decimal() {
    }

    /**
     * Parses a non-negative decimal no larger than {@code max}.
     *
     * @throws XsException EINVAL for anything else
     */
    public static long parse(String s, long max) throws XsException {
        if (s.isEmpty() || s.length() > 18) {
            throw new XsException(XsError.EINVAL);
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw new XsException(XsError.EINVAL);
            }
        }
        long v = Long.parseLong(s);
        if (v > max) {
            throw new XsException(XsError.EINVAL);
        }
        return v;
    }
}
