package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.XsClient;

/**
 * Scenario 11, the watch-event timeout (XSA-326): with {@code -w watch-event=1}, guest A watches
 * its home and never reads its ring again; dom0 writes 100 nodes below it. The first events
 * fill A's response ring and the rest queue in the daemon. Waited for with a deadline, the queued
 * events are dropped (memreport's queued output falls below one event); A, reading at last, gets
 * what its ring held and is served; once A is destroyed every counter is back to baseline.
 * Script: {@code s11_event_timeout.py}.
 *
 * <p>Would catch: events that never expire (queued-events-dropped), a timeout that drops what
 * the ring already holds or breaks the connection (a-got-what-the-ring-held, a-served).
 */
class Scenario11WatchEventTimeoutXsa326Test extends Scenario01To15Support {
    private static final int A = 116;

    @Override
    protected String[] daemonArgs() {
        return new String[] {"-w", "watch-event=1"};
    }

    @Override
    protected int bystander() {
        return 216;
    }

    @Test
    void eventsLeftUnreadPastTheTimeoutAreDropped() throws Exception {
        Map<String, Long> before = baseline();
        script("s11_event_timeout.py", "run", Integer.toString(A), "100").expect(
                "a-watch", "OK", "dom0-writes-failed", "0", "events-queued", "YES",
                "queued-events-dropped", "YES", "a-got-what-the-ring-held", "YES", "a-served", "OK");
        assertServed();
        destroy(A);
        rmQuietly("/guest-it");
        try (XsClient c = fx.dom0()) {
            c.mkdir("/guest-it");
        }
        assertRecovered(before);
    }
}
