package org.jxenstore.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jxenstore.access.Caller;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.EventSink;
import org.jxenstore.watch.Watch;

/**
 * The protocol state of one connection: who it is, its open transactions and its watches.
 * Owned by the event-loop thread.
 */
public final class Session {
    /** {@link #ringDomid()} of a socket connection's session. */
    public static final int NOT_A_RING = -1;

    private final Caller caller;
    private final EventSink sink;
    private final int ringDomid;
    private final Map<Integer, Transaction> transactions = new HashMap<>();
    private final List<Watch> watches = new ArrayList<>();
    private int nextTransactionId = 1;
    private boolean overSoftMemory;

    Session(Caller caller, EventSink sink, int ringDomid) {
        this.caller = caller;
        this.sink = sink;
        this.ringDomid = ringDomid;
    }

    /**
     * The domain whose ring this session is on, or {@link #NOT_A_RING}: a ring's watches and
     * transactions outlive the daemon's process, a socket's do not.
     */
    public int ringDomid() {
        return ringDomid;
    }

    public Caller caller() {
        return caller;
    }

    public EventSink sink() {
        return sink;
    }

    public Map<Integer, Transaction> transactions() {
        return transactions;
    }

    public List<Watch> watches() {
        return watches;
    }

    /**
     * What this connection holds besides nodes, as the {@code memory} quota counts it: its
     * queued output, its watches' paths and tokens, and its transactions' touched nodes.
     */
    long memoryHeld() {
        long bytes = sink.queuedBytes();
        for (Watch w : watches) {
            bytes += w.path().length() + w.token().length() + 2;
        }
        for (Transaction t : transactions.values()) {
            bytes += 64L * t.nodesTouched();
        }
        return bytes;
    }

    /**
     * Records whether this connection's domain is over the soft memory quota; true when it has
     * just crossed it (the moment to warn, once until it falls back). Kept per connection, so a
     * domid re-used by a new domain starts afresh.
     */
    boolean crossedSoftMemory(boolean over) {
        boolean crossed = over && !overSoftMemory;
        overSoftMemory = over;
        return crossed;
    }

    /** Transaction ids from now on start after {@code id} (one taken over from a previous process). */
    void skipTransactionIdsTo(int id) {
        nextTransactionId = Math.max(nextTransactionId, id + 1);
    }

    /** C's ids: a per-connection counter from 1, skipping ids still in use and 0. */
    int allocateTransactionId() {
        while (nextTransactionId == 0 || transactions.containsKey(nextTransactionId)) {
            nextTransactionId++;
        }
        return nextTransactionId++;
    }
}
