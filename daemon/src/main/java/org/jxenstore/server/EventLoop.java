package org.jxenstore.server;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jxenstore.access.Caller;
import org.jxenstore.access.QuotaTable;
import org.jxenstore.control.Clients;
import org.jxenstore.exec.Reply;
import org.jxenstore.exec.RequestExecutor;
import org.jxenstore.exec.Session;
import org.jxenstore.log.AccessLog;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.watch.Watch;

/**
 * The single thread that owns all state: it accepts socket clients, services guest rings when
 * their event channel fires, executes requests, and writes replies and events. One thread gives xenstore's ordering for free: a
 * request's events are queued atomically with its reply, and changes are applied in order.
 *
 * <p>Fairness: each pass executes at most {@link #REQUESTS_PER_TURN} requests of one client
 * before moving on to the next, so a flooding client cannot starve the others. Rings are
 * serviced when their event channel fires (so the cost of a pass does not grow with the number
 * of idle guests), plus a slow safety scan for guests that forget to notify.
 */
final class EventLoop implements Runnable, Clients {
    private static final int REQUESTS_PER_TURN = 32;
    private static final long SAFETY_SCAN_NANOS = 5_000_000_000L;
    /** How long a refused accept (file descriptors exhausted) waits before the next try. */
    private static final long ACCEPT_RETRY_NANOS = 100_000_000L;
    /** How long guests are held back for a privileged client's starved transaction (XSA-206). */
    private static final long STARVATION_PAUSE_NANOS = 500_000_000L;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final RequestExecutor executor;
    private final AccessLog log;
    private final Caller socketCaller;
    private final QuotaTable quotas;
    private final long eventTimeoutNanos;
    private final Map<Integer, Connection> connections = new HashMap<>();
    private final LinkedHashSet<Connection> dirty = new LinkedHashSet<>();
    private final LinkedHashSet<Connection> unfinished = new LinkedHashSet<>();
    private final Map<Integer, Connection> ringsByPort = new HashMap<>();
    /** Ports whose event fired, filled by the event-channel thread; bounded by the bound ports. */
    private final Set<Integer> firedPorts = ConcurrentHashMap.newKeySet();
    private int virqPort = -1;
    private Runnable onVirq = () -> { };
    private long nextScan = System.nanoTime() + SAFETY_SCAN_NANOS;
    private final HeapGuard heap;
    /** The request being executed, whose events are charged to it. */
    private Ticket current;
    /** A privileged client whose transaction lost to a write; guests wait until it commits. */
    private Connection starved;
    private long starvedUntil;
    private long acceptRetryAt;
    private boolean acceptPaused;
    private volatile boolean running = true;
    private volatile IOException failure;
    private int nextId = 1;

