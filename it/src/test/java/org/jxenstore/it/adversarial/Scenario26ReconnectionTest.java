package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 26 (reference §4.3, §1.10): the RECONNECTION feature, which jxenstored advertises.
 * Guest 260 holds a watch, an open transaction with a write, five unread watch events and six
 * bytes of a request header, then sets {@code connection} = RECONNECT: the daemon must reset
 * (connection back to 0, all four ring indexes 0), drop the transaction (its id ENOENT) and the
 * watch (UNWATCH ENOENT), and hold exactly what it held before the mess (memreport watches,
 * transactions, queued output, connections, domains); the guest is then served normally and a new
 * watch fires. 100 more such reconnects must not grow anything (the oxenstored {@code 27a2cea}
 * history leak). Script: {@code resources/adversarial/s26_reconnect.py}.
 *
 * <p>Would fail on a daemon that advertises the feature but ignores the request
 * ({@code reconnect} NO-RESET), resets the ring but keeps the old transaction or watch (the guest
 * could then exceed its quotas across reconnects), keeps the half header (the next request is
 * misframed: {@code served-after} TIMEOUT), or leaks per reconnect ({@code loop-mem}).
 */
class Scenario26ReconnectionTest extends Scenario16To30Support {

    @Test
    void reconnect() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s26_reconnect.py", "reconnect").assertCompleted().expect(
                "feature", "YES",
                "reconnect", "OK",
                "indices", "0,0,0,0",
                "tx-dropped", "ENOENT",
                "watch-dropped", "ENOENT",
                "mem-after-reconnect", "SAME",
                "served-after", "OK:1",
                "watch-after", "YES",
                "loop-resets", "ALL",
                "loop-mem", "SAME",
                "served-after-loop", "OK:2",
                "destroy", "OK");
        assertRecovered(before);
    }
}
