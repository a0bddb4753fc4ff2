package org.jxenstore.cli;

import org.jxenstore.ffi.NativeFunction;
import org.jxenstore.log.DaemonLog;
import sun.misc.Signal;

/**
 * SIGHUP runs an action (the daemon reopens its logs) instead of ending the JVM, whatever the
 * daemon inherited: C xenstored installs its handler unconditionally, but the JVM leaves a signal
 * that was ignored when it started (under nohup, or a supervisor that ignores it) ignored, and
 * never hands it to Java. So the disposition is set back to the default first; a SIGHUP in the
 * instant between the two calls would end the daemon, as it would have before this existed.
 */
final class Hangup {
    private static final int SIGHUP = 1;
    private static final long SIG_DFL = 0;
    private static final long SIG_ERR = -1;

    private Hangup() {
    }

    static void onHangup(Runnable action, DaemonLog log) {
        try {
            if (NativeFunction.libc("signal").call(SIGHUP, SIG_DFL) == SIG_ERR) {
                log.warning("SIGHUP: signal() failed; its disposition stays as inherited");
            }
        } catch (RuntimeException | LinkageError e) {
            log.warning("SIGHUP: its disposition stays as inherited: " + e);
        }
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
