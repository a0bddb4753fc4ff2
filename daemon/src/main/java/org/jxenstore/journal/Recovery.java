package org.jxenstore.journal;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.migration.MigrationFormatException;
import org.jxenstore.migration.MigrationReader;
import org.jxenstore.migration.MigrationRecord;
import org.jxenstore.migration.MigrationRecord.ConnectionData;
import org.jxenstore.migration.MigrationRecord.DomainData;
import org.jxenstore.migration.MigrationRecord.DomainReset;
import org.jxenstore.migration.MigrationRecord.End;
import org.jxenstore.migration.MigrationRecord.GlobalQuotaData;
import org.jxenstore.migration.MigrationRecord.NodeData;
import org.jxenstore.migration.MigrationRecord.NodeRemoved;
import org.jxenstore.migration.MigrationRecord.Ring;
import org.jxenstore.migration.MigrationRecord.TransactionData;
import org.jxenstore.migration.MigrationRecord.WatchData;
import org.jxenstore.migration.SettingsImage;
import org.jxenstore.migration.TreeImage;
import org.jxenstore.store.NodePath;

/**
 * Takes over the state a previous process left in the journal's folder: the newest snapshot,
 * checked against the length and checksum its journal holds, then every entry of the journal.
 * An entry cut short at the journal's end (the process died while writing it, before anything
 * it held was acknowledged) is dropped and logged. Anything else that does not read back stops
 * the start with the file's name: the daemon never starts with a wrong tree.
 */
public final class Recovery {
    /** A guest's ring as it was: the daemon maps it and binds its event channel again. */
    public record Guest(int domid, int port, List<WatchData> watches, List<Integer> transactions) {
    }

    /**
     * @param number the snapshot the state came from, 0 if there was none
     * @param guests the introduced domains, by domid, the store domain's own ring included
     */
    public record Recovered(long number, List<Guest> guests) {
        public static final Recovered NOTHING = new Recovered(0, List.of());
    }

    private final DaemonState state;
    private final TreeMap<Integer, Guest> guests = new TreeMap<>();

    private Recovery(DaemonState state) {
        this.state = state;
    }

