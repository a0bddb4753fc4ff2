package org.jxenstore.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.jxenstore.access.Caller;
import org.jxenstore.log.AccessLog;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.Wire;

/**
 * The single thread that owns all state. It moves bytes: it accepts socket clients, reads what
 * they send, services guest rings when their event channel fires, hands each complete request
 * to the {@link Dispatcher}, and writes the replies and events queued meanwhile. One thread gives
 * xenstore's ordering for free: a request's events are queued atomically with its reply, and
 * changes are applied in order.
 *
 * <p>Fairness: each pass executes at most {@link #REQUESTS_PER_TURN} requests of one socket
 * client and one request of one guest before moving on to the next, so a flooding client cannot
 * starve the others. Rings are serviced when their event channel fires (so the cost of a pass
 * does not grow with the number of idle guests), plus a slow safety scan for guests that forget
 * to notify. A guest that was quiet (no turn pending) goes before those that were busy, and gets
 * its reply as soon as its turn ends: a guest that sends one request at a time then waits for at
 * most about one pass, however many guests keep their rings full (docs/performance.md,
 * "Fairness").
 */
final class EventLoop implements Runnable {
    private static final int REQUESTS_PER_TURN = 32;
    /**
     * As in C xenstored. A guest's request costs about as much as a socket client's, but rings
     * are many and each of their turns ends with a reply of its own, so a turn of one keeps a
     * pass as short as the number of busy guests allows.
     */
    private static final int RING_REQUESTS_PER_TURN = 1;
    private static final long SAFETY_SCAN_NANOS = 5_000_000_000L;
    /**
     * Yields beyond the pass's first, each followed by a look for work, before the loop goes to
     * sleep. One yield lets perhaps one client run: with 16 clients on the daemon's CPU the loop
     * still found nothing and slept about every third request, where C xenstored slept every
     * thirtieth, and a sleep and its wake-up cost more than a request. With a CPU to itself, a
     * yield returns at once.
     */
    private static final int MORE_YIELDS_BEFORE_SLEEP = 3;
    /** How long a refused accept (file descriptors exhausted) waits before the next try. */
    private static final long ACCEPT_RETRY_NANOS = 100_000_000L;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Connections connections;
    private final Agenda agenda;
    private final Dispatcher dispatcher;
    private final GuestHold hold;
    private final Runnable onDomainChange;
    private final Runnable beforeOutput;
    private final Runnable endOfPass;
    private final Caller socketCaller;
    private final AccessLog trace;
    private final DaemonLog log;
    /**
     * Where ring requests pass on their way to a connection's decoder: one for every ring, as
     * this thread reads them one at a time (a buffer each was 4 KiB of every idle guest's cost).
     */
    private final ByteBuffer ringScratch = ByteBuffer.allocate(Wire.PAYLOAD_MAX);
    /**
     * The keys the last select reported, kept here rather than in the selector's selected-key
     * set: that set is a HashSet, and each key added to it, one per ready socket per pass, cost
     * a map entry for the collector. Linux's selector (epoll) reports a key at most once a select.
     */
    private final ArrayList<SelectionKey> readyKeys = new ArrayList<>();
    private final Consumer<SelectionKey> onReady = readyKeys::add;
    /** Guests whose rings were left unread while the hold was on. */
    private final LinkedHashSet<Connection> heldBack = new LinkedHashSet<>();
    private long nextScan = System.nanoTime() + SAFETY_SCAN_NANOS;
    private long acceptRetryAt;
    private boolean acceptPaused;
    private volatile boolean running = true;
    private volatile IOException failure;

