package org.jxenstore.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Tells when the heap is nearly full, so that requests that would grow the store are refused
 * with ENOMEM before the JVM runs out, and served again once memory is back.
 *
 * <p>The estimate of what the heap holds: for the young pools, what the last collection left
 * (fresh at every collection; the allocation noise of eden does not count); for the others (the
 * old generation), their current use, which includes everything promoted since and is never
 * stale; plus the bytes of the growing requests admitted since the last collection, which are
 * still in eden. A client pipelining large writes therefore cannot overshoot between two
 * collections. Old garbage makes the estimate high, never low: when it crosses the mark the guard
 * asks for a full collection, on the loop thread, and decides on its fresh result. It asks at most
 * once a second; a crossing in between is refused. A fresh figure over 85% holds growth until one
 * under 75%. Refusing and serving again are logged.
 */
final class HeapGuard {
    private static final double HIGH = 0.85;
    private static final double LOW = 0.75;
    private static final long GC_INTERVAL_NANOS = 1_000_000_000L;
    private static final long REFRESH_NANOS = 100_000_000L;
    /** What a stored node costs beyond its payload bytes (node, path, map entries, index). */
    static final int NODE_OVERHEAD = 320;

    /** Where the guard's figures come from: the JVM's heap, or a test's. */
    interface Heap {
        /** Collections so far; a change means the figures are fresh. */
        long collections();

        /** What the heap holds, measured as the class comment says. */
        long used();

        /** A full collection, on the caller's thread. */
        void collect();
    }

    private final Heap heap;
    private final long highMark;
    private final long lowMark;
    private final LongSupplier clock;
    private final Consumer<String> log;

    private long collections = -1;
    private long collectedAt;
    private long refreshedAt;
    private long used;
    private long admitted;
    private boolean low;
    private boolean refusing;

    HeapGuard(Consumer<String> log) {
        this(new JvmHeap(), Runtime.getRuntime().maxMemory(), System::nanoTime, log);
    }

    /** A guard for {@code heap} of {@code max} bytes, reading time (nanoseconds) from {@code clock}. */
    HeapGuard(Heap heap, long max, LongSupplier clock, Consumer<String> log) {
        this.heap = heap;
        this.highMark = (long) (max * HIGH);
        this.lowMark = (long) (max * LOW);
        this.clock = clock;
        this.log = log;
        this.collectedAt = clock.getAsLong() - GC_INTERVAL_NANOS;
        this.refreshedAt = clock.getAsLong() - REFRESH_NANOS;
    }

    /** Whether a request that would grow the store by about {@code bytes} must be refused now. */
    boolean refuses(long bytes) {
        boolean refuse = decide(bytes);
        if (refuse != refusing) {
            refusing = refuse;
            log.accept(refuse
                    ? "heap nearly full (about " + (used + admitted) / 1024 + " KiB in use):"
                            + " requests that grow the store get ENOMEM"
                    : "heap usage back to about " + (used + admitted) / 1024 + " KiB:"
                            + " requests that grow the store are served again");
        }
        return refuse;
    }

    private boolean decide(long bytes) {
        // Reading the collectors costs more than the request's own check, so the figures are
        // refreshed every 100 ms, and at once when the estimate crosses the mark: a collection
        // missed meanwhile only makes the estimate high.
        long now = clock.getAsLong();
        if (now - refreshedAt >= REFRESH_NANOS) {
            refreshedAt = now;
            refresh();
        }
        if (!low && used + admitted + bytes <= highMark) {
            return false;
        }
        refresh();
        if (!low && used + admitted + bytes <= highMark) {
            return false;
        }
        if (now - collectedAt < GC_INTERVAL_NANOS) {
            // No fresh figure yet: refuse this one; the decision to hold is taken on a fresh one.
            return true;
        }
        collectedAt = now;
        heap.collect();
        refresh();
        low = used + bytes > (low ? lowMark : highMark);
        return low;
    }

    /** Counts a served request's growth until the next collection measures it. */
    void admitted(long bytes) {
        admitted += bytes;
    }

    /** Takes fresh figures after each collection: what was admitted before it is in them. */
    private void refresh() {
        long count = heap.collections();
        if (count != collections) {
            collections = count;
            admitted = 0;
            used = heap.used();
        }
    }

    /** This JVM's heap, through its management beans. */
    static final class JvmHeap implements Heap {
        private final List<MemoryPoolMXBean> youngPools;
        private final List<MemoryPoolMXBean> otherPools;
        private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();

        JvmHeap() {
            List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP)
                    .toList();
            youngPools = heapPools.stream().filter(JvmHeap::isYoung).toList();
            otherPools = heapPools.stream().filter(p -> !isYoung(p)).toList();
        }

        /** Eden and survivor spaces (Serial, Parallel, G1) and ZGC's young generation. */
        private static boolean isYoung(MemoryPoolMXBean p) {
            String name = p.getName();
            return p.isCollectionUsageThresholdSupported()
                    && (name.contains("Eden") || name.contains("Survivor") || name.contains("Young"));
        }

        @Override
        public long collections() {
            long count = 0;
            for (GarbageCollectorMXBean c : collectors) {
                count += Math.max(0, c.getCollectionCount());
            }
            return count;
        }

        @Override
        public long used() {
            long sum = 0;
            for (MemoryPoolMXBean p : youngPools) {
                MemoryUsage u = p.getCollectionUsage();
                if (u != null) {
                    sum += u.getUsed();
                }
            }
            for (MemoryPoolMXBean p : otherPools) {
                sum += p.getUsage().getUsed();
            }
            return sum;
        }

        @Override
        public void collect() {
            System.gc();
        }
    }
}
