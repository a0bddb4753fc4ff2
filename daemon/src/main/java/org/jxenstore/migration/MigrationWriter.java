package org.jxenstore.migration;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jxenstore.access.Perm;
import org.jxenstore.migration.MigrationRecord.ConnectionData;
import org.jxenstore.migration.MigrationRecord.DomainData;
import org.jxenstore.migration.MigrationRecord.DomainReset;
import org.jxenstore.migration.MigrationRecord.End;
import org.jxenstore.migration.MigrationRecord.GlobalData;
import org.jxenstore.migration.MigrationRecord.GlobalQuotaData;
import org.jxenstore.migration.MigrationRecord.JournalPosition;
import org.jxenstore.migration.MigrationRecord.LoggedRequest;
import org.jxenstore.migration.MigrationRecord.NodeData;
import org.jxenstore.migration.MigrationRecord.NodeRemoved;
import org.jxenstore.migration.MigrationRecord.QuotaValue;
import org.jxenstore.migration.MigrationRecord.Ring;
import org.jxenstore.migration.MigrationRecord.Socket;
import org.jxenstore.migration.MigrationRecord.TransactionData;
import org.jxenstore.migration.MigrationRecord.TransactionLog;
import org.jxenstore.migration.MigrationRecord.WatchData;

/**
 * Writes a migration stream: the header (version 2, records little-endian, as C xenstored writes
 * them on x86), then one record at a time, each padded to 8 octets with the padding counted in its
 * length, as C writes and reads it. {@link #finish()} writes END.
 * A value that does not fit its field (a path longer than 65535 octets, say) is refused with
 * {@link IllegalArgumentException} before anything of its record is written. Permission domids
 * are 16 bits in the stream: an entry naming a larger number (C accepts {@code r99999999}) keeps
 * its low 16 bits.
 */
public final class MigrationWriter {
    /** A record is padded to 8 octets with at most 7 of these. */
    private static final byte[] PADDING = new byte[7];

