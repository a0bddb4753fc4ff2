package org.jxenstore.it.client;

import org.jxenstore.it.wire.RawConnection;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jxenstore.client.WatchEvent;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.DaemonFixture;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire protocol as raw bytes on the daemon's Unix socket. */
class WireBehaviourTest {
    private static final Duration TIMEOUT = RawConnection.TIMEOUT;

    private DaemonFixture daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonFixture.start();
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private RawConnection connect() throws IOException {
        return RawConnection.open(daemon.socket());
    }

    private static void assertOk(Message reply, MessageType type, int reqId) {
        assertEquals(type.code(), reply.type(), () -> "reply " + describe(reply));
        assertEquals(reqId, reply.reqId());
        assertArrayEquals(Payload.OK, reply.payload(), () -> "reply " + describe(reply));
    }

    private static void assertError(Message reply, String error, int reqId) {
        assertEquals(MessageType.ERROR.code(), reply.type(), () -> "reply " + describe(reply));
        assertEquals(reqId, reply.reqId());
        assertArrayEquals(Payload.strings(error), reply.payload(), () -> "reply " + describe(reply));
    }

    private static void assertEvent(Message m, String path, String token) {
        assertEquals(MessageType.WATCH_EVENT.code(), m.type(), () -> "message " + describe(m));
        assertEquals(0, m.reqId());
        assertEquals(List.of(path, token), RawConnection.strings(m));
    }

    private static String describe(Message m) {
        MessageType t = m.messageType();
        return (t == null ? "type " + m.type() : t.name()) + " id=" + m.reqId() + " "
                + new String(m.payload(), StandardCharsets.ISO_8859_1).replace('\0', '|');
    }

    /** A READ round trip on {@code c} is answered: the connection is still served. */
    private static void assertServed(RawConnection c, int reqId) throws IOException {
        Message reply = c.call(MessageType.READ, reqId, Payload.strings("/tool/xenstored"));
        assertEquals(MessageType.READ.code(), reply.type(), () -> describe(reply));
        assertEquals(reqId, reply.reqId());
    }

    @ParameterizedTest(name = "len {0}")
    @ValueSource(longs = {4097L, 65535L, 0x7fffffffL, 0xffffffffL})
    void oversizedLengthClosesThatConnectionOnly(long length) throws Exception {
        try (RawConnection other = connect(); RawConnection hostile = connect()) {
            assertServed(other, 1);
            hostile.sendBytes(RawConnection.header(MessageType.WRITE.code(), 7, 0, (int) length));
            assertTrue(hostile.awaitClosed(TIMEOUT), "the daemon closes the hostile connection");
            assertServed(other, 2);
        }
    }

    @Test
    void payloadOfExactly4096BytesIsAccepted() throws Exception {
        try (RawConnection c = connect()) {
            String path = "/big";
            byte[] value = new byte[Wire.PAYLOAD_MAX - path.length() - 1];
            Arrays.fill(value, (byte) 'v');
            assertOk(c.call(MessageType.WRITE, 3, Payload.stringThenBytes(path, value)), MessageType.WRITE, 3);
            Message read = c.call(MessageType.READ, 4, Payload.strings(path));
            assertArrayEquals(value, read.payload());
        }
    }

    @Test
    void requestDeliveredOneByteAtATimeIsAnswered() throws Exception {
        try (RawConnection slow = connect(); RawConnection other = connect()) {
            byte[] request = RawConnection.encode(new Message(MessageType.WRITE, 42, 0,
                    Payload.stringThenBytes("/slow/node", "value".getBytes(StandardCharsets.US_ASCII))));
            for (int i = 0; i < request.length; i++) {
                slow.sendBytes(new byte[] {request[i]});
                // A round trip elsewhere gives the daemon a chance to read each byte on its own.
                assertServed(other, 1000 + i);
            }
            assertOk(slow.receive(), MessageType.WRITE, 42);
            Message read = slow.call(MessageType.READ, 43, Payload.strings("/slow/node"));
            assertArrayEquals("value".getBytes(StandardCharsets.US_ASCII), read.payload());
        }
    }

