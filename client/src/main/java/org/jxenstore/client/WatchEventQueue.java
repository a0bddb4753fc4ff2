package org.jxenstore.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the reader thread and whoever consumes watch events.
 *
 * <p>When full it drops the <em>oldest</em> event: the reader thread must never block (replies
 * would stall behind events nobody reads), and a newer event says more about the store's
 * current state than an older one. Each drop is counted.
 */
final class WatchEventQueue {
    private static final Duration LONGEST_WAIT = Duration.ofNanos(Long.MAX_VALUE);

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<WatchEvent> events = new ArrayDeque<>();
    private long dropped;
    private XsConnectionException closedBy;

    WatchEventQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        this.capacity = capacity;
    }

    /** Appends an event without blocking, dropping the oldest one if the queue is full. */
    void add(WatchEvent event) {
        lock.lock();
        try {
            if (events.size() == capacity) {
                events.removeFirst();
                dropped++;
            }
            events.addLast(event);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest event, waiting up to {@code timeout} for one.
     *
     * @return the event, or null on timeout
     * @throws XsConnectionException if the queue is empty and closed
     */
    WatchEvent poll(Duration timeout) throws InterruptedException {
        // Duration.toNanos() throws for durations beyond ~292 years; treat those as "forever".
        long nanos = timeout.compareTo(LONGEST_WAIT) > 0 ? Long.MAX_VALUE : timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (events.isEmpty()) {
                if (closedBy != null) {
                    throw new XsConnectionException(closedBy.getMessage(), closedBy);
                }
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return events.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** How many events were dropped because the queue was full. */
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes every waiting consumer; events already queued can still be taken, after which
     * {@link #poll} throws an exception carrying {@code cause}'s message.
     */
    void close(XsConnectionException cause) {
        lock.lock();
        try {
            closedBy = cause;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
