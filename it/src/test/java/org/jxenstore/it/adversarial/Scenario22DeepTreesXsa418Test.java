package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 22 (reference §4.3; XSA-418): deep trees. dom0 creates a 1021-level chain of
 * one-character components (a 2048-character path, the longest allowed) with one WRITE, reads
 * it, runs CONTROL {@code check} and {@code memreport} (both walk the tree), replaces it inside
 * a transaction and removes it with one RM while watching it. Guest 220 builds a 900-level chain
 * below its home (its node quota), removes it, builds it again and then dies with it in place,
 * so the daemon's domain teardown deletes it. Script: {@code resources/adversarial/s22_deep.py}.
 *
 * <p>Would fail on C before XSA-418, whose recursive delete/create/check walks exhausted the
 * stack on such trees (the daemon crashes: script and health checks fail), and on any daemon
 * whose node counting goes wrong on implicit creation or subtree removal ({@code nodes-added}
 * 1022, {@code nodes-after-rm} 0, memreport back to baseline). Note: with Java's 1 MiB thread
 * stack a recursive walk 1022 levels deep might still fit; the test pins the behaviour at the
 * maximum depth the path limit allows, it cannot prove the absence of recursion.
 */
class Scenario22DeepTreesXsa418Test extends Scenario16To30Support {

    @Test
    void dom0() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s22_deep.py", "dom0").assertCompleted().expect(
                "path-length", "2048",
                "write-deepest", "OK",
                "nodes-added", "1022",
                "too-long", "EINVAL",
                "read-deepest", "OK:bottom",
                "perms-deepest", "OK:n0",
                "dir-middle", "OK:a",
                "check-deep", "OK",
                "tx-write-deep", "OK",
                "tx-rm-deep", "OK",
                "tx-commit", "OK",
                "first-chain-gone", "ENOENT",
                "second-chain", "OK:v",
                "rm-deep", "OK",
                "rm-event", "YES",
                "nodes-after-rm", "0",
                "check-after", "OK");
        assertRecovered(before);
    }

    @Test
    void guest() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s22_deep.py", "guest").assertCompleted().expect(
                "guest-write-deep", "OK",
                "guest-read-deep", "OK:bottom",
                "guest-rm-deep", "OK",
                "guest-write-again", "OK",
                "check-guest-deep", "OK",
                "destroy", "OK",
                "home-after-death", "ENOENT");
        assertRecovered(before);
    }
}
