package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.Transaction;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * Scenario 9 (XSA-330, XSA-484): RESET_WATCHES repeatedly, inside an open transaction (also
 * with the transaction's id in the header), and while events are queued. Afterwards the
 * watches and transactions are gone from every index: the same (path, token) pairs register
 * again without EEXIST, the domain's watch count ({@code quota <domid>}) is 0, memreport's
 * {@code watches} and {@code transactions} equal the baseline while the client is still
 * connected, the dropped transaction's id is ENOENT and nothing it wrote is committed, and no
 * event for an old watch is delivered after the reset. Script: {@code s09_reset_watches.py}.
 *
 * <p>Would catch: XSA-330 (oxenstored left reset watches in its trie: re-registering gives
 * EEXIST, counts stay high); XSA-484 (C asserted when RESET_WATCHES ran inside a transaction:
 * the daemon dies); a reset that keeps the caller's transactions (the commit succeeds).
 */
class Scenario09ResetWatchesXsa330Xsa484Test extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 209;
    }

    @Test
    void socketResetDropsWatchesAndTransactions() throws Exception {
        Map<String, Long> before = baseline();
        try (XsClient c = fx.dom0(); XsClient writer = fx.dom0()) {
            for (int i = 0; i < 100; i++) {
                c.watch("/adv09/w" + i, "t" + i);
            }
            Transaction t = c.begin();
            t.write("/adv09/intx", ascii("1"));
            for (int i = 0; i < 300; i++) {
                writer.write("/adv09/w" + (i % 100) + "/k" + i, ascii("x"));
            }
            c.resetWatches();
            Map<String, Long> mid = fx.memreport();
            assertEquals(before.get("watches") + " " + before.get("transactions"),
                    mid.get("watches") + " " + mid.get("transactions"), "watches and transactions after the reset");
            assertEquals("ENOENT", outcome(t::commit), "commit of a transaction dropped by RESET_WATCHES");
            assertEquals("ENOENT", outcome(() -> writer.read("/adv09/intx")));
            for (int i = 0; i < 100; i++) {
                c.watch("/adv09/w" + i, "t" + i); // no EEXIST: gone from every index
            }
            c.watch("/adv09/mark", "mark");
            assertNotNull(eventWithToken(c, "mark", DEADLINE));
            c.resetWatches();
        } catch (XsException e) {
            throw new AssertionError(e.error() == XsError.EEXIST ? "a reset watch is still registered" : e.toString(), e);
        }
        rmQuietly("/adv09");
        assertRecovered(before);
    }

    @Test
    void ringResetRepeatedlyInTransactionAndWithQueuedEvents() throws Exception {
        Map<String, Long> before = baseline();
        script("s09_reset_watches.py", "ring", "91").expect(
                "quota-watches-50", "50", "reset", "OK", "quota-watches-after-reset", "0",
                "reregister-same-errors", "0", "reset-200-errors", "0", "quota-watches-after-200", "0",
                "reset-in-tx", "OK", "reset-in-tx-then-end", "ENOENT", "reset-in-tx-not-committed", "ENOENT",
                "reset-in-tx-hdr", "OK", "reset-in-tx-hdr-then-end", "ENOENT",
                "reset-in-tx-hdr-not-committed", "ENOENT",
                "reset-with-queued-events", "OK", "barrier", "YES", "old-token-events-after-reset", "0",
                "final-reset", "OK", "quota-watches-final", "0", "usable", "OK:v", "error-field", "0");
        Map<String, Long> mid = fx.memreport();
        assertEquals(before.get("watches") + " " + before.get("transactions"),
                mid.get("watches") + " " + mid.get("transactions"), "with the guest still introduced");
        assertServed();
        destroy(91);
        assertRecovered(before);
    }
}
