package org.jxenstore.cli;

import java.lang.foreign.Arena;
import org.jxenstore.ffi.NativeFunction;
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
            int fd = (int) NativeFunction.libc("open").call(arena.allocateFrom(file).address(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd < 0) {
                log.warning("SIGHUP: cannot reopen " + file + "; the daemon log goes on where it was");
                return;
            }
            System.out.flush();
            System.err.flush();
            NativeFunction dup2 = NativeFunction.libc("dup2");
            int out = (int) dup2.call(fd, 1);
            int err = (int) dup2.call(fd, 2);
            int closed = (int) NativeFunction.libc("close").call(fd);
            if (out < 0 || err < 0 || closed < 0) {
                log.warning("SIGHUP: reopening " + file + " failed part way");
            }
        } catch (RuntimeException | LinkageError e) {
            log.warning("SIGHUP: cannot reopen " + file + ": " + e);
        }
    }
}
