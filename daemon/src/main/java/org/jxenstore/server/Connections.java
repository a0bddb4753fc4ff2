package org.jxenstore.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jxenstore.access.Caller;

/**
 * Every client connection, on the socket or on a guest's ring, by id, and the rings by the local
 * port of their event channel. Connections are opened here and dropped here, so that a
 * connection's session always goes with it. Owned by the event-loop thread.
 */
final class Connections {
    private final ConnectionContext context;
    private final Map<Integer, Connection> byId = new HashMap<>();
    private final Map<Integer, Connection> ringsByPort = new HashMap<>();
    private int nextId = 1;

    Connections(ConnectionContext context) {
        this.context = context;
    }

    /** A new connection of {@code caller} over {@code t}. */
    Connection open(Transport t, Caller caller) {
        Connection c = new Connection(nextId++, t, caller, context);
        byId.put(c.id(), c);
        return c;
    }

    /** A guest's ring becomes a connection, serviced when {@code port} fires, and looked at now. */
    Connection attachRing(RingTransport t, Caller caller, int port) {
        Connection c = open(t, caller);
        ringsByPort.put(port, c);
        context.agenda().portFired(port);
        return c;
    }

    /** The guest re-bound its event channel. */
    void rebindRing(int oldPort, int newPort) {
        Connection c = ringsByPort.remove(oldPort);
        if (c != null) {
            ringsByPort.put(newPort, c);
            context.agenda().portFired(newPort);
        }
    }

    /** The domain is gone: its connection, if it still has one, goes too. */
    void detachRing(int port) {
        Connection c = ringsByPort.remove(port);
        if (c != null) {
            drop(c);
        }
    }

    /** The ring connection whose event channel is {@code port}, or {@code null}. */
    Connection ringOn(int port) {
        return ringsByPort.get(port);
    }

    boolean hasRings() {
        return !ringsByPort.isEmpty();
    }

    List<Connection> rings() {
        return new ArrayList<>(ringsByPort.values());
    }

    /**
     * The guest reset its ring (RECONNECTION): its watches and transactions go, and so do its
     * partial input and queued output.
     */
    void reset(Connection c) {
        context.sessions().reset(c.session());
        c.resetIo();
    }

    /** Closes a connection and forgets it, its session included. */
    void drop(Connection c) {
        context.sessions().close(c.session());
        byId.remove(c.id());
        ringsByPort.values().remove(c);
        context.agenda().forget(c);
        c.close();
    }

    /** Every connection, in the order they were opened. */
    List<Connection> inOrder() {
        List<Connection> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingInt(Connection::id));
        return all;
    }

    void dropAll() {
        for (Connection c : List.copyOf(byId.values())) {
            drop(c);
        }
    }
}
