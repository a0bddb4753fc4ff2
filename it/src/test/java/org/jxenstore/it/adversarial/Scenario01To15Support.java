package org.jxenstore.it.adversarial;

import org.jxenstore.it.guest.Steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.jxenstore.client.WatchEvent;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.peers.ToolResult;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * What adversarial scenarios 1–15 share (not a test itself): one daemon under the shim per class
 * ({@link AdversarialFixture}), a bystander guest introduced before any baseline is taken, the
 * common end-of-scenario checks.
 *
 * <p>The pattern of every test: {@link #baseline()} (dom0 and the bystander are served with this
 * class's tag, so the nodes they write already exist; then a stable {@code memreport}), the
 * attack, {@link #assertServed()} while the offender is still there, the offender is
 * disconnected or destroyed ({@link #destroy(int...)} waits for the release), then
 * {@link #assertBackToBaseline(Map)} (exact equality of the counters an offender can grow,
 * waited for with a deadline) and {@link AdversarialFixture#assertHealthy()} (CONTROL check).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Scenario01To15Support {
    static final Duration DEADLINE = Duration.ofSeconds(15);

    protected AdversarialFixture fx;

    /** The bystander guest's domid (introduced for the whole class). */
    protected abstract int bystander();

    /** Extra jxenstored options for this class. */
    protected String[] daemonArgs() {
        return new String[0];
    }

    /** The tag of this class's served-checks (same nodes each time, so no growth). */
    protected String tag() {
        return "s" + getClass().getSimpleName().substring("Scenario".length(), "Scenario".length() + 2);
    }

    @BeforeAll
    void startDaemon() throws Exception {
        fx = AdversarialFixture.start(daemonArgs());
        try (XsClient c = fx.dom0()) {
            c.mkdir("/local/domain");
            c.mkdir("/guest-it");
        }
        ToolResult r = fx.daemon().xsguest(bystander(), "--introduce", "fresh", "write", "bystander", "1");
        assertTrue(r.ok(), () -> "bystander guest " + bystander() + r.describe() + "\n" + fx.daemon().logTail());
    }

    @AfterEach
    void daemonStillRuns() {
        assertTrue(fx.daemon().alive(), () -> "the daemon died; daemon.log:\n" + fx.daemon().logTail());
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** dom0 and the bystander are served (write + read back), always with this class's tag. */
    protected void assertServed() throws Exception {
        fx.assertServed(tag(), bystander());
    }

    /** Serves dom0 and the bystander once, then a memreport that two consecutive reports agree on. */
    protected Map<String, Long> baseline() throws Exception {
        assertServed();
        Map<String, Long> last = fx.memreport();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Long> next = fx.memreport();
            if (AdversarialFixture.sameCounters(last, next, AdversarialFixture.COUNTERS)) {
                return next;
            }
            last = next;
        }
        throw new AssertionError("memreport does not settle: " + last);
    }

    /**
     * Waits (bounded) until the counters equal the baseline, then asserts it: exact equality for
     * nodes, node bytes, connections, watches, transactions, domains and queued output.
     */
    protected void assertBackToBaseline(Map<String, Long> before) throws Exception {
        fx.awaitCounters(before, DEADLINE, AdversarialFixture.COUNTERS);
    }

    /** The full ending: served, back to baseline, CONTROL check OK. */
    protected void assertRecovered(Map<String, Long> before) throws Exception {
        assertServed();
        assertBackToBaseline(before);
        fx.assertHealthy();
    }

    /**
     * The fake hypervisor destroys these domains ({@code xsguest destroy}); returns once the
     * daemon no longer lists any of them as introduced. Waits on {@code @releaseDomain} events
     * (bounded), not on time.
     */
    protected void destroy(int... domids) throws Exception {
        try (XsClient c = fx.dom0()) {
            c.watch("@releaseDomain", "adv-rel");
            c.nextEvent(DEADLINE); // the initial event
            for (int d : domids) {
                ToolResult r = fx.daemon().xsguest(d, "destroy");
                assertTrue(r.ok(), () -> "destroy " + d + r.describe());
            }
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                boolean any = false;
                for (int d : domids) {
                    any |= c.isDomainIntroduced(d);
                }
                if (!any) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("domains " + java.util.Arrays.toString(domids) + " still introduced after destroy\n"
                            + fx.daemon().logTail());
                }
                c.nextEvent(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
            }
        }
    }

    /** Removes dom0 test nodes (ENOENT is fine). */
    protected void rmQuietly(String... paths) throws Exception {
        try (XsClient c = fx.dom0()) {
            for (String p : paths) {
                try {
                    c.rm(p);
                } catch (XsException e) {
                    if (e.error() != XsError.ENOENT) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Runs a scenario script and requires it to complete. */
    protected Steps script(String script, String scenario, String... args) throws Exception {
        return fx.script(script, scenario, args).assertCompleted();
    }

    /** Waits for the next watch event with {@code token} on {@code c}, skipping others; null on timeout. */
    static WatchEvent eventWithToken(XsClient c, String token, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            WatchEvent e = c.nextEvent(Duration.ofNanos(left));
            if (e != null && e.token().equals(token)) {
                return e;
            }
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The error name of a call, "OK" if it succeeds. */
    static String outcome(XsCall call) {
        try {
            call.run();
            return "OK";
        } catch (XsException e) {
            return e.error().name();
        }
    }

    @FunctionalInterface
    interface XsCall {
        void run() throws XsException;
    }

    static void assertOk(String what, String actual) {
        assertEquals("OK", actual, what);
    }
}
