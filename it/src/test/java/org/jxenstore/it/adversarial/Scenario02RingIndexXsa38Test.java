package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jxenstore.it.guest.Steps;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2 (XSA-38): ring indexes out of range — {@code req_prod} far ahead of or behind
 * {@code req_cons}, {@code rsp_cons} moved backwards or ahead of {@code rsp_prod}, indexes
 * flipped between valid and wild values while the daemon reads (TOCTOU) — each sets the ring's
 * error field to RINGIDX (2), and no reply is written through a corrupt response index. A
 * legitimate ring whose free-running indexes wrap at 2^32 keeps working. Script:
 * {@code s02_ring_index.py}.
 *
 * <p>Would catch: XSA-38 (oxenstored used unmasked/unvalidated indexes and read them twice: an
 * out-of-range copy — in Java an IndexOutOfBoundsException that kills the event loop, so the
 * bystander and dom0 checks fail; or the ring is read as garbage and the error field stays 0);
 * and a daemon that treats index wrap-around as corruption ({@code wrap-error} ≠ 0).
 */
class Scenario02RingIndexXsa38Test extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 202;
    }

    @Test
    void corruptIndexesCutTheGuestOff() throws Exception {
        Map<String, Long> before = baseline();
        Steps steps = script("s02_ring_index.py", "attacks", "21", "22", "23", "24", "25", "26").expect(
                "far-pre", "OK", "far-error", "2",
                "behind-pre", "OK", "behind-error", "2",
                "rspback-pre", "OK", "rspback-error", "2", "rspback-no-reply", "YES",
                "rspahead-pre", "OK", "rspahead-error", "2", "rspahead-no-reply", "YES",
                "toctou-pre", "OK",
                "wrap-pre", "OK", "wrap-bad", "0", "wrap-crossed", "YES", "wrap-error", "0");
        // The flipping guest is cut off either way: by an index out of range (2, RINGIDX) or,
        // when the daemon happens to read a flipped length first, by that length (3, PROTO).
        String toctou = steps.get("toctou-error");
        assertTrue(toctou.equals("2") || toctou.equals("3"), () -> "toctou-error " + toctou + steps.describe());
        assertServed();
        destroy(21, 22, 23, 24, 25, 26);
        assertRecovered(before);
    }
}
