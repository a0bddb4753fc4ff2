package org.jxenstore.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon listens, chosen from the environment as C's {@code xenstore_daemon_path()}
 * chooses it, so that the clients and the daemon agree without being told.
 */
final class SocketLocation {
    /** C's {@code XEN_RUN_STORED}. */
    static final String DEFAULT_RUNDIR = "/var/run/xenstored";

    private SocketLocation() {
    }

    /**
     * {@code $XENSTORED_PATH} if set, else {@code $XENSTORED_RUNDIR/socket}, else
     * {@code /var/run/xenstored/socket}. Unlike C, an empty variable counts as unset: C would try
     * to bind the empty path and fail.
     */
    static Path from(Map<String, String> env) {
        String socket = env.get("XENSTORED_PATH");
        if (socket != null && !socket.isEmpty()) {
            return Path.of(socket).toAbsolutePath();
        }
        String rundir = env.get("XENSTORED_RUNDIR");
        if (rundir == null || rundir.isEmpty()) {
            rundir = DEFAULT_RUNDIR;
        }
        return Path.of(rundir, "socket").toAbsolutePath();
    }
}
