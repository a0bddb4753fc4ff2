package org.jxenstore.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IdleHeapTrimTest {
    /** Counts collections; a full one is a collection too. */
    private static final class CountingHeap implements HeapGuard.Heap {
        long collections;
        int full;

        @Override
        public long collections() {
            return collections;
        }

        @Override
        public long used() {
            return 0;
        }

        @Override
        public void collect() {
            full++;
            collections++;
        }
    }

    private final CountingHeap heap = new CountingHeap();
    private final IdleHeapTrim trim = new IdleHeapTrim(heap);

    @Test
    void anIdleDaemonIsNeverCollected() {
        for (int i = 0; i < 5; i++) {
            trim.check();
        }
        assertEquals(0, heap.full);
    }

    @Test
    void theFirstQuietIntervalAfterABurstCollectsOnceAndOnlyOnce() {
        heap.collections += IdleHeapTrim.BURST;
        trim.check();
        assertEquals(0, heap.full, "still busy");
        trim.check();
        assertEquals(1, heap.full, "quiet after a burst");
        trim.check();
        trim.check();
        assertEquals(1, heap.full, "its own collection is no activity");
        heap.collections += 2 * IdleHeapTrim.BURST;
        trim.check();
        trim.check();
        assertEquals(2, heap.full, "the next burst");
    }

    @Test
    void lightTrafficIsNeverPausedForAFullCollection() {
        for (int i = 0; i < 10; i++) {
            heap.collections += i % 3 == 0 ? 1 : 0;
            trim.check();
        }
        assertEquals(0, heap.full);
    }

    @Test
    void aSteadyLoadIsNotInterrupted() {
        for (int i = 0; i < 5; i++) {
            heap.collections += IdleHeapTrim.BURST;
            trim.check();
        }
        assertEquals(0, heap.full);
    }
}
