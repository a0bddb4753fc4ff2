package org.jxenstore.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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

    private Hangup() {
    }

    static void onHangup(Runnable action, DaemonLog log) {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle signal = linker.downcallHandle(linker.defaultLookup().find("signal").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment previous = (MemorySegment) signal.invokeExact(SIGHUP, MemorySegment.NULL);
            if (previous.address() == -1) {
                log.warning("SIGHUP: signal() failed; its disposition stays as inherited");
            }
        } catch (Throwable e) {
            log.warning("SIGHUP: its disposition stays as inherited: " + e);
        }
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
