package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 27 (reference §4.3, §1.10; XSA-325): the ERROR feature, which jxenstored advertises.
 * Guest 270 sends a header with length 5000 (error 3, PROTO), guest 271 moves req_prod 2000 past
 * req_cons (error 2, RINGIDX). The guest then repairs its indexes and sends a valid READ; after a
 * barrier (another guest's write and read, whose notification the daemon handles later) the
 * offender's whole ring page must be byte for byte what the guest left: the daemon never touches
 * it again. The domain stays introduced, and when it dies {@code @releaseDomain/<id>} fires
 * exactly once. Script: {@code resources/adversarial/s27_errorfeat.py}.
 *
 * <p>Would fail on a daemon that does not set the error ({@code error} 0), keeps serving a broken
 * ring ({@code ring-untouched} NO: it consumed the request or wrote a reply), or, as C before
 * XSA-325, destroys the domain record when it cuts the connection off, so that
 * {@code introduced} is F and {@code release-events} 0 at the real death.
 */
class Scenario27ErrorFeatureXsa325Test extends Scenario16To30Support {

    @Test
    void proto() throws Exception {
        attack("proto", "3");
    }

    @Test
    void ringidx() throws Exception {
        attack("ringidx", "2");
    }

    /** The attack named {@code scenario} must leave {@code error} in the ring's error field. */
    private void attack(String scenario, String error) throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s27_errorfeat.py", scenario).assertCompleted().expect(
                "feature", "YES",
                "error", error,
                "others-served", "OK:1",
                "ring-untouched", "YES",
                "rsp-prod-unchanged", "YES",
                "introduced", "T",
                "released", "YES",
                "release-events", "1");
        assertRecovered(before);
    }
}