    /**
     * Loads the previous process's state from {@code dir} into {@code state} (a fresh one).
     *
     * @throws IOException with the damaged file's name and how to start without it
     */
    public static Recovered recover(Path dir, DaemonState state, DaemonLog log) throws IOException {
        OptionalLong newest = JournalFiles.newest(dir);
        if (newest.isEmpty()) {
            return Recovered.NOTHING;
        }
        long n = newest.getAsLong();
        Path snapshot = JournalFiles.snapshot(dir, n);
        Path journal = JournalFiles.journal(dir, n);
        Recovery r = new Recovery(state);
        byte[] entries = Files.readAllBytes(journal);
        ByteBuffer b = ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN);
        if (entries.length < JournalFiles.HEADER_LENGTH || b.getLong() != JournalFiles.MAGIC) {
            throw damaged(dir, journal, "not a jxenstored journal");
        }
        long snapshotLength = b.getLong();
        int snapshotCrc = b.getInt();
        b.getInt();
        r.loadSnapshot(dir, snapshot, snapshotLength, snapshotCrc);
        int count = r.replay(dir, journal, b, log);
        log.info("recovered the state of the previous process from " + snapshot + " and " + count
                + " journal entries: " + r.guests.size() + " rings to attach");
        return new Recovered(n, List.copyOf(r.guests.values()));
    }

    private void loadSnapshot(Path dir, Path file, long length, int crc) throws IOException {
        if (Files.size(file) != length) {
            throw damaged(dir, file, "it has " + Files.size(file) + " octets, its journal says " + length);
        }
        CRC32C sum = new CRC32C();
        try (InputStream in = new CheckedInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
                sum)) {
            MigrationReader reader = new MigrationReader(in);
            for (MigrationRecord rec = reader.next(); !(rec instanceof End); rec = reader.next()) {
                apply(rec, reader.version(), true);
            }
        } catch (MigrationFormatException e) {
            throw damaged(dir, file, e.getMessage());
        }
        if ((int) sum.getValue() != crc) {
            throw damaged(dir, file, "its checksum does not match the one its journal holds");
        }
    }

    /** Applies every entry after the header; returns how many. */
    private int replay(Path dir, Path file, ByteBuffer b, DaemonLog log) throws IOException {
        int count = 0;
        while (b.hasRemaining()) {
            int at = b.position();
            int length = b.remaining() >= JournalFiles.ENTRY_HEADER_LENGTH ? b.getInt() : -1;
            int crc = length >= 0 ? b.getInt() : 0;
            if (length < 0 || length > b.remaining()) {
                log.warning("dropped an entry cut short at the end of " + file + " (offset " + at + ", "
                        + (b.limit() - at) + " octets): the previous process died while writing it");
                return count;
            }
            byte[] body = new byte[length];
            b.get(body);
            CRC32C sum = new CRC32C();
            sum.update(body);
            if ((int) sum.getValue() != crc) {
                if (!b.hasRemaining()) {
                    log.warning("dropped a torn entry at the end of " + file + " (offset " + at
                            + "): the previous process died while writing it");
                    return count;
                }
                throw damaged(dir, file, "the entry at offset " + at + " fails its checksum");
            }
            try {
                MigrationReader reader = MigrationReader.fragment(new ByteArrayInputStream(body));
                for (MigrationRecord rec = reader.next(); rec != null; rec = reader.next()) {
                    apply(rec, reader.version(), false);
                }
            } catch (MigrationFormatException e) {
                throw damaged(dir, file, "the entry at offset " + at + ": " + e.getMessage());
            }
            count++;
        }
        return count;
    }

    private void apply(MigrationRecord rec, int version, boolean snapshot) throws MigrationFormatException {
        switch (rec) {
            case GlobalQuotaData g -> SettingsImage.load(g, state.quotas());
            case DomainData d -> SettingsImage.load(d, version, state.quotas(), state.domains());
            case NodeData n when snapshot -> TreeImage.load(n, state.store(), state.domains());
            case NodeData n -> TreeImage.update(n, state.store(), state.domains());
            case NodeRemoved r -> {
                if (!NodePath.isValid(r.path(), 0) || r.path().equals(NodePath.ROOT)) {
                    throw new MigrationFormatException("removal of " + r.path() + ", not a node that can be removed");
                }
                if (state.store().get(r.path()) != null) {
                    state.store().remove(r.path());
                }
            }
            case DomainReset d -> {
                guests.remove(d.domid());
                state.quotas().forgetDomain(d.domid());
                state.domains().reset(d.domid());
            }
            case ConnectionData c when c.endpoint() instanceof Ring ring -> {
                guests.put(ring.domid(), new Guest(ring.domid(), ring.port(), new ArrayList<>(), new ArrayList<>()));
                var domain = state.domains().ensure(ring.domid());
                domain.introduce(ring.port());
                domain.setTarget(ring.targetDomid() == Ring.NO_TARGET ? -1 : ring.targetDomid());
            }
            case WatchData w -> guestOf(w.connId()).watches().add(w);
            case TransactionData t -> guestOf(t.connId()).transactions().add(t.txId());
            case End e -> {
            }
            default -> throw new MigrationFormatException("a " + rec.getClass().getSimpleName()
                    + " record, which a journal never holds");
        }
    }

    private Guest guestOf(int connId) throws MigrationFormatException {
        Guest g = guests.get(connId - 1);
        if (g == null) {
            throw new MigrationFormatException("a record of connection " + connId + ", which is not a ring");
        }
        return g;
    }

    private static IOException damaged(Path dir, Path file, String why) {
        return new IOException(file + " is damaged (" + why + "): the previous daemon's state cannot be"
                + " taken over. To start without it (every guest then needs a new INTRODUCE), remove " + dir);
    }
}