    private final OutputStream out;
    /** A record's type and length: the journal writes records on every pass that changes something. */
    private final ByteBuffer recordHeader = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    /**
     * Where a record's body is built, if it fits: the journal writes a record for every node a
     * request changes, and a buffer per record was a tenth of what a write request allocated.
     * Large enough for a node a WRITE can make (a payload is at most 4096 octets); larger
     * records (a node given hundreds of permission entries, a connection's pending output) get
     * a buffer of their own, so that the writer keeps no more than this.
     */
    private final ByteBuffer keptBody = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);

    public MigrationWriter(OutputStream out) throws IOException {
        this(out, true);
    }

    private MigrationWriter(OutputStream out, boolean header) throws IOException {
        this.out = out;
        if (header) {
            writeHeader(out);
        }
    }

    /**
     * Records without the stream's header and END: a fragment of a stream, such as one entry of
     * the journal, read back with {@link MigrationReader#fragment}.
     */
    public static MigrationWriter fragment(OutputStream out) throws IOException {
        return new MigrationWriter(out, false);
    }

    private static void writeHeader(OutputStream out) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(MigrationFormat.HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        header.putLong(MigrationFormat.IDENT).putInt(MigrationFormat.VERSION).putInt(0);
        out.write(header.array());
    }

    public void write(MigrationRecord record) throws IOException {
        ByteBuffer body = switch (record) {
            case End e -> body(0);
            case GlobalData g -> body(8).putInt(g.socketFd()).putInt(g.evtchnFd());
            case ConnectionData c -> connection(c);
            case WatchData w -> watch(w);
            case TransactionData t -> body(8).putInt(t.connId()).putInt(t.txId());
            case NodeData n -> node(n);
            case GlobalQuotaData q -> quotas(q);
            case DomainData d -> domain(d);
            case NodeRemoved n -> {
                byte[] path = cString(n.path(), "path");
                yield body(2 + path.length).putShort(u16(path.length, "path")).put(path);
            }
            case DomainReset d -> body(4).putInt(d.domid());
            case TransactionLog t -> transactionLog(t);
            case JournalPosition j -> body(16).putLong(j.number()).putLong(j.length());
        };
        int length = body.limit();
        int padded = length + MigrationFormat.padding(length);
        if (padded > MigrationReader.MAX_RECORD) {
            throw refused("a record of " + padded + " octets");
        }
        recordHeader.clear();
        recordHeader.putInt(MigrationFormat.typeOf(record)).putInt(padded);
        out.write(recordHeader.array());
        out.write(body.array(), 0, length);
        out.write(PADDING, 0, padded - length);
    }

    /** Writes END and flushes: the stream is complete. */
    public void finish() throws IOException {
        write(new End());
        out.flush();
    }

    /** A body of {@code length} zero octets, to be filled from its start. */
    private ByteBuffer body(int length) {
        if (length > keptBody.capacity()) {
            return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        }
        Arrays.fill(keptBody.array(), 0, length, (byte) 0);
        return keptBody.clear().limit(length);
    }

    private ByteBuffer connection(ConnectionData c) {
        check(c.connId() != 0, "connection id 0");
        check(c.input().length <= 0xFFFF, "more than 65535 octets of unprocessed input");
        if (c.partialReplyLength() < 0 || c.partialReplyLength() > Math.min(0xFFFF, c.output().length)) {
            throw refused("partial reply length " + c.partialReplyLength());
        }
        int data = 24 + c.input().length + c.output().length;
        int length = c.uniqueId().isPresent() ? data + MigrationFormat.padding(data) + 8 : data;
        ByteBuffer b = body(length);
        b.putInt(c.connId());
        switch (c.endpoint()) {
            case Ring r -> b.putShort(MigrationFormat.CONN_RING).putShort(fields(c))
                    .putShort(u16(r.domid(), "domid")).putShort(u16(r.targetDomid(), "target domid")).putInt(r.port());
            case Socket s -> b.putShort(MigrationFormat.CONN_SOCKET).putShort(fields(c)).putInt(s.fd()).putInt(0);
        }
        b.putShort((short) c.input().length).putShort((short) c.partialReplyLength()).putInt(c.output().length);
        b.put(c.input()).put(c.output());
        c.uniqueId().ifPresent(id -> b.putLong(length - 8, id));
        return b;
    }

    private ByteBuffer transactionLog(TransactionLog t) {
        List<byte[]> paths = new ArrayList<>(t.touched().size());
        long length = 20;
        for (String p : t.touched()) {
            byte[] path = cString(p, "path");
            paths.add(path);
            length += 2 + path.length;
        }
        for (LoggedRequest r : t.requests()) {
            length += 8 + r.payload().length;
        }
        if (length > MigrationReader.MAX_RECORD) {
            throw refused("a transaction log of " + length + " octets");
        }
        ByteBuffer b = body((int) length);
        b.putInt(t.connId()).putInt(t.txId()).putInt(t.replayable() ? 1 : 0).putInt(paths.size())
                .putInt(t.requests().size());
        for (byte[] path : paths) {
            b.putShort((short) path.length).put(path);
        }
        for (LoggedRequest r : t.requests()) {
            b.putInt(r.type()).putInt(r.payload().length).put(r.payload());
        }
        return b;
    }

    private static short fields(ConnectionData c) {
        return (short) (c.uniqueId().isPresent() ? MigrationFormat.FIELD_UNIQUE_ID : 0);
    }

    private ByteBuffer watch(WatchData w) {
        byte[] path = cString(w.path(), "watch path");
        byte[] token = cString(w.token(), "token");
        boolean extended = w.depth() != WatchData.NO_DEPTH;
        ByteBuffer b = body((extended ? 12 : 8) + path.length + token.length);
        b.putInt(w.connId()).putShort((short) path.length).putShort((short) token.length);
        if (extended) {
            b.putShort(u16(w.depth(), "watch depth")).putShort((short) 0);
        }
        return b.put(path).put(token);
    }

    private ByteBuffer node(NodeData n) {
        byte[] path = cString(n.path(), "node path");
        check(n.value().length <= 0xFFFF, "a value of more than 65535 octets");
        check(n.perms().size() <= 0xFFFF, "more than 65535 permission entries");
        check(n.connId() != 0 || !n.perms().isEmpty(), "a committed node without permissions");
        ByteBuffer b = body(16 + 4 * n.perms().size() + path.length + n.value().length);
        b.putInt(n.connId()).putInt(n.txId()).putShort((short) path.length).putShort((short) n.value().length)
                .putShort(u16(n.access(), "access")).putShort((short) n.perms().size());
        for (Perm p : n.perms()) {
            b.put((byte) p.access().letter()).put((byte) (p.stale() ? MigrationFormat.PERM_STALE : 0))
                    .putShort((short) p.domid());
        }
        return b.put(path).put(n.value());
    }

    private ByteBuffer quotas(GlobalQuotaData q) {
        check(q.perDomain().size() <= 0xFFFF && q.global().size() <= 0xFFFF, "too many quotas");
        List<QuotaValue> all = new ArrayList<>(q.perDomain());
        all.addAll(q.global());
        byte[] names = names(all);
        ByteBuffer b = body(4 + 4 * all.size() + names.length);
        b.putShort((short) q.perDomain().size()).putShort((short) q.global().size());
        all.forEach(v -> b.putInt(v.value()));
        return b.put(names);
    }

    private ByteBuffer domain(DomainData d) {
        check(d.quotas().size() <= 0xFFFF, "too many quotas");
        byte[] names = names(d.quotas());
        ByteBuffer b = body(8 + 4 * d.quotas().size() + names.length);
        b.putShort(u16(d.domid(), "domid")).putShort((short) d.quotas().size()).putInt(d.features());
        d.quotas().forEach(v -> b.putInt(v.value()));
        return b.put(names);
    }

    private static byte[] names(List<QuotaValue> values) {
        StringBuilder sb = new StringBuilder();
        for (QuotaValue v : values) {
            if (v.name().indexOf('\0') >= 0 || v.name().isEmpty()) {
                throw refused("quota name " + v.name());
            }
            sb.append(v.name()).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A string as the stream holds it: its octets and a NUL, the whole at most 65535 octets. */
    private static byte[] cString(String s, String what) {
        byte[] b = (s + '\0').getBytes(StandardCharsets.ISO_8859_1);
        if (s.indexOf('\0') >= 0) {
            throw refused(what + " with a NUL in it");
        }
        if (b.length > 0xFFFF) {
            throw refused(what + " longer than 65534 octets");
        }
        return b;
    }

    private static short u16(int value, String what) {
        if (value < 0 || value > 0xFFFF) {
            throw refused(what + " " + value + " does not fit in 16 bits");
        }
        return (short) value;
    }

    /** For messages that are constants: one that is built is built only when it is thrown. */
    private static void check(boolean ok, String what) {
        if (!ok) {
            throw refused(what);
        }
    }

    private static IllegalArgumentException refused(String what) {
        return new IllegalArgumentException("migration stream: " + what);
    }
}
