package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.WatchEvent;
import org.jxenstore.client.XsClient;

/**
 * Scenario 7 (XSA-324): a watch with a 4000-byte token; a change to a node with a long name
 * makes the event (path + token) exceed 4096 bytes. That event must be dropped — the watcher
 * still gets the events that fit (its initial event, a later short path), a small-token watch on
 * the same path sees the long path, and nothing crashes. Socket and ring. Script:
 * {@code s07_big_token.py}.
 *
 * <p>Would catch: XSA-324 (C dereferenced NULL on the error path of an oversized event: the
 * daemon dies); a daemon that sends the oversized event (the client library rejects a frame over
 * 4096 — the socket test's client would fail, the ring guest would see it); or one that drops
 * the watch or the connection instead (the short-path event would not arrive).
 */
class Scenario07OversizedWatchEventXsa324Test extends Scenario01To15Support {
    private static final String BIG = "T".repeat(4000);

    @Override
    protected int bystander() {
        return 207;
    }

    @Test
    void socketOversizedEventIsDropped() throws Exception {
        Map<String, Long> before = baseline();
        String longName = "L".repeat(150);
        try (XsClient c = fx.dom0()) {
            c.write("/adv07/x", ascii("0"));
            c.watch("/adv07", BIG);
            assertNotNull(eventWithToken(c, BIG, DEADLINE), "initial event of the big-token watch");
            c.watch("/adv07", "small");
            assertNotNull(eventWithToken(c, "small", DEADLINE));
            c.write("/adv07/" + longName, ascii("1"));
            c.write("/adv07/s", ascii("1"));
            List<WatchEvent> seen = new ArrayList<>();
            boolean bigShort = false;
            boolean smallShort = false;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!(bigShort && smallShort) && System.nanoTime() < deadline) {
                WatchEvent e = c.nextEvent(Duration.ofMillis(500));
                if (e == null) {
                    continue;
                }
                seen.add(e);
                bigShort |= e.token().equals(BIG) && e.path().equals("/adv07/s");
                smallShort |= e.token().equals("small") && e.path().equals("/adv07/s");
            }
            assertEquals(true, bigShort && smallShort, "both watches fire for the short path: " + summary(seen));
            long bigLong = seen.stream().filter(e -> e.token().equals(BIG) && e.path().endsWith(longName)).count();
            long smallLong = seen.stream().filter(e -> e.token().equals("small") && e.path().endsWith(longName)).count();
            assertEquals("big-long=0 small-long=1", "big-long=" + bigLong + " small-long=" + smallLong);
            c.unwatch("/adv07", BIG);
            c.unwatch("/adv07", "small");
        }
        rmQuietly("/adv07");
        assertRecovered(before);
    }

    @Test
    void ringOversizedEventIsDropped() throws Exception {
        Map<String, Long> before = baseline();
        script("s07_big_token.py", "ring", "71").expect(
                "watch-big", "OK", "initial-big", "YES", "watch-small", "OK",
                "write-long", "OK", "write-short", "OK",
                "small-long", "YES", "big-short", "YES", "big-long", "0",
                "usable", "OK:v", "error-field", "0");
        assertServed();
        destroy(71);
        assertRecovered(before);
    }

    private static String summary(List<WatchEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (WatchEvent e : events) {
            sb.append(e.path(), 0, Math.min(30, e.path().length())).append('|')
                    .append(e.token().length() > 10 ? "BIG" : e.token()).append(' ');
        }
        return sb.toString();
    }
}
