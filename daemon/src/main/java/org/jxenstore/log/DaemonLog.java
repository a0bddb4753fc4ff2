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
 * detaches the daemon. Safe to call from any thread.
 */
public final class DaemonLog {
    private final PrintStream out;

    public DaemonLog(PrintStream out) {
        this.out = out;
    }

    /** The daemon's own log, on its standard error. */
    public static DaemonLog standardError() {
        return new DaemonLog(System.err);
    }

    public void info(String message) {
        line("info", message);
    }

    public void warning(String message) {
        line("warning", message);
    }

    /** Something failed that should not have: the message, then the stack trace. */
    public void error(String message, Throwable cause) {
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        line("error", message + ": " + trace.toString().stripTrailing());
    }

    private void line(String level, String message) {
        out.println(Instant.now() + " jxenstored " + level + ": " + message);
    }
}
