package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.XsClient;

/**
 * Scenario 25 (reference §4.3): connection churn. 10,000 socket connections come and go in four
 * kinds, 2,500 each: connect and close at once; open a transaction and a watch, then close
 * without reading the replies; close in the middle of a request header; pipeline 20 READs of a
 * 4000-byte value and close without reading, so the daemon writes into a closed socket (EPIPE,
 * which must not be a SIGPIPE death). Then, over a ring, guest 250 is introduced and RELEASEd 40
 * times, each time with a watch, an open transaction, an unanswered request and half a header in
 * its ring. Script (ring part): {@code resources/adversarial/s25_churn.py}.
 *
 * <p>Would fail on a daemon that dies on EPIPE or on a half-read header, that leaks a closed
 * connection's watches, transactions, queued output or the connection itself (memreport counters
 * above the baseline after the churn), or that keeps a released domain's state.
 */
class Scenario25ConnectionChurnTest extends Scenario16To30Support {
    private static final int CONNECTIONS = 10_000;

    @BeforeAll
    void writeBigNode() throws Exception {
        try (XsClient c = fx.dom0()) {
            c.write("/adv25/big", "x".repeat(4000).getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void socketChurn() throws Exception {
        Map<String, Long> before = fx.memreport();
        byte[] txAndWatch = concat(message(6, 1, ""), message(4, 2, "/adv25\0tok\0"));
        byte[] halfHeader = new byte[8];
        byte[] reads = new byte[0];
        for (int i = 0; i < 20; i++) {
            reads = concat(reads, message(2, 10 + i, "/adv25/big\0"));
        }
        int refused = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(fx.socket()));
                switch (i % 4) {
                    case 1 -> write(ch, txAndWatch);
                    case 2 -> write(ch, halfHeader);
                    case 3 -> write(ch, reads);
                    default -> { }
                }
            } catch (IOException e) {
                refused++;
            }
        }
        assertEquals(0, refused, "connections refused during the churn");
        assertRecovered(before, Duration.ofSeconds(20));
    }

    @Test
    void ringChurn() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s25_churn.py", "ring").assertCompleted().expect(
                "release-errors", "NONE",
                "mem-after-40", "SAME");
        assertRecovered(before);
    }

    private static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] message(int type, int reqId, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(16 + p.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(reqId).putInt(0).putInt(p.length).put(p);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        assertTrue(out.length >= a.length);
        return out;
    }
}
