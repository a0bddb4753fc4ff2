package org.jxenstore.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The run directory's lock. A daemon holds it for its whole life, so a second start for the same
 * directory (Debian's init script starts xenstored again on every package upgrade) finds it held
 * and changes nothing: not the socket, not the pid file. The kernel drops the lock with the
 * process, so a daemon that died leaves nothing that blocks the next start; one that stops
 * removes the file. The file holds the holder's pid, for the message of a second start.
 * ({@code bin/jxenstored} also holds an advisory {@code flock} on the same file, through a
 * descriptor the daemon inherits, so that a second start stops before a second JVM.)
 */
final class RunLock implements AutoCloseable {
    static final String NAME = "jxenstored.lock";

    private final Path path;
    private final FileChannel channel;

    private RunLock(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Takes the lock of {@code dir} and writes this process's pid in it; {@code null} if another process holds it. */
    static RunLock tryClaim(Path dir) throws IOException {
        Path path = dir.resolve(NAME);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            boolean held;
            try {
                held = channel.tryLock() == null;
            } catch (OverlappingFileLockException e) {
                held = true; // by this very process, which runs a daemon already
            }
            if (held) {
                channel.close();
                return null;
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new RunLock(path, channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The pid the holder of {@code dir}'s lock wrote, or {@code ?} if it cannot be read. */
    static String holder(Path dir) {
        try {
            String pid = Files.readString(dir.resolve(NAME), StandardCharsets.US_ASCII).strip();
            return pid.matches("[0-9]{1,10}") ? pid : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    /** Removes the file, then releases the lock, as with the pid file: a stopped daemon leaves nothing. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(path);
        } finally {
            channel.close();
        }
    }
}
