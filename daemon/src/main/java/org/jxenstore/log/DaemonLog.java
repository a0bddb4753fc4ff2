package org.jxenstore.log;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/**
 * The operator's log: start and stop, domains introduced and gone, clients cut off, quota and
 * heap-guard refusals, internal errors. Unlike the access trace ({@link AccessLog}) it always
 * exists and never depends on {@code -T} or {@code -V}. It goes to standard error: the terminal
 * in the foreground, the journal under systemd, and {@code $JXENSTORED_LOG} when the launcher
 * detaches the daemon. A detached daemon sends each line to syslog too ({@link Syslog}), as C
 * xenstored does once it forks: nothing else takes its standard error to the journal. Safe to
 * call from any thread.
 */
public final class DaemonLog {
    // syslog(3)'s priorities for the three levels.
    static final int LOG_ERR = 3;
    static final int LOG_WARNING = 4;
    static final int LOG_INFO = 6;

    /** A second destination for each line, by syslog(3) priority. */
    @FunctionalInterface
    public interface Sink {
        void send(int priority, String message);
    }

    private final PrintStream out;
    private final Sink alsoTo;

    public DaemonLog(PrintStream out) {
        this(out, (priority, message) -> { });
    }

    /** Writes each line to {@code out}, and sends it to {@code alsoTo} without the time and level. */
    public DaemonLog(PrintStream out, Sink alsoTo) {
        this.out = out;
        this.alsoTo = alsoTo;
    }

    /** The daemon's own log, on its standard error. */
    public static DaemonLog standardError() {
        return new DaemonLog(System.err);
    }

    public void info(String message) {
        line("info", LOG_INFO, message);
    }

    public void warning(String message) {
        line("warning", LOG_WARNING, message);
    }

    /** Something failed that should not have: the message, then the stack trace. */
    public void error(String message, Throwable cause) {
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        line("error", LOG_ERR, message + ": " + trace.toString().stripTrailing());
    }

    private void line(String level, int priority, String message) {
        out.println(Instant.now() + " jxenstored " + level + ": " + message);
        alsoTo.send(priority, message);
    }
}
