package org.jxenstore.it.differential;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;

/**
 * Seeded random requests of every message type a socket client may send, with invalid arguments
 * about as often as valid ones, over a small set of paths below one prefix so that requests
 * collide: the same node is written, read, watched and removed by several connections, inside and
 * outside transactions. It never builds the requests that crash C xenstored 4.17 (an empty payload
 * or one without a NUL for READ, DIRECTORY, MKDIR, RM and GET_PERMS; RESET_WATCHES inside a
 * transaction), nor those whose answers differ on purpose (CONTROL, and the 4.22 types 23 to 26):
 * docs/compatibility.md lists them.
 */
final class RequestGenerator {
    private static final String[] TAILS = {"", "/a", "/b", "/a/b", "/a/c", "/b/a", "/a/b/c", "/c", "/a/b/c/d"};
    private static final String[] BAD_TAILS = {"/a b", "/a/", "//a", "/./a", "/a:b", "/a/../b", "/\u00e9"};
    private static final String[] PERMS = {"n0", "r0", "w0", "b0", "n1", "r5", "w7", "b3", "n99999999", "r-1",
        "n 0", "x1", "", "b0x", "r65535", "n32753", "w1 ", "r01"};
    private static final String[] TOKENS = {"t0", "t1", "t2", "all", ""};

    private final SplittableRandom random;
    private final String prefix;

    /** One request, and how it reads in a report. */
    record Request(int type, int txId, byte[] payload, String text) {
    }

    RequestGenerator(long seed, String prefix) {
        this.random = new SplittableRandom(seed);
        this.prefix = prefix;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** The next request of a connection whose open transactions are {@code transactions}. */
    Request next(List<Integer> transactions) {
        int tx = txId(transactions);
        int pick = random.nextInt(100);
        if (pick < 16) {
            return write(tx, path(), value());
        } else if (pick < 26) {
            return strings(MessageType.READ, tx, path());
        } else if (pick < 33) {
            return strings(MessageType.MKDIR, tx, path());
        } else if (pick < 42) {
            return strings(MessageType.RM, tx, path());
        } else if (pick < 48) {
            return strings(MessageType.DIRECTORY, tx, path());
        } else if (pick < 51) {
            return strings(MessageType.DIRECTORY_PART, tx, path(), offset());
        } else if (pick < 55) {
            return strings(MessageType.GET_PERMS, tx, path());
        } else if (pick < 61) {
            List<String> args = new ArrayList<>();
            args.add(path());
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                args.add(random.nextInt(3) == 0 ? PERMS[random.nextInt(PERMS.length)] : PERMS[random.nextInt(8)]);
            }
            return strings(MessageType.SET_PERMS, tx, args.toArray(String[]::new));
        } else if (pick < 69) {
            return strings(MessageType.WATCH, tx, watchPath(), TOKENS[random.nextInt(TOKENS.length)]);
        } else if (pick < 74) {
            return strings(MessageType.UNWATCH, tx, watchPath(), TOKENS[random.nextInt(TOKENS.length)]);
        } else if (pick < 82) {
            return strings(MessageType.TRANSACTION_START, tx, "");
        } else if (pick < 90) {
            String[] ends = {"T", "T", "F", "X", ""};
            return strings(MessageType.TRANSACTION_END, tx, ends[random.nextInt(ends.length)]);
        } else if (pick < 92) {
            // Inside a transaction C 4.17 aborts on its own assertion (docs/compatibility.md).
            return strings(MessageType.RESET_WATCHES, transactions.contains(tx) ? 0 : tx, "");
        } else if (pick < 94) {
            String[] domids = {"0", "5", "x", "-1", "65535", ""};
            return strings(MessageType.GET_DOMAIN_PATH, tx, domids[random.nextInt(domids.length)]);
        } else if (pick < 95) {
            String[] domids = {"0", "5", "x"};
            return strings(MessageType.IS_DOMAIN_INTRODUCED, tx, domids[random.nextInt(domids.length)]);
        } else if (pick < 98) {
            return domainRequest(tx);
        } else {
            int[] unknown = {99, 0xffff, 128, 20, MessageType.WATCH_EVENT.code(), MessageType.ERROR.code()};
            int type = unknown[random.nextInt(unknown.length)];
            return new Request(type, tx, Payload.strings(path()), "TYPE_" + type + " tx=" + tx);
        }
    }