    @Test
    void pipelinedRequestsInOneWriteAreAnsweredInOrderWithTheirReqIds() throws Exception {
        try (RawConnection c = connect()) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.writeBytes(RawConnection.encode(new Message(MessageType.WRITE, 101, 0,
                    Payload.stringThenBytes("/pipe/a", "one".getBytes(StandardCharsets.US_ASCII)))));
            burst.writeBytes(RawConnection.encode(new Message(MessageType.READ, 0x7fff0102, 0,
                    Payload.strings("/pipe/a"))));
            burst.writeBytes(RawConnection.encode(new Message(MessageType.DIRECTORY, -3, 0,
                    Payload.strings("/pipe"))));
            c.sendBytes(burst.toByteArray());

            assertOk(c.receive(), MessageType.WRITE, 101);
            Message read = c.receive();
            assertEquals(MessageType.READ.code(), read.type());
            assertEquals(0x7fff0102, read.reqId());
            assertArrayEquals("one".getBytes(StandardCharsets.US_ASCII), read.payload());
            Message dir = c.receive();
            assertEquals(MessageType.DIRECTORY.code(), dir.type());
            assertEquals(-3, dir.reqId());
            assertEquals(List.of("a"), RawConnection.strings(dir));
        }
    }

    @Test
    void manyPipelinedRequestsInOneBurstAreAllAnsweredInOrder() throws Exception {
        try (RawConnection c = connect()) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 200; i++) {
                burst.writeBytes(RawConnection.encode(new Message(MessageType.WRITE, 2 * i, 0,
                        Payload.stringThenBytes("/burst/n" + i, Integer.toString(i).getBytes(StandardCharsets.US_ASCII)))));
                burst.writeBytes(RawConnection.encode(new Message(MessageType.READ, 2 * i + 1, 0,
                        Payload.strings("/burst/n" + i))));
            }
            c.sendBytes(burst.toByteArray());
            for (int i = 0; i < 200; i++) {
                assertOk(c.receive(), MessageType.WRITE, 2 * i);
                Message read = c.receive();
                assertEquals(2 * i + 1, read.reqId());
                assertArrayEquals(Integer.toString(i).getBytes(StandardCharsets.US_ASCII), read.payload());
            }
        }
    }

    @Test
    void watchWithATxIdIsNotTransactional() throws Exception {
        try (RawConnection c = connect()) {
            // tx_id 999 names no transaction: WATCH ignores it, as C does.
            c.send(new Message(MessageType.WATCH, 1, 999, Payload.strings("/txw", "tok")));
            Message ok = c.receive();
            assertOk(ok, MessageType.WATCH, 1);
            assertEquals(999, ok.txId(), "tx_id is echoed");
            assertEvent(c.receive(), "/txw", "tok");
            c.send(new Message(MessageType.UNWATCH, 2, 999, Payload.strings("/txw", "tok")));
            assertOk(c.receive(), MessageType.UNWATCH, 2);
        }
    }

    @Test
    void ownWriteDeliversTheWatchEventBeforeTheOkReply() throws Exception {
        try (RawConnection c = connect()) {
            c.send(MessageType.WATCH, 1, Payload.strings("/own", "tok"));
            assertOk(c.receive(), MessageType.WATCH, 1);
            assertEvent(c.receive(), "/own", "tok");

            c.send(MessageType.WRITE, 2, Payload.stringThenBytes("/own/x", new byte[] {'1'}));
            assertEvent(c.receive(), "/own/x", "tok");
            assertOk(c.receive(), MessageType.WRITE, 2);
        }
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {27, 0xFFFF, 15, 16, 20, 1000, -1})
    void unknownOrServerOnlyTypeGetsEnosysAndTheConnectionStillWorks(int type) throws Exception {
        try (RawConnection c = connect()) {
            c.send(new Message(type, 77, 0, Payload.strings("/")));
            assertError(c.receive(), "ENOSYS", 77);
            assertServed(c, 78);
        }
    }

    @Test
    void watchEventLargerThanPayloadMaxIsDroppedButTheWatchStaysActive() throws Exception {
        String path = "/o";
        // WATCH payload "/o|token|" is exactly 4096 bytes, so the initial event (same bytes) fits.
        String token = "t".repeat(Wire.PAYLOAD_MAX - path.length() - 2);
        try (XsClient xs = XsClient.open(daemon.socket())) {
            xs.watch(path, token);
            assertEquals(new WatchEvent(path, token), xs.nextEvent(TIMEOUT));

            // "/o/long|token|" would be 4101 bytes: dropped (XSA-324).
            xs.write("/o/long", "x");
            // "/o|token|" fits again and must be the very next event.
            xs.write("/o", "y");
            WatchEvent next = xs.nextEvent(TIMEOUT);
            assertEquals(path, next.path(), "the oversized event was dropped, the next one that fits arrives");
            assertEquals(token, next.token());
            assertTrue(xs.isOpen());
            assertTrue(xs.control("check").startsWith("OK"));
        }
    }

    @Test
    void clientClosingMidMessageDoesNotDisturbOthers() throws Exception {
        try (RawConnection other = connect()) {
            assertServed(other, 1);
            try (RawConnection quitter = connect()) {
                byte[] request = RawConnection.encode(new Message(MessageType.WRITE, 5, 0,
                        Payload.stringThenBytes("/half/node", new byte[100])));
                quitter.sendBytes(Arrays.copyOf(request, 16 + 20));
            }
            try (RawConnection headerOnly = connect()) {
                headerOnly.sendBytes(Arrays.copyOf(RawConnection.header(MessageType.READ.code(), 1, 0, 10), 9));
            }
            assertServed(other, 2);
            Message read = other.call(MessageType.READ, 3, Payload.strings("/half/node"));
            assertError(read, "ENOENT", 3);
        }
        try (XsClient xs = XsClient.open(daemon.socket())) {
            assertTrue(xs.control("check").startsWith("OK"));
        }
    }

    @Test
    void clientClosingWithHalfReadRepliesDoesNotDisturbOthers() throws Exception {
        byte[] value = new byte[4000];
        Arrays.fill(value, (byte) 'z');
        try (RawConnection other = connect()) {
            assertOk(other.call(MessageType.WRITE, 1, Payload.stringThenBytes("/fat", value)), MessageType.WRITE, 1);
            try (RawConnection reader = connect()) {
                // 300 replies of 4 KiB are more than a socket buffer holds: the daemon is left
                // writing when the client goes away.
                ByteArrayOutputStream burst = new ByteArrayOutputStream();
                for (int i = 0; i < 300; i++) {
                    burst.writeBytes(RawConnection.encode(new Message(MessageType.READ, i, 0, Payload.strings("/fat"))));
                }
                reader.sendBytes(burst.toByteArray());
                assertEquals(100, reader.readSomeBytes(100));
            }
            assertServed(other, 2);
            Message read = other.call(MessageType.READ, 3, Payload.strings("/fat"));
            assertArrayEquals(value, read.payload());
        }
        try (XsClient xs = XsClient.open(daemon.socket())) {
            assertTrue(xs.control("check").startsWith("OK"));
        }
    }

    private static final Pattern MEMREPORT_LINE = Pattern.compile("(?m)^(\\w+(?: \\w+)?)\\s*:\\s*(\\d+)\\s*$");

    private static long field(String report, String name) {
        Matcher m = MEMREPORT_LINE.matcher(report);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no \"" + name + "\" in memreport:\n" + report);
    }

    @Test
    void connectionChurnWithWatchesAndTransactionsLeavesNothingBehind() throws Exception {
        try (XsClient xs = XsClient.open(daemon.socket())) {
            String before = xs.control("memreport");
            long baselineWatches = field(before, "watches");
            long baselineTransactions = field(before, "transactions");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(RawConnection.encode(new Message(MessageType.WATCH, 1, 0, Payload.strings("/churn", "tok"))));
            out.writeBytes(RawConnection.encode(new Message(MessageType.TRANSACTION_START, 2, 0, Payload.strings(""))));
            byte[] burst = out.toByteArray();
            ByteBuffer reply = ByteBuffer.allocate(4096);
            for (int i = 0; i < 2000; i++) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
                    ch.write(ByteBuffer.wrap(burst));
                    // WATCH OK, the initial event, the transaction id: 3 messages, so the watch
                    // and the transaction exist before the client leaves.
                    reply.clear();
                    int messages = 0;
                    while (messages < 3) {
                        if (ch.read(reply) < 0) {
                            throw new AssertionError("daemon closed churn connection " + i);
                        }
                        messages = countMessages(reply);
                    }
                }
            }

            // Closed connections are reaped as the daemon notices them: ask until it has.
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String after = xs.control("memreport");
            while ((field(after, "connections") > 2 || field(after, "watches") != baselineWatches
                    || field(after, "transactions") != baselineTransactions) && System.nanoTime() < deadline) {
                after = xs.control("memreport");
            }
            long connections = field(after, "connections");
            assertTrue(connections == 1 || connections == 2, after);
            assertEquals(baselineWatches, field(after, "watches"), after);
            assertEquals(baselineTransactions, field(after, "transactions"), after);
            String check = xs.control("check");
            assertTrue(check.startsWith("OK"), check);
        }
    }

    /** How many complete messages {@code buf} (written up to its position) holds. */
    private static int countMessages(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate().flip().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int count = 0;
        while (b.remaining() >= Wire.HEADER_SIZE) {
            int len = b.getInt(b.position() + 12);
            if (b.remaining() < Wire.HEADER_SIZE + len) {
                break;
            }
            b.position(b.position() + Wire.HEADER_SIZE + len);
            count++;
        }
        return count;
    }

    @Test
    void replyToUnknownTypeEchoesTxId() throws Exception {
        try (RawConnection c = connect()) {
            c.send(new Message(27, 9, 1234, Payload.strings("/")));
            Message reply = c.receive();
            assertError(reply, "ENOSYS", 9);
            assertEquals(1234, reply.txId());
        }
    }

    @Test
    void eventsAndRepliesOfTwoConnectionsDoNotMix() throws Exception {
        try (RawConnection watcher = connect(); RawConnection writer = connect()) {
            watcher.send(MessageType.WATCH, 1, Payload.strings("/mix", "w"));
            assertOk(watcher.receive(), MessageType.WATCH, 1);
            assertEvent(watcher.receive(), "/mix", "w");
            assertOk(writer.call(MessageType.WRITE, 2, Payload.stringThenBytes("/mix/a", new byte[0])),
                    MessageType.WRITE, 2);
            assertEvent(watcher.receive(), "/mix/a", "w");
            // Nothing else is pending for either: a fresh round trip is the next message.
            assertServed(writer, 3);
            assertServed(watcher, 4);
        }
    }
}
