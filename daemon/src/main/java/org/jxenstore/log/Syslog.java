package org.jxenstore.log;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

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

    private final MethodHandle syslog;
    private final MemorySegment format;

    private Syslog(MethodHandle syslog, MemorySegment format) {
        this.syslog = syslog;
        this.format = format;
    }

    /** Opens the daemon's connection to syslog; throws if libc's openlog or syslog cannot be called. */
    public static Syslog open() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle openlog = linker.downcallHandle(linker.defaultLookup().find("openlog").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle syslog = linker.downcallHandle(linker.defaultLookup().find("syslog").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                    Linker.Option.firstVariadicArg(2));
            // openlog keeps the pointer, not a copy: the ident lives as long as the process.
            MemorySegment ident = Arena.global().allocateFrom("jxenstored");
            openlog.invokeExact(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
            return new Syslog(syslog, Arena.global().allocateFrom("%s"));
        } catch (Throwable e) {
            throw new IllegalStateException("cannot call libc's openlog and syslog: " + e, e);
        }
    }

    /** Sends {@code message} as it is: through "%s", so that a '%' in it is no conversion. */
    @Override
    public void send(int priority, String message) {
        try (Arena arena = Arena.ofConfined()) {
            syslog.invokeExact(priority, format, arena.allocateFrom(message));
        } catch (Throwable e) {
            // Nowhere left to say so: the line is on standard error already.
        }
    }
}
