package org.jxenstore.exec;

import java.util.LinkedHashSet;
import java.util.List;
import org.jxenstore.access.Caller;
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

    public Sessions(WatchIndex watches) {
        this.watches = watches;
    }

    /** A new connection's session; its watch events go to {@code sink}. */
    public Session open(Caller caller, EventSink sink) {
        Session s = new Session(caller, sink);
        open.add(s);
        return s;
    }

    /** The connection is gone: its watches and transactions go with it. */
    public void close(Session s) {
        reset(s);
        open.remove(s);
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
