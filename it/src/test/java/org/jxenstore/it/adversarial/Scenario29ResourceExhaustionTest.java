package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.guest.GuestDaemon;
import org.jxenstore.it.wire.RawConnection;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.XsException;

/**
 * Scenario 29 (reference §4.3): resource exhaustion in the daemon itself. Each test starts its own
 * jxenstored ({@code bin/jxenstored --no-fork -D}, socket only, so there are no guests here: the
 * bystander is a second dom0 socket client connected before the attack).
 *
 * <ul>
 *   <li>File descriptors: under {@code ulimit -n 64}, a client opens connections (each must answer
 *       a request within 3 s) until one is not served: the limit was reached. The daemon must keep
 *       serving every connection it has, and once five are closed it must serve new connections
 *       again. Would fail on a daemon that exits or spins on EMFILE from accept(), or that stops
 *       serving established connections (C before the 2013/2014 poll fix broke at FD_SETSIZE).
 *   <li>Heap: with {@code -XX:+ExitOnOutOfMemoryError} (any OutOfMemoryError ends the daemon,
 *       so the heap guard must refuse before one) and a small heap, under Serial GC and under the
 *       launcher's ZGC, dom0 pipelines 4000-byte WRITEs to new nodes until
 *       it gets an error reply (or is cut off). The daemon must refuse with a clear error (ENOMEM
 *       expected) and keep serving; after the offender removes its nodes, memreport's node
 *       counters return to the baseline. While the offender holds the heap the bystander's READ
 *       must be answered correctly and its WRITE answered (OK or ENOMEM, never a hang); once the
 *       offender's nodes are removed, the bystander's WRITE must succeed again within 10 s. Would
 *       fail on any daemon without memory admission control for privileged writers (the JVM hits
 *       OutOfMemoryError and exits), and on one that, once it refused for lack of memory, keeps
 *       refusing after the memory is free again.
 * </ul>
 */
class Scenario29ResourceExhaustionTest {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String DEFAULT_OPTS =
            "-XX:+UseSerialGC -Xms32m -Xmx512m -Xss1m -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError";

    @Test
    void fileDescriptorLimit() throws Exception {
        try (Jxs d = Jxs.start("ulimit -n 64", DEFAULT_OPTS)) {
            try (XsClient c = XsClient.open(d.socket)) {
                c.write("/adv29/other", "0".getBytes(StandardCharsets.US_ASCII));
            }
            Map<String, Long> before = d.memreport();
            RawConnection other = RawConnection.open(d.socket);
            assertEquals("OK", write(other, 1, "/adv29/other", "1"));
            List<RawConnection> offender = new ArrayList<>();
            RawConnection refused = null;
            for (int i = 0; i < 500 && refused == null; i++) {
                RawConnection r;
                try {
                    r = RawConnection.open(d.socket);
                } catch (IOException e) {
                    break;             // refused at connect (backlog full): the limit is reached too
                }
                send(r, MessageType.GET_DOMAIN_PATH, 1, "0\0");  // GET_DOMAIN_PATH 0
                if (r.receive(Duration.ofSeconds(3)) == null) {
                    refused = r;
                } else {
                    offender.add(r);
                }
                assertTrue(d.alive(), () -> "the daemon died at the FD limit\n" + d.log());
            }
            int served = offender.size();
            assertTrue(refused != null || served < 500, "the FD limit was never reached");
            assertTrue(served > 0, "no connection was served at all\n" + d.log());
            // everyone already connected keeps being served
            for (RawConnection r : offender) {
                send(r, MessageType.GET_DOMAIN_PATH, 2, "0\0");
                assertNotNull(r.receive(Duration.ofSeconds(10)), () -> "an established connection is no longer served\n"
                        + d.log());
            }
            assertEquals("OK", write(other, 3, "/adv29/other", "2"), "the bystander at the FD limit");
            assertEquals("2", read(other, 4, "/adv29/other"));
            // after five close, new connections are served again
            for (int i = 0; i < 5; i++) {
                offender.removeLast().close();
            }
            boolean again = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            if (refused != null && refused.receive(Duration.ofSeconds(10)) != null) {
                again = true;
            }
            while (!again && System.nanoTime() < deadline) {
                try (RawConnection r = RawConnection.open(d.socket)) {
                    send(r, MessageType.GET_DOMAIN_PATH, 1, "0\0");
                    again = r.receive(Duration.ofSeconds(3)) != null;
                } catch (IOException e) {
                    // still at the limit: retry until the deadline
                }
            }
            assertTrue(again, () -> "no new connection is served after five closed\n" + d.log());
            if (refused != null) {
                refused.close();
            }
            for (RawConnection r : offender) {
                r.close();
            }
            other.close();
            assertTrue(d.alive(), d::log);
            assertTrue(d.control("check").startsWith("OK"));
            d.awaitCounters(before, "connections", "watches", "transactions", "nodes");
        }
    }

