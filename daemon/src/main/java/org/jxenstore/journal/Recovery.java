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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
import org.jxenstore.migration.MigrationRecord.Endpoint;
import org.jxenstore.migration.MigrationRecord.GlobalData;
import org.jxenstore.migration.MigrationRecord.GlobalQuotaData;
import org.jxenstore.migration.MigrationRecord.JournalPosition;
import org.jxenstore.migration.MigrationRecord.NodeData;
import org.jxenstore.migration.MigrationRecord.NodeRemoved;
import org.jxenstore.migration.MigrationRecord.Ring;
import org.jxenstore.migration.MigrationRecord.TransactionData;
import org.jxenstore.migration.MigrationRecord.TransactionLog;
import org.jxenstore.migration.MigrationRecord.WatchData;
import org.jxenstore.migration.SettingsImage;
import org.jxenstore.migration.TreeImage;
import org.jxenstore.store.NodePath;

/**
 * Takes over the state a previous process left: after a crash or a restart, in the journal's
 * folder (the newest snapshot, checked against the length and checksum its journal holds, then
 * every entry of the journal); after a live update, in the dump the previous binary wrote.
 *
 * <p>A journal entry cut short at the end (the process died while writing it, before anything
 * it held was acknowledged) is dropped and logged. Anything else that does not read back stops
 * the start with the file's name: the daemon never starts with a wrong tree.
 */
public final class Recovery {
    /**
     * A connection as it was: a guest's ring, which the daemon maps and binds again, or (after a
     * live update) a socket, by its inherited descriptor.
     *
     * @param input        received and not yet executed
     * @param output       not yet written
     * @param transactions the ids of its open transactions, in order
     * @param logs         how to rebuild them (live update only), by id
     */
    public record Conn(int connId, Endpoint endpoint, byte[] input, byte[] output, List<WatchData> watches,
            List<Integer> transactions, Map<Integer, TransactionLog> logs) {
    }

    /**
     * @param connections every connection, in the order the previous process had them
     * @param listeningFd the listening socket's inherited descriptor (live update), else -1
     * @param journal     where the journal holding this state ends, if it can be appended to
     */
    public record Recovered(List<Conn> connections, int listeningFd, JournalPosition journal) {
        public static final Recovered NOTHING = new Recovered(List.of(), -1, null);
    }

    private final DaemonState state;
    private final boolean liveUpdate;
    private final LinkedHashMap<Integer, Conn> connections = new LinkedHashMap<>();
    private int listeningFd = -1;
    private JournalPosition journal;

    private Recovery(DaemonState state, boolean liveUpdate) {
        this.state = state;
        this.liveUpdate = liveUpdate;
    }

    /**
     * Loads the state a live update's previous binary wrote to {@code dump} into {@code state}
     * (a fresh one).
     *
     * @throws IOException with the file's name and what is wrong with it
     */
    public static Recovered liveUpdate(Path dump, DaemonState state) throws IOException {
        Recovery r = new Recovery(state, true);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(dump), 1 << 16)) {
            MigrationReader reader = new MigrationReader(in);
            for (MigrationRecord rec = reader.next(); !(rec instanceof End); rec = reader.next()) {
                r.apply(rec, reader.version(), true);
            }
        } catch (MigrationFormatException e) {
            throw new IOException(dump + ": " + e.getMessage(), e);
        }
        return new Recovered(List.copyOf(r.connections.values()), r.listeningFd, r.journal);
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
        Recovery r = new Recovery(state, false);
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
        r.journal = new JournalPosition(n, b.position());
        log.info("recovered the state of the previous process from " + snapshot + " and " + count
                + " journal entries");
        return new Recovered(List.copyOf(r.connections.values()), -1, r.journal);
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

    /**
     * Applies every entry after the header; returns how many, with {@code b} at the end of the
     * last. The zeros of the file's mapped part that no entry reached yet end the journal (no
     * entry is empty, and an entry's length is stored first); a zero length with anything else
     * after it is damage.
     */
    private int replay(Path dir, Path file, ByteBuffer b, DaemonLog log) throws IOException {
        int count = 0;
        while (b.hasRemaining()) {
            int at = b.position();
            if (onlyZerosFrom(b, at)) {
                return count;
            }
            int length = b.remaining() >= JournalFiles.ENTRY_HEADER_LENGTH ? b.getInt() : -1;
            int crc = length >= 0 ? b.getInt() : 0;
            if (length == 0) {
                throw damaged(dir, file, "the entry at offset " + at + " has no length, and data follows it");
            }
            if (length < 0 || length > b.remaining()) {
                log.warning("dropped an entry cut short at the end of " + file + " (offset " + at + ", "
                        + (b.limit() - at) + " octets): the previous process died while writing it");
                b.position(at);
                return count;
            }
            byte[] body = new byte[length];
            b.get(body);
            CRC32C sum = new CRC32C();
            sum.update(body);
            if ((int) sum.getValue() != crc) {
                if (onlyZerosFrom(b, b.position())) {
                    log.warning("dropped a torn entry at the end of " + file + " (offset " + at
                            + "): the previous process died while writing it");
                    b.position(at);
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

    /** Whether nothing but zeros follows {@code from}: no entry was ever written there. */
    private static boolean onlyZerosFrom(ByteBuffer b, int from) {
        for (int i = from; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
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
                connections.values().removeIf(c -> c.endpoint() instanceof Ring ring && ring.domid() == d.domid());
                state.quotas().forgetDomain(d.domid());
                state.domains().reset(d.domid());
            }
            case ConnectionData c -> {
                if (c.endpoint() instanceof Ring ring) {
                    var domain = state.domains().ensure(ring.domid());
                    domain.introduce(ring.port());
                    domain.setTarget(ring.targetDomid() == Ring.NO_TARGET ? -1 : ring.targetDomid());
                } else if (!liveUpdate) {
                    throw new MigrationFormatException("a socket connection, which only a live update hands over");
                }
                connections.remove(c.connId());
                connections.put(c.connId(), new Conn(c.connId(), c.endpoint(), c.input(), c.output(),
                        new ArrayList<>(), new ArrayList<>(), new HashMap<>()));
            }
            case WatchData w -> connection(w.connId()).watches().add(w);
            case TransactionData t -> connection(t.connId()).transactions().add(t.txId());
            case TransactionLog t -> connection(t.connId()).logs().put(t.txId(), t);
            case GlobalData g when liveUpdate -> listeningFd = g.socketFd();
            case JournalPosition j when liveUpdate -> journal = j;
            case End e -> {
            }
            default -> throw new MigrationFormatException("a " + rec.getClass().getSimpleName()
                    + " record, which a journal never holds");
        }
    }

    private Conn connection(int connId) throws MigrationFormatException {
        Conn c = connections.get(connId);
        if (c == null) {
            throw new MigrationFormatException("a record of connection " + connId + ", which is gone");
        }
        return c;
    }

    private static IOException damaged(Path dir, Path file, String why) {
        return new IOException(file + " is damaged (" + why + "): the previous daemon's state cannot be"
                + " taken over. To start without it (every guest then needs a new INTRODUCE), remove " + dir);
    }
}
