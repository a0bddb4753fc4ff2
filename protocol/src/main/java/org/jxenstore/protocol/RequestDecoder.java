package org.jxenstore.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a request's payload the way C xenstored reads it, including its leniencies (a domid
 * is read with {@code atoi}, so "abc" means 0) and its strictness (a single-argument request
 * must be exactly one NUL-terminated string).
 */
public final class RequestDecoder {
    private RequestDecoder() {
    }

    /**
     * @throws XsException ENOSYS for a type no client may send, EINVAL for a malformed payload
     */
    public static Request decode(MessageType type, byte[] p) throws XsException {
        if (type == null) {
            throw new XsException(XsError.ENOSYS);
        }
        return switch (type) {
            case CONTROL -> {
                List<String> args = pieces(p);
                if (args.isEmpty() || args.getFirst().isEmpty()) {
                    throw new XsException(XsError.EINVAL);
                }
                yield new Request.Control(args);
            }
            case DIRECTORY -> new Request.Directory(oneArg(p));
            case READ -> new Request.Read(oneArg(p));
            case GET_PERMS -> new Request.GetPerms(oneArg(p));
            case MKDIR -> new Request.Mkdir(oneArg(p));
            case RM -> new Request.Rm(oneArg(p));
            case DIRECTORY_PART -> {
                List<String> a = exactly(p, 2);
                yield new Request.DirectoryPart(a.get(0), atol(a.get(1)));
            }
            case WATCH -> {
                int n = nulCount(p);
                List<String> a = pieces(p);
                if ((n != 2 && n != 3) || a.size() < n) {
                    throw new XsException(XsError.EINVAL);
                }
                int depth = -1;
                if (n == 3) {
                    depth = (int) Decimal.parse(a.get(2), Integer.MAX_VALUE);
                }
                yield new Request.Watch(a.get(0), a.get(1), depth);
            }
            case UNWATCH -> {
                List<String> a = exactly(p, 2);
                yield new Request.Unwatch(a.get(0), a.get(1));
            }
            case TRANSACTION_START -> new Request.TransactionStart();
            case TRANSACTION_END -> {
                String arg = oneArg(p);
                if (!arg.equals("T") && !arg.equals("F")) {
                    throw new XsException(XsError.EINVAL);
                }
                yield new Request.TransactionEnd(arg.equals("T"));
            }
            case INTRODUCE -> {
                List<String> a = atLeast(p, 3);
                yield new Request.Introduce(atoi(a.get(0)), atol(a.get(1)), atoi(a.get(2)));
            }
            case RELEASE -> new Request.Release(atoi(oneArg(p)));
            case GET_DOMAIN_PATH -> new Request.GetDomainPath(atoi(oneArg(p)));
            case IS_DOMAIN_INTRODUCED -> new Request.IsDomainIntroduced(atoi(oneArg(p)));
            case RESUME -> new Request.Resume(atoi(oneArg(p)));
            case SET_TARGET -> {
                List<String> a = atLeast(p, 2);
                yield new Request.SetTarget(atoi(a.get(0)), atoi(a.get(1)));
            }
            case WRITE -> {
                int nul = Payload.firstNul(p);
                if (nul < 0) {
                    throw new XsException(XsError.EINVAL);
                }
                byte[] value = new byte[p.length - nul - 1];
                System.arraycopy(p, nul + 1, value, 0, value.length);
                yield new Request.Write(new String(p, 0, nul, StandardCharsets.ISO_8859_1), value);
            }
            case SET_PERMS -> {
                int n = nulCount(p);
                List<String> a = pieces(p);
                if (n < 2) {
                    throw new XsException(XsError.EINVAL);
                }
                yield new Request.SetPerms(a.getFirst(), List.copyOf(a.subList(1, n)));
            }
            case RESET_WATCHES -> new Request.ResetWatches();
            case GET_FEATURE -> new Request.GetFeature(pieces(p));
            case SET_FEATURE -> new Request.SetFeature(pieces(p));
            case GET_QUOTA -> new Request.GetQuota(pieces(p));
            case SET_QUOTA -> new Request.SetQuota(pieces(p));
            case WATCH_EVENT, ERROR, RESTRICT -> throw new XsException(XsError.ENOSYS);
        };
    }

    /** Exactly one string, whose NUL is the payload's last byte. */
    private static String oneArg(byte[] p) throws XsException {
        int nul = Payload.firstNul(p);
        if (p.length == 0 || nul != p.length - 1) {
            throw new XsException(XsError.EINVAL);
        }
        return new String(p, 0, nul, StandardCharsets.ISO_8859_1);
    }

    private static List<String> exactly(byte[] p, int n) throws XsException {
        List<String> a = pieces(p);
        if (a.size() != n) {
            throw new XsException(XsError.EINVAL);
        }
        return a;
    }

    private static List<String> atLeast(byte[] p, int n) throws XsException {
        List<String> a = pieces(p);
        if (a.size() < n) {
            throw new XsException(XsError.EINVAL);
        }
        return a;
    }

    /** The strings of a payload as C's {@code get_strings} counts them: an unterminated tail counts. */
    static List<String> pieces(byte[] p) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= p.length; i++) {
            if (i == p.length ? start < p.length : p[i] == 0) {
                out.add(new String(p, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    private static int nulCount(byte[] p) {
        int n = 0;
        for (byte b : p) {
            if (b == 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * glibc's {@code atoi}: {@code (int) strtol(s, NULL, 10)}, so optional blanks and a sign,
     * then digits up to the first other character, and a value outside {@code int} wraps to its
     * low 32 bits (C xenstored then reads it unsigned: "-1" is domain 4294967295).
     */
    public static int atoi(String s) {
        return (int) atol(s);
    }

    /** C's {@code strtol(s, NULL, 10)}: like {@link #atoi}, saturating at the range of a long. */
    static long atol(String s) {
        return Strtol.parse(s, 10).value();
    }
}
