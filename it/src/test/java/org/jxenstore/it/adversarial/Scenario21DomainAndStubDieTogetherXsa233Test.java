package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 21 (reference §4.3; XSA-233): a domain and its stub domain (SET_TARGET) go away
 * together while the stub holds a watch on the target's nodes, an open transaction that wrote
 * one, and 30 requests in flight. Variant {@code batch}: both vanish from the hypervisor and one
 * VIRQ reports them; variant {@code release-and-virq}: the toolstack RELEASEs the target while
 * the stub's death is being reported. Each domain must be released exactly once
 * ({@code @releaseDomain/<id>} once each), both homes deleted, and the daemon unharmed. Script:
 * {@code resources/adversarial/s21_stubdie.py}.
 *
 * <p>Would fail on C before XSA-233 (the connection unlinked twice: a crash, so the script and
 * {@link AdversarialFixture#assertHealthy} fail), and on any daemon that releases a domain twice
 * ({@code target-release-events} 2) or forgets the second one (1 and 0, introduced "TF"), or
 * leaks the stub's watch/transaction (memreport).
 */
class Scenario21DomainAndStubDieTogetherXsa233Test extends Scenario16To30Support {
    private static final String[] EXPECTED = {
        "released", "YES",
        "target-release-events", "1",
        "stub-release-events", "1",
        "generic-release-events", "1-2",
        "home-removed-event", "YES",
        "introduced", "FF",
        "target-home", "ENOENT",
        "stub-home", "ENOENT",
    };

    @Test
    void bothInOneBatch() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s21_stubdie.py", "batch").assertCompleted().expect(EXPECTED);
        assertRecovered(before);
    }

    @Test
    void releaseWhileStubDies() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s21_stubdie.py", "release-and-virq").assertCompleted().expect(EXPECTED)
                .expect("release-target", "OK");
        assertRecovered(before);
    }
}