    EventLoop(ServerSocketChannel server, RequestExecutor executor, AccessLog log, Caller socketCaller,
            QuotaTable quotas, long eventTimeoutNanos, Consumer<String> warnings) throws IOException {
        this.quotas = quotas;
        this.heap = new HeapGuard(warnings);
        this.eventTimeoutNanos = eventTimeoutNanos;
        this.selector = Selector.open();
        this.server = server;
        this.executor = executor;
        this.log = log;
        this.socketCaller = socketCaller;
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public long queuedOutputBytes() {
        long total = 0;
        for (Connection c : connections.values()) {
            total += c.queuedBytes();
        }
        return total;
    }

    @Override
    public List<Session> sessions() {
        List<Session> out = new ArrayList<>(connections.size());
        for (Connection c : connections.values()) {
            out.add(c.session());
        }
        return out;
    }

    /** Why the loop stopped on its own, or {@code null}. */
    IOException failure() {
        return failure;
    }

    /** Called by the event-channel thread: a port fired. */
    void portFired(int port) {
        firedPorts.add(port);
        selector.wakeup();
    }

    /** VIRQ_DOM_EXC arrives on {@code port}; {@code check} asks the hypervisor about the domains. */
    void onVirq(int port, Runnable check) {
        virqPort = port;
        onVirq = check;
    }

    /** A guest's ring becomes a connection, serviced when {@code port} fires. */
    Connection attachRing(RingTransport t, Caller caller, int port) {
        Connection c = new Connection(nextId++, t, caller, this, quotas, eventTimeoutNanos);
        connections.put(c.id(), c);
        ringsByPort.put(port, c);
        firedPorts.add(port);
        return c;
    }

    /** The guest re-bound its event channel. */
    void rebindRing(int oldPort, int newPort) {
        Connection c = ringsByPort.remove(oldPort);
        if (c != null) {
            ringsByPort.put(newPort, c);
            firedPorts.add(newPort);
        }
    }

    /** The domain is gone: its connection, if it still has one, goes too. */
    void detachRing(int port) {
        Connection c = ringsByPort.remove(port);
        if (c != null) {
            drop(c);
        }
    }

    /** Another thread found the daemon cannot go on: record why and stop. */
    void fail(IOException why) {
        failure = why;
        log.note("stopping: " + why.getMessage());
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
                    // (HeapGuard), and request failures are answered in process(); anything
                    // else that escapes costs this pass, never the daemon's ability to serve.
                    log.note("event loop pass failed: " + stackTrace(e));
                    System.err.println("jxenstored: event loop pass failed: " + stackTrace(e));
                }
            }
        } catch (IOException e) {
            failure = e;
            log.note("event loop stopped: " + e);
        } finally {
            for (Connection c : List.copyOf(connections.values())) {
                drop(c);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // Shutting down.
            }
            log.flush();
        }
    }

    /** One turn of the loop: wait for work, then do it. */
    private void pass() throws IOException {
        waitForWork();
        for (SelectionKey k : selector.selectedKeys()) {
            handle(k);
        }
        selector.selectedKeys().clear();
        for (Integer port : List.copyOf(firedPorts)) {
            firedPorts.remove(port);
            if (port == virqPort) {
                onVirq.run();
            } else {
                Connection c = ringsByPort.get(port);
                if (c != null) {
                    service(c);
                }
            }
        }
        if (!ringsByPort.isEmpty() && System.nanoTime() - nextScan >= 0) {
            nextScan = System.nanoTime() + SAFETY_SCAN_NANOS;
            for (Connection c : List.copyOf(ringsByPort.values())) {
                service(c);
            }
        }
        List<Connection> again = new ArrayList<>(unfinished);
        unfinished.clear();
        for (Connection c : again) {
            service(c);
        }
        flushDirty();
        log.flush();
    }

    private void waitForWork() throws IOException {
        long now = System.nanoTime();
        if (acceptPaused && now - acceptRetryAt >= 0) {
            acceptPaused = false;
            server.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
        }
        if (starved != null && now - starvedUntil >= 0) {
            releaseGuests();
        }
        if (!unfinished.isEmpty() || !firedPorts.isEmpty()) {
            selector.selectNow();
            return;
        }
        long deadline = Long.MAX_VALUE;
        if (!ringsByPort.isEmpty()) {
            deadline = Math.min(deadline, nextScan - now);
        }
        if (acceptPaused) {
            deadline = Math.min(deadline, acceptRetryAt - now);
        }
        if (starved != null) {
            deadline = Math.min(deadline, starvedUntil - now);
        }
        if (deadline == Long.MAX_VALUE) {
            selector.select();
        } else {
            selector.select(Math.max(1, deadline / 1_000_000));
        }
    }

    /**
     * XSA-206: a privileged client's transaction failed because someone wrote a node it had read.
     * So that a guest rewriting nodes in a tight loop cannot make the toolstack's read-modify-write
     * fail forever, guests' requests are not read until that client ends its next transaction
     * (or a short deadline passes); its retry then runs against a quiet store.
     */
    private void holdGuestsFor(Connection c) {
        starved = c;
        starvedUntil = System.nanoTime() + STARVATION_PAUSE_NANOS;
    }

    private void releaseGuests() {
        starved = null;
        // Their rings may hold requests nobody was told about while they waited.
        unfinished.addAll(ringsByPort.values());
    }

    /** Gives a connection a turn in the next pass. */
    void serviceSoon(Connection c) {
        unfinished.add(c);
    }

    /** The ticket of the request being executed, if its client is bound by quotas. */
    Ticket currentTicket() {
        return current;
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
                executor.resetWatches(c.session());
                c.resetIo();
                ring.completeReconnect();
                return;
            }
            c.flush();
            int n = 0;
            for (; n < REQUESTS_PER_TURN && c.mayReadRequest(starved != null); n++) {
                Message m = c.nextRingRequest();
                if (m == null) {
                    break;
                }
                process(c, m);
            }
            if (n == REQUESTS_PER_TURN) {
                unfinished.add(c);
            }
        } catch (FrameDecoder.OversizedFrameException e) {
            log.note("conn=" + c.id() + " " + ring.describe() + " cut off: " + e.getMessage());
            ring.protocolError();
            drop(c);
        } catch (IOException e) {
            log.note("conn=" + c.id() + " " + c.transport().describe() + " cut off: " + e.getMessage());
            drop(c);
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
                    unfinished.add(c);
                }
            }
            if (k.isValid() && k.isReadable()) {
                int n = c.fill();
                serve(c);
                if (n < 0) {
                    // A client that wrote its requests and shut down its side still gets its
                    // replies, as far as the socket takes them.
                    c.flush();
                    drop(c);
                }
            }
        } catch (IOException e) {
            drop(c);
        }
    }

    private void accept() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            // Out of file descriptors, say: this client waits in the backlog (or is refused by
            // the kernel); the others are served, and accepting resumes shortly, without spinning.
            log.note("accept failed: " + e.getMessage());
            acceptPaused = true;
            acceptRetryAt = System.nanoTime() + ACCEPT_RETRY_NANOS;
            server.keyFor(selector).interestOps(0);
            return;
        }
        if (ch == null) {
            return;
        }
        try {
            ch.configureBlocking(false);
            SocketTransport t = new SocketTransport(ch);
            Connection c = new Connection(nextId++, t, socketCaller, this, quotas, eventTimeoutNanos);
            t.setKey(ch.register(selector, SelectionKey.OP_READ, c));
            connections.put(c.id(), c);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Never got going.
            }
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
                process(c, m);
            }
            if (c.hasBufferedInput()) {
                unfinished.add(c);
            }
        } catch (FrameDecoder.OversizedFrameException e) {
            // A length over the limit is a hostile or broken client: drop it, nobody else.
            log.note("conn=" + c.id() + " " + c.transport().describe() + " dropped: " + e.getMessage());
            c.transport().protocolError();
            drop(c);
        }
    }

    private void process(Connection c, Message m) {
        Session s = c.session();
        if (log.active()) {
            log.request(c.id(), s.caller().domid(), m);
        }
        MessageType type = MessageType.fromCode(m.type());
        current = c.openTicket();
        try {
            Answer a = answer(c, s, type, m);
            if (log.active()) {
                log.reply(c.id(), c.caller().domid(), a.reply());
            }
            c.send(a.reply(), current);
            if (a.initialEvent() != null) {
                // A WATCH's initial event follows its reply.
                Watch w = a.initialEvent();
                c.deliver(w.eventPath(w.path()), w.token());
            }
            if (type == MessageType.TRANSACTION_END) {
                transactionEnded(c, a.error());
            }
        } finally {
            current = null;
        }
    }

    /**
     * A request's reply, for WATCH the watch whose initial event follows it, and the error if the
     * request failed.
     */
    private record Answer(Message reply, Watch initialEvent, XsError error) {
        static Answer error(Message m, XsError e) {
            return new Answer(Message.error(m.reqId(), m.txId(), e), null, e);
        }
    }

    /** Executes one request; a failure becomes an error reply. */
    private Answer answer(Connection c, Session s, MessageType type, Message m) {
        try {
            boolean grows = RequestExecutor.grows(type);
            long growth = m.payload().length + HeapGuard.NODE_OVERHEAD;
            if (grows && heap.refuses(growth)) {
                return Answer.error(m, XsError.ENOMEM);
            }
            Reply reply = executor.execute(s, type, m.txId(), m.payload());
            if (grows) {
                heap.admitted(growth);
            }
            if (reply.payload().length > Wire.PAYLOAD_MAX) {
                return Answer.error(m, XsError.E2BIG);
            }
            return new Answer(new Message(m.type(), m.reqId(), m.txId(), reply.payload()), reply.initialEvent(), null);
        } catch (XsException e) {
            return Answer.error(m, e.error());
        } catch (OutOfMemoryError e) {
            // The request's change was taken back; the daemon goes on serving.
            log.note("conn=" + c.id() + " request " + type + " ran out of memory");
            return Answer.error(m, XsError.ENOMEM);
        } catch (RuntimeException | Error e) {
            // A bug, or a broken installation (a class that cannot be loaded): this request
            // fails, its change is taken back, and the others are still served.
            log.note("conn=" + c.id() + " request " + type + " failed: " + stackTrace(e));
            System.err.println("jxenstored: internal error on " + type + ": " + stackTrace(e));
            return Answer.error(m, XsError.EIO);
        }
    }

    private void transactionEnded(Connection c, XsError error) {
        if (error == XsError.EAGAIN && c.caller().privileged()) {
            holdGuestsFor(c);
        } else if (c == starved) {
            releaseGuests();
        }
    }

    void logEvent(Connection c, Message m) {
        if (log.active()) {
            log.reply(c.id(), c.caller().domid(), m);
        }
    }

    void markDirty(Connection c) {
        dirty.add(c);
    }

    private void flushDirty() {
        while (!dirty.isEmpty()) {
            List<Connection> batch = new ArrayList<>(dirty);
            dirty.clear();
            for (Connection c : batch) {
                if (c.closed()) {
                    continue;
                }
                try {
                    c.flush();
                } catch (IOException e) {
                    drop(c);
                }
            }
        }
    }

    private void drop(Connection c) {
        executor.resetWatches(c.session());
        connections.remove(c.id());
        ringsByPort.values().remove(c);
        dirty.remove(c);
        unfinished.remove(c);
        c.close();
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
