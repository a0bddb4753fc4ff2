package org.jxenstore.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The journal's folder. Snapshot {@code n} ({@code snapshot.n}) is a complete migration stream;
 * journal {@code n} ({@code journal.n}) holds the changes made after it, and its header holds the
 * snapshot's length and CRC-32C, so a damaged snapshot is found before it is used. The state is
 * the newest snapshot whose journal exists, with that journal replayed.
 *
 * <p>A journal is a header, then entries: the length of the entry's records (32 bits), their
 * CRC-32C (32 bits), and the records as a fragment of a migration stream. Everything is
 * little-endian.
 */
final class JournalFiles {
    /** "jxsjrnl1". */
    static final long MAGIC = 0x6a78736a726e6c31L;
    static final int HEADER_LENGTH = 24;
    static final int ENTRY_HEADER_LENGTH = 8;
    private static final Pattern NUMBERED = Pattern.compile("(snapshot|journal)\\.(\\d{1,18})");

    private JournalFiles() {
    }

    static Path snapshot(Path dir, long n) {
        return dir.resolve("snapshot." + n);
    }

    static Path journal(Path dir, long n) {
        return dir.resolve("journal." + n);
    }

    static Path partialSnapshot(Path dir, long n) {
        return dir.resolve("snapshot." + n + ".tmp");
    }

    /** The header of journal {@code n}: what its snapshot must be. */
    static ByteBuffer header(long snapshotLength, int snapshotCrc) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putLong(snapshotLength).putInt(snapshotCrc).putInt(0);
        return b.flip();
    }

    /** The newest {@code n} with both a snapshot and a journal, if any. */
    static OptionalLong newest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return OptionalLong.empty();
        }
        long best = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NUMBERED.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals("journal")) {
                    long n = Long.parseLong(m.group(2));
                    if (n > best && Files.exists(snapshot(dir, n))) {
                        best = n;
                    }
                }
            }
        }
        return best < 0 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    /** Removes every snapshot and journal but those of {@code keep}, and unfinished snapshots. */
    static void removeAllBut(Path dir, long keep) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                Matcher m = NUMBERED.matcher(name);
                boolean kept = m.matches() && Long.parseLong(m.group(2)) == keep;
                if (!kept && (m.matches() || name.matches("snapshot\\.\\d{1,18}\\.tmp"))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
