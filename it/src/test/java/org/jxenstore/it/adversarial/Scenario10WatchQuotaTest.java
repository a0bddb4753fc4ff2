package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 10: a guest registers watches until refused, resets, registers again — three rounds
 * must accept exactly the same number (C 4.17's measured boundary with the default
 * {@code watches} quota 128, checked with {@code >}: 129 accepted, the 130th E2BIG; see
 * GuestQuotaTest); after one UNWATCH exactly one more is accepted; a duplicate at the quota is
 * still EEXIST; the guest's other requests work, and everyone else is served while it sits at its
 * quota. Script: {@code s10_watch_quota.py}.
 *
 * <p>Would catch: accounting drift (XSA-330-like: a reset that does not give the quota back —
 * round 2 accepts fewer; an unwatch that does not — no extra watch; or one that gives back too
 * much — round 2 accepts more), and a missing quota (round 0 reaches the script's 1000 cap:
 * "NONE").
 */
class Scenario10WatchQuotaTest extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 210;
    }

    @Test
    void watchQuotaAccountingIsExact() throws Exception {
        Map<String, Long> before = baseline();
        script("s10_watch_quota.py", "ring", "101").expect(
                "round0-ok", "129", "round0-error", "E2BIG", "round0-reset", "OK",
                "round1-ok", "129", "round1-error", "E2BIG", "round1-reset", "OK",
                "round2-ok", "129", "round2-error", "E2BIG",
                "unwatch-one", "OK", "after-unwatch-one", "OK", "after-unwatch-then", "E2BIG",
                "duplicate-at-quota", "EEXIST", "write-at-quota", "OK:v", "error-field", "0");
        // the guest sits at its quota: everyone else is served
        assertServed();
        destroy(101);
        assertRecovered(before);
    }
}
