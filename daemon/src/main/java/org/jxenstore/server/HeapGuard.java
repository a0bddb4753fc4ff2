package org.jxenstore.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Tells when the heap is nearly full, so that requests that would grow the store are refused
 * with ENOMEM before the JVM runs out, and served again once memory is back. It looks at what
 * the last garbage collection left in each heap pool, which is what the store really holds; live
 * allocation noise does not trip it. Looked up at most every 100 ms.
 */
final class HeapGuard {
    private static final double HIGH = 0.85;
    private static final double LOW = 0.75;
    private static final long RECHECK_NANOS = 100_000_000L;

    private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
            .toList();
    private final long max = Runtime.getRuntime().maxMemory();
    private static final long GC_INTERVAL_NANOS = 1_000_000_000L;

    private long checkedAt = System.nanoTime() - RECHECK_NANOS;
    private long collectedAt = System.nanoTime() - GC_INTERVAL_NANOS;
    private boolean low;

    /** Whether growth must be refused now; clears once usage falls well below the mark. */
    boolean low() {
        long now = System.nanoTime();
        if (now - checkedAt < RECHECK_NANOS) {
            return low;
        }
        checkedAt = now;
        if (low && now - collectedAt >= GC_INTERVAL_NANOS) {
            // What the last collection left is all we look at, and a quiet daemon may not
            // collect again for a long time: ask for one, at most once a second, so that memory
            // freed since (a client's nodes removed) lets growth resume.
            collectedAt = now;
            System.gc();
        }
        long used = 0;
        for (MemoryPoolMXBean p : pools) {
            MemoryUsage u = p.getCollectionUsage();
            if (u != null) {
                used += u.getUsed();
            }
        }
        double share = (double) used / max;
        low = low ? share > LOW : share > HIGH;
        return low;
    }
}
