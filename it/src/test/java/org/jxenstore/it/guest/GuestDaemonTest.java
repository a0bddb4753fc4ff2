package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One daemon under the shim per test class ({@link GuestDaemon}, selected with
 * {@code -Djxs.guest.daemon=c|jxenstored}); the tests of a class use disjoint domids. After every
 * test the daemon must still run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GuestDaemonTest {
    protected GuestDaemon daemon;

    @BeforeAll
    void startDaemon() throws Exception {
        daemon = GuestDaemon.start(jxenstoredArgs());
    }

    /** Extra command-line options for jxenstored in this class (none by default). */
    protected List<String> jxenstoredArgs() {
        return List.of();
    }

    @AfterEach
    void daemonStillRuns() {
        assertTrue(daemon.alive(), () -> "the daemon died during the test; daemon.log:\n" + daemon.logTail());
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Runs SCRIPT's SCENARIO against the daemon; it must run to its end. */
    protected Steps run(String script, String scenario) throws Exception {
        return daemon.script(script, scenario).assertCompleted();
    }
}
