package org.jxenstore.it.adversarial;

import org.jxenstore.it.wire.RawConnection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;

/**
 * Scenario 3: byte-at-a-time delivery of header and body, many messages in one burst, and
 * chunks crossing the ring's wrap point — on the socket and on a ring — are reassembled
 * exactly (every reply checked, in order). Clients that leave half a message behind (a socket
 * that closes mid-message, a guest that never completes its request) hurt only themselves:
 * they are cleaned up completely once gone. Script: {@code s03_fragmented.py}.
 *
 * <p>Would catch: a reassembler that assumes a header or message arrives in one read (wrong or
 * missing replies), that mishandles the wrap (ring bytes out of order → garbage → PROTO error),
 * or that keeps per-connection buffers after a mid-message close (connections/queued output
 * above baseline).
 */
class Scenario03FragmentedDeliveryTest extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 203;
    }

    @Test
    void socketByteAtATimeBurstAndMidMessageClose() throws Exception {
        Map<String, Long> before = baseline();
        try (RawConnection s = RawConnection.open(fx.socket())) {
            byte[] w = RawConnection.frame(MessageType.WRITE, 7, 0, ascii("/adv03/one\0hello"));
            for (byte b : w) {
                s.sendBytes(new byte[] {b});
            }
            Message m = s.reply(null);
            assertEquals(7, m.reqId());
            assertEquals("OK", RawConnection.errorName(m));
            byte[] r = RawConnection.frame(MessageType.READ, 8, 0, ascii("/adv03/one\0"));
            for (byte b : r) {
                s.sendBytes(new byte[] {b});
            }
            m = s.reply(null);
            assertEquals(8, m.reqId());
            assertEquals("hello", text(m.payload()));

            // 500 writes and 500 reads in one burst: all answered, in order, correctly
            java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                burst.write(RawConnection.frame(MessageType.WRITE, 1000 + i, 0, ascii("/adv03/b/k" + (i % 50) + "\0" + i)));
                burst.write(RawConnection.frame(MessageType.READ, 5000 + i, 0, ascii("/adv03/b/k" + (i % 50) + "\0")));
            }
            s.sendBytes(burst.toByteArray());
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                Message a = s.reply(null);
                Message b = s.reply(null);
                if (a.reqId() != 1000 + i || !RawConnection.errorName(a).equals("OK") || b.reqId() != 5000 + i
                        || !text(b.payload()).equals(Integer.toString(i))) {
                    bad.add(i + ":" + a.reqId() + "/" + b.reqId() + "=" + text(b.payload()));
                }
            }
            assertEquals(List.of(), bad, "burst replies");
        }
        // a client that closes mid-header and one that closes mid-body
        try (RawConnection s = RawConnection.open(fx.socket())) {
            s.sendBytes(java.util.Arrays.copyOf(RawConnection.frame(MessageType.WRITE, 1, 0, ascii("/adv03/x\0v")), 9));
        }
        try (RawConnection s = RawConnection.open(fx.socket())) {
            s.sendBytes(java.util.Arrays.copyOf(RawConnection.frame(MessageType.WRITE, 1, 0, ascii("/adv03/x\0vvvvvv")), 20));
        }
        assertServed();
        rmQuietly("/adv03");
        assertRecovered(before);
    }

    @Test
    void ringByteAtATimeBurstWrapAndAbandonedMessage() throws Exception {
        Map<String, Long> before = baseline();
        script("s03_fragmented.py", "ring", "31", "32").expect(
                "bytewise", "OK",
                "burst", "OK",
                "wrapchunks-bad", "0",
                "wrapchunks-wrapped", "YES",
                "client-error", "0",
                "abandoner-pre", "OK");
        // the abandoner's half message pins nothing and blocks nobody
        assertServed();
        destroy(31, 32);
        assertRecovered(before);
        assertTrue(fx.daemon().alive());
    }
}