    /**
     * @param onDomainChange asks the hypervisor about the domains, after VIRQ_DOM_EXC
     * @param beforeOutput   makes the pass's changes durable (the journal) and its trace written
     * @param endOfPass      runs between passes, when no request is half done (live update)
     * @param socketCaller   who the socket's clients are (the privileged master domain)
     */
    EventLoop(ServerSocketChannel server, Selector selector, Connections connections, Agenda agenda,
            Dispatcher dispatcher, GuestHold hold, Runnable onDomainChange, Runnable beforeOutput, Runnable endOfPass,
            Caller socketCaller, AccessLog trace, DaemonLog log) throws IOException {
        this.server = server;
        this.selector = selector;
        this.connections = connections;
        this.agenda = agenda;
        this.dispatcher = dispatcher;
        this.hold = hold;
        this.onDomainChange = onDomainChange;
        this.beforeOutput = beforeOutput;
        this.endOfPass = endOfPass;
        this.socketCaller = socketCaller;
        this.trace = trace;
        this.log = log;
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** Why the loop stopped on its own, or {@code null}. */
    IOException failure() {
        return failure;
    }

    /** Another thread found the daemon cannot go on: record why and stop. */
    void fail(IOException why) {
        failure = why;
        log.warning("stopping: " + why.getMessage());
        stop();
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    pass();
                } catch (RuntimeException | Error e) {
                    // Requests that grow the store are refused before the heap runs out
                    // (HeapGuard), and request failures are answered by the dispatcher; anything
                    // else that escapes costs this pass, never the daemon's ability to serve.
                    log.error("event loop pass failed", e);
                }
            }
        } catch (IOException e) {
            failure = e;
            log.warning("event loop stopped: " + e);
        } finally {
            connections.dropAll();
            trace.flush();
            try {
                selector.close();
            } catch (IOException ignored) {
                // Shutting down.
            }
        }
    }

    /** One turn of the loop: wait for work, then do it. */
    private void pass() throws IOException {
        // Emptied first, so that a pass that failed half-way leaves nothing twice: a socket that
        // is still ready is reported again.
        readyKeys.clear();
        waitForWork();
        agenda.runTasks();
        // Indexed loops here and below: an iterator would be an allocation every pass.
        for (int i = 0; i < readyKeys.size(); i++) {
            handle(readyKeys.get(i));
        }
        serveQuietRings();
        if (agenda.takeDomainsChanged()) {
            onDomainChange.run();
        }
        if (connections.hasRings() && System.nanoTime() - nextScan >= 0) {
            nextScan = System.nanoTime() + SAFETY_SCAN_NANOS;
            for (Connection c : connections.rings()) {
                service(c);
            }
        }
        List<Connection> due = agenda.takeTurns();
        int served = 0;
        try {
            for (; served < due.size(); served++) {
                Connection c = due.get(served);
                agenda.turnBegins(c);
                service(c);
                // A guest that was quiet goes before the rest of the busy ones: it waits for
                // one turn, not for the rest of a pass of flooders.
                if (agenda.portsFired()) {
                    serveQuietRings();
                }
            }
        } finally {
            // A pass that fails half-way gives the rest their turns back: some of them had their
            // notification taken above, and would otherwise wait for the safety scan.
            for (int i = served + 1; i < due.size(); i++) {
                agenda.turnAgain(due.get(i));
            }
        }
        endOfPass.run();
        flushOutput();
    }

    /**
     * Gives a turn to each guest whose event channel fired and that has no turn pending; a ring
     * with one (its last turn read a request, or a reply gave back quota, or it is due later in
     * this pass) has it with the busy ones.
     */
    private void serveQuietRings() {
        List<Integer> fired = agenda.firedPorts();
        for (int i = 0; i < fired.size(); i++) {
            int port = fired.get(i);
            agenda.portHandled(port);
            Connection c = connections.ringOn(port);
            if (c != null && !agenda.hasTurn(c)) {
                service(c);
            }
        }
    }

    private void waitForWork() throws IOException {
        // Let the clients this pass answered run first: where they share the daemon's CPU
        // (dom0's few vCPUs), each then sends its next request at once and the loop finds it
        // without going to sleep and being woken, which cost more than the request. Busy with
        // turns, the loop would otherwise never give up its CPU between passes, and the
        // event-channel thread could report the ports fired meanwhile only once the scheduler
        // preempted it. With a CPU to itself, the yield returns at once.
        Thread.yield();
        long now = System.nanoTime();
        if (acceptPaused && now - acceptRetryAt >= 0) {
            acceptPaused = false;
            server.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
        }
        if (!heldBack.isEmpty() && !hold.active(now)) {
            // Their rings may hold requests nobody was told about while they waited.
            heldBack.forEach(agenda::turnAgain);
            heldBack.clear();
        }
        if (agenda.pending()) {
            selector.selectNow(onReady);
            return;
        }
        if (workFound()) {
            return;
        }
        for (int i = 0; i < MORE_YIELDS_BEFORE_SLEEP; i++) {
            Thread.yield();
            if (workFound()) {
                return;
            }
        }
        // Measured after the yields, which may each have waited for a scheduler slice.
        now = System.nanoTime();
        long deadline = Long.MAX_VALUE;
        if (connections.hasRings()) {
            deadline = Math.min(deadline, nextScan - now);
        }
        if (acceptPaused) {
            deadline = Math.min(deadline, acceptRetryAt - now);
        }
        if (!heldBack.isEmpty()) {
            deadline = Math.min(deadline, hold.nanosLeft(now));
        }
        selector.select(onReady, deadline == Long.MAX_VALUE ? 0 : Math.max(1, deadline / 1_000_000));
    }

    /**
     * Whether a socket is ready or something else is to be done. selectNow clears a wakeup()
     * made before it, so what such a wakeup announced (a task, a fired port, a stop) is checked
     * again here, or the select after it would sleep through it.
     */
    private boolean workFound() throws IOException {
        return selector.selectNow(onReady) > 0 || agenda.pending() || !running;
    }

    /**
     * Gives a connection its turn: for a ring, push out what the guest has made room for, read
     * what it sent, and execute it; for a socket, execute what is already buffered.
     */
    private void service(Connection c) {
        if (c.closed()) {
            return;
        }
        if (!(c.transport() instanceof RingTransport ring)) {
            serve(c);
            return;
        }
        try {
            if (ring.reconnectRequested()) {
                connections.reset(c);
                ring.completeReconnect();
                return;
            }
            c.flush();
            if (hold.holds(c.caller())) {
                heldBack.add(c);
                return;
            }
            int n = 0;
            for (; n < RING_REQUESTS_PER_TURN && c.mayReadRequest(); n++) {
                Message m = c.nextRingRequest(ringScratch);
                if (m == null) {
                    break;
                }
                dispatcher.dispatch(c, m);
            }
            if (n == RING_REQUESTS_PER_TURN) {
                agenda.turnAgain(c);
            }
            // The reply goes out now rather than after everyone else's turn in this pass
            // (flush makes the changes so far durable first). A request may have closed the
            // connection (its domain released): then there is nothing to write to.
            if (!c.closed()) {
                c.flush();
            }
        } catch (FrameDecoder.OversizedFrameException e) {
            log.warning("conn=" + c.id() + " " + ring.describe() + " cut off: " + e.getMessage());
            ring.protocolError();
            connections.drop(c);
        } catch (IOException e) {
            log.warning("conn=" + c.id() + " " + c.transport().describe() + " cut off: " + e.getMessage());
            connections.drop(c);
        }
    }

    private void handle(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        if (k.isAcceptable()) {
            accept();
            return;
        }
        Connection c = (Connection) k.attachment();
        try {
            if (k.isWritable()) {
                c.flush();
                if (!c.backedUp() && c.hasBufferedInput()) {
                    agenda.turnAgain(c);
                }
            }
            if (k.isValid() && k.isReadable()) {
                int n = c.fill();
                serve(c);
                if (n < 0) {
                    // A client that wrote its requests and shut down its side still gets its
                    // replies, as far as the socket takes them.
                    c.flush();
                    connections.drop(c);
                }
            }
        } catch (IOException e) {
            connections.drop(c);
        }
    }

    private void accept() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            // Out of file descriptors, say: this client waits in the backlog (or is refused by
            // the kernel); the others are served, and accepting resumes shortly, without spinning.
            log.warning("accept failed: " + e.getMessage());
            acceptPaused = true;
            acceptRetryAt = System.nanoTime() + ACCEPT_RETRY_NANOS;
            server.keyFor(selector).interestOps(0);
            return;
        }
        if (ch == null) {
            return;
        }
        try {
            adopt(ch);
        } catch (IOException e) {
            // Never got going: adopt closed it.
        }
    }

    /**
     * Serves a connected socket client: one just accepted, or one a live update handed over.
     * On failure the channel is closed.
     */
    Connection adopt(SocketChannel ch) throws IOException {
        Connection c = null;
        try {
            ch.configureBlocking(false);
            SocketTransport t = new SocketTransport(ch);
            c = connections.open(t, socketCaller);
            t.setKey(ch.register(selector, SelectionKey.OP_READ, c));
            return c;
        } catch (IOException e) {
            if (c != null) {
                connections.drop(c);
            } else {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // Never got going.
                }
            }
            throw e;
        }
    }

    /** Executes up to a turn's worth of the client's buffered requests. */
    private void serve(Connection c) {
        if (c.closed()) {
            return;
        }
        try {
            for (int n = 0; n < REQUESTS_PER_TURN; n++) {
                if (c.backedUp()) {
                    c.updateInterest();
                    return;
                }
                Message m = c.nextRequest();
                if (m == null) {
                    return;
                }
                dispatcher.dispatch(c, m);
            }
            if (c.hasBufferedInput()) {
                agenda.turnAgain(c);
            }
        } catch (FrameDecoder.OversizedFrameException e) {
            // A length over the limit is a hostile or broken client: drop it, nobody else.
            log.warning("conn=" + c.id() + " " + c.transport().describe() + " dropped: " + e.getMessage());
            c.transport().protocolError();
            connections.drop(c);
        }
    }

    /**
     * Makes the pass's changes durable, then writes what every connection has queued, including
     * what writing it queued in turn.
     */
    private void flushOutput() {
        beforeOutput.run();
        for (List<Connection> due = agenda.takeOutput(); !due.isEmpty(); due = agenda.takeOutput()) {
            for (int i = 0; i < due.size(); i++) {
                Connection c = due.get(i);
                if (c.closed()) {
                    continue;
                }
                try {
                    c.flush();
                } catch (IOException e) {
                    connections.drop(c);
                }
            }
        }
    }
}
