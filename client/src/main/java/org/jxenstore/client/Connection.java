package org.jxenstore.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;

/**
 * One socket to the daemon, shared by many calling threads. Callers write their requests
 * directly (serialised by a lock) and wait for the reply; one reader thread matches replies to
 * waiting callers by {@code req_id} and hands {@code WATCH_EVENT}s to the event queue in the
 * order they arrive, so an event the daemon sends before a reply is queued before that reply's
 * caller wakes up.
 *
 * <p>The table of waiting callers is bounded by the number of threads blocked in
 * {@link #call}, since each call waits for its own reply.
 */
final class Connection {
    private final Path socket;
    private final SocketChannel channel;
    private final WatchEventQueue events;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Thread reader;

    /** Guards {@link #waiting}, {@link #nextReqId} and {@link #failure}. */
    private final Object state = new Object();
    private final Map<Integer, CompletableFuture<Message>> waiting = new HashMap<>();
    private int nextReqId = 1;
    /** Why the connection is unusable, or null while it works. Set once. */
    private XsConnectionException failure;

    Connection(Path socket, SocketChannel channel, WatchEventQueue events) {
        this.socket = socket;
        this.channel = channel;
        this.events = events;
        this.reader = Thread.ofPlatform().daemon().name("xenstore-reader " + socket).unstarted(this::readLoop);
        reader.start();
    }

    /**
     * Sends a request and waits for the reply with the same {@code req_id}.
     *
     * @return the reply exactly as received, including {@code ERROR} replies
     * @throws XsConnectionException if the connection fails before the reply arrives, or the
     *                               calling thread is interrupted
     */
    Message call(int type, int txId, byte[] payload) {
        // A thread with its interrupt flag set would close the whole channel on write
        // (SocketChannel is an InterruptibleChannel); refuse before touching it.
        if (Thread.currentThread().isInterrupted()) {
            throw new XsConnectionException("interrupted before sending " + describe(type));
        }
        CompletableFuture<Message> reply = new CompletableFuture<>();
        int reqId;
        synchronized (state) {
            if (failure != null) {
                throw failed();
            }
            reqId = allocateReqId();
            // Registered before writing: the reply can arrive before write() returns.
            waiting.put(reqId, reply);
        }
        send(new Message(type, reqId, txId, payload));
        try {
            return reply.get();
        } catch (ExecutionException e) {
            throw new XsConnectionException(e.getCause().getMessage() + " (waiting for the reply to "
                    + describe(type) + ")", e.getCause());
        } catch (InterruptedException e) {
            synchronized (state) {
                waiting.remove(reqId);
            }
            Thread.currentThread().interrupt();
            throw new XsConnectionException("interrupted while waiting for the reply to " + describe(type)
                    + "; the request may have taken effect");
        }
    }

    /**
     * Marks the connection failed with {@code cause}, closes the socket, fails every waiting
     * call and stops the reader thread. Only the first cause counts.
     */
    private void shutdown(XsConnectionException cause) {
        List<CompletableFuture<Message>> abandoned;
        synchronized (state) {
            if (failure != null) {
                return;
            }
            failure = cause;
            abandoned = new ArrayList<>(waiting.values());
            waiting.clear();
        }
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        abandoned.forEach(f -> f.completeExceptionally(cause));
        events.close(cause);
    }

    /** Shuts down because the owner closed the client, and waits for the reader to stop. */
    void close() {
        shutdown(new XsConnectionException("client for " + socket + " is closed"));
        boolean interrupted = false;
        while (true) {
            try {
                // The channel is closed, so the reader's blocked read returns at once.
                reader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether requests can still be sent. */
    boolean isOpen() {
        synchronized (state) {
            return failure == null;
        }
    }

    /**
     * A fresh exception for the calling thread, so its stack trace shows the caller; the
     * recorded failure is its cause. Call with {@link #state} held, after the failure is set.
     */
    private XsConnectionException failed() {
        return new XsConnectionException(failure.getMessage(), failure);
    }

    private int allocateReqId() {
        int id;
        do {
            // 0 is what the daemon puts on watch events, so it never names a request.
            id = nextReqId++;
        } while (id == 0 || waiting.containsKey(id));
        return id;
    }

    private void send(Message request) {
        ByteBuffer bytes = request.encode();
        writeLock.lock();
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (ClosedByInterruptException e) {
            shutdown(new XsConnectionException("connection to " + socket + " closed: a thread was interrupted"
                    + " while sending " + describe(request.type()), e));
            throw new XsConnectionException("interrupted while sending " + describe(request.type()), e);
        } catch (IOException e) {
            shutdown(new XsConnectionException("cannot write to " + socket + ": " + e.getMessage(), e));
            synchronized (state) {
                throw failed();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void readLoop() {
        FrameDecoder decoder = new FrameDecoder();
        ByteBuffer in = ByteBuffer.allocate(Wire.HEADER_SIZE + Wire.PAYLOAD_MAX);
        try {
            while (true) {
                if (channel.read(in) < 0) {
                    shutdown(new XsConnectionException("xenstored at " + socket + " closed the connection"));
                    return;
                }
                in.flip();
                Message m;
                while ((m = decoder.next(in)) != null) {
                    dispatch(m);
                }
                in.compact();
            }
        } catch (FrameDecoder.OversizedFrameException e) {
            shutdown(new XsConnectionException("xenstored at " + socket + " broke the protocol: " + e.getMessage(), e));
        } catch (XsConnectionException e) {
            shutdown(e);
        } catch (RuntimeException e) {
            // A bug here must not leave callers waiting forever for replies nobody will route.
            shutdown(new XsConnectionException("reader for " + socket + " failed: " + e, e));
            throw e;
        } catch (IOException e) {
            // After close() this is the expected AsynchronousCloseException; shutdown then
            // keeps the "client is closed" cause.
            shutdown(new XsConnectionException("cannot read from " + socket + ": " + e, e));
        }
    }

    private void dispatch(Message m) {
        if (m.type() == MessageType.WATCH_EVENT.code()) {
            List<String> parts = Payload.split(m.payload());
            if (parts.size() < 2) {
                throw new XsConnectionException("xenstored at " + socket
                        + " broke the protocol: WATCH_EVENT payload is not path|token|");
            }
            events.add(new WatchEvent(parts.get(0), parts.get(1)));
            return;
        }
        CompletableFuture<Message> caller;
        synchronized (state) {
            caller = waiting.remove(m.reqId());
        }
        // No caller means it gave up after an interrupt; its reply is of no use to anyone.
        if (caller != null) {
            caller.complete(m);
        }
    }

    private static String describe(int type) {
        MessageType known = MessageType.fromCode(type);
        return known != null ? known.name() : "message type " + Integer.toUnsignedString(type);
    }
}
