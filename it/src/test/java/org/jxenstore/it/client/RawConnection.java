package org.jxenstore.it.client;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Header;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;

/**
 * A bare socket connection to the daemon that sends exactly the bytes a test asks for and reads
 * whole messages back, waiting for them with a deadline (never a sleep).
 */
final class RawConnection implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SocketChannel channel;
    private final Selector selector;
    private final FrameDecoder decoder = new FrameDecoder();
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ArrayDeque<Message> received = new ArrayDeque<>();
    private boolean eof;

    private RawConnection(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    static RawConnection open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new RawConnection(ch);
    }

    /** A header claiming {@code length} payload bytes, with no payload following. */
    static byte[] header(int type, int reqId, int txId, int length) {
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new Header(type, reqId, txId, length).write(b);
        return b.array();
    }

    static byte[] encode(Message m) {
        ByteBuffer b = m.encode();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    void send(Message m) throws IOException {
        sendBytes(encode(m));
    }

    void send(MessageType type, int reqId, byte[] payload) throws IOException {
        send(new Message(type, reqId, 0, payload));
    }

    void sendBytes(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                // The socket buffer is full: wait until it drains (the daemon reads).
                try (Selector w = Selector.open()) {
                    channel.register(w, SelectionKey.OP_WRITE);
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("could not send within " + TIMEOUT);
                    }
                    w.select(Math.max(1, left / 1_000_000));
                }
            }
        }
    }

    /**
     * The next message, or null if none arrived within {@code timeout} or the daemon closed the
     * connection.
     */
    Message receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Message m = received.poll();
            if (m != null) {
                return m;
            }
            if (eof) {
                return null;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            fill(left);
        }
    }

    /** The next message, which must arrive within {@link #TIMEOUT}. */
    Message receive() throws IOException {
        Message m = receive(TIMEOUT);
        if (m == null) {
            throw new AssertionError(eof ? "daemon closed the connection" : "no message within " + TIMEOUT);
        }
        return m;
    }

    /** Sends a request and returns the next message (callers that expect no events in between). */
    Message call(MessageType type, int reqId, byte[] payload) throws IOException {
        send(type, reqId, payload);
        return receive();
    }

    /**
     * Whether the daemon closes the connection within {@code timeout}; any message received
     * meanwhile is kept for {@link #receive}.
     */
    boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            fill(left);
        }
        return true;
    }

    /** Reads what is available (waiting up to {@code nanos}) and decodes complete messages. */
    private void fill(long nanos) throws IOException {
        selector.select(Math.max(1, nanos / 1_000_000));
        selector.selectedKeys().clear();
        int n;
        try {
            n = channel.read(in);
        } catch (IOException e) {
            // Connection reset by the daemon counts as closed.
            eof = true;
            return;
        }
        if (n < 0) {
            eof = true;
        }
        in.flip();
        try {
            Message m;
            while ((m = decoder.next(in)) != null) {
                received.add(m);
            }
        } catch (FrameDecoder.OversizedFrameException e) {
            throw new AssertionError("daemon sent an oversized message: " + e.getMessage());
        } finally {
            in.compact();
        }
    }

    /** Reads only {@code n} bytes of whatever the daemon sent, leaving the rest unread. */
    int readSomeBytes(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            if (channel.read(b) < 0) {
                break;
            }
        }
        return b.position();
    }

    static List<String> strings(Message m) {
        return Payload.split(m.payload());
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
