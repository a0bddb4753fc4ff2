package org.jxenstore.watch;

import org.jxenstore.access.Caller;

/** Where a watch's events go: the connection that registered it. */
public interface EventSink {

    /** Who registered the watch; events are filtered by what this caller may read. */
    Caller caller();

    /** Queues a WATCH_EVENT for the connection (it may drop a duplicate of a queued one). */
    void deliver(String path, String token);

    /** Bytes queued for the connection and not yet written: they count against its memory quota. */
    long queuedBytes();
}
