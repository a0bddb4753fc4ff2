package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.MessageType;

/**
 * Scenario 6: path edge cases — {@code ""}, {@code /}, {@code //}, {@code /a/}, {@code a//b},
 * {@code /local/domain/} (XSA-481), {@code /local/domain/99999/x}, a relative path on the
 * socket, {@code @foo} for READ, {@code /foo@bar}, non-ASCII, 2048/2049-character paths
 * (relative part) and 3072/3073-byte absolute paths, counted the same for relative and
 * absolute forms of a guest's path. Script: {@code s06_paths.py}.
 *
 * <p>Would catch: XSA-481 (C: {@code /local/domain/} clobbered errno in canonicalisation →
 * assertion abort, or 100% CPU with NDEBUG: the daemon is gone or the next request times out);
 * XSA-323-style length checks done before prefixing relative paths (the relative and
 * absolute 2049 cases would disagree); accepting {@code //} or non-ASCII names (nodes nobody
 * can address); a READ of an {@code @} name reaching the store.
 */
class Scenario06PathEdgeCasesXsa481Test extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 206;
    }

    @Test
    void socketPathEdgeCases() throws Exception {
        Map<String, Long> before = baseline();
        Map<String, String> want = new LinkedHashMap<>();
        Map<String, String> got = new LinkedHashMap<>();
        try (XsClient c = fx.dom0()) {
            put(want, got, "read-empty-string", "EINVAL", outcome(() -> c.request(MessageType.READ, 0, ascii("\0"))));
            put(want, got, "read-root", "OK", outcome(() -> c.read("/")));
            put(want, got, "read-double-slash", "EINVAL", outcome(() -> c.read("//")));
            put(want, got, "write-trailing-slash", "EINVAL", outcome(() -> c.write("/adv06/a/", ascii("1"))));
            put(want, got, "write-inner-double-slash", "EINVAL", outcome(() -> c.write("adv06//b", ascii("1"))));
            put(want, got, "read-local-domain-slash-xsa481", "EINVAL", outcome(() -> c.read("/local/domain/")));
            put(want, got, "write-local-domain-slash-xsa481", "EINVAL",
                    outcome(() -> c.write("/local/domain/", ascii("1"))));
            put(want, got, "read-unknown-domain", "ENOENT", outcome(() -> c.read("/local/domain/99999/x")));
            put(want, got, "read-at-foo", "EINVAL", outcome(() -> c.read("@foo")));
            put(want, got, "write-foo-at-bar", "OK", outcome(() -> c.write("/adv06/foo@bar", ascii("1"))));
            put(want, got, "write-non-ascii", "EINVAL",
                    outcome(() -> c.request(MessageType.WRITE, 0, "/adv06/é\u00001".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            put(want, got, "relative-on-socket", "OK", outcome(() -> c.write("adv06rel", ascii("r"))));
            put(want, got, "relative-resolves-to-dom0-home", "r", text(c.read("/local/domain/0/adv06rel")));
            put(want, got, "abs-2048", "OK", outcome(() -> c.write("/adv06" + "/" + "a".repeat(2048 - 7), ascii("1"))));
            put(want, got, "abs-2049", "EINVAL", outcome(() -> c.write("/adv06" + "/" + "b".repeat(2049 - 7), ascii("1"))));
            put(want, got, "home-rel-2048", "OK", outcome(() -> c.write("/local/domain/0/" + "c".repeat(2048), ascii("1"))));
            put(want, got, "home-rel-2049", "EINVAL", outcome(() -> c.write("/local/domain/0/" + "d".repeat(2049), ascii("1"))));
            put(want, got, "abs-3072", "EINVAL", outcome(() -> c.read("/adv06/" + "e".repeat(3072 - 7))));
            put(want, got, "abs-3073", "EINVAL", outcome(() -> c.read("/adv06/" + "f".repeat(3073 - 7))));
            c.write("/adv06/after", ascii("v"));
            put(want, got, "usable", "v", text(c.read("/adv06/after")));
        }
        assertEquals(want.toString().replace(", ", "\n"), got.toString().replace(", ", "\n"));
        rmQuietly("/adv06", "/local/domain/0/adv06rel", "/local/domain/0/" + "c".repeat(2048));
        rmQuietly("/local/domain/0");
        assertRecovered(before);
    }

    @Test
    void ringPathEdgeCases() throws Exception {
        Map<String, Long> before = baseline();
        script("s06_paths.py", "ring", "61").expect(
                "read-empty-string", "EINVAL", "read-root", "EACCES", "read-double-slash", "EINVAL",
                "write-trailing-slash", "EINVAL", "write-inner-double-slash", "EINVAL",
                "read-local-domain-slash-xsa481", "EINVAL", "write-local-domain-slash-xsa481", "EINVAL",
                "read-unknown-domain", "EACCES", "read-at-foo", "EINVAL", "write-foo-at-bar", "OK",
                "write-non-ascii", "EINVAL", "rel-2048", "OK", "rel-2049", "EINVAL",
                "abs-home-2048", "OK", "abs-home-2049", "EINVAL", "abs-3073", "EINVAL",
                "rm-rel-2048", "OK", "rm-abs-2048", "OK", "usable", "OK:v", "error-field", "0");
        assertServed();
        destroy(61);
        assertRecovered(before);
    }

    private static void put(Map<String, String> want, Map<String, String> got, String name, String w, String g) {
        want.put(name, w);
        got.put(name, g);
    }
}
