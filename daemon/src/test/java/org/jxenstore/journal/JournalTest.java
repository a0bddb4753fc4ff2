package org.jxenstore.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jxenstore.domain.DomainTransport;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.migration.MigrationRecord.WatchData;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.migration.SettingsImage;
import org.jxenstore.migration.TreeImage;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.server.Config;
import org.jxenstore.server.Daemon;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private DaemonLog log;
    private XsFixture xs;
    private Journal journal;

    @BeforeEach
    void startJournal() throws IOException {
        log = new DaemonLog(new PrintStream(logged, true, StandardCharsets.UTF_8));
        xs = new XsFixture();
        journal = new Journal(dir, xs.state, log, 4096, Journal.WINDOW);
        journal.start(null);
    }

    private static DaemonState fresh() {
        return Daemon.state(Config.defaults(Path.of("unused")));
    }

    private Recovery.Recovered recoverInto(DaemonState state) throws IOException {
        return Recovery.recover(dir, state, log);
    }

    /** The settings and the tree as a migration stream: equal bytes, equal state. */
    private static byte[] image(DaemonState state) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MigrationWriter w = new MigrationWriter(out);
        SettingsImage.write(state.quotas(), state.domains(), w);
        TreeImage.write(state.store(), state.domains(), w);
        w.finish();
        return out.toByteArray();
    }

    private void someChanges() {
        XsFixture.Client dom0 = xs.dom0();
        dom0.write("/a", "1");
        dom0.write("/a/b", "2");
        dom0.write("/a/c", "3");
        dom0.rm("/a/b");
        dom0.write("/a/b", "recreated");
        dom0.setPerms("/a/c", "n0", "r7");
        dom0.setPerms("/", "n0", "r0");
        dom0.setPerms("@releaseDomain", "n0", "r9");
        dom0.call(MessageType.SET_QUOTA, 0, "nodes", "500");
        dom0.call(MessageType.SET_QUOTA, 0, "6", "watches", "3");
        XsFixture.Client dom5 = xs.ring(5);
        dom5.write("x", "5");
        dom5.watch("x", "rel");
        dom5.watch("/local/domain/5/y", "abs", 1);
        dom5.begin();
        xs.guest(6).close();
        dom0.call(MessageType.SET_TARGET, 0, "5", "6");
        xs.guest(8).close();
        dom0.call(MessageType.RELEASE, 0, "8");
    }

    @Test
    void recoveredStateIsTheOneJournaled() throws IOException {
        someChanges();
        journal.sync();
        DaemonState recovered = fresh();
        Recovery.Recovered r = recoverInto(recovered);
        assertArrayEquals(image(xs.state), image(recovered));
        assertEquals("c b", reader(recovered).dir("/a"), "child order");
        assertEquals(List.of(1, 6, 7), r.connections().stream().map(Recovery.Conn::connId).toList(),
                "the rings of dom0, dom5 and dom6, by domid + 1");
        Recovery.Conn dom5 = r.connections().get(1);
        assertEquals(List.of(new WatchData(6, "x", "rel", WatchData.UNLIMITED),
                new WatchData(6, "/local/domain/5/y", "abs", 1)), dom5.watches());
        assertEquals(List.of(1), dom5.transactions());
        assertEquals(6, recovered.domains().find(5).target());
        assertFalse(recovered.domains().isIntroduced(8), "released dom8");
    }

    /** In one entry: children made, their parent removed, the children made again in another order. */
    @Test
    void aSubtreeRebuiltInOneEntryComesBackInItsNewOrder() throws IOException {
        XsFixture.Client dom0 = xs.dom0();
        dom0.write("/p/x", "1");
        dom0.write("/p/y", "2");
        dom0.rm("/p");
        dom0.write("/p/y", "3");
        dom0.write("/p/x", "4");
        journal.sync();
        DaemonState recovered = fresh();
        recoverInto(recovered);
        assertEquals("y x", reader(recovered).dir("/p"));
        assertArrayEquals(image(xs.state), image(recovered));
    }

    /**
     * Two entries: {@code /kept} = 1, then {@code /torn} = 2, in a closed journal (its file ends
     * with the last entry); returns the journal file.
     */
    private Path twoEntries() throws IOException {
        twoEntriesLeftOpen();
        journal.close();
        return only("journal.");
    }

    /** The same two entries, as a killed daemon leaves them: the mapped zeros still follow. */
    private Path twoEntriesLeftOpen() throws IOException {
        xs.dom0().write("/kept", "1");
        journal.sync();
        xs.dom0().write("/torn", "2");
        journal.sync();
        return only("journal.");
    }

    /**
     * Replaces the journal file's bytes with what {@code damage} makes of them, recovers, and checks that {@code /kept}
     * is there and {@code /torn} is not, and that the log says {@code logged}.
     */
    private void assertLastEntryDropped(Path file, UnaryOperator<byte[]> damage, String logged) throws IOException {
        Files.write(file, damage.apply(Files.readAllBytes(file)));
        DaemonState recovered = fresh();
        recoverInto(recovered);
        assertEquals("1", reader(recovered).read("/kept"));
        assertEquals("ENOENT", reader(recovered).read("/torn"));
        String log = this.logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains(logged), log);
    }

    /** Where the last of {@link #twoEntriesLeftOpen}'s entries begins. */
    private static int lastEntry(byte[] file) {
        int at = JournalFiles.HEADER_LENGTH;
        int previous = at;
        while (at + JournalFiles.ENTRY_HEADER_LENGTH <= file.length) {
            int length = (file[at] & 0xff) | (file[at + 1] & 0xff) << 8 | (file[at + 2] & 0xff) << 16
                    | (file[at + 3] & 0xff) << 24;
            if (length == 0) {
                break;
            }
            previous = at;
            at += JournalFiles.ENTRY_HEADER_LENGTH + length;
        }
        return previous;
    }

    @Test
    void aKilledDaemonsJournalEndsWhereItsZerosBeginAndLosesNothing() throws IOException {
        Path file = twoEntriesLeftOpen();
        assertTrue(Files.size(file) >= Journal.WINDOW, "the mapped part is in the file: " + Files.size(file));
        DaemonState recovered = fresh();
        Recovery.Recovered r = recoverInto(recovered);
        assertArrayEquals(image(xs.state), image(recovered));
        assertEquals("2", reader(recovered).read("/torn"));
        assertTrue(r.journal().length() < Files.size(file), "the position is the last entry's end, not the file's");
    }

    @Test
    void anEntryWhoseChecksumWasNotStoredYetIsDroppedAndLogged() throws IOException {
        assertLastEntryDropped(twoEntriesLeftOpen(),
                all -> {
                    Arrays.fill(all, lastEntry(all) + 4, lastEntry(all) + 8, (byte) 0);
                    return all;
                }, "dropped a torn entry");
    }

    @Test
    void aZeroLengthWithDataAfterItStopsTheStart() throws IOException {
        Path file = twoEntriesLeftOpen();
        byte[] all = Files.readAllBytes(file);
        Arrays.fill(all, JournalFiles.HEADER_LENGTH, JournalFiles.HEADER_LENGTH + 4, (byte) 0);
        Files.write(file, all);
        IOException e = assertThrows(IOException.class, () -> recoverInto(fresh()));
        assertTrue(e.getMessage().startsWith(file + " is damaged (the entry at offset 24 has no length"),
                e.getMessage());
    }

    @Test
    void entriesAcrossManyWindowsAndOneLargerThanAWindowRecoverTheSame() throws IOException {
        journal.close();
        Journal small = new Journal(dir, xs.state, log, 1 << 20, 64);
        small.start(null);
        XsFixture.Client dom0 = xs.dom0();
        for (int i = 0; i < 40; i++) {
            dom0.write("/w/k" + i, "value " + i);
            small.sync();
        }
        dom0.write("/w/large", "x".repeat(300));
        small.sync();
        DaemonState killed = fresh();
        recoverInto(killed);
        assertArrayEquals(image(xs.state), image(killed), "as a killed daemon leaves it");
        long end = small.size();
        small.close();
        assertEquals(end, Files.size(only("journal.")), "closing cuts the zeros off");
        DaemonState closed = fresh();
        recoverInto(closed);
        assertArrayEquals(image(xs.state), image(closed));
    }

    @Test
    void aTornLastEntryBeforeTheZerosIsDroppedAndLogged() throws IOException {
        assertLastEntryDropped(twoEntriesLeftOpen(),
                all -> {
                    all[lastEntry(all) + JournalFiles.ENTRY_HEADER_LENGTH + 1] ^= 0x55;
                    return all;
                }, "dropped a torn entry");
    }

    @Test
    void closingCutsTheMappedZerosOff() throws IOException {
        Path file = twoEntriesLeftOpen();
        long end = journal.size();
        journal.close();
        assertEquals(end, Files.size(file));
    }

    /** Cuts the last {@code n} octets off {@code file}: a write the process did not finish. */
    private static void cutShort(Path file, int n) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - n));
    }

    private XsFixture.Client reader(DaemonState state) {
        return new XsFixture(state, DomainTransport.NONE).dom0();
    }

    /** A restart appends to the journal it recovered from, past a torn entry it dropped. */
    @Test
    void theJournalGoesOnWhereRecoveryEnded() throws IOException {
        Path file = twoEntries();
        cutShort(file, 3);
        DaemonState second = fresh();
        Recovery.Recovered r = recoverInto(second);
        Journal again = new Journal(dir, second, log, 4096, Journal.WINDOW);
        again.start(r.journal());
        assertEquals(file, only("journal."), "the same journal, no new snapshot");
        reader(second).write("/after", "3");
        again.sync();
        DaemonState third = fresh();
        recoverInto(third);
        assertArrayEquals(image(second), image(third));
        assertEquals("1", reader(third).read("/kept"));
        assertEquals("ENOENT", reader(third).read("/torn"));
        assertEquals("3", reader(third).read("/after"));
    }

    @Test
    void aCompactedJournalRecoversTheSameAndStaysBounded() throws IOException {
        XsFixture.Client dom0 = xs.dom0();
        for (int i = 0; i < 2000; i++) {
            dom0.write("/many/k" + (i % 50), "value " + i);
            if (i % 7 == 0) {
                dom0.rm("/many/k" + (i % 50));
            }
            journal.sync();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), "one snapshot and its journal: " + names);
            assertTrue(names.getFirst().startsWith("journal.") && !names.getFirst().equals("journal.1"),
                    "compacted: " + names);
            // The file holds the mapped window's zeros too; what counts is where its entries end.
            assertTrue(journal.size() <= 4096 + 1024, "bounded: " + names + " " + journal.size());
        }
        DaemonState recovered = fresh();
        recoverInto(recovered);
        assertArrayEquals(image(xs.state), image(recovered));
    }

    @Test
    void aTornEntryAtTheEndIsDroppedAndLogged() throws IOException {
        Path file = twoEntries();
        assertLastEntryDropped(file, all -> Arrays.copyOf(all, all.length - 3),
                "dropped an entry cut short at the end of " + file);
    }

    @Test
    void aLastEntryFailingItsChecksumIsDropped() throws IOException {
        assertLastEntryDropped(twoEntries(), all -> {
            all[all.length - 1] ^= 0x55;
            return all;
        }, "dropped a torn entry");
    }

    @Test
    void aDamagedEntryBeforeTheEndStopsTheStart() throws IOException {
        Path file = twoEntries();
        byte[] all = Files.readAllBytes(file);
        all[JournalFiles.HEADER_LENGTH + JournalFiles.ENTRY_HEADER_LENGTH + 2] ^= 0x55;
        Files.write(file, all);
        IOException e = assertThrows(IOException.class, () -> recoverInto(fresh()));
        assertTrue(e.getMessage().startsWith(file + " is damaged (the entry at offset 24 fails its checksum)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("remove " + dir), e.getMessage());
    }

    @Test
    void aDamagedSnapshotStopsTheStartAndSaysHowToDiscardIt() throws IOException {
        xs.dom0().write("/a", "1");
        journal.close();
        Path snapshot = only("snapshot.");
        byte[] all = Files.readAllBytes(snapshot);
        all[all.length / 2] ^= 0x01;
        Files.write(snapshot, all);
        IOException e = assertThrows(IOException.class, () -> recoverInto(fresh()));
        assertTrue(e.getMessage().startsWith(snapshot + " is damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("To start without it (every guest then needs a new INTRODUCE), remove "
                + dir), e.getMessage());
    }

    @Test
    void aSnapshotCutShortStopsTheStart() throws IOException {
        journal.close();
        Path snapshot = only("snapshot.");
        Files.write(snapshot, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        IOException e = assertThrows(IOException.class, () -> recoverInto(fresh()));
        assertTrue(e.getMessage().startsWith(snapshot + " is damaged (it has 0 octets"), e.getMessage());
    }

    @Test
    void nothingToRecoverIsAFreshStart() throws IOException {
        Path empty = dir.resolve("none");
        assertEquals(Recovery.Recovered.NOTHING, Recovery.recover(empty, fresh(), log));
    }

    private Path only(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), prefix + ": " + found);
            return found.getFirst();
        }
    }
}
