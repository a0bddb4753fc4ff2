package org.jxenstore.journal;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.migration.MigrationRecord.JournalPosition;
import org.jxenstore.migration.MigrationWriter;

/**
 * Makes every change durable before anything that acknowledges it leaves the daemon: the event
 * loop calls {@link #sync()} before it writes to any client, which appends everything changed
 * since the last call as one entry. In the run directory (a tmpfs on a Xen host) that survives a
 * crash of the process without an fsync, and a reboot starts clean.
 *
 * <p>Entries are copied into a shared mapping of the journal file ({@link #WINDOW} octets at a
 * time), not written with write(2): the page cache holds them the moment they are copied, as it
 * would after a write, and a pass that changed something costs no system call for its entry
 * (it was a third of a write request's system calls). Past the last entry the mapped file is
 * zeros, which recovery reads as the end. An entry's length goes in first and its checksum last,
 * so one the process did not finish fails its checksum, with only zeros after it; a zero length
 * with anything but zeros after it is damage. Closing the journal cuts the zeros off.
 *
 * <p>The journal is bounded: once it is larger than {@link #MIN_COMPACTION_BYTES} and twice the
 * snapshot it follows, a new snapshot of the whole state is written and a new journal begins, so
 * the folder holds at most about three times the state plus 16 MiB (and the mapped window's
 * zeros, up to {@link #WINDOW}).
 */
public final class Journal implements AutoCloseable {
    /** A journal is never compacted below this size, so a small state is not rewritten often. */
    static final long MIN_COMPACTION_BYTES = 16L << 20;
    /** How much of the journal file is mapped at a time (more if one entry needs it). */
    static final long WINDOW = 1L << 20;
    /** Zeros to grow the journal file with before a window of it is mapped. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path dir;
    private final DaemonState state;
    private final DaemonLog log;
    private final StateRecorder recorder;
    private final long minCompactionBytes;
    private final long windowBytes;
    private final EntryBuffer entry = new EntryBuffer();
    private final CRC32C entryCrc = new CRC32C();
    private final MigrationWriter entryWriter;
    private FileChannel channel;
    /** The mapped part of the journal file, from {@link #windowStart}; unmapped with its arena. */
    private Arena windowArena;
    private MemorySegment window;
    private long windowStart;
    private long number;
    /** Read by the metrics' thread. */
    private volatile long size;
    private long snapshotSize;
    private boolean started;
    private boolean broken;

    public Journal(Path dir, DaemonState state, DaemonLog log) {
        this(dir, state, log, MIN_COMPACTION_BYTES, WINDOW);
    }

