package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 14 (XSA-421, XSA-440, XSA-415, XSA-326 transaction-nodes): transaction storms from a
 * guest, over its ring:
 *
 * <ol>
 *   <li>concurrent transactions until refused: 11 (C 4.17's measured boundary of the default
 *       {@code transactions} quota 10, checked with {@code >}; see GuestQuotaTest), then
 *       ENOSPC; all end cleanly;
 *   <li>one transaction touching more than {@code transaction-nodes} (1024) nodes: ENOSPC
 *       before all 1100 reads, and the transaction then fails cleanly — its commit is refused
 *       and its earlier write is not committed;
 *   <li>create-then-delete of the same node inside a transaction, 200 commits: the domain's
 *       node count unchanged (XSA-421);
 *   <li>two overlapping transactions delete the same 50 nodes: the first commits, the second
 *       EAGAIN, the count returns exactly to its value before the nodes existed (XSA-440);
 *   <li>a multi-node write that fails inside a transaction (value over node-size after the
 *       missing parents): ENOSPC, the commit is refused, nothing of the transaction exists
 *       afterwards, the count is unchanged (XSA-415).
 * </ol>
 *
 * Everyone else is served, memreport transactions equal the baseline with the guest still
 * connected, then full baseline after it is destroyed. Script: {@code s14_transaction_storms.py}.
 *
 * <p>Would catch: XSA-421 (partial commit without accounting: the count drifts by one per
 * cycle), XSA-440 (double-delete accounting: negative count / assertion abort → daemon gone),
 * XSA-415 (orphan parents p1/p1/p2 committed), a missing transaction-nodes limit (all 1100 reads
 * succeed), a missing transaction quota.
 */
class Scenario14TransactionStormsXsa421Xsa440Test extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 214;
    }

    @Test
    void transactionStormsFailCleanly() throws Exception {
        Map<String, Long> before = baseline();
        script("s14_transaction_storms.py", "run", "141", "1100").expect(
                "open-ok", "11", "open-error", "ENOSPC", "end-all-errors", "0",
                "big-marker-write", "OK", "big-read-error", "ENOSPC", "big-refused-before-all", "YES",
                "big-commit", COMMIT_REFUSED, "big-marker-after", "ENOENT", "big-owned-unchanged", "YES",
                "create-delete-errors", "0", "create-delete-owned-unchanged", "YES",
                "overlap-rm-errors", "0", "overlap-commit-1", "OK", "overlap-commit-2", "EAGAIN",
                "overlap-nodes-gone", "NONE", "overlap-owned-restored", "YES",
                "fail-ok-write", "OK", "fail-big-write", "ENOSPC", "fail-commit", COMMIT_REFUSED,
                "fail-p0-after", "ENOENT", "fail-p1-after", "ENOENT", "fail-owned-unchanged", "YES",
                "usable", "OK:v", "error-field", "0");
        assertEquals(before.get("transactions"), fx.memreport().get("transactions"),
                "transactions with the guest still introduced");
        assertServed();
        destroy(141);
        assertRecovered(before);
    }

    /**
     * The error a failed transaction's commit gives: C 4.17 ENOMEM, jxenstored EIO (a documented
     * deliberate difference, docs/compatibility.md).
     */
    private static final String COMMIT_REFUSED = "EIO";
}
