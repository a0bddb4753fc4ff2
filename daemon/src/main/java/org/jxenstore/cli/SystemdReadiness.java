package org.jxenstore.cli;

import java.io.IOException;
import java.util.Map;

/**
 * Tells systemd that the daemon serves, for a {@code Type=notify} unit (as Xen's own
 * xenstored.service is). systemd-notify sends the datagram from its own pid, so the unit needs
 * {@code NotifyAccess=all}, as Xen's unit has; {@code --pid} names the daemon as the main process.
 */
final class SystemdReadiness {
    private SystemdReadiness() {
    }

    static void announce(Map<String, String> env, long pid) {
        if (env.get("NOTIFY_SOCKET") == null) {
            return;
        }
        ProcessBuilder notify = new ProcessBuilder("systemd-notify", "--ready", "--pid=" + pid)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            notify.start().waitFor();
        } catch (IOException e) {
            // systemd always ships systemd-notify: NOTIFY_SOCKET without it was not set by systemd.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