    /**
     * @param minCompactionBytes the size below which the journal is never compacted
     * @param windowBytes        how much of the file is mapped at a time
     */
    Journal(Path dir, DaemonState state, DaemonLog log, long minCompactionBytes, long windowBytes) {
        this.minCompactionBytes = minCompactionBytes;
        this.windowBytes = windowBytes;
        this.dir = dir;
        this.state = state;
        this.log = log;
        this.recorder = new StateRecorder(state);
        try {
            this.entryWriter = MigrationWriter.fragment(entry);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
    }

    /**
     * From now on records every change. If {@code resume} says where the journal the state came
     * from ends (recovery read it up to there, or a live update's previous binary wrote it up to
     * there), the journal goes on from that point; otherwise a snapshot of the state as it is now
     * is written first and a new journal follows it. Older files are removed.
     */
    public void start(JournalPosition resume) throws IOException {
        Files.createDirectories(dir);
        try {
            if (resume == null || !resumeAt(resume)) {
                compactTo(JournalFiles.newest(dir).orElse(0) + 1);
            }
        } catch (IOException e) {
            // A full run directory, say: serve anyway, as when a later entry cannot be written.
            broken = true;
            log.error("the journal in " + dir + " cannot be started: changes are not kept across a restart", e);
        }
        state.store().listen(recorder);
        state.domains().listen(recorder::domainChanged);
        state.quotas().listen(recorder);
        state.sessions().listen(recorder::domainChanged);
        started = true;
    }

    /**
     * Appends what changed since the last call, as one entry. If the journal cannot be written
     * (its disk is full, say), the daemon goes on serving without it and says so once.
     */
    public void sync() {
        if (!started || broken || !recorder.pending()) {
            return;
        }
        try {
            entry.reset();
            recorder.drainTo(entryWriter);
            byte[] body = entry.bytes();
            int bodyLength = entry.size();
            entryCrc.reset();
            entryCrc.update(body, 0, bodyLength);
            int length = JournalFiles.ENTRY_HEADER_LENGTH + bodyLength;
            if (size + length > windowStart + window.byteSize()) {
                map(size, Math.max(windowBytes, length));
            }
            long at = size - windowStart;
            window.set(INT, at, bodyLength);
            VarHandle.storeStoreFence();
            MemorySegment.copy(body, 0, window, ValueLayout.JAVA_BYTE, at + JournalFiles.ENTRY_HEADER_LENGTH,
                    bodyLength);
            VarHandle.storeStoreFence();
            window.set(INT, at + 4, (int) entryCrc.getValue());
            size += length;
            if (size > Math.max(minCompactionBytes, 2 * snapshotSize)) {
                compactTo(number + 1);
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: how the JVM may report a fault in the mapping (the file shrank under
            // it); the zeros written before mapping make that unlikely, and the report may also
            // come later, where the event loop logs it.
            broken = true;
            log.error("the journal in " + dir + " cannot be written: changes are no longer kept across a"
                    + " restart", e);
        }
    }

    /** The current journal's size in octets. */
    public long size() {
        return size;
    }

    /** Where the journal ends, if everything so far is in it; else empty (it could not be written). */
    public Optional<JournalPosition> position() {
        sync();
        return broken || channel == null ? Optional.empty() : Optional.of(new JournalPosition(number, size));
    }

    /** Appends to the journal at {@code p} from its end, if it is there and at least that long. */
    private boolean resumeAt(JournalPosition p) throws IOException {
        Path file = JournalFiles.journal(dir, p.number());
        Path snapshot = JournalFiles.snapshot(dir, p.number());
        if (!Files.isRegularFile(file) || !Files.isRegularFile(snapshot) || Files.size(file) < p.length()
                || p.length() < JournalFiles.HEADER_LENGTH) {
            return false;
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        // What is past the end is the mapping's zeros, or an entry the previous process did not finish.
        ch.truncate(p.length());
        channel = ch;
        number = p.number();
        size = p.length();
        try {
            map(size, windowBytes);
        } catch (IOException e) {
            closeFile();
            throw e;
        }
        snapshotSize = Files.size(snapshot);
        JournalFiles.removeAllBut(dir, number);
        return true;
    }

    /** Snapshot {@code n} of the state as it is now, then journal {@code n} after it. */
    private void compactTo(long n) throws IOException {
        Path partial = JournalFiles.partialSnapshot(dir, n);
        CRC32C crc = new CRC32C();
        try (OutputStream out = new CheckedOutputStream(new BufferedOutputStream(Files.newOutputStream(partial),
                1 << 16), crc)) {
            StateImage.write(state, new MigrationWriter(out));
        }
        long length = Files.size(partial);
        FileChannel next = FileChannel.open(JournalFiles.journal(dir, n), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            writeFully(next, JournalFiles.header(length, (int) crc.getValue()));
            Files.move(partial, JournalFiles.snapshot(dir, n), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            next.close();
            throw e;
        }
        closeFile();
        channel = next;
        number = n;
        size = JournalFiles.HEADER_LENGTH;
        snapshotSize = length;
        map(size, windowBytes);
        JournalFiles.removeAllBut(dir, n);
    }

    /**
     * Maps {@code length} octets of the journal file from {@code start}. The file is first grown
     * to cover them by writing zeros: a full file system then fails this write, where a mapping
     * past the file's end would fail later, with SIGBUS, in the copy of an entry.
     */
    private void map(long start, long length) throws IOException {
        unmap();
        ByteBuffer zeros = ZEROS.duplicate();
        for (long at = channel.size(); at < start + length; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), start + length - at));
            at += channel.write(zeros, at);
        }
        Arena arena = Arena.ofShared();
        try {
            window = channel.map(FileChannel.MapMode.READ_WRITE, start, length, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        windowArena = arena;
        windowStart = start;
    }

    private void unmap() {
        if (windowArena != null) {
            windowArena.close();
            windowArena = null;
            window = null;
        }
    }

    /** Unmaps the journal file, cuts the mapping's zeros off its end and closes it. */
    private void closeFile() throws IOException {
        unmap();
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            try (ch) {
                ch.truncate(size);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer... buffers) throws IOException {
        long left = 0;
        for (ByteBuffer b : buffers) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= ch.write(buffers);
        }
    }

    /** Writes what is still unwritten and closes the journal; the files stay for the next start. */
    @Override
    public void close() {
        sync();
        started = false;
        try {
            closeFile();
        } catch (IOException e) {
            // Everything is in the file already; only the zeros past it may stay, which recovery skips.
            log.warning("closing the journal in " + dir + ": " + e.getMessage());
        }
    }

    /** An entry as it is written, copied into the mapping from here rather than into a new array. */
    private static final class EntryBuffer extends ByteArrayOutputStream {
        byte[] bytes() {
            return buf;
        }
    }
}
