package org.jxenstore.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.jxenstore.log.DaemonLog;

/**
 * A detached daemon's standard output and error: the launcher points them at its log file
 * ({@code $JXENSTORED_LOG}) and names the file in {@code $JXENSTORED_OUTPUT}. On SIGHUP (what
 * logrotate's {@code postrotate} sends after moving the file away) they are pointed at the file
 * by that name again, so the daemon log goes on in a new file instead of the moved one.
 */
final class DetachedOutput {
    static final String VARIABLE = "JXENSTORED_OUTPUT";
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int O_CLOEXEC = 02000000;

    private DetachedOutput() {
    }

    /** Reopens standard output and error on {@code file}, if one is given; says so if it fails. */
    static void reopen(String file, DaemonLog log) {
        if (file == null || file.isEmpty()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MemorySegment path = arena.allocateFrom(file);
            int fd = (int) open.invokeExact(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd < 0) {
                log.warning("SIGHUP: cannot reopen " + file + "; the daemon log goes on where it was");
                return;
            }
            System.out.flush();
            System.err.flush();
            int out = (int) dup2.invokeExact(fd, 1);
            int err = (int) dup2.invokeExact(fd, 2);
            int closed = (int) close.invokeExact(fd);
            if (out < 0 || err < 0 || closed < 0) {
                log.warning("SIGHUP: reopening " + file + " failed part way");
            }
        } catch (Throwable e) {
            log.warning("SIGHUP: cannot reopen " + file + ": " + e);
        }
    }
}
