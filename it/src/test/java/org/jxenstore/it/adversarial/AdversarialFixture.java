package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.guest.GuestDaemon;
import org.jxenstore.it.guest.Steps;
import org.jxenstore.it.peers.ToolResult;
import org.jxenstore.protocol.XsException;

/**
 * Shared helpers of the adversarial scenarios: one daemon under the fake-hypervisor shim
 * ({@link GuestDaemon}, so guests speak over real rings), scenario scripts from
 * {@code it/src/test/resources/adversarial/} (same calling convention and {@code STEP name value}
 * output as {@code resources/guest/guestkit.py}, which they may import from {@code ../guest}),
 * and the daemon-wide checks every scenario ends with: still alive, CONTROL {@code check} OK,
 * dom0 and a bystander guest served, {@code memreport} counters.
 */
public final class AdversarialFixture implements AutoCloseable {
    /** The memreport counters an offender can grow; all must return to their baseline. */
    public static final String[] COUNTERS = {
        "nodes", "node bytes", "connections", "watches", "transactions", "domains", "queued output",
    };

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);

    private final GuestDaemon daemon;

    private AdversarialFixture(GuestDaemon daemon) {
        this.daemon = daemon;
    }

    /** Starts the configured daemon ({@code -Djxs.guest.daemon}) under the shim. */
    public static AdversarialFixture start(String... jxenstoredArgs) throws IOException, InterruptedException {
        return new AdversarialFixture(GuestDaemon.start(List.of(jxenstoredArgs)));
    }

    public GuestDaemon daemon() {
        return daemon;
    }

    public Path socket() {
        return daemon.socket();
    }

    /** A fresh privileged (dom0) socket connection. */
    public XsClient dom0() {
        return XsClient.open(daemon.socket());
    }

    /** CONTROL over a fresh dom0 connection. */
    public String control(String... args) throws XsException {
        try (XsClient c = dom0()) {
            return c.control(args);
        }
    }

    /**
     * CONTROL {@code memreport} parsed into {@code name -> value} ("nodes", "watches",
     * "transactions", "connections", "queued output", ...). Taken over a fresh connection, which
     * is itself counted in "connections": compare two reports taken the same way.
     */
    public Map<String, Long> memreport() throws XsException {
        return parseMemreport(control("memreport"));
    }

    /** A memreport's counter lines as {@code name -> value}. */
    public static Map<String, Long> parseMemreport(String report) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : report.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                m.put(line.substring(0, colon).trim(), Long.parseLong(line.substring(colon + 1).trim()));
            } catch (NumberFormatException e) {
                // not a counter line
            }
        }
        return m;
    }

    /** Where memreports come from: this fixture's daemon, or a test's own. */
    @FunctionalInterface
    public interface Memreports {
        Map<String, Long> take() throws Exception;
    }

    /** Asserts that the given memreport counters are equal in both reports. */
    public static void assertCounters(Map<String, Long> before, Map<String, Long> after, String... names) {
        StringBuilder want = new StringBuilder();
        StringBuilder got = new StringBuilder();
        for (String n : names) {
            want.append(n).append(" = ").append(before.get(n)).append('\n');
            got.append(n).append(" = ").append(after.get(n)).append('\n');
        }
        assertEquals(want.toString(), got.toString(), "memreport counters before vs after\nbefore: " + before
                + "\nafter:  " + after);
    }

    /**
     * Waits (bounded by {@code timeout}, polling memreport) until the given counters equal
     * {@code before}'s, then asserts them: the daemon handles a closed socket asynchronously, so
     * the last connection of a script may still be counted for a moment.
     */
    public Map<String, Long> awaitCounters(Map<String, Long> before, Duration timeout, String... names)
            throws Exception {
        return awaitCounters(this::memreport, before, timeout, names);
    }

    /** {@link #awaitCounters(Map, Duration, String...)} over any source of memreports. */
    public static Map<String, Long> awaitCounters(Memreports source, Map<String, Long> before, Duration timeout,
            String... names) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> after;
        do {
            // Each report is a round trip to the daemon, which paces the polling.
            after = source.take();
        } while (!sameCounters(before, after, names) && System.nanoTime() < deadline);
        assertCounters(before, after, names);
        return after;
    }

    /** Whether the given counters are equal in both reports. */
    public static boolean sameCounters(Map<String, Long> a, Map<String, Long> b, String... names) {
        for (String n : names) {
            if (!java.util.Objects.equals(a.get(n), b.get(n))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The end of a scenario: CONTROL {@code check} OK, dom0 and the bystander guests served, and
     * the {@link #COUNTERS} back to {@code before} within {@code timeout}.
     */
    public void assertRecovered(Map<String, Long> before, Duration timeout, int... bystanders) throws Exception {
        assertHealthy();
        assertServed("s", bystanders);
        awaitCounters(before, timeout, COUNTERS);
    }

    /** The daemon runs, answers CONTROL {@code check} with "OK...". */
    public void assertHealthy() throws XsException {
        assertTrue(daemon.alive(), () -> "the daemon is gone; daemon.log:\n" + daemon.logTail());
        String check = control("check");
        assertTrue(check.startsWith("OK"), () -> "CONTROL check: " + check + "\n" + daemon.logTail());
    }

    /**
     * dom0 (a fresh socket connection) and each given guest (attached to its existing ring with
     * {@code xsguest.py --introduce attach}, so a guest that is no longer served fails) do a
     * write and read it back.
     */
    public void assertServed(String tag, int... guestDomids) throws Exception {
        try (XsClient c = dom0()) {
            byte[] v = (tag + "-dom0").getBytes(StandardCharsets.US_ASCII);
            c.write("/adversarial-served/" + tag, v);
            assertEquals(tag + "-dom0", new String(c.read("/adversarial-served/" + tag), StandardCharsets.US_ASCII));
        }
        for (int d : guestDomids) {
            String value = tag + "-" + d;
            ToolResult w = daemon.xsguest(d, "--introduce", "attach", "write", "served-" + tag, value);
            assertTrue(w.ok(), () -> "guest " + d + " write" + w.describe() + "\n" + daemon.logTail());
            ToolResult r = daemon.xsguest(d, "--introduce", "attach", "read", "served-" + tag);
            assertTrue(r.ok() && r.stdout().strip().equals(value),
                    () -> "guest " + d + " read back" + r.describe() + "\n" + daemon.logTail());
        }
    }

    /**
     * Runs {@code resources/adversarial/SCRIPT SCENARIO} as
     * {@code python3 -B SCRIPT SHARED_DIR DAEMON_DIR SCENARIO [ARGS...]}.
     */
    public Steps script(String script, String scenario, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", "-B", resource(script).toString(),
                daemon.tools().shared().toString(), daemon.dir().toString(), scenario));
        cmd.addAll(List.of(args));
        ToolResult r = daemon.tools().run(null, SCRIPT_TIMEOUT, Map.of("PYTHONDONTWRITEBYTECODE", "1"),
                cmd.toArray(String[]::new));
        return Steps.of(daemon, script + " " + scenario, r);
    }

    static Path resource(String name) {
        URL url = AdversarialFixture.class.getResource("/adversarial/" + name);
        if (url == null) {
            throw new AssertionError("test resource adversarial/" + name + " is not on the classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        daemon.close();
    }
}
