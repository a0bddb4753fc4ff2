package org.jxenstore.it.wire;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
 * whole messages back, waiting for them with a deadline (never a sleep). It notices when the
 * daemon closes the connection.
 */
public final class RawConnection implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final SocketChannel channel;
    private final Selector selector;
    private final FrameDecoder decoder = new FrameDecoder();
    private final ByteBuffer in = ByteBuffer.allocate(256 * 1024);
    private final ArrayDeque<Message> received = new ArrayDeque<>();
    private boolean eof;

    private RawConnection(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /**
     * Connects without blocking: when the daemon's listen backlog is full (it is not accepting,
     * for instance at its descriptor limit) this fails at once instead of waiting forever.
     */
    public static RawConnection open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.configureBlocking(false);
        try {
            if (!ch.connect(UnixDomainSocketAddress.of(socket)) && !ch.finishConnect()) {
                throw new IOException("connection to " + socket + " still pending");
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new RawConnection(ch);
    }

    /** A header claiming {@code length} payload bytes, with no payload following. */
    public static byte[] header(int type, int reqId, int txId, int length) {
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new Header(type, reqId, txId, length).write(b);
        return b.array();
    }

    public static byte[] encode(Message m) {
        ByteBuffer b = m.encode();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    public static byte[] frame(MessageType type, int reqId, int txId, byte[] payload) {
        return encode(new Message(type, reqId, txId, payload));
    }

    public void send(Message m) throws IOException {
        sendBytes(encode(m));
    }

    public void send(MessageType type, int reqId, byte[] payload) throws IOException {
        send(new Message(type, reqId, 0, payload));
    }

    /**
     * Sends all bytes. While the socket is full, what the daemon sent meanwhile is read and kept
     * for {@link #receive}: a daemon blocked on writing to us would otherwise stop reading.
     */
    public void sendBytes(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("could not send within " + TIMEOUT);
                }
                fill(Duration.ofMillis(5).toNanos());
            }
        }
    }

    /**
     * The next message, or null if none arrived within {@code timeout} or the daemon closed the
     * connection.
     */
    public Message receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Message m = received.poll();
            if (m != null) {
                return m;
            }
            long left = deadline - System.nanoTime();
            if (eof || left <= 0) {
                return null;
            }
            fill(left);
        }
    }

    /** The next message, which must arrive within {@link #TIMEOUT}. */
    public Message receive() throws IOException {
        Message m = receive(TIMEOUT);
        if (m == null) {
            throw new AssertionError(eof ? "daemon closed the connection" : "no message within " + TIMEOUT);
        }
        return m;
    }

    /**
     * The next message that is not a watch event, which must arrive within {@link #TIMEOUT};
     * the events before it are added to {@code events} unless that is null.
     */
    public Message reply(List<Message> events) throws IOException {
        while (true) {
            Message m = receive();
            if (m.type() != MessageType.WATCH_EVENT.code()) {
                return m;
            }
            if (events != null) {
                events.add(m);
            }
        }
    }

    /** Sends a request and returns the next message (callers that expect no events in between). */
    public Message call(MessageType type, int reqId, byte[] payload) throws IOException {
        send(type, reqId, payload);
        return receive();
    }

    /**
     * Whether the daemon closes the connection within {@code timeout}; any message received
     * meanwhile is kept for {@link #receive}.
     */
    public boolean awaitClosed(Duration timeout) throws IOException {
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

    public boolean closedByDaemon() {
        return eof;
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

    /**
     * Reads only {@code n} bytes of whatever the daemon sent, leaving the rest unread. Bytes that
     * {@link #sendBytes} already took in while the socket was full are not among them.
     */
    public int readSomeBytes(int n) throws IOException {
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

    public static List<String> strings(Message m) {
        return Payload.split(m.payload());
    }

    /** A reply's error name (the first string of an ERROR message), "OK" for any other reply. */
    public static String errorName(Message m) {
        if (m.type() != MessageType.ERROR.code()) {
            return "OK";
        }
        List<String> s = strings(m);
        return s.isEmpty() ? "?" : s.getFirst();
    }

    /** A reply's payload as text, without the terminating NUL if there is one. */
    public static String text(Message m) {
        byte[] p = m.payload();
        int end = p.length > 0 && p[p.length - 1] == 0 ? p.length - 1 : p.length;
        return new String(p, 0, end, StandardCharsets.ISO_8859_1);
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
