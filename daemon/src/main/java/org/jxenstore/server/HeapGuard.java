package org.jxenstore.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Tells when the heap is nearly full, so that requests that would grow the store are refused
 * with ENOMEM before the JVM runs out, and served again once memory is back.
 *
 * <p>The estimate is what the last garbage collection left in the heap pools (what the store
 * really holds; live allocation noise does not count) plus the bytes admitted since the last
 * collection this guard asked for. The second part matters: a client pipelining large writes
 * adds megabytes between two collections, and a generational collector refreshes the old
 * generation's figure only when it collects that generation. When the estimate crosses the mark,
 * the guard asks for a full collection (at most once a second) and decides on its fresh result;
 * so it stays precise near the mark and costs nothing far below it.
 */
final class HeapGuard {
    private static final double HIGH = 0.85;
    private static final double LOW = 0.75;
    private static final long RESAMPLE_NANOS = 100_000_000L;
    private static final long GC_INTERVAL_NANOS = 1_000_000_000L;
    /** What a stored node costs beyond its payload bytes (node, path, map entries, index). */
    static final int NODE_OVERHEAD = 320;

    private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
            .toList();
    private final long max = Runtime.getRuntime().maxMemory();
    private final long highMark = (long) (max * HIGH);
    private final long lowMark = (long) (max * LOW);

    private long sampledAt = System.nanoTime() - RESAMPLE_NANOS;
    private long collectedAt = System.nanoTime() - GC_INTERVAL_NANOS;
    private long used;
    private long admitted;
    private boolean low;

    /**
     * Whether a request that grows the store by about {@code bytes} must be refused now; if not,
     * its bytes are counted as admitted.
     */
    boolean refuses(long bytes) {
        long now = System.nanoTime();
        if (now - sampledAt >= RESAMPLE_NANOS) {
            sampledAt = now;
            used = collectedUsage();
        }
        if (low || used + admitted + bytes > highMark) {
            if (now - collectedAt >= GC_INTERVAL_NANOS) {
                // Memory freed since (a client's nodes removed) lets growth resume, and admitted
                // bytes are now part of the fresh figure.
                collectedAt = now;
                System.gc();
                sampledAt = now;
                used = collectedUsage();
                admitted = 0;
                low = used + bytes > (low ? lowMark : highMark);
            } else {
                low = true;
            }
        }
        if (low) {
            return true;
        }
        admitted += bytes;
        return false;
    }

    private long collectedUsage() {
        long sum = 0;
        for (MemoryPoolMXBean p : pools) {
            MemoryUsage u = p.getCollectionUsage();
            if (u != null) {
                sum += u.getUsed();
            }
        }
        return sum;
    }
}
