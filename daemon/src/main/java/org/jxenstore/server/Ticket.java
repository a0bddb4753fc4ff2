package org.jxenstore.server;

/**
 * One request of an unprivileged client, outstanding until its reply and every watch event it
 * caused have left the daemon (or were dropped). While a domain has its {@code outstanding}
 * quota of them, its ring is not read: a guest whose writes flood slow watchers is throttled
 * along with them (XSA-326), and one that never reads its replies stops being read (XSA-416).
 */
final class Ticket {
    private final Connection origin;
    private int pending = 1;

    /** Opens a ticket for a request of {@code origin}; the reply is its first pending message. */
    Ticket(Connection origin) {
        this.origin = origin;
        origin.ticketOpened();
    }

    /** An event the request caused was queued somewhere. */
    void caused() {
        pending++;
    }

    /** A message of this request left the daemon, or was dropped. */
    void release() {
        if (--pending == 0) {
            origin.ticketClosed();
        }
    }
}
