package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.Transaction;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.MessageType;

/**
 * Scenario 5 (mirage {@code xstest.ml} style): malformed payloads per operation — missing NUL,
 * extra strings, empty strings, non-numeric domid/offset/depth, negative depth, TRANSACTION_END
 * variants other than {@code T}/{@code F}, permissions {@code x5} and {@code r} — each answered
 * with EINVAL, never a crash, and the connection (socket or ring) stays usable. An owner
 * {@code r-1} or {@code r99999999999} is a well-formed entry for a domain that cannot exist:
 * ENOENT, as C 4.17 answers (C reads it with {@code strtol} and keeps 32 bits). Non-numeric domids and DIRECTORY_PART offsets are read with
 * {@code atoi} as C xenstored does (see {@code ATOI}). Script: {@code s05_malformed.py}.
 *
 * <p>Would catch: parsers that read past the payload when the NUL is missing, accept a value
 * without its path separator, a huge domid wrapping to a domain that exists
 * ({@code r99999999999} keeps 32 bits, 1215752191, which no domain has), treat anything but {@code T} as commit, or throw an unchecked exception that
 * closes the connection (the next case then fails).
 */
class Scenario05MalformedPayloadsTest extends Scenario01To15Support {

    /**
     * Cases where C xenstored reads the number with {@code atoi} ({@code abc} is 0) and
     * jxenstored deliberately does the same (docs/compatibility.md, "payload parsing"): accepted,
     * not EINVAL as the reference's scenario list suggests. Asserted as C behaves; the point of
     * the scenario — no crash, connection usable — holds either way.
     */
    private static final Set<String> ATOI = Set.of("domainpath-abc", "introduced-x",
            "dirpart-offset-x");
    /** Well-formed owners naming a domain that cannot exist: ENOENT, as C 4.17 answers. */
    private static final Set<String> NO_SUCH_OWNER = Set.of("perms-r-1", "perms-r99999999999");

    @Override
    protected int bystander() {
        return 205;
    }

    @Test
    void socketMalformedPayloadsAreEinval() throws Exception {
        Map<String, Long> before = baseline();
        Map<String, String> want = new LinkedHashMap<>();
        Map<String, String> got = new LinkedHashMap<>();
        try (XsClient c = fx.dom0()) {
            c.write("/adv05/p", ascii("1"));
            Object[][] cases = {
                {"read-no-nul", MessageType.READ, "/adv05/p"},
                {"read-empty", MessageType.READ, ""},
                {"read-extra-string", MessageType.READ, "/adv05/p\0extra\0"},
                {"write-no-nul", MessageType.WRITE, "/adv05/w"},
                {"mkdir-empty-path", MessageType.MKDIR, "\0"},
                {"watch-one-string", MessageType.WATCH, "/adv05\0"},
                {"watch-depth-abc", MessageType.WATCH, "/adv05\0tok\0abc\0"},
                {"watch-depth-minus1", MessageType.WATCH, "/adv05\0tok\0-1\0"},
                {"domainpath-abc", MessageType.GET_DOMAIN_PATH, "abc\0"},
                {"introduced-x", MessageType.IS_DOMAIN_INTRODUCED, "x\0"},
                {"introduce-abc", MessageType.INTRODUCE, "a\0b\0c\0"},
                {"release-empty", MessageType.RELEASE, "\0"},
                {"dirpart-offset-x", MessageType.DIRECTORY_PART, "/adv05\0x\0"},
                {"perms-x5", MessageType.SET_PERMS, "/adv05/p\0x5\0"},
                {"perms-r", MessageType.SET_PERMS, "/adv05/p\0r\0"},
                {"perms-r-1", MessageType.SET_PERMS, "/adv05/p\0r-1\0"},
                {"perms-r99999999999", MessageType.SET_PERMS, "/adv05/p\0r99999999999\0"},
            };
            for (Object[] k : cases) {
                want.put((String) k[0], ATOI.contains(k[0]) ? "OK" : NO_SUCH_OWNER.contains(k[0]) ? "ENOENT" : "EINVAL");
                got.put((String) k[0], outcome(() -> c.request((MessageType) k[1], 0, ascii((String) k[2]))));
            }
            try (Transaction t = c.begin()) {
                for (String v : new String[] {"X\0", "\0", "TT\0", "t\0", "T"}) {
                    String name = "txend-" + (v.replace("\0", "").isEmpty() ? "empty" : v.replace("\0", ""))
                            + (v.endsWith("\0") ? "" : "-nonul");
                    want.put(name, "EINVAL");
                    got.put(name, outcome(() -> c.request(MessageType.TRANSACTION_END, t.id(), ascii(v))));
                }
                t.abort();
            }
            want.put("perms-unchanged", "[n0]");
            got.put("perms-unchanged", c.getPerms("/adv05/p").toString().replace(" ", ""));
            c.write("/adv05/after", ascii("v"));
            want.put("usable", "v");
            got.put("usable", text(c.read("/adv05/after")));
        }
        assertEquals(want.toString().replace(", ", "\n"), got.toString().replace(", ", "\n"));
        rmQuietly("/adv05");
        assertRecovered(before);
    }

    @Test
    void ringMalformedPayloadsAreEinval() throws Exception {
        Map<String, Long> before = baseline();
        script("s05_malformed.py", "ring", "51").expect(
                "read-no-nul", "EINVAL", "read-empty", "EINVAL", "read-extra-string", "EINVAL",
                "write-no-nul", "EINVAL", "mkdir-empty-path", "EINVAL", "watch-one-string", "EINVAL",
                "watch-depth-abc", "EINVAL", "watch-depth-minus1", "EINVAL", "domainpath-abc", "OK",
                "dirpart-offset-x", "OK", "perms-x5", "EINVAL", "perms-r", "EINVAL",
                "perms-r-1", "ENOENT", "perms-r99999999999", "ENOENT",
                "txend-X", "EINVAL", "txend-empty", "EINVAL", "txend-TT", "EINVAL", "txend-t", "EINVAL",
                "txend-T-nonul", "EINVAL", "txend-F-after", "OK", "perms-unchanged", "OK:n51",
                "usable", "OK:v", "error-field", "0");
        assertServed();
        destroy(51);
        assertRecovered(before);
    }
}
