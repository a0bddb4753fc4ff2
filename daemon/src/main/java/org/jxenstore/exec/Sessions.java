package org.jxenstore.exec;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jxenstore.access.Caller;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.EventSink;
import org.jxenstore.watch.Watch;
import org.jxenstore.watch.WatchIndex;

/**
 * The protocol state of every connected client: one {@link Session} per connection, from the
 * moment it connects until it goes away. CONTROL {@code check} and {@code memreport} read it;
 * with the store, the domains, the watch index and the quotas it is the daemon's whole state.
 * Owned by the event-loop thread.
 */
public final class Sessions {
    private final WatchIndex watches;
    private final LinkedHashSet<Session> open = new LinkedHashSet<>();
    private final Map<Integer, Session> rings = new HashMap<>();
    private IntConsumer ringChanged = domid -> { };

    public Sessions(WatchIndex watches) {
        this.watches = watches;
    }

    /**
     * A new connection's session; its watch events go to {@code sink}.
     *
     * @param ringDomid the domain whose ring it is on, or {@link Session#NOT_A_RING}
     */
    public Session open(Caller caller, EventSink sink, int ringDomid) {
        Session s = new Session(caller, sink, ringDomid);
        open.add(s);
        if (ringDomid != Session.NOT_A_RING) {
            rings.put(ringDomid, s);
        }
        return s;
    }

    /**
     * From now on, {@code onChange} is told the domid whenever the watches or transactions of a
     * ring's session change: they outlive the daemon's process, so the journal keeps them.
     */
    public void listen(IntConsumer onChange) {
        ringChanged = onChange;
    }

    /** The session on {@code domid}'s ring, or {@code null}. */
    public Session ring(int domid) {
        return rings.get(domid);
    }

    /** The connection is gone: its watches and transactions go with it. */
    public void close(Session s) {
        reset(s);
        open.remove(s);
        rings.remove(s.ringDomid(), s);
    }

    void addWatch(Session s, Watch w) {
        s.watches().add(w);
        watches.add(w);
        changed(s);
    }

    void removeWatch(Session s, Watch w) {
        s.watches().remove(w);
        watches.remove(w);
        changed(s);
    }

    void beginTransaction(Session s, Transaction tx) {
        s.transactions().put(tx.id(), tx);
        changed(s);
    }

    void endTransaction(Session s, Transaction tx) {
        s.transactions().remove(tx.id());
        changed(s);
    }

    private void changed(Session s) {
        if (s.ringDomid() != Session.NOT_A_RING) {
            ringChanged.accept(s.ringDomid());
        }
    }

    /**
     * Drops the session's watches and its transactions: RESET_WATCHES (XSA-330, XSA-484), and a
     * guest reconnecting its ring.
     */
    public void reset(Session s) {
        for (Watch w : s.watches()) {
            watches.remove(w);
        }
        s.watches().clear();
        s.transactions().clear();
        changed(s);
    }

    /** Every open session. */
    public List<Session> all() {
        return List.copyOf(open);
    }

    /** Watches held by the connections of {@code domid}. */
    public int watchesOf(int domid) {
        int n = 0;
        for (Session s : open) {
            if (s.caller().domid() == domid) {
                n += s.watches().size();
            }
        }
        return n;
    }

    /** Bytes of replies and events queued for all clients and not yet written. */
    public long queuedOutputBytes() {
        long total = 0;
        for (Session s : open) {
            total += s.sink().queuedBytes();
        }
        return total;
    }
}
