package org.jxenstore.log;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jxenstore.ffi.NativeFunction;

/**
 * The daemon log's lines sent to syslog through libc's openlog(3) and syslog(3), as C xenstored
 * sends its own: as "jxenstored", facility daemon. The journal (or rsyslog) listens at
 * {@code /dev/log}; with nobody there, libc drops the line, which is on standard error anyway.
 */
public final class Syslog implements DaemonLog.Sink {
    // LOG_PID puts the pid in the classic "jxenstored[pid]:" form of a syslog file. LOG_NDELAY
    // connects now rather than at the first line: a daemon at its descriptor limit (a flood of
    // clients) could not connect later, when it has that very thing to log.
    private static final int LOG_PID = 0x01;
    private static final int LOG_NDELAY = 0x08;
    private static final int LOG_DAEMON = 3 << 3;

    private final NativeFunction syslog;
    private final MemorySegment format;

    private Syslog(NativeFunction syslog, MemorySegment format) {
        this.syslog = syslog;
        this.format = format;
    }

    /** Opens the daemon's connection to syslog; throws if libc's openlog or syslog cannot be called. */
    public static Syslog open() {
        try {
            NativeFunction openlog = NativeFunction.libc("openlog");
            NativeFunction syslog = NativeFunction.libc("syslog");
            // openlog keeps the pointer, not a copy: the ident lives as long as the process.
            MemorySegment ident = Arena.global().allocateFrom("jxenstored");
            openlog.call(ident.address(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
            return new Syslog(syslog, Arena.global().allocateFrom("%s"));
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("cannot call libc's openlog and syslog: " + e, e);
        }
    }

    /** Sends {@code message} as it is: through "%s", so that a '%' in it is no conversion. */
    @Override
    public void send(int priority, String message) {
        try (Arena arena = Arena.ofConfined()) {
            syslog.call(priority, format.address(), arena.allocateFrom(message).address());
        } catch (RuntimeException | LinkageError e) {
            // Nowhere left to say so: the line is on standard error already.
        }
    }
}
