package org.jxenstore.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Scanner;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A syslog daemon for one test: python3 bound as a datagram socket at {@code /dev/log}, where
 * libc's syslog(3) sends (java.nio binds Unix stream sockets only). It keeps every datagram as it
 * came, {@code "<priority>Mmm dd hh:mm:ss ident[pid]: message"}, where priority is facility * 8 +
 * level ({@code <30>}: daemon, info). If {@code /dev/log} is there already, it belongs to a real
 * syslog daemon or the journal, and the test is skipped rather than take it over.
 *
 * <pre>{@code
 * try (SyslogReceiver syslog = SyslogReceiver.atDevLog()) {
 *     ... start the daemon ...
 *     syslog.awaitLine(l -> l.contains("jxenstored["), Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class SyslogReceiver implements AutoCloseable {
    private static final Path DEV_LOG = Path.of("/dev/log");
    // Each datagram, then a NUL (no syslog message holds one), so that a message of several
    // lines (a stack trace) stays one record. "ready" first, once bound.
    private static final String RECEIVER = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(sys.argv[1])
            os.chmod(sys.argv[1], 0o666)
            out = sys.stdout.buffer
            out.write(b"ready\\0")
            out.flush()
            while True:
                out.write(s.recv(65536) + b"\\0")
                out.flush()
            """;

    private final Process python;
    private final List<String> lines = new ArrayList<>();

    private SyslogReceiver(Process python) {
        this.python = python;
    }

    /** Binds {@code /dev/log}; skips the test if it exists already or {@code /dev} is not writable. */
    static SyslogReceiver atDevLog() throws IOException {
        Assumptions.assumeFalse(Files.exists(DEV_LOG, LinkOption.NOFOLLOW_LINKS),
                DEV_LOG + " exists: a syslog daemon or the journal owns it (or it is stale: remove it),"
                        + " and the test does not take it over");
        Assumptions.assumeTrue(Files.isWritable(DEV_LOG.getParent()),
                "binding " + DEV_LOG + " needs write access to " + DEV_LOG.getParent() + " (root)");
        return bind();
    }

    /** A receiver bound at {@code /dev/log} if nothing is there and {@code /dev} is writable; else none. */
    public static Optional<SyslogReceiver> atDevLogIfFree() throws IOException {
        if (Files.exists(DEV_LOG, LinkOption.NOFOLLOW_LINKS) || !Files.isWritable(DEV_LOG.getParent())) {
            return Optional.empty();
        }
        return Optional.of(bind());
    }

    private static SyslogReceiver bind() throws IOException {
        Process python = new ProcessBuilder("python3", "-c", RECEIVER, DEV_LOG.toString()).start();
        Scanner records = new Scanner(python.getInputStream(), StandardCharsets.UTF_8).useDelimiter("\0");
        if (!(records.hasNext() && records.next().equals("ready"))) {
            python.destroy();
            throw new IOException("python3 could not bind " + DEV_LOG + ": "
                    + new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        }
        SyslogReceiver receiver = new SyslogReceiver(python);
        Thread.ofPlatform().daemon().name("syslog-receiver").start(() -> {
            while (records.hasNext()) {
                receiver.received(records.next());
            }
        });
        return receiver;
    }

    private synchronized void received(String line) {
        lines.add(line);
        notifyAll();
    }

    /** The first line received that matches, waiting for it up to {@code timeout}; fails the test if none comes. */
    public synchronized String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < lines.size(); seen++) {
                if (wanted.test(lines.get(seen))) {
                    return lines.get(seen);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no matching line in syslog within " + timeout + "; received: " + lines);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Stops the receiver and removes {@code /dev/log}, which was its own. */
    @Override
    public void close() throws IOException, InterruptedException {
        python.destroy();
        python.waitFor();
        Files.deleteIfExists(DEV_LOG);
    }
}
