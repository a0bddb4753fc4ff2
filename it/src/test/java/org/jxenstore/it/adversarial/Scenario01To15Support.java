package org.jxenstore.it.adversarial;

import org.jxenstore.it.guest.Steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.jxenstore.client.WatchEvent;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.peers.ToolResult;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.Header;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * What adversarial scenarios 1–15 share (not a test itself): one daemon under the shim per class
 * ({@link AdversarialFixture}), a bystander guest introduced before any baseline is taken, the
 * common end-of-scenario checks and a raw socket.
 *
 * <p>The pattern of every test: {@link #baseline()} (dom0 and the bystander are served with this
 * class's tag, so the nodes they write already exist; then a stable {@code memreport}), the
 * attack, {@link #assertServed()} while the offender is still there, the offender is
 * disconnected or destroyed ({@link #destroy(int...)} waits for the release), then
 * {@link #assertBackToBaseline(Map)} (exact equality of the counters an offender can grow,
 * waited for with a deadline) and {@link AdversarialFixture#assertHealthy()} (CONTROL check).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Scenario01To15Support {
    /** The memreport counters an offender can grow; all must return to their baseline. */
    static final String[] COUNTERS = {
        "nodes", "node bytes", "connections", "watches", "transactions", "domains", "queued output",
    };
    static final Duration DEADLINE = Duration.ofSeconds(15);

    protected AdversarialFixture fx;

    /** The bystander guest's domid (introduced for the whole class). */
    protected abstract int bystander();

    /** Extra jxenstored options for this class. */
    protected String[] daemonArgs() {
        return new String[0];
    }

    /** The tag of this class's served-checks (same nodes each time, so no growth). */
    protected String tag() {
        return "s" + getClass().getSimpleName().substring("Scenario".length(), "Scenario".length() + 2);
    }

    @BeforeAll
    void startDaemon() throws Exception {
        fx = AdversarialFixture.start(daemonArgs());
        try (XsClient c = fx.dom0()) {
            c.mkdir("/local/domain");
            c.mkdir("/guest-it");
        }
        ToolResult r = fx.daemon().xsguest(bystander(), "--introduce", "fresh", "write", "bystander", "1");
        assertTrue(r.ok(), () -> "bystander guest " + bystander() + r.describe() + "\n" + fx.daemon().logTail());
    }

    @AfterEach
    void daemonStillRuns() {
        assertTrue(fx.daemon().alive(), () -> "the daemon died; daemon.log:\n" + fx.daemon().logTail());
    }

    @AfterAll
    void stopDaemon() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** dom0 and the bystander are served (write + read back), always with this class's tag. */
    protected void assertServed() throws Exception {
        fx.assertServed(tag(), bystander());
    }

    /** Serves dom0 and the bystander once, then a memreport that two consecutive reports agree on. */
    protected Map<String, Long> baseline() throws Exception {
        assertServed();
        Map<String, Long> last = fx.memreport();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Long> next = fx.memreport();
            if (same(last, next)) {
                return next;
            }
            last = next;
        }
        throw new AssertionError("memreport does not settle: " + last);
    }

    /**
     * Waits (bounded) until the counters equal the baseline, then asserts it: exact equality for
     * nodes, node bytes, connections, watches, transactions, domains and queued output.
     */
    protected void assertBackToBaseline(Map<String, Long> before) throws Exception {
        Map<String, Long> now = fx.memreport();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!same(before, now) && System.nanoTime() < deadline) {
            now = fx.memreport();
        }
        AdversarialFixture.assertCounters(before, now, COUNTERS);
    }

    /** The full ending: served, back to baseline, CONTROL check OK. */
    protected void assertRecovered(Map<String, Long> before) throws Exception {
        assertServed();
        assertBackToBaseline(before);
        fx.assertHealthy();
    }

    private static boolean same(Map<String, Long> a, Map<String, Long> b) {
        for (String c : COUNTERS) {
            if (!java.util.Objects.equals(a.get(c), b.get(c))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The fake hypervisor destroys these domains ({@code xsguest destroy}); returns once the
     * daemon no longer lists any of them as introduced. Waits on {@code @releaseDomain} events
     * (bounded), not on time.
     */
    protected void destroy(int... domids) throws Exception {
        try (XsClient c = fx.dom0()) {
            c.watch("@releaseDomain", "adv-rel");
            c.nextEvent(DEADLINE); // the initial event
            for (int d : domids) {
                ToolResult r = fx.daemon().xsguest(d, "destroy");
                assertTrue(r.ok(), () -> "destroy " + d + r.describe());
            }
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                boolean any = false;
                for (int d : domids) {
                    any |= c.isDomainIntroduced(d);
                }
                if (!any) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("domains " + java.util.Arrays.toString(domids) + " still introduced after destroy\n"
                            + fx.daemon().logTail());
                }
                c.nextEvent(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
            }
        }
    }

    /** Removes dom0 test nodes (ENOENT is fine). */
    protected void rmQuietly(String... paths) throws Exception {
        try (XsClient c = fx.dom0()) {
            for (String p : paths) {
                try {
                    c.rm(p);
                } catch (XsException e) {
                    if (e.error() != XsError.ENOENT) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Runs a scenario script and requires it to complete. */
    protected Steps script(String script, String scenario, String... args) throws Exception {
        return fx.script(script, scenario, args).assertCompleted();
    }

    /** Waits for the next watch event with {@code token} on {@code c}, skipping others; null on timeout. */
    static WatchEvent eventWithToken(XsClient c, String token, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            WatchEvent e = c.nextEvent(Duration.ofNanos(left));
            if (e != null && e.token().equals(token)) {
                return e;
            }
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The error name of a call, "OK" if it succeeds. */
    static String outcome(XsCall call) {
        try {
            call.run();
            return "OK";
        } catch (XsException e) {
            return e.error().name();
        }
    }

    @FunctionalInterface
    interface XsCall {
        void run() throws XsException;
    }

    /**
     * A bare Unix socket to the daemon: sends exactly the given bytes, reads whole messages
     * with a deadline, and notices when the daemon closes it.
     */
    static final class RawSocket implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private final FrameDecoder decoder = new FrameDecoder();
        private final ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        private final ArrayDeque<Message> received = new ArrayDeque<>();
        private boolean eof;

        RawSocket(Path socket) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        static byte[] header(int type, int reqId, int txId, int length) {
            ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            new Header(type, reqId, txId, length).write(b);
            return b.array();
        }

        static byte[] message(MessageType type, int reqId, int txId, byte[] payload) {
            ByteBuffer b = new Message(type, reqId, txId, payload).encode();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        /** Sends all bytes; while the socket is full, reads what the daemon sent meanwhile. */
        void send(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("could not send within " + DEADLINE);
                    }
                    fill(Duration.ofMillis(5).toNanos());
                }
            }
        }

        /** The next message, or null on timeout or when the daemon closed the connection. */
        Message receive(Duration timeout) throws IOException {
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

        /** The next message that is not a watch event (events are counted in {@code events}). */
        Message reply(List<Message> events) throws IOException {
            while (true) {
                Message m = receive(DEADLINE);
                if (m == null) {
                    throw new AssertionError(eof ? "daemon closed the connection" : "no reply within " + DEADLINE);
                }
                if (m.type() == MessageType.WATCH_EVENT.code()) {
                    if (events != null) {
                        events.add(m);
                    }
                    continue;
                }
                return m;
            }
        }

        /** Whether the daemon closes the connection within the timeout (messages are kept). */
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

        boolean closedByDaemon() {
            return eof;
        }

        private void fill(long nanos) throws IOException {
            selector.select(Math.max(1, nanos / 1_000_000));
            selector.selectedKeys().clear();
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
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

        static String errorName(Message m) {
            if (m.type() != MessageType.ERROR.code()) {
                return "OK";
            }
            List<String> s = Payload.split(m.payload());
            return s.isEmpty() ? "?" : s.getFirst();
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

    static void assertOk(String what, String actual) {
        assertEquals("OK", actual, what);
    }
}
