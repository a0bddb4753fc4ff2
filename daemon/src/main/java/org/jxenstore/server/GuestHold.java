package org.jxenstore.server;

import org.jxenstore.access.Caller;
import org.jxenstore.protocol.XsError;

/**
 * XSA-206: a privileged client's transaction failed because someone wrote a node it had read.
 * So that a guest rewriting nodes in a tight loop cannot make the toolstack's read-modify-write
 * fail forever, guests' requests are not read until that client ends its next transaction (or
 * a short deadline passes); its retry then runs against a quiet store.
 */
final class GuestHold {
    private static final long PAUSE_NANOS = 500_000_000L;

    private Connection holder;
    private long until;

    /** A transaction of {@code c} ended with {@code error} ({@code null} if it committed). */
    void transactionEnded(Connection c, XsError error) {
        if (error == XsError.EAGAIN && c.caller().privileged()) {
            holder = c;
            until = System.nanoTime() + PAUSE_NANOS;
        } else if (c == holder) {
            holder = null;
        }
    }

    /** Whether requests of {@code caller} must wait now. */
    boolean holds(Caller caller) {
        return !caller.privileged() && active(System.nanoTime());
    }

    /** Whether guests are held at {@code now}; a hold past its deadline ends. */
    boolean active(long now) {
        if (holder != null && now - until >= 0) {
            holder = null;
        }
        return holder != null;
    }

    /** Nanoseconds until the hold ends by itself, or {@code Long.MAX_VALUE} if there is none. */
    long nanosLeft(long now) {
        return holder == null ? Long.MAX_VALUE : until - now;
    }
}
