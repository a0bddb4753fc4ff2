package org.jxenstore.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gives memory back once a burst of requests is over. The serial collector shrinks the heap only
 * in a full collection, which a daemon that went quiet never has: after the bench matrix its heap
 * stayed at its peak. Checked once an interval by the thread that waits for the daemon to stop:
 * if collections ran during the interval before (requests were allocating) and none during the
 * last one (they stopped), one full collection runs, with the event loop idle, and the heap
 * shrinks to what the launcher's free-ratio options allow. Once per burst, never in a loop: the
 * collection it runs itself does not count as activity.
 */
final class IdleHeapTrim {
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final LongSupplier collections;
    private final Runnable collect;
    private long seen;
    private boolean active;

    IdleHeapTrim() {
        this(IdleHeapTrim::collectionsSoFar, System::gc);
    }

    /** @param collections how many collections have run; {@code collect} runs a full one */
    IdleHeapTrim(LongSupplier collections, Runnable collect) {
        this.collections = collections;
        this.collect = collect;
        this.seen = collections.getAsLong();
    }

    void check() {
        long now = collections.getAsLong();
        if (now != seen) {
            seen = now;
            active = true;
            return;
        }
        if (active) {
            active = false;
            collect.run();
            seen = collections.getAsLong();
        }
    }

    private static long collectionsSoFar() {
        long n = 0;
        for (GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, c.getCollectionCount());
        }
        return n;
    }
}
