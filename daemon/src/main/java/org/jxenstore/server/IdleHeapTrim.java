package org.jxenstore.server;

import java.time.Duration;

/**
 * Gives memory back once a burst of requests is over. The serial collector shrinks the heap only
 * in a full collection, which a daemon that went quiet never has: after the bench matrix its heap
 * stayed at its peak. Checked once an interval by the thread that waits for the daemon to stop:
 * after an interval with a burst ({@link #BURST} collections or more) comes one without any
 * collection, one full collection runs and the heap shrinks to what the launcher's free-ratio
 * options allow. Light traffic, with a young collection now and then, is no burst and is never
 * paused for a full one; the collection this runs itself does not count.
 */
final class IdleHeapTrim {
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Collections in one interval that make it a burst worth giving memory back after. */
    static final int BURST = 4;

    private final HeapGuard.Heap heap;
    private long seen;
    private boolean afterBurst;

    IdleHeapTrim() {
        this(new HeapGuard.JvmHeap());
    }

    IdleHeapTrim(HeapGuard.Heap heap) {
        this.heap = heap;
        this.seen = heap.collections();
    }

    void check() {
        long now = heap.collections();
        long ran = now - seen;
        seen = now;
        if (ran >= BURST) {
            afterBurst = true;
        } else if (ran == 0 && afterBurst) {
            afterBurst = false;
            heap.collect();
            seen = heap.collections();
        }
    }
}
