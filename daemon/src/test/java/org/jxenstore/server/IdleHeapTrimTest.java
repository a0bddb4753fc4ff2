package org.jxenstore.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleHeapTrimTest {
    private final AtomicLong collections = new AtomicLong();
    private final AtomicInteger fullCollections = new AtomicInteger();
    private final IdleHeapTrim trim = new IdleHeapTrim(collections::get, () -> {
        fullCollections.incrementAndGet();
        collections.incrementAndGet();
    });

    @Test
    void anIdleDaemonIsNeverCollected() {
        for (int i = 0; i < 5; i++) {
            trim.check();
        }
        assertEquals(0, fullCollections.get());
    }

    @Test
    void theFirstQuietIntervalAfterABurstCollectsOnceAndOnlyOnce() {
        collections.addAndGet(7);
        trim.check();
        assertEquals(0, fullCollections.get(), "still busy");
        trim.check();
        assertEquals(1, fullCollections.get(), "quiet after a burst");
        trim.check();
        trim.check();
        assertEquals(1, fullCollections.get(), "its own collection is no activity");
        collections.incrementAndGet();
        trim.check();
        trim.check();
        assertEquals(2, fullCollections.get(), "the next burst");
    }

    @Test
    void aSteadyLoadIsNotInterrupted() {
        for (int i = 0; i < 5; i++) {
            collections.incrementAndGet();
            trim.check();
        }
        assertEquals(0, fullCollections.get());
    }
}
