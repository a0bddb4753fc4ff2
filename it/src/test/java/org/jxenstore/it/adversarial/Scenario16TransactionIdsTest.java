package org.jxenstore.it.adversarial;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scenario 16 (reference §4.3, §2.5): transaction ids. A client (dom0 socket, then guest 160 over
 * its ring) nests TRANSACTION_START (EBUSY), ends id 0 and unknown ids (ENOENT), uses an id
 * after its END (ENOENT: the write must not land), checks ids are unique and never 0, and
 * finally leaves nine transactions open with writes in them and goes away. Script:
 * {@code resources/adversarial/s16_txids.py}.
 *
 * <p>Would fail on a daemon that nests transactions or reuses an open id (two transactions
 * sharing a view), that accepts a stale id after END (a write escaping its transaction), that
 * hands out id 0 (indistinguishable from "no transaction"), or that leaks the transactions of a
 * vanished client (memreport {@code transactions} above the baseline; the oxenstored history
 * leak and XSA-326 class).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Scenario16TransactionIdsTest {
    private static final int BYSTANDER = 169;
    private static final String[] COMMON = {
        "first-id", "NONZERO",
        "nested", "EBUSY",
        "end-0", "ENOENT",
        "end-unknown", "ENOENT",
        "read-unknown", "ENOENT",
        "end-bad-arg", "EINVAL",
        "ten-ids-distinct-nonzero", "YES",
        "abort", "OK:OK",
        "read-after-end", "ENOENT",
        "write-after-end", "ENOENT",
        "end-after-end", "ENOENT",
        "late-write-absent", "ENOENT",
        "new-id-unused", "YES",
        "write-in-tx", "OK:OK",
        "invisible-outside", "ENOENT",
        "commit", "OK:OK",
        "visible-after-commit", "OK:1",
        "commit-again", "ENOENT",
    };
    private AdversarialFixture fx;

    @BeforeAll
    void start() throws Exception {
        fx = AdversarialFixture.start();
        fx.daemon().xsguest(BYSTANDER, "--introduce", "fresh", "write", "init", "1");
        fx.assertServed("s", BYSTANDER);
    }

    @AfterAll
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void socketClient() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s16_txids.py", "socket").assertCompleted().expect(COMMON).expect("open-writes-discarded", "YES");
        after(before);
    }

    @Test
    void guestRing() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s16_txids.py", "ring").assertCompleted().expect(COMMON)
                .expect("open-until-refused", "11:ENOSPC", "destroy", "OK");
        after(before);
    }

    private void after(Map<String, Long> before) throws Exception {
        fx.assertRecovered(before, Duration.ofSeconds(5), BYSTANDER);
    }
}
