package org.jxenstore.log;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;

/**
 * The access log, like C xenstored's {@code -T} trace: one line per request, reply and watch
 * event, naming the connection and its domain. Lines go to the trace file and, with {@code -V},
 * to standard error. Owned by the event-loop thread; flushed once per loop pass.
 */
public final class AccessLog implements AutoCloseable {
    private static final int SHOWN_BYTES = 256;

    private Writer file;
    private Path path;
    private final Writer verbose;
    private boolean enabled = true;
    /** Set by SIGHUP's thread; the event-loop thread reopens the file before its next line. */
    private volatile boolean reopenRequested;

    /**
     * @param traceFile the trace file ({@code -T}), or {@code null}
     * @param verbose   {@code -V}: the same lines on standard error
     */
    public AccessLog(Path traceFile, boolean verbose) throws IOException {
        this.verbose = verbose ? new BufferedWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8)) : null;
        if (traceFile != null) {
            openFile(traceFile);
        }
    }

    /** Whether any line would be written: lets the hot path skip formatting. */
    public boolean active() {
        return enabled && (file != null || verbose != null || reopenRequested);
    }

    /**
     * SIGHUP, from any thread: the trace file is opened again by name before the next line, so
     * that logrotate can move it away, as with C xenstored. A file closed after a write error
     * comes back too.
     */
    public void reopen() {
        reopenRequested = true;
    }

    /** CONTROL {@code log on|off}. */
    public void setEnabled(boolean on) {
        enabled = on;
    }

    public boolean enabled() {
        return enabled;
    }

    /** CONTROL {@code logfile}: switch to (or reopen) a trace file. */
    public void openFile(Path p) throws IOException {
        Writer w = Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        closeFile();
        file = w;
        path = p;
    }

    public void request(int conn, int domid, Message m) {
        line("IN ", conn, domid, m);
    }

    public void reply(int conn, int domid, Message m) {
        line("OUT", conn, domid, m);
    }

    /** CONTROL {@code print}: a line of the client's own in the trace, to mark a point in it. */
    public void print(String text) {
        write(Instant.now() + " " + text + "\n");
    }

    private void line(String dir, int conn, int domid, Message m) {
        if (!active()) {
            return;
        }
        MessageType t = m.messageType();
        String type = t == null ? "TYPE_" + Integer.toUnsignedString(m.type()) : t.name();
        write(Instant.now() + " " + dir + " conn=" + conn + " dom=" + domid + " id=" + Integer.toUnsignedString(m.reqId())
                + " tx=" + Integer.toUnsignedString(m.txId()) + " " + type + " (" + printable(m.payload()) + ")\n");
    }

    /** Payload strings separated by blanks, with other bytes escaped, cut after a few hundred. */
    static String printable(byte[] p) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(p.length, SHOWN_BYTES);
        for (int i = 0; i < n; i++) {
            int b = p[i] & 0xff;
            if (b == 0) {
                sb.append(' ');
            } else if (b >= 0x20 && b < 0x7f && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (p.length > n) {
            sb.append("...(").append(p.length).append(" bytes)");
        }
        return sb.toString();
    }

    private void write(String s) {
        if (!enabled) {
            return;
        }
        if (reopenRequested) {
            reopenRequested = false;
            if (path != null) {
                try {
                    openFile(path);
                } catch (IOException e) {
                    closeFile();
                }
            }
        }
        try {
            if (file != null) {
                file.write(s);
            }
            if (verbose != null) {
                verbose.write(s);
            }
        } catch (IOException e) {
            // A full disk must not stop the daemon: stop writing to the broken file instead.
            closeFile();
        }
    }

    public void flush() {
        try {
            if (file != null) {
                file.flush();
            }
            if (verbose != null) {
                verbose.flush();
            }
        } catch (IOException e) {
            closeFile();
        }
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // Closing a broken log file has nothing left to report to.
            }
            file = null;
        }
    }

    @Override
    public void close() {
        flush();
        closeFile();
    }
}
