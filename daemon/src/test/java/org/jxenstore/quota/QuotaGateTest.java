package org.jxenstore.quota;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jxenstore.access.Caller;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.junit.jupiter.api.Test;

/** Refusals at a quota: the protocol's error, and one daemon-log line per domain and quota a minute. */
class QuotaGateTest {
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long now;
    private final QuotaGate gate = new QuotaGate(new QuotaTable(Map.of(Quota.WATCHES, 2, Quota.NODE_SIZE, 10), 0),
            new DaemonLog(new PrintStream(out, true, StandardCharsets.UTF_8)), () -> now);

    private List<String> logged() {
        return out.toString(StandardCharsets.UTF_8).lines()
                .map(l -> l.substring(l.indexOf(" jxenstored ") + 1))
                .toList();
    }

    @Test
    void aCountAtTheLimitPassesAndOneOverIsRefusedWithTheGivenError() {
        Caller guest = Caller.unprivileged(5);
        assertDoesNotThrow(() -> gate.require(guest, Quota.WATCHES, 2, XsError.E2BIG));
        XsException e = assertThrows(XsException.class, () -> gate.require(guest, Quota.WATCHES, 3, XsError.E2BIG));
        assertEquals(XsError.E2BIG, e.error());
        assertEquals(List.of("jxenstored warning: dom5 reached its watches quota (2): E2BIG"), logged());
    }

    @Test
    void belowMeansStrictlyBelow() {
        Caller guest = Caller.unprivileged(5);
        assertDoesNotThrow(() -> gate.requireBelow(guest, Quota.NODE_SIZE, 9, XsError.ENOSPC));
        assertThrows(XsException.class, () -> gate.requireBelow(guest, Quota.NODE_SIZE, 10, XsError.ENOSPC));
    }

    @Test
    void privilegedCallersAreNeverRefused() {
        assertDoesNotThrow(() -> gate.require(Caller.privileged(0), Quota.WATCHES, 1000, XsError.E2BIG));
        assertEquals(List.of(), logged());
    }

    @Test
    void aDomainHammeringAQuotaIsLoggedOnceAMinutePerQuota() {
        Caller guest = Caller.unprivileged(7);
        for (int i = 0; i < 100; i++) {
            assertThrows(XsException.class, () -> gate.require(guest, Quota.WATCHES, 3, XsError.E2BIG));
            now += SECOND / 10;
        }
        assertThrows(XsException.class, () -> gate.requireBelow(guest, Quota.NODE_SIZE, 50, XsError.ENOSPC));
        assertThrows(XsException.class, () -> gate.require(Caller.unprivileged(8), Quota.WATCHES, 3, XsError.E2BIG));
        assertEquals(3, logged().size(), logged().toString());
        now += 60 * SECOND;
        assertThrows(XsException.class, () -> gate.require(guest, Quota.WATCHES, 3, XsError.E2BIG));
        assertEquals(4, logged().size(), logged().toString());
    }
}
