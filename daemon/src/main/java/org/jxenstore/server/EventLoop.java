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
import org.jxenstore.access.Caller;
import org.jxenstore.exec.Reply;
import org.jxenstore.exec.RequestExecutor;
import org.jxenstore.exec.Session;
import org.jxenstore.log.AccessLog;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Request;
import org.jxenstore.protocol.RequestDecoder;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * The single thread that owns all state: it accepts socket clients, reads and executes their
 * requests, and writes replies and events. One thread gives xenstore's ordering for free: a
 * request's events are queued atomically with its reply, and changes are applied in order.
 *
 * <p>Fairness: each pass executes at most {@link #REQUESTS_PER_TURN} requests of one client
 * before moving on to the next, so a flooding client cannot starve the others.
 */
final class EventLoop implements Runnable {
    private static final int REQUESTS_PER_TURN = 32;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final RequestExecutor executor;
    private final AccessLog log;
    private final Caller socketCaller;
    private final Map<Integer, Connection> connections = new HashMap<>();
    private final LinkedHashSet<Connection> dirty = new LinkedHashSet<>();
    private final LinkedHashSet<Connection> unfinished = new LinkedHashSet<>();
    private volatile boolean running = true;
    private volatile IOException failure;
    private int nextId = 1;

    EventLoop(ServerSocketChannel server, RequestExecutor executor, AccessLog log, Caller socketCaller)
            throws IOException {
        this.selector = Selector.open();
        this.server = server;
        this.executor = executor;
        this.log = log;
        this.socketCaller = socketCaller;
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** The sessions of every connection, for CONTROL commands (called on the loop thread). */
    List<Session> sessions() {
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

    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (unfinished.isEmpty()) {
                    selector.select();
                } else {
                    selector.selectNow();
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    handle(k);
                }
                selector.selectedKeys().clear();
                List<Connection> again = new ArrayList<>(unfinished);
                unfinished.clear();
                for (Connection c : again) {
                    serve(c);
                }
                flushDirty();
                log.flush();
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
                if (!c.fill()) {
                    drop(c);
                    return;
                }
                serve(c);
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
            // Out of file descriptors, say: refuse this client and keep serving the others.
            log.note("accept failed: " + e.getMessage());
            return;
        }
        if (ch == null) {
            return;
        }
        try {
            ch.configureBlocking(false);
            Connection c = new Connection(nextId++, ch, socketCaller, this);
            c.setKey(ch.register(selector, SelectionKey.OP_READ, c));
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
            log.note("conn=" + c.id() + " dropped: " + e.getMessage());
            drop(c);
        }
    }

    private void process(Connection c, Message m) {
        Session s = c.session();
        if (log.active()) {
            log.request(c.id(), s.caller().domid(), m);
        }
        MessageType type = MessageType.fromCode(m.type());
        Reply reply;
        try {
            Request r = RequestDecoder.decode(type, m.payload());
            reply = executor.execute(s, type, m.txId(), r);
        } catch (XsException e) {
            reply(c, Message.error(m.reqId(), m.txId(), e.error()));
            return;
        } catch (RuntimeException e) {
            log.note("conn=" + c.id() + " request " + type + " failed: " + stackTrace(e));
            System.err.println("jxenstored: internal error on " + type + ": " + stackTrace(e));
            reply(c, Message.error(m.reqId(), m.txId(), XsError.EIO));
            return;
        }
        if (reply.payload().length > Wire.PAYLOAD_MAX) {
            reply(c, Message.error(m.reqId(), m.txId(), XsError.E2BIG));
            return;
        }
        reply(c, new Message(m.type(), m.reqId(), m.txId(), reply.payload()));
        if (reply.initialEvent() != null) {
            var w = reply.initialEvent();
            c.deliver(w.eventPath(w.path()), w.token());
        }
    }

    private void reply(Connection c, Message m) {
        if (log.active()) {
            log.reply(c.id(), c.caller().domid(), m);
        }
        c.send(m);
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
