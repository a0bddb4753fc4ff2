package org.jxenstore.server;

import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The work waiting for the event loop besides what its selector reports: connections with
 * output to write, connections that deserve another turn, guest ring ports that fired, and
 * whether the hypervisor reported a domain change. Connections add to it on the loop thread;
 * the event-channel thread adds fired ports and domain changes, and wakes the selector.
 */
final class Agenda {
    private final Selector selector;
    private final ConnectionQueue output = new ConnectionQueue();
    private final ConnectionQueue turns = new ConnectionQueue();
    /** Those of the connections {@link #takeTurns} returned last whose turn has not begun. */
    private final Set<Connection> due = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Bounded by the number of bound ports. */
    private final Set<Integer> firedPorts = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean domainsChanged = new AtomicBoolean();
    /** Work other threads hand to the loop (a metrics scrape); a full queue refuses more. */
    private final BlockingQueue<Runnable> tasks = new ArrayBlockingQueue<>(16);

    Agenda(Selector selector) {
        this.selector = selector;
    }

    /** {@code c} queued output: flush it at the end of the pass. */
    void outputQueued(Connection c) {
        output.add(c);
    }

    /** {@code c} has more to read, or may read again: give it a turn in the next pass. */
    void turnAgain(Connection c) {
        turns.add(c);
    }

    /** Whether {@code c} is to get a turn later in this pass or in the next one. */
    boolean hasTurn(Connection c) {
        return turns.contains(c) || due.contains(c);
    }

    /** A guest's event channel fired (any thread). */
    void portFired(int port) {
        firedPorts.add(port);
        selector.wakeup();
    }

    /** VIRQ_DOM_EXC fired: a domain died or shut down (any thread). */
    void domainsChanged() {
        domainsChanged.set(true);
        selector.wakeup();
    }

    /**
     * Runs {@code task} on the loop's thread, which owns the state, at the start of its next
     * pass (any thread). The future fails at once if too many are waiting.
     */
    <T> CompletableFuture<T> onLoop(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!tasks.offer(() -> result.complete(task.get()))) {
            result.completeExceptionally(new IllegalStateException("the event loop has too much waiting"));
        }
        selector.wakeup();
        return result;
    }

    /** Runs what other threads handed to the loop (loop thread). */
    void runTasks() {
        for (Runnable r = tasks.poll(); r != null; r = tasks.poll()) {
            r.run();
        }
    }

    /** Whether work is waiting that the selector would not report. */
    boolean pending() {
        return !turns.isEmpty() || !firedPorts.isEmpty() || domainsChanged.get() || !tasks.isEmpty();
    }

    /** Whether a guest's event channel fired since its port was last handled. */
    boolean portsFired() {
        return !firedPorts.isEmpty();
    }

    /** The ports fired so far; each stays on the agenda until {@link #portHandled}. */
    List<Integer> firedPorts() {
        return firedPorts.isEmpty() ? List.of() : new ArrayList<>(firedPorts);
    }

    /**
     * Takes a port off the agenda just before its ring is serviced, so that a pass that fails
     * half-way leaves the other rings' notifications for the next one.
     */
    void portHandled(int port) {
        firedPorts.remove(port);
    }

    boolean takeDomainsChanged() {
        // Read first: the exchange is a locked instruction, and most passes have no change.
        return domainsChanged.get() && domainsChanged.getAndSet(false);
    }

    /**
     * The connections due a turn, taken off the agenda; the list is valid until the next call.
     * Each counts as having a turn until {@link #turnBegins}.
     */
    List<Connection> takeTurns() {
        due.clear();
        List<Connection> batch = turns.take();
        for (int i = 0; i < batch.size(); i++) {
            due.add(batch.get(i));
        }
        return batch;
    }

    /** The turn {@link #takeTurns} gave {@code c} begins. */
    void turnBegins(Connection c) {
        due.remove(c);
    }

    /**
     * The connections with output, taken off the agenda; empty when none is left. The list is
     * valid until the next call.
     */
    List<Connection> takeOutput() {
        return output.take();
    }

    /** {@code c} is gone. */
    void forget(Connection c) {
        output.remove(c);
        turns.remove(c);
        due.remove(c);
    }
}
