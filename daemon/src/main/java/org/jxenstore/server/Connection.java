package org.jxenstore.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import org.jxenstore.access.Caller;
import org.jxenstore.quota.Quota;
import org.jxenstore.quota.QuotaTable;
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
    /**
     * What a queued message costs beyond its bytes (buffer, queue entry, duplicate-suppression
     * key): counted against the memory quota, so that the quota bounds the heap a flood of small
     * events really takes, not only their wire size.
     */
    static final int MESSAGE_OVERHEAD = 192;
    /** What a socket client's reads fill at a time. */
    private static final int INPUT_BUFFER = 16 * 1024;

    private final int id;
    private final Transport transport;
    private final ConnectionContext context;
    private final FrameDecoder decoder = new FrameDecoder();
    /**
     * A socket client's bytes read and not yet executed. A guest's requests are taken from its
     * ring ({@link #nextRingRequest}), never through here, so a ring's is empty: this buffer was
     * most of what an idle guest cost (16 of about 22 KiB).
     */
    private ByteBuffer input;
    private final QuotaTable quotas;
    private final ArrayDeque<Outgoing> output = new ArrayDeque<>();
    private final HashSet<String> queuedEvents = new HashSet<>();
    /**
     * Watch events in {@link #output}, special ones included: the timeout's walk of the queue is
     * for them alone, and a guest's replies are queued on every request it makes.
     */
    private int eventsQueued;
    private final Session session;
    private long outputBytes;
    private int outstanding;
    private boolean closed;

    /**
     * A queued message: a reply, or a watch event with its key for duplicate suppression and
     * the time it was queued, for the watch-event timeout.
     */
    private record Outgoing(ByteBuffer bytes, boolean reply, String eventKey, long queuedAt, Ticket ticket) {
    }

    Connection(int id, Transport transport, Caller caller, ConnectionContext context) {
        this.id = id;
        this.transport = transport;
        this.context = context;
        this.quotas = context.quotas();
        this.input = ByteBuffer.allocate(transport instanceof RingTransport ? 0 : INPUT_BUFFER).flip();
        this.session = context.sessions().open(caller, this,
                transport instanceof RingTransport r ? r.domid() : Session.NOT_A_RING);
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

    /** Connections are numbered in the order they are opened. */
    @Override
    public long connectionOrder() {
        return id;
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

    /**
     * The input received and not yet executed, as it came: the part of a message the decoder
     * holds, then what is buffered after it. Live update hands it to the new process.
     */
    byte[] pendingInput() {
        byte[] partial = decoder.partial();
        byte[] out = Arrays.copyOf(partial, partial.length + input.remaining());
        input.duplicate().get(out, partial.length, input.remaining());
        return out;
    }

    /** The output not yet written, as one run of octets (live update). */
    byte[] pendingOutput() {
        byte[] out = new byte[Math.toIntExact(outputBytes)];
        int at = 0;
        for (Outgoing o : output) {
            int n = o.bytes.remaining();
            o.bytes.duplicate().get(out, at, n);
            at += n;
        }
        return out;
    }

    /** How much of the start of {@link #pendingOutput()} is the rest of a message partly written. */
    int partialReplyLength() {
        Outgoing head = output.peek();
        return head != null && head.bytes.position() > 0 ? head.bytes.remaining() : 0;
    }

    /**
     * Takes over the input and output the previous process had for this connection (live
     * update): the input is read again as if it had just arrived, the output goes out first.
     */
    void restore(byte[] pendingInput, byte[] pendingOutput) {
        if (transport instanceof RingTransport) {
            // A ring is read message by message: only part of one can be pending.
            try {
                if (decoder.next(ByteBuffer.wrap(pendingInput)) != null) {
                    throw new IllegalArgumentException("a whole message pending on a ring");
                }
            } catch (FrameDecoder.OversizedFrameException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        } else {
            if (pendingInput.length > input.capacity()) {
                input = ByteBuffer.allocate(pendingInput.length).flip();
            }
            input.clear();
            input.put(pendingInput).flip();
            if (input.hasRemaining()) {
                context.agenda().turnAgain(this);
            }
        }
        if (pendingOutput.length > 0) {
            enqueue(new Outgoing(ByteBuffer.wrap(pendingOutput), true, null, 0, null));
        }
    }

    /** Drops partial input and all queued output (a ring reconnection). */
    void resetIo() {
        decoder.reset();
        input.clear().flip();
        discardOutput();
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

    /**
     * Whether another request may be read. An unprivileged domain's request stays outstanding
     * until its reply is entirely in the ring and the events it caused are delivered
     * ({@link Ticket}); at the {@code outstanding} quota its ring is not read (XSA-416, XSA-326).
     */
    boolean mayReadRequest() {
        return !backedUp() && !quotas.exceeded(caller(), Quota.OUTSTANDING, outstanding + 1L);
    }

    void ticketOpened() {
        outstanding++;
    }

    void ticketClosed() {
        outstanding--;
        // The ring may hold requests we stopped reading at the quota: look again now, rather
        // than at the guest's next notification or the safety scan.
        if (transport instanceof RingTransport) {
            context.agenda().turnAgain(this);
        }
    }

    /**
     * Reads the next request from a ring, taking no byte beyond its end: what a guest has not
     * yet had read stays in its ring.
     *
     * @param scratch at least {@link Wire#PAYLOAD_MAX} bytes, for the bytes on their way from
     *                the ring to the decoder; the reading thread's, shared by all its rings
     */
    Message nextRingRequest(ByteBuffer scratch) throws IOException, FrameDecoder.OversizedFrameException {
        while (true) {
            scratch.clear().limit(decoder.bytesNeeded());
            if (transport.read(scratch) <= 0) {
                return null;
            }
            Message m = decoder.next(scratch.flip());
            if (m != null) {
                return m;
            }
        }
    }

    @Override
    public long queuedBytes() {
        return outputBytes + (long) MESSAGE_OVERHEAD * output.size();
    }

    /** Queues a reply; {@code ticket} (may be null) is the request's. */
    void send(Message m, Ticket ticket) {
        enqueue(new Outgoing(m.encode(), true, null, 0, ticket));
    }

    /**
     * Queues a WATCH_EVENT. Dropped if it would exceed the payload limit (XSA-324), if an
     * identical event is still queued (XSA-326; special events are never merged), or if the
     * client has let too much output pile up.
     */
    @Override
    public void deliver(String path, String token) {
        // Checked before anything is built: a flood aimed at a client that does not read must
        // cost as little as possible.
        if (closed || queuedBytes() > eventLimit() || path.length() + token.length() + 2 > Wire.PAYLOAD_MAX) {
            return;
        }
        String dedup = path.startsWith("@") ? null : path + '\0' + token;
        if (dedup != null && !queuedEvents.add(dedup)) {
            return;
        }
        byte[] payload = Payload.strings(path, token);
        Message m = new Message(MessageType.WATCH_EVENT, 0, 0, payload);
        context.trace().reply(id, caller().domid(), m);
        Ticket cause = context.tickets().current();
        if (cause != null) {
            cause.caused();
        }
        enqueue(new Outgoing(m.encode(), false, dedup, System.nanoTime(), cause));
    }

    /**
     * How much queued output a client may have before its watch events are dropped: for an
     * unprivileged domain its {@code memory} quota (XSA-326: events count against the receiver).
     */
    private long eventLimit() {
        Caller c = caller();
        if (c.privileged()) {
            return OUTPUT_EVENT_LIMIT;
        }
        int memory = quotas.limit(Quota.MEMORY, c.domid());
        return memory > 0 ? memory : OUTPUT_EVENT_LIMIT;
    }

    private void enqueue(Outgoing o) {
        if (output.isEmpty()) {
            context.agenda().outputQueued(this);
        }
        output.add(o);
        outputBytes += o.bytes.remaining();
        if (!o.reply) {
            eventsQueued++;
        }
    }

    /**
     * Writes as much queued output as the socket takes; asks for a write-ready callback if some
     * is left.
     */
    void flush() throws IOException {
        expireEvents();
        if (!output.isEmpty()) {
            context.beforeOutput().run();
        }
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
                forget(done);
            }
            if (written == 0) {
                break;
            }
        }
        updateInterest();
    }

    private void forget(Outgoing o) {
        if (!o.reply) {
            eventsQueued--;
        }
        if (o.eventKey != null) {
            queuedEvents.remove(o.eventKey);
        }
        if (o.ticket != null) {
            o.ticket.release();
        }
    }

    /** Drops every queued message, releasing what they held. */
    private void discardOutput() {
        for (Outgoing o : output) {
            forget(o);
        }
        output.clear();
        outputBytes = 0;
    }

    /**
     * Drops watch events an unprivileged domain has left unread for longer than the
     * {@code watch-event} timeout (C's flood control); a message already partly sent stays.
     * Events are queued in time order, so the walk ends at the first one still in time.
     */
    private void expireEvents() {
        long eventTimeoutNanos = context.eventTimeoutNanos();
        if (eventTimeoutNanos <= 0 || caller().privileged() || eventsQueued == 0) {
            return;
        }
        long now = System.nanoTime();
        var it = output.iterator();
        boolean first = true;
        while (it.hasNext()) {
            Outgoing o = it.next();
            boolean started = first && o.bytes.position() > 0;
            first = false;
            if (o.reply || started) {
                continue;
            }
            if (now - o.queuedAt <= eventTimeoutNanos) {
                return;
            }
            it.remove();
            outputBytes -= o.bytes.remaining();
            forget(o);
        }
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
        discardOutput();
        transport.close();
    }
}
