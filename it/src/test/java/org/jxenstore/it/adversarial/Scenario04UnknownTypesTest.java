package org.jxenstore.it.adversarial;

import org.jxenstore.it.wire.RawConnection;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;

/**
 * Scenario 4: message types a client must never send or that do not exist — 15 (WATCH_EVENT),
 * 16 (ERROR), 20 (the removed RESTRICT), 27 (XS_TYPE_COUNT), 0xffff (XS_INVALID), 0xffffffff —
 * each get an ENOSYS error reply, and the connection stays usable, on the socket and on a ring.
 * Script: {@code s04_unknown_types.py}.
 *
 * <p>Would catch: a dispatcher that indexes a handler table with the raw type (crash or
 * exception → no reply / dropped connection), that treats RESTRICT as still implemented (the
 * historical oxenstored impersonation hook), or that answers a client-sent WATCH_EVENT/ERROR
 * with anything but ENOSYS.
 */
class Scenario04UnknownTypesTest extends Scenario01To15Support {
    private static final int[] TYPES = {15, 16, 20, 27, 0xffff, 0xffffffff};

    @Override
    protected int bystander() {
        return 204;
    }

    @Test
    void socketUnknownTypesAreEnosys() throws Exception {
        Map<String, Long> before = baseline();
        Map<String, String> want = new LinkedHashMap<>();
        Map<String, String> got = new LinkedHashMap<>();
        try (RawConnection s = RawConnection.open(fx.socket())) {
            int rid = 1;
            for (int t : TYPES) {
                byte[] payload = ascii("/local/domain\0tok\0");
                s.sendBytes(RawConnection.header(t, rid, 0, payload.length));
                s.sendBytes(payload);
                Message m = s.reply(null);
                want.put(Integer.toUnsignedString(t), "ENOSYS rid " + rid);
                got.put(Integer.toUnsignedString(t), RawConnection.errorName(m) + " rid " + m.reqId());
                rid++;
            }
            s.sendBytes(RawConnection.frame(MessageType.WRITE, 99, 0, ascii("/adv04/after\0v")));
            assertEquals("OK", RawConnection.errorName(s.reply(null)), "connection usable after the unknown types");
        }
        assertEquals(want, got);
        try (XsClient c = fx.dom0()) {
            assertEquals("v", text(c.read("/adv04/after")));
        }
        rmQuietly("/adv04");
        assertRecovered(before);
    }

    @Test
    void ringUnknownTypesAreEnosys() throws Exception {
        Map<String, Long> before = baseline();
        script("s04_unknown_types.py", "ring", "41").expect(
                "type-15", "ENOSYS", "type-16", "ENOSYS", "type-20", "ENOSYS", "type-27", "ENOSYS",
                "type-65535", "ENOSYS", "type-4294967295", "ENOSYS",
                "usable", "OK:v", "error-field", "0");
        assertServed();
        destroy(41);
        assertRecovered(before);
    }
}
