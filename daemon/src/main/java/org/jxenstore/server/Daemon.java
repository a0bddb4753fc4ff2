package org.jxenstore.server;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The running daemon: the composition root that wires store, watches, transactions, domains and
 * the socket transport together, and owns the event-loop thread.
 */
public final class Daemon implements AutoCloseable {
    private final Config config;

    private Daemon(Config config) {
        this.config = config;
    }

    /**
     * Binds the socket and starts serving on a thread of its own.
     *
     * @throws IOException with a one-line reason if the socket cannot be bound
     */
    public static Daemon start(Config config) throws IOException {
        throw new IOException("not implemented yet");
    }

    public Path socketPath() {
        return config.socketPath();
    }

    /** Blocks until the daemon has stopped (after {@link #close()} or a fatal error). */
    public void awaitTermination() throws InterruptedException {
    }

    /** Stops serving, closes every connection and removes the socket file. */
    @Override
    public void close() {
    }
}
