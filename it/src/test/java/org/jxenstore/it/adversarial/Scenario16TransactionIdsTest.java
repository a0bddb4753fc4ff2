package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

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
class Scenario16TransactionIdsTest extends Scenario16To30Support {
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

    @Test
    void socketClient() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s16_txids.py", "socket").assertCompleted().expect(COMMON).expect("open-writes-discarded", "YES");
        assertRecovered(before);
    }

    @Test
    void guestRing() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s16_txids.py", "ring").assertCompleted().expect(COMMON)
                .expect("open-until-refused", "11:ENOSPC", "destroy", "OK");
        assertRecovered(before);
    }
}
