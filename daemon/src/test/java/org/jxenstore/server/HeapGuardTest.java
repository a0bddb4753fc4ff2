package org.jxenstore.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapGuardTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MAX = 1000_000;
    private final long[] now = {0};
    private final List<String> warnings = new ArrayList<>();

    /** A heap the test fills and empties; a collection makes its figure visible. */
    private static final class TestHeap implements HeapGuard.Heap {
        long live;
        long measured;
        long collections;
        int forced;

        @Override
        public long collections() {
            return collections;
        }

        @Override
        public long used() {
            return measured;
        }

        @Override
        public void collect() {
            forced++;
            gc();
        }

        void gc() {
            collections++;
            measured = live;
        }
    }

    private final TestHeap heap = new TestHeap();
    private final HeapGuard guard = new HeapGuard(heap, MAX, () -> now[0], warnings::add);

    /** Offers a request of {@code bytes}; if served, it is admitted and the heap holds it. */
    private boolean serve(long bytes) {
        if (guard.refuses(bytes)) {
            return false;
        }
        guard.admitted(bytes);
        heap.live += bytes;
        return true;
    }

    @Test
    void farBelowTheMarkNothingIsRefusedAndNothingIsCollected() {
        for (int i = 0; i < 100; i++) {
            assertTrue(serve(1000));
        }
        assertEquals(0, heap.forced);
        assertEquals(List.of(), warnings);
    }

    @Test
    void growthBetweenCollectionsCannotOvershootTheMark() {
        // No collection runs while a client pipelines writes: admitted bytes alone reach the mark.
        int served = 0;
        while (serve(10_000)) {
            served++;
            now[0] += SECOND / 100;
        }
        assertEquals(85, served, "the mark is 85% of the heap");
        assertEquals(1, heap.forced, "one full collection, whose fresh figure refused");
        assertTrue(warnings.getFirst().startsWith("heap nearly full"), warnings.toString());
    }

    @Test
    void admittedBytesCountOnlyUntilACollectionMeasuresThem() {
        heap.live = 500_000;
        heap.gc();
        for (int i = 0; i < 30; i++) {
            assertTrue(serve(10_000));
        }
        // The client removes what it wrote; the next ordinary collection sees it.
        heap.live = 500_000;
        heap.gc();
        for (int i = 0; i < 30; i++) {
            assertTrue(serve(10_000), "served after the collection, " + i);
        }
        assertEquals(0, heap.forced);
    }

    @Test
    void crossingTheMarkAsksForAFreshFigureAndRefusesOnlyWithoutOne() {
        heap.live = 700_000;
        heap.gc();
        assertTrue(serve(100_000));           // estimate 800,000: under the mark (850,000)
        heap.live -= 100_000;                 // garbage by now, but no collection has run
        assertTrue(serve(100_000), "900,000 crosses the mark; a collection says 800,000 with it");
        assertEquals(1, heap.forced);
        assertEquals(List.of(), warnings);
        assertFalse(serve(100_000), "crossing again within a second: refused, no new collection");
        assertEquals(1, heap.forced);
        assertEquals(1, warnings.size(), "the refusal is logged: " + warnings);
        heap.live -= 100_000;
        now[0] += SECOND;
        assertTrue(serve(100_000), "a second later a fresh figure decides, and nothing was held");
        assertEquals(2, heap.forced);
        assertEquals(2, warnings.size(), "and so is the end of it: " + warnings);
    }

    @Test
    void aFullHeapHoldsGrowthUntilItFallsBelowTheLowMark() {
        heap.live = 900_000;
        heap.gc();
        assertFalse(serve(1000));
        assertEquals(List.of("heap nearly full (about 878 KiB in use): requests that grow the store get ENOMEM"),
                warnings);
        heap.live = 800_000;                  // under the high mark, over the low one: still held
        now[0] += SECOND;
        assertFalse(serve(1000));
        heap.live = 700_000;
        assertFalse(serve(1000), "within a second of the last collection");
        now[0] += SECOND;
        assertTrue(serve(1000));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.getLast().startsWith("heap usage back to"), warnings.toString());
    }

    @Test
    void theJvmHeapGivesFiguresAndCollects() {
        HeapGuard.Heap jvm = new HeapGuard.JvmHeap();
        long before = jvm.collections();
        jvm.collect();
        assertTrue(jvm.collections() > before, "System.gc() counted");
        long used = jvm.used();
        assertTrue(used > 0 && used < Runtime.getRuntime().maxMemory(), "used " + used);
    }
}