    /** Serial GC with a 32 MiB heap, and the launcher's collector (ZGC) with 64 MiB. */
    @ParameterizedTest(name = "heap limit: {0}")
    @ValueSource(strings = {"-XX:+UseSerialGC -Xms16m -Xmx32m", "-XX:+UseZGC -Xms16m -Xmx64m"})
    void heapLimit(String heapOptions) throws Exception {
        try (Jxs d = Jxs.start("true", heapOptions + " -Xss1m -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError")) {
            try (XsClient c = XsClient.open(d.socket)) {
                c.write("/adv29/other", "0".getBytes(StandardCharsets.US_ASCII));
            }
            Map<String, Long> before = d.memreport();
            RawConnection other = RawConnection.open(d.socket);
            assertEquals("OK", write(other, 1, "/adv29/other", "1"));
            long t0 = System.nanoTime();
            RawConnection off = RawConnection.open(d.socket);
            String value = "v".repeat(4000);
            String error = null;
            int written = 0;
            outer:
            for (int batch = 0; batch < 1000; batch++) {
                for (int i = 0; i < 100; i++) {
                    send(off, MessageType.WRITE, written + i, "/adv29/big/n" + (written + i) + "\0" + value);
                }
                // Every reply of the batch is read, the refusals included: a write still in flight
                // when the offender's nodes are removed below would come back after them.
                for (int i = 0; i < 100; i++) {
                    Message r = off.receive(Duration.ofSeconds(60));
                    if (r == null) {
                        error = d.alive() ? "NO-REPLY/CLOSED" : "DAEMON-DIED";
                        break outer;
                    }
                    if (r.type() == MessageType.ERROR.code()) {
                        error = error == null ? RawConnection.text(r) : error;
                    } else if (error == null) {
                        written++;
                    }
                }
                if (error != null) {
                    break;
                }
            }
            String what = error;
            int count = written;
            assertTrue(d.alive(), () -> "the daemon died after " + count + " writes of 4000 bytes (" + what
                    + ") instead of refusing them\n" + d.log());
            assertNotNull(error, "100000 writes of 4000 bytes were all accepted under " + heapOptions);
            System.out.printf("scenario 29 heap (%s): %d writes of 4000 bytes, then %s, after %d ms%n", heapOptions,
                    count, what, (System.nanoTime() - t0) / 1_000_000);
            // while the offender holds the heap: the bystander reads correctly; a write is served
            // or refused with a clear error (ENOMEM: the heap guard is daemon-wide), never hangs
            assertEquals("1", read(other, 3, "/adv29/other"), "the bystander's READ at heap exhaustion");
            String during = write(other, 4, "/adv29/other", "2");
            System.out.println("scenario 29 heap: the bystander's WRITE while the heap is held: " + during);
            assertTrue(during.equals("OK") || during.equals("ENOMEM"), "the bystander's WRITE: " + during);
            assertTrue(error.equals("ENOMEM") || error.equals("ENOSPC") || error.equals("E2BIG")
                    || error.equals("NO-REPLY/CLOSED"), "the offender's error: " + error);
            try (XsClient c = XsClient.open(d.socket)) {
                c.rm("/adv29/big");
            }
            off.close();
            // the offender is gone: the bystander must be served again (bounded wait for the
            // daemon to notice that memory is back)
            String w = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && !(w = write(other, 5, "/adv29/other", "3")).equals("OK")) {
                Thread.sleep(50);
            }
            assertEquals("OK", w, "the bystander's WRITE once the offender's nodes are gone\n" + d.log());
            assertEquals("3", read(other, 6, "/adv29/other"));
            other.close();
            assertTrue(d.control("check").startsWith("OK"));
            d.awaitCounters(before, "connections", "watches", "transactions", "nodes", "node bytes",
                    "queued output");
        }
    }

    /** A jxenstored started by this test through bin/jxenstored with a shell prefix. */
    private static final class Jxs implements AutoCloseable {
        final Path dir;
        final Path socket;
        final Process process;

        private Jxs(Path dir, Process process) {
            this.dir = dir;
            this.socket = dir.resolve("socket");
            this.process = process;
        }

        static Jxs start(String shellPrefix, String javaOpts) throws Exception {
            // bin/jxenstored rebuilds the jar when a source is newer; Maven cannot run under the
            // descriptor limit, so let it build (if needed) first, without limits
            Process build = new ProcessBuilder(GuestDaemon.repoRoot().resolve("bin/jxenstored").toString(), "--help")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!build.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
                build.destroyForcibly();
                throw new AssertionError("bin/jxenstored --help did not finish (build) within 300 s");
            }
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "jxs29-");
            ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                    shellPrefix + "; exec \"$0\" --no-fork -D", GuestDaemon.repoRoot().resolve("bin/jxenstored").toString());
            pb.environment().put("XENSTORED_RUNDIR", dir.toString());
            pb.environment().remove("XENSTORED_PATH");
            pb.environment().put("JXENSTORED_JAVA_OPTS", javaOpts);
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile());
            Jxs d = new Jxs(dir, pb.start());
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (true) {
                if (!d.process.isAlive()) {
                    String log = d.log();
                    d.close();
                    throw new AssertionError("jxenstored did not start:\n" + log);
                }
                if (Files.exists(d.socket)) {
                    try (XsClient c = XsClient.open(d.socket)) {
                        c.control("check");
                        return d;
                    } catch (RuntimeException | XsException e) {
                        // not listening yet
                    }
                }
                if (System.nanoTime() > deadline) {
                    String log = d.log();
                    d.close();
                    throw new AssertionError("jxenstored did not serve within " + START_TIMEOUT + ":\n" + log);
                }
                Thread.sleep(50);
            }
        }

        boolean alive() {
            return process.isAlive();
        }

        String log() {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("daemon.log"));
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        String control(String... args) throws XsException {
            try (XsClient c = XsClient.open(socket)) {
                return c.control(args);
            }
        }

        Map<String, Long> memreport() throws XsException {
            return AdversarialFixture.parseMemreport(control("memreport"));
        }

        void awaitCounters(Map<String, Long> before, String... names) throws Exception {
            AdversarialFixture.awaitCounters(this::memreport, before, Duration.ofSeconds(10), names);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void send(RawConnection c, MessageType type, int reqId, String payload) throws IOException {
        c.send(type, reqId, payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A WRITE's outcome: "OK", the error name, or NO-REPLY. */
    private static String write(RawConnection c, int reqId, String path, String value) throws IOException {
        send(c, MessageType.WRITE, reqId, path + "\0" + value);
        Message m = c.receive(Duration.ofSeconds(10));
        return m == null ? "NO-REPLY" : RawConnection.text(m);
    }

    /** A READ's value, the error name, or NO-REPLY. */
    private static String read(RawConnection c, int reqId, String path) throws IOException {
        send(c, MessageType.READ, reqId, path + "\0");
        Message m = c.receive(Duration.ofSeconds(10));
        return m == null ? "NO-REPLY" : RawConnection.text(m);
    }
}
