package org.jxenstore.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashSet;
import org.jxenstore.access.Caller;
import org.jxenstore.exec.Session;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;
import org.jxenstore.watch.EventSink;

/**
 * One client, on a socket or a guest ring: its input reassembly, its output queue (replies and watch events in one
 * FIFO, so they reach the client in the order they were produced), and its protocol session.
 * Owned by the event-loop thread.
 */
final class Connection implements EventSink {
    /** Past this much queued output the connection's requests are not read until it drains. */
    static final int OUTPUT_HIGH_WATER = 1 << 20;
    /**
     * Past this much queued output, watch events for it are dropped: a client that never reads
     * can hurt only itself.
     */
    static final int OUTPUT_EVENT_LIMIT = 16 << 20;

    private final int id;
    private final Transport transport;
    private final EventLoop loop;
    private final FrameDecoder decoder = new FrameDecoder();
    private final ByteBuffer input = ByteBuffer.allocate(16 * 1024).flip();
    private final ArrayDeque<Outgoing> output = new ArrayDeque<>();
    private final HashSet<String> queuedEvents = new HashSet<>();
    private final Session session;
    private long outputBytes;
    private boolean closed;

    /** A queued message; {@code eventKey} names a watch event for duplicate suppression. */
    private record Outgoing(ByteBuffer bytes, String eventKey) {
    }

    Connection(int id, Transport transport, Caller caller, EventLoop loop) {
        this.id = id;
        this.transport = transport;
        this.loop = loop;
        this.session = new Session(caller, this);
    }

    int id() {
        return id;
    }

    Session session() {
        return session;
    }

    Transport transport() {
        return transport;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public Caller caller() {
        return session.caller();
    }

    /**
     * Reads what the transport has, unless the client must first drain its output.
     *
     * @return the number of bytes read, or -1 when the peer is gone
     */
    int fill() throws IOException {
        if (backedUp()) {
            return 0;
        }
        input.compact();
        try {
            return transport.read(input);
        } finally {
            input.flip();
        }
    }

    /** Drops partial input and all queued output (a ring reconnection). */
    void resetIo() {
        decoder.reset();
        input.clear().flip();
        output.clear();
        outputBytes = 0;
        queuedEvents.clear();
    }

    /**
     * The next complete request from the bytes already read, or {@code null}.
     *
     * @throws FrameDecoder.OversizedFrameException the client claimed more than 4096 bytes
     */
    Message nextRequest() throws FrameDecoder.OversizedFrameException {
        return input.hasRemaining() ? decoder.next(input) : null;
    }

    /** Whether unprocessed input is buffered (a request may be complete). */
    boolean hasBufferedInput() {
        return input.hasRemaining();
    }

    /** Whether the client must wait for its output to drain before more requests are read. */
    boolean backedUp() {
        return outputBytes > OUTPUT_HIGH_WATER;
    }

    void send(Message m) {
        enqueue(new Outgoing(m.encode(), null));
    }

    /**
     * Queues a WATCH_EVENT. Dropped if it would exceed the payload limit (XSA-324), if an
     * identical event is still queued (XSA-326; special events are never merged), or if the
     * client has let too much output pile up.
     */
    @Override
    public void deliver(String path, String token) {
        byte[] payload = Payload.strings(path, token);
        if (payload.length > Wire.PAYLOAD_MAX || closed) {
            return;
        }
        String dedup = path.startsWith("@") ? null : path + '\0' + token;
        if (outputBytes > OUTPUT_EVENT_LIMIT || (dedup != null && !queuedEvents.add(dedup))) {
            return;
        }
        Message m = new Message(MessageType.WATCH_EVENT, 0, 0, payload);
        loop.logEvent(this, m);
        enqueue(new Outgoing(m.encode(), dedup));
    }

    private void enqueue(Outgoing o) {
        if (output.isEmpty()) {
            loop.markDirty(this);
        }
        output.add(o);
        outputBytes += o.bytes.remaining();
    }

    /**
     * Writes as much queued output as the socket takes; asks for a write-ready callback if some
     * is left.
     */
    void flush() throws IOException {
        while (!output.isEmpty()) {
            int batch = Math.min(output.size(), 64);
            ByteBuffer[] bufs = new ByteBuffer[batch];
            int i = 0;
            for (Outgoing o : output) {
                if (i == batch) {
                    break;
                }
                bufs[i++] = o.bytes;
            }
            long written = transport.write(bufs);
            outputBytes -= written;
            while (!output.isEmpty() && !output.peek().bytes.hasRemaining()) {
                Outgoing done = output.poll();
                if (done.eventKey != null) {
                    queuedEvents.remove(done.eventKey);
                }
            }
            if (written == 0) {
                break;
            }
        }
        updateInterest();
    }

    void updateInterest() {
        if (!closed) {
            transport.interest(!backedUp(), !output.isEmpty());
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        output.clear();
        queuedEvents.clear();
        transport.close();
    }
}
