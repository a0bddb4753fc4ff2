package org.jxenstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatchEventQueueTest {

    private static WatchEvent event(int n) {
        return new WatchEvent("/p/" + n, "t");
    }

    @Test
    void deliversInArrivalOrder() throws InterruptedException {
        WatchEventQueue q = new WatchEventQueue(4);
        q.add(event(1));
        q.add(event(2));
        assertEquals(event(1), q.poll(Duration.ZERO));
        assertEquals(event(2), q.poll(Duration.ZERO));
    }

    @Test
    void emptyQueueTimesOutWithNull() throws InterruptedException {
        WatchEventQueue q = new WatchEventQueue(4);
        assertNull(q.poll(Duration.ZERO));
        assertNull(q.poll(Duration.ofMillis(-1)));
        assertNull(q.poll(Duration.ofMillis(1)));
    }

    @Test
    void overflowDropsTheOldestAndCountsIt() throws InterruptedException {
        WatchEventQueue q = new WatchEventQueue(3);
        for (int i = 1; i <= 5; i++) {
            q.add(event(i));
        }
        assertEquals(2, q.dropped());
        assertEquals(event(3), q.poll(Duration.ZERO));
        assertEquals(event(4), q.poll(Duration.ZERO));
        assertEquals(event(5), q.poll(Duration.ZERO));
        assertNull(q.poll(Duration.ZERO));
    }

    @Test
    void closedQueueDrainsThenThrows() throws InterruptedException {
        WatchEventQueue q = new WatchEventQueue(3);
        q.add(event(1));
        q.close(new XsConnectionException("gone"));
        assertEquals(event(1), q.poll(Duration.ofDays(1)));
        XsConnectionException e = assertThrows(XsConnectionException.class, () -> q.poll(Duration.ofDays(1)));
        assertEquals("gone", e.getMessage());
    }

    @Test
    void hugeTimeoutDoesNotOverflow() throws InterruptedException {
        WatchEventQueue q = new WatchEventQueue(1);
        q.add(event(1));
        assertEquals(event(1), q.poll(Duration.ofSeconds(Long.MAX_VALUE)));
    }

    @Test
    void rejectsCapacityBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new WatchEventQueue(0));
    }
}
