package org.jxenstore.it.peers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code <shared>/peers/verify-peer.sh}: the xenstore-* tools, test-xenstore and pyxs-smoke.py in
 * one script, as used to validate the reference peers.
 */
class VerifyPeerTest extends TargetDaemonTest {

    @Test
    void verifyPeerAllPassed() throws Exception {
        ToolResult r = tools.run(null, Duration.ofSeconds(50), Map.of("TX_ITER", "20"),
                tools.script("verify-peer.sh").toString(), target.socket().toString());
        assertTrue(r.ok(), () -> "verify-peer.sh failed against " + target + r.describe());
        List<String> failed = r.stdoutLines().stream().filter(l -> l.startsWith("FAIL")).toList();
        assertTrue(failed.isEmpty(), () -> "verify-peer.sh checks failed: " + failed + r.describe());
        assertTrue(r.stdout().contains("verify-peer: ALL PASSED"), () -> "no ALL PASSED" + r.describe());
    }
}
