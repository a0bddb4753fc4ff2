package org.jxenstore.cli;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jxenstore.protocol.Header;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;

/**
 * The requests that bin/jxenstored's training start of the daemon serves before it stops, so that
 * the AOT cache holds the classes of the request path, not only of the start: without them the
 * first requests after a start (a live update's first ones) load and link them. Run as its own
 * JVM against the training daemon's socket:
 * {@code java -cp jxenstored.jar org.jxenstore.cli.AotTrainingWorkload SOCKET}.
 */
public final class AotTrainingWorkload {
    private static final int ROUNDS = 300;

    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(Wire.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private int reqId;

    private AotTrainingWorkload(SocketChannel channel) {
        this.channel = channel;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: AotTrainingWorkload SOCKET");
            System.exit(2);
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0])))) {
            new AotTrainingWorkload(channel).run();
        }
    }

    /** The common requests of a toolstack and a guest's drivers, each answered before the next. */
    private void run() throws IOException {
        call(MessageType.WATCH, 0, Payload.strings("/training", "t"));
        for (int i = 0; i < ROUNDS; i++) {
            String node = "/training/" + (i % 16);
            call(MessageType.WRITE, 0, Payload.stringThenBytes(node, ("value " + i).getBytes(StandardCharsets.US_ASCII)));
            call(MessageType.READ, 0, Payload.strings(node));
            call(MessageType.DIRECTORY, 0, Payload.strings("/training"));
            call(MessageType.GET_PERMS, 0, Payload.strings(node));
            call(MessageType.SET_PERMS, 0, Payload.strings(node, "n0", "r1"));
            int tx = Integer.parseInt(text(call(MessageType.TRANSACTION_START, 0, Payload.strings(""))));
            call(MessageType.READ, tx, Payload.strings(node));
            call(MessageType.WRITE, tx, Payload.stringThenBytes(node + "/in-tx", new byte[] {'1'}));
            call(MessageType.TRANSACTION_END, tx, Payload.strings("T"));
            call(MessageType.MKDIR, 0, Payload.strings(node + "/dir"));
            call(MessageType.GET_DOMAIN_PATH, 0, Payload.strings("0"));
            call(MessageType.RM, 0, Payload.strings(node + "/dir"));
        }
        call(MessageType.UNWATCH, 0, Payload.strings("/training", "t"));
        call(MessageType.RM, 0, Payload.strings("/training"));
    }

    /**
     * Sends one request and returns its reply's payload, passing over the watch events before it;
     * an error reply means the workload no longer matches the daemon.
     */
    private byte[] call(MessageType type, int txId, byte[] payload) throws IOException {
        ByteBuffer out = new Message(type, ++reqId, txId, payload).encode();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        while (true) {
            header.clear();
            fill(header);
            Header h = Header.read(header.flip());
            if (h.length() < 0 || h.length() > Wire.PAYLOAD_MAX) {
                throw new IOException("a reply of " + h.unsignedLength() + " octets");
            }
            ByteBuffer body = ByteBuffer.allocate(h.length());
            fill(body);
            if (h.type() == MessageType.ERROR.code()) {
                throw new IOException(type + " was answered " + text(body.array()));
            }
            if (h.type() != MessageType.WATCH_EVENT.code()) {
                return body.array();
            }
        }
    }

    private void fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException("the daemon closed the connection");
            }
        }
    }

    private static String text(byte[] payload) {
        int end = payload.length > 0 && payload[payload.length - 1] == 0 ? payload.length - 1 : payload.length;
        return new String(payload, 0, end, StandardCharsets.US_ASCII);
    }
}
