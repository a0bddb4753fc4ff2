package org.jxenstore.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.server.Config;
import org.jxenstore.server.Daemon;

/**
 * A jxenstored started in this JVM on a socket in a fresh temporary folder. Tests reach it only
 * through its socket, with real clients.
 */
public final class DaemonFixture implements AutoCloseable {
    private final Path dir;
    private final Daemon daemon;

    private DaemonFixture(Path dir, Daemon daemon) {
        this.dir = dir;
        this.daemon = daemon;
    }

    /** Starts a daemon with C xenstored's defaults and {@code -D}. */
    public static DaemonFixture start() throws IOException {
        Path dir = Files.createTempDirectory("jxs-");
        try {
            return new DaemonFixture(dir, Daemon.start(Config.defaults(dir.resolve("socket")), DaemonLog.standardError()));
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** Starts a daemon with the given configuration (its socket path is used as given). */
    public static DaemonFixture start(Config config) throws IOException {
        return new DaemonFixture(config.socketPath().getParent(), Daemon.start(config, DaemonLog.standardError()));
    }

    public Path socket() {
        return daemon.socketPath();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        daemon.close();
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temporary folder is harmless.
        }
    }
}
