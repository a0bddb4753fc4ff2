package org.jxenstore.it.adversarial;

import org.jxenstore.it.wire.RawConnection;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;

/**
 * Scenario 8: duplicate WATCH → EEXIST (also via the absolute form of a relative path), UNWATCH
 * of an unknown path or token → ENOENT, WATCH/UNWATCH carrying a {@code tx_id} (open or
 * unknown) → treated as non-transactional (the watch survives the transaction's abort and
 * fires), and 10^5 WATCH/UNWATCH cycles on the socket (2000 on a ring) → every reply OK and the
 * watch count exactly back where it was. Script: {@code s08_watch_churn.py}.
 *
 * <p>Would catch: XSA-115's tx_id-on-watch bug (a watch registered "in" a transaction is
 * refused with ENOENT for an unknown id, or disappears with the transaction); XSA-330-style
 * index leaks (memreport {@code watches} or the domain's {@code quota} watch count above
 * baseline after the churn); duplicate detection by raw rather than canonical path.
 */
class Scenario08WatchChurnTest extends Scenario01To15Support {
    private static final int SOCKET_CYCLES = 100_000;
    private static final int BATCH = 1000;

    @Override
    protected int bystander() {
        return 208;
    }

    @Test
    void socketWatchUnwatchCyclesLeakNothing() throws Exception {
        Map<String, Long> before = baseline();
        int errors = 0;
        int events = 0;
        try (RawConnection s = RawConnection.open(fx.socket())) {
            int rid = 1;
            for (int done = 0; done < SOCKET_CYCLES; done += BATCH) {
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                int first = rid;
                for (int i = 0; i < BATCH; i++) {
                    String tok = "c" + (done + i);
                    batch.write(RawConnection.frame(MessageType.WATCH, rid++, 0, ascii("/adv08/churn\0" + tok + "\0")));
                    batch.write(RawConnection.frame(MessageType.UNWATCH, rid++, 0, ascii("/adv08/churn\0" + tok + "\0")));
                }
                s.sendBytes(batch.toByteArray());
                List<Message> ev = new ArrayList<>();
                for (int r = first; r < rid; r++) {
                    Message m = s.reply(ev);
                    if (m.reqId() != r || !RawConnection.errorName(m).equals("OK")) {
                        errors++;
                    }
                }
                events += ev.size();
            }
            // the initial events of the last watches may still be on their way: not counted
            assertEquals(0, errors, "WATCH/UNWATCH replies that were errors or out of order");
            assertEquals(true, events >= SOCKET_CYCLES - BATCH, "initial events received: " + events);
            Map<String, Long> mid = fx.memreport();
            assertEquals(before.get("watches"), mid.get("watches"), "watches after the churn, connection still open");
        }
        assertRecovered(before);
    }

    @Test
    void ringDuplicateUnknownTxIdAndChurn() throws Exception {
        Map<String, Long> before = baseline();
        script("s08_watch_churn.py", "ring", "81", "2000").expect(
                "watch", "OK", "watch-duplicate", "EEXIST", "watch-duplicate-absolute", "EEXIST",
                "unwatch-unknown-token", "ENOENT", "unwatch-unknown-path", "ENOENT", "unwatch", "OK",
                "watch-in-tx", "OK", "watch-in-tx-initial", "YES", "tx-abort", "OK", "write-after-abort", "OK",
                "watch-in-tx-still-fires", "YES", "watch-unknown-tx", "OK", "unwatch-in-tx", "OK",
                "unwatch-unknown-tx", "OK", "churn-errors", "0", "quota-watches", "0",
                "usable", "OK:v", "error-field", "0");
        // the guest is still introduced: its watch count is already back to the baseline
        assertEquals(before.get("watches"), fx.memreport().get("watches"), "watches with the guest still there");
        assertServed();
        destroy(81);
        assertRecovered(before);
    }
}
