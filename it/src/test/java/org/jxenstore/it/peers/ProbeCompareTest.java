package org.jxenstore.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Raw-protocol semantic probes ({@code <shared>/peers/xsprobe.py}): the daemon's answers compared
 * with those of the real C xenstored 4.17, started privately for this class with start-peer.sh.
 * The probes whose answers differ must be exactly the deliberate differences listed, with their
 * reasons, in {@code deliberate-differences.txt} (test resource). When the target itself is a C
 * xenstored ({@code -Djxs.it.socket=...} of a start-peer.sh {@code c} instance), no difference is
 * expected at all. With an external target ({@code -Djxs.it.socket}), whose store may hold other
 * clients' nodes, the probes listed in {@code state-dependent-probes.txt} are not compared.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeCompareTest extends TargetDaemonTest {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(120);
    private static final String ALLOW_LIST = "/deliberate-differences.txt";
    private static final String STATE_DEPENDENT = "/state-dependent-probes.txt";

    private static Path peerDir;
    private static Path peerSocket;

    @BeforeAll
    static void startReference() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (tmp.toAbsolutePath().toString().length() > 60) {
            tmp = Path.of("/tmp"); // socket paths must stay short
        }
        peerDir = Files.createTempDirectory(tmp, "jxs-cpeer-");
        ToolResult r = tools.run(null, Duration.ofSeconds(60), Map.of(),
                tools.script("start-peer.sh").toString(), "c", peerDir.toString());
        assertTrue(r.ok() && Files.exists(peerDir.resolve("socket")),
                () -> "start-peer.sh c could not start the C reference in " + peerDir + r.describe()
                        + "\ndaemon.log:\n" + readQuietly(peerDir.resolve("daemon.log")));
        peerSocket = peerDir.resolve("socket");
    }

    @AfterAll
    static void stopReference() throws Exception {
        if (peerDir != null && Files.exists(peerDir.resolve("pid"))) {
            ToolResult r = tools.run(null, Duration.ofSeconds(30), Map.of(),
                    tools.script("stop-peer.sh").toString(), peerDir.toString());
            if (!r.ok()) {
                System.err.println("stop-peer.sh failed" + r.describe());
            }
        }
        if (peerDir != null && !Files.exists(peerDir.resolve("pid"))) {
            deleteTree(peerDir);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Probe names from a list resource: one per line, '#' starts a comment. */
    static Set<String> probeList(String resource) throws IOException {
        try (InputStream in = ProbeCompareTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "test resource " + resource + " is missing");
            Set<String> names = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int hash = line.indexOf('#');
                String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
            return names;
        }
    }

    private static ToolResult xsprobe(String... args) throws Exception {
        String[] cmd = Stream.concat(Stream.of("python3", tools.script("xsprobe.py").toString()), Stream.of(args))
                .toArray(String[]::new);
        return tools.run(null, PROBE_TIMEOUT, Map.of(), cmd);
    }

    @Test
    @Order(1)
    void differencesFromCAreExactlyTheDeliberateOnes() throws Exception {
        ToolResult r = xsprobe("--compare", peerSocket.toString(), target.socket().toString());
        assertTrue(r.ok(), () -> "xsprobe.py --compare failed" + r.describe());
        assertTrue(r.stdoutLines().stream().anyMatch(l -> l.matches("\\d+ of [1-9]\\d* probes differ")),
                () -> "xsprobe.py printed no summary line" + r.describe());
        Set<String> differing = new TreeSet<>();
        for (String line : r.stdoutLines()) {
            if (line.startsWith("DIFF ")) {
                differing.add(line.substring(5).trim());
            }
        }
        Set<String> expected = new TreeSet<>(target.kind().equals("c") ? Set.of() : probeList(ALLOW_LIST));
        Set<String> ignored = new TreeSet<>();
        if (TargetDaemon.externalSocket() != null) {
            // a used external daemon's store is not fresh like the C peer's
            ignored.addAll(probeList(STATE_DEPENDENT));
            differing.removeAll(ignored);
            expected.removeAll(ignored);
        }
        Set<String> unexpected = new TreeSet<>(differing);
        unexpected.removeAll(expected);
        Set<String> vanished = new TreeSet<>(expected);
        vanished.removeAll(differing);
        assertEquals(expected, differing, () -> "probes differing from C xenstored (" + peerSocket + ") vs "
                + target + ": unexpected differences " + unexpected
                + ", listed deliberate differences that no longer differ " + vanished
                + " (update it/src/test/resources" + ALLOW_LIST + ")"
                + (ignored.isEmpty() ? "" : "; not compared (external target): " + ignored) + r.describe());
    }

    @Test
    @Order(2)
    @ExtendWith(NotAgainstReferencePeer.class)
    void unsafeProbesDoNotKillTheDaemon() throws Exception {
        ToolResult r = xsprobe("--unsafe", target.socket().toString());
        assertTrue(r.ok(), () -> "xsprobe.py --unsafe failed" + r.describe());
        List<String> results = r.stdoutLines().stream().filter(l -> l.matches("^\\w+: .*")).toList();
        assertFalse(results.isEmpty(), () -> "xsprobe.py printed no probe results" + r.describe());
        for (String unsafe : List.of("read_zero_length_payload", "read_without_trailing_nul", "zz_rm_root")) {
            assertTrue(results.stream().anyMatch(l -> l.startsWith(unsafe + ": ")),
                    () -> "the unsafe probe " + unsafe + " did not run" + r.describe());
        }
        List<String> dead = results.stream()
                .filter(l -> l.contains("SERVER DIED") || l.contains("SERVER-DEAD")).toList();
        assertTrue(dead.isEmpty(), () -> "the daemon died during the probes (" + dead.size() + " of "
                + results.size() + " results): " + dead.getFirst() + r.describe());
        // a fresh connection still gets an answer
        ToolResult read = tools.xs(target.socket(), "xenstore-read", "/");
        assertTrue(read.ok(), () -> "READ / on a fresh connection after the unsafe probes" + read.describe()
                + "\nprobes:" + r.describe());
        ToolResult exists = tools.xs(target.socket(), "xenstore-exists", "/");
        assertTrue(exists.ok(), () -> "xenstore-exists / after the unsafe probes" + exists.describe());
    }
}
