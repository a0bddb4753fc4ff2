package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.XsClient;

/**
 * Scenario 12 (XSA-416): a guest pipelines 400 READs of a 2000-byte value without consuming
 * the replies (each reply, 2016 bytes, is larger than the whole response ring). The daemon must
 * stop reading its ring at the {@code outstanding} quota (20): at most 21 requests consumed, and
 * at most 25 replies' worth of queued output (memreport; 20 outstanding plus slack, where a daemon without the limit queues 400) — the memory a non-reader pins is
 * bounded and does not grow with what it sends. dom0 is served between pushes (the barrier),
 * the bystander while the staller sits there. A reader that then consumes gets all 400 replies
 * correct and in order; a staller that never reads is destroyed and queued output returns to
 * baseline. Script: {@code s12_non_reading.py}.
 *
 * <p>Would catch: XSA-416 (memory tied to unread replies: without the outstanding limit the
 * daemon consumes all 400 requests and queues ~800 KB for the staller — consumed/queued checks
 * fail), and replies lost or reordered under backpressure (the reader's check).
 */
class Scenario12NonReadingGuestXsa416Test extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 212;
    }

    @Test
    void nonReadingGuestPinsBoundedMemory() throws Exception {
        Map<String, Long> before = baseline();
        script("s12_non_reading.py", "run", "121", "122", "400").expect(
                "r-stalled", "YES", "r-consumed-at-most-21", "YES", "r-queued-output-bounded", "YES",
                "r-others-served", "OK", "r-replies", "400", "r-replies-correct", "YES",
                "r-after", "OK:2000", "r-error-field", "0",
                "s-stalled", "YES", "s-consumed-at-most-21", "YES", "s-queued-output-bounded", "YES",
                "s-others-served", "OK", "s-error-field", "0");
        long queued = fx.memreport().get("queued output");
        assertTrue(queued <= 25 * 2016, "queued output with the staller still there: " + queued);
        assertServed();
        destroy(121, 122);
        rmQuietly("/guest-it");
        try (XsClient c = fx.dom0()) {
            c.mkdir("/guest-it");
        }
        assertRecovered(before);
    }
}
