package org.jxenstore.it.adversarial;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What adversarial scenarios 16–30 share (not a test itself): one daemon under the shim per class
 * ({@link AdversarialFixture}) with a bystander guest introduced and served before any test, and
 * the end of every scenario ({@link #assertRecovered(Map)}). The bystander's domid is the
 * scenario's number followed by 9 (scenario 16: dom169), a domid no scenario script uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Scenario16To30Support {
    protected AdversarialFixture fx;
    private final int bystander =
            Integer.parseInt(getClass().getSimpleName().substring("Scenario".length(), "Scenario".length() + 2)) * 10 + 9;

    @BeforeAll
    void startDaemon() throws Exception {
        fx = AdversarialFixture.start();
        fx.daemon().xsguest(bystander, "--introduce", "fresh", "write", "init", "1");
        fx.assertServed("s", bystander);
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** CONTROL check OK, dom0 and the bystander served, the counters back to {@code before} within 5 s. */
    protected void assertRecovered(Map<String, Long> before) throws Exception {
        assertRecovered(before, Duration.ofSeconds(5));
    }

    protected void assertRecovered(Map<String, Long> before, Duration timeout) throws Exception {
        fx.assertRecovered(before, timeout, bystander);
    }
}
