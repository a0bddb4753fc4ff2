package org.jxenstore.it.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A subprocess started by {@link PeerTools}: its stdout and stderr are drained by background
 * threads (so it never blocks on a full pipe); stdout is also delivered line by line, so a test
 * can wait for a particular line instead of sleeping.
 */
public final class RunningTool implements AutoCloseable {
    private static final String EOF = new String("<EOF>"); // identity-compared marker

    private final List<String> command;
    private final Process process;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread outReader;
    private final Thread errReader;
    private boolean sawEof;

    RunningTool(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        this.outReader = Thread.ofPlatform().daemon().name("out-" + process.pid())
                .start(() -> drain(process.getInputStream(), stdout, lines));
        this.errReader = Thread.ofPlatform().daemon().name("err-" + process.pid())
                .start(() -> drain(process.getErrorStream(), stderr, null));
    }

    private static void drain(InputStream in, StringBuilder sink, BlockingQueue<String> lineQueue) {
        StringBuilder partial = new StringBuilder();
        char[] buf = new char[8192];
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = r.read(buf)) > 0) {
                synchronized (sink) {
                    sink.append(buf, 0, n);
                }
                if (lineQueue != null) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lineQueue.add(partial.toString());
                            partial.setLength(0);
                        } else {
                            partial.append(buf[i]);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process was killed or the stream closed: what was read so far is kept
        } finally {
            if (lineQueue != null) {
                if (!partial.isEmpty()) {
                    lineQueue.add(partial.toString());
                }
                lineQueue.add(EOF);
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    /**
     * The next complete line the process writes to stdout, waiting at most {@code timeout}.
     *
     * @throws AssertionError if none arrives in time or stdout ends first (with all output so far)
     */
    public String nextLine(Duration timeout) throws InterruptedException {
        if (sawEof) {
            throw new AssertionError("stdout already ended" + snapshot());
        }
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no stdout line within " + timeout + snapshot());
        }
        if (line == EOF) {
            sawEof = true;
            throw new AssertionError("stdout ended while waiting for a line" + snapshot());
        }
        return line;
    }

    /** Output and state so far, for assertion messages, while the process may still run. */
    public String snapshot() {
        String out;
        String err;
        synchronized (stdout) {
            out = stdout.toString();
        }
        synchronized (stderr) {
            err = stderr.toString();
        }
        return new ToolResult(command, process.isAlive() ? -1 : process.exitValue(), out, err, false)
                .describe().replaceFirst("\\[exit -1\\]", "[still running]");
    }

    /**
     * Waits for the process to exit by itself; if it is still running after {@code timeout}, kills
     * it (and whatever it started) and reports it as timed out.
     */
    public ToolResult await(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            kill();
        }
        // a grandchild that inherited the pipes may keep them open: do not wait for it forever
        outReader.join(Duration.ofSeconds(5));
        errReader.join(Duration.ofSeconds(5));
        String out;
        String err;
        synchronized (stdout) {
            out = stdout.toString();
        }
        synchronized (stderr) {
            err = stderr.toString();
        }
        return new ToolResult(command, exited ? process.exitValue() : -1, out, err, !exited);
    }

    private void kill() throws InterruptedException {
        // only this process and its own descendants, by handle
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
