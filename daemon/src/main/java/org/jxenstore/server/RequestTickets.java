package org.jxenstore.server;

/**
 * The ticket of the request being executed: every watch event queued while it runs is charged
 * to it, so that its client stays throttled until those events are delivered (XSA-326).
 */
final class RequestTickets {
    private Ticket current;

    /** Opens the ticket of a request of {@code c}; a privileged client, which no quota binds, gets none. */
    Ticket open(Connection c) {
        current = c.caller().privileged() ? null : new Ticket(c);
        return current;
    }

    /** The ticket of the request being executed, or {@code null}. */
    Ticket current() {
        return current;
    }

    /** The request is done: later events are nobody's. */
    void close() {
        current = null;
    }
}
