package org.jxenstore.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jxenstore.log.DaemonLog;

/**
 * The pid file of {@code -F}. The daemon holds a POSIX lock on it for as long as it runs, so a
 * second daemon given the same file does not start (and, as C xenstored means to, exits 0) instead
 * of taking the socket away from the first one. (C 4.17 closes the file after writing it, which
 * drops its lock.)
 */
final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final DaemonLog log;

    private PidFile(Path path, FileChannel channel, DaemonLog log) {
        this.path = path;
        this.channel = channel;
        this.log = log;
    }

    /**
     * Opens and locks the file; it stays empty until {@link #write}.
     *
     * @param log told if the file cannot be removed at the end
     * @return {@code null} if another daemon holds it (C xenstored then exits 0, its daemon
     *         already running)
     */
    static PidFile claim(Path path, DaemonLog log) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                channel.close();
                return null;
            }
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new PidFile(path, channel, log);
    }

    void write(long pid) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    }

    /**
     * Removes the file, then releases the lock (in that order, so that a daemon that claims it
     * next never loses its own file).
     */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
            channel.close();
        } catch (IOException e) {
            log.warning("cannot remove " + path + ": " + e.getMessage());
        }
    }
}
