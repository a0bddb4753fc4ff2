package org.jxenstore.server;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Connections in the order they were added, each at most once: the agenda's connections with
 * output, and those due a turn. A pass adds to it and takes it whole, for every request: adding
 * and taking allocate nothing once the two lists and the identity table have grown to the pass's
 * size (a linked hash set allocated an entry per connection and pass, and a list per take).
 */
final class ConnectionQueue {
    private ArrayList<Connection> queued = new ArrayList<>();
    /** What {@link #take} returned last: refilled by the take after it. */
    private ArrayList<Connection> taken = new ArrayList<>();
    private final IdentityHashMap<Connection, Boolean> members = new IdentityHashMap<>();

    void add(Connection c) {
        if (members.put(c, Boolean.TRUE) == null) {
            queued.add(c);
        }
    }

    boolean contains(Connection c) {
        return members.containsKey(c);
    }

    boolean isEmpty() {
        return queued.isEmpty();
    }

    /**
     * Takes every connection off the queue, in the order they were added. The list stays valid
     * until the next take, while connections are added again meanwhile.
     */
    List<Connection> take() {
        if (queued.isEmpty()) {
            // The batch taken last is done with: dropped connections are not kept reachable.
            taken.clear();
            return List.of();
        }
        ArrayList<Connection> due = queued;
        queued = taken;
        queued.clear();
        taken = due;
        for (int i = 0; i < due.size(); i++) {
            members.remove(due.get(i));
        }
        return due;
    }

    void remove(Connection c) {
        if (members.remove(c) != null) {
            queued.remove(c);
        }
    }
}
