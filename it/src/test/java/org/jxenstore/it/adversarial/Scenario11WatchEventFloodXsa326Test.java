package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.quota.Quota;
import org.jxenstore.client.XsClient;

/**
 * Scenario 11 (XSA-326): guest A registers 10 watches (100-byte tokens) on its home and never
 * reads its ring again; a cooperating guest B (granted write on A's {@code flood} directory)
 * pipelines 200 create+delete pairs below it and is throttled (C semantics: a request stays
 * outstanding until the events it caused are delivered), then dom0 — never throttled —
 * creates and deletes 4000 nodes there: far more than A's {@code memory} quota worth of
 * distinct events (asserted: more than twice the quota). A's queued output (memreport) stays
 * bounded by its memory quota; dom0 and the bystander guest are served while A is flooded; once
 * A is destroyed B's pending requests all complete with OK, and after B is destroyed queued
 * output, watches, nodes, connections and domains return exactly to the baseline. Script:
 * {@code s11_event_flood.py}.
 *
 * <p>Would catch: XSA-326's unbounded per-connection event queue (queued output grows with the
 * flood, ~6 MB here, beyond the 2.5 MiB bound), an originator that is not throttled
 * (b-throttled), one that stays blocked after the slow reader is gone (b-replies-after-a-gone),
 * a queue that survives the domain's death (queued output above baseline), or a flood that stalls
 * the daemon for others.
 */
class Scenario11WatchEventFloodXsa326Test extends Scenario01To15Support {
    private static final int A = 111;
    private static final int B = 112;
    private static final int WATCHES = 10;
    private static final int TOKEN_LEN = 100;
    private static final int B_NODES = 200;
    private static final int DOM0_NODES = 4000;

    @Override
    protected int bystander() {
        return 211;
    }

    @Test
    void nonReadingWatcherQueueIsBoundedAndFreed() throws Exception {
        Map<String, Long> before = baseline();
        int quota = Quota.MEMORY.defaultValue();
        script("s11_event_flood.py", "run", Integer.toString(A), Integer.toString(B), Integer.toString(bystander()),
                Integer.toString(WATCHES), Integer.toString(TOKEN_LEN), Integer.toString(B_NODES),
                Integer.toString(DOM0_NODES), Integer.toString(quota)).expect(
                "a-mkdir", "OK", "a-perms", "OK", "a-watches", Integer.toString(WATCHES),
                "b-throttled", "YES",
                "dom0-flood-errors", "0", "flood-exceeds-2x-quota", "YES",
                "queued-output-bounded", "YES", "a-really-flooded", "YES",
                "dom0-served", "OK", "bystander-served", "OK", "a-error-field", "0",
                "a-released", "YES", "b-replies-after-a-gone", Integer.toString(2 * B_NODES), "b-errors-while-throttled", "0",
                "b-usable", "OK:v", "b-error-field", "0");
        assertServed();
        destroy(B);
        rmQuietly("/guest-it");
        try (XsClient c = fx.dom0()) {
            c.mkdir("/guest-it");
        }
        assertRecovered(before);
    }
}
