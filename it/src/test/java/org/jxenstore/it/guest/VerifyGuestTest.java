package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.it.peers.ToolResult;

/**
 * {@code <shared>/peers/verify-guest.sh DIR}: the shared suite of unprivileged-guest checks over
 * rings (introduce, permissions, quotas, watches over the ring, ring attacks, domain death), the
 * one used to validate the reference daemons. Both C xenstored and oxenstored print
 * {@code ALL PASSED}, twice in a row on the same daemon.
 */
class VerifyGuestTest extends GuestDaemonTest {

    private ToolResult verifyGuest(String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                daemon.tools().script("verify-guest.sh").toString(), daemon.dir().toString()));
        cmd.addAll(List.of(extra));
        return daemon.tools().run(null, Duration.ofSeconds(120), Map.of("VERIFY_GUEST_TIMEOUT", "110"),
                cmd.toArray(String[]::new));
    }

    private void assertAllPassed(String run, ToolResult r) {
        List<String> failed = r.stdoutLines().stream().filter(l -> l.startsWith("FAIL")).toList();
        assertTrue(failed.isEmpty(), () -> run + ": checks failed: " + failed + r.describe()
                + "\n--- daemon.log (tail) ---\n" + daemon.logTail());
        assertTrue(r.ok() && r.stdout().contains("verify-guest: ALL PASSED"),
                () -> run + ": no ALL PASSED" + r.describe() + "\n--- daemon.log (tail) ---\n" + daemon.logTail());
    }

    @Test
    void verifyGuestAllPassedTwiceThenUnsafe() throws Exception {
        assertAllPassed("first run", verifyGuest());
        // the same daemon again: every run releases and re-introduces its guests (dom40..75)
        assertAllPassed("second run", verifyGuest());

        if (daemon.isC()) {
            // --unsafe adds unsafe-zero-length-read, which kills C xenstored 4.17 (assertion
            // 'conn->in == NULL' in consider_message after a guest's RM + zero-length READ).
            // That property (a guest cannot kill the daemon) is demanded of jxenstored only.
            return;
        }
        ToolResult unsafe = verifyGuest("--unsafe");
        assertAllPassed("--unsafe run", unsafe);
        assertTrue(unsafe.stdout().contains("PASS unsafe-zero-length-read"), unsafe::describe);
        ToolResult read = daemon.xs("xenstore-read", "/");
        assertTrue(read.ok(), () -> "after --unsafe the daemon no longer serves a READ" + read.describe()
                + "\n--- daemon.log (tail) ---\n" + daemon.logTail());
        assertEquals("", read.stdout().strip(), read::describe);
    }
}