    /**
     * The toolstack's domain requests, refused to guests. Never one that would end or reset the
     * run's own guests (domains 3 and 5): releasing or introducing them again would drop their
     * connections on both daemons; so no INTRODUCE passes C's argument checks. Domain 7 does not
     * exist; RESUME of a guest is harmless; SET_TARGET 3 5 lets domain 3 act as domain 5 from then
     * on, and SET_TARGET 5 x names domain 0 ({@code atoi}), which has no ring here: ENOENT or
     * EINVAL as C decides.
     */
    private Request domainRequest(int tx) {
        return switch (random.nextInt(4)) {
            case 0 -> {
                String[][] args = {{"7", "0", "0"}, {"7", "1"}, {"x", "0", "0"}, {"3", "1", "0"}, {}};
                yield strings(MessageType.INTRODUCE, tx, args[random.nextInt(args.length)]);
            }
            case 1 -> {
                String[] domids = {"0", "x", "7", "", "65535"};
                yield strings(MessageType.RELEASE, tx, domids[random.nextInt(domids.length)]);
            }
            case 2 -> {
                String[] domids = {"0", "x", "7", "3", "5"};
                yield strings(MessageType.RESUME, tx, domids[random.nextInt(domids.length)]);
            }
            default -> {
                String[][] args = {{"7", "5"}, {"3"}, {"3", "7"}, {"3", "5"}, {"5", "x"}};
                yield strings(MessageType.SET_TARGET, tx, args[random.nextInt(args.length)]);
            }
        };
    }

    private int txId(List<Integer> transactions) {
        int pick = random.nextInt(10);
        if (pick < 5 || (transactions.isEmpty() && pick < 9)) {
            return 0;
        }
        if (!transactions.isEmpty() && pick < 9) {
            return transactions.get(random.nextInt(transactions.size()));
        }
        return 1 + random.nextInt(20);
    }

    private String path() {
        int pick = random.nextInt(100);
        if (pick < 88) {
            return prefix + TAILS[random.nextInt(TAILS.length)];
        } else if (pick < 96) {
            return prefix + BAD_TAILS[random.nextInt(BAD_TAILS.length)];
        } else if (pick < 98) {
            // Relative to the client's home, in a folder of this run's own: a run never meets the
            // nodes of an earlier one, whose ACLs lost the entries of guests released since
            // (docs/compatibility.md: a dead domain's entries are stripped).
            return prefix.substring(1) + TAILS[random.nextInt(TAILS.length)];
        }
        return prefix + "/" + "x".repeat(3000);
    }

    private String watchPath() {
        int pick = random.nextInt(20);
        if (pick == 0) {
            return "@releaseDomain";
        } else if (pick == 1) {
            return "@introduceDomain";
        } else if (pick == 2) {
            return "@bogus";
        }
        return path();
    }

    private String value() {
        int n = random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private String offset() {
        String[] offsets = {"0", "1", "2", "3", "5", "-1", "x", "", "4096", "99999999999"};
        return offsets[random.nextInt(offsets.length)];
    }

    private static Request write(int tx, String path, String value) {
        byte[] payload = Payload.stringThenBytes(path, value.getBytes(StandardCharsets.ISO_8859_1));
        return new Request(MessageType.WRITE.code(), tx, payload,
                "WRITE tx=" + tx + " \"" + shown(path) + "\" = \"" + value + "\"");
    }

    /** A request whose payload is NUL-terminated strings. */

    private static Request strings(MessageType type, int tx, String... args) {
        StringBuilder text = new StringBuilder(type + " tx=" + tx);
        for (String a : args) {
            text.append(" \"").append(shown(a)).append('"');
        }
        return new Request(type.code(), tx, Payload.strings(args), text.toString());
    }

    private static String shown(String s) {
        return s.length() > 40 ? s.substring(0, 20) + "...(" + s.length() + ")" : s;
    }
}
