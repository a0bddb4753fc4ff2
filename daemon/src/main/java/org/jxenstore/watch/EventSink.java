package org.jxenstore.watch;

import org.jxenstore.access.Caller;

/** Where a watch's events go: the connection that registered it. */
public interface EventSink {

    /** Who registered the watch; events are filtered by what this caller may read. */
    Caller caller();

    /** Where the connection stands among all connections, oldest first: C fires watches in that order. */
    long connectionOrder();

    /** Queues a WATCH_EVENT for the connection (it may drop a duplicate of a queued one). */
    void deliver(String path, String token);

    /** Bytes queued for the connection and not yet written: they count against its memory quota. */
    long queuedBytes();
}
