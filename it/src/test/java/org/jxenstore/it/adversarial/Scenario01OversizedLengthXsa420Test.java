package org.jxenstore.it.adversarial;

import org.jxenstore.it.wire.RawConnection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;

/**
 * Scenario 1 (XSA-420 class): a header whose {@code len} is 4097, 65535, 0x7fffffff or
 * 0xffffffff. Over the socket the daemon must close the connection at once (it cannot wait for
 * 4 GiB of body, nor allocate it); over a ring it must set the ring's {@code error} field to
 * PROTO (3) and write no reply. Everyone else keeps being served and nothing leaks.
 *
 * <p>Would catch: XSA-420 (oxenstored truncated the length to a negative number, the exception
 * left the packet in the ring and the daemon livelocked: the error field stays 0 and others are
 * not served); a daemon that allocates {@code len} bytes (OOM → the daemon dies, caught by the
 * alive check) or waits for the body (socket never closed within the deadline).
 */
class Scenario01OversizedLengthXsa420Test extends Scenario01To15Support {
    private static final long[] LENGTHS = {4097, 65535, 0x7fffffffL, 0xffffffffL};

    @Override
    protected int bystander() {
        return 201;
    }

    @Test
    void oversizedLengthOnSocketClosesTheConnection() throws Exception {
        Map<String, Long> before = baseline();
        for (long len : LENGTHS) {
            try (RawConnection s = RawConnection.open(fx.socket())) {
                // a valid request first: the connection works
                s.sendBytes(RawConnection.frame(MessageType.WRITE, 1, 0, ascii("/adv01/pre\0v")));
                assertEquals("OK", RawConnection.errorName(s.reply(null)));
                s.sendBytes(RawConnection.header(MessageType.READ.code(), 2, 0, (int) len));
                try {
                    s.sendBytes(ascii("/adv01/pre\0" + "x".repeat(100)));
                } catch (java.io.IOException closedAlready) {
                    // the daemon may close before the body arrives: that is the point
                }
                assertTrue(s.awaitClosed(DEADLINE), "len " + len + ": connection not closed by the daemon");
                Message m = s.receive(java.time.Duration.ZERO);
                assertEquals(null, m, "len " + len + ": no reply to the oversized request expected");
            }
            assertServed();
        }
        rmQuietly("/adv01");
        assertRecovered(before);
    }

    @Test
    void oversizedLengthOnRingSetsProtoError() throws Exception {
        Map<String, Long> before = baseline();
        script("s01_oversized_length.py", "ring", "11", "12", "13", "14").expect(
                "pre-4097", "OK", "error-4097", "3", "rsp-4097", "YES",
                "pre-65535", "OK", "error-65535", "3", "rsp-65535", "YES",
                "pre-2147483647", "OK", "error-2147483647", "3", "rsp-2147483647", "YES",
                "pre-4294967295", "OK", "error-4294967295", "3", "rsp-4294967295", "YES");
        // the offenders are cut off but still introduced: everyone else is served
        assertServed();
        destroy(11, 12, 13, 14);
        assertRecovered(before);
    }
}
