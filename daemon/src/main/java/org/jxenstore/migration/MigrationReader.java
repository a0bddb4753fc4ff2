package org.jxenstore.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jxenstore.access.Perm;
import org.jxenstore.migration.MigrationRecord.ConnectionData;
import org.jxenstore.migration.MigrationRecord.DomainData;
import org.jxenstore.migration.MigrationRecord.DomainReset;
import org.jxenstore.migration.MigrationRecord.End;
import org.jxenstore.migration.MigrationRecord.Endpoint;
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
import org.jxenstore.protocol.Permission.Access;

/**
 * Reads a migration stream record by record, in either byte order, and refuses anything that is
 * not a complete, well-formed stream: a wrong header, a record cut short or longer than its
 * fields say, an unknown record type, a record naming a connection or transaction no earlier
 * record introduced, bytes after END, or a stream that ends before END (so the input is a file,
 * or a stream its writer closes). A record's length is checked against {@link #MAX_RECORD}
 * before anything is allocated for it.
 */
public final class MigrationReader {
    /**
     * The largest record written or read: room for a connection whose queued output is at the
     * 16 MiB beyond which the daemon drops a socket client's events, several times over.
     */
    public static final int MAX_RECORD = 64 << 20;

    private final InputStream in;
    private final ByteOrder order;
    private final int version;
    private final Set<Integer> connections = new HashSet<>();
    private final Set<Long> transactions = new HashSet<>();
    private final boolean fragment;
    private long offset;
    private boolean ended;

    /** A fragment: records as {@link MigrationWriter#fragment} writes them, no header, no END. */
    private MigrationReader(InputStream in, int version) {
        this.in = in;
        this.version = version;
        this.order = ByteOrder.LITTLE_ENDIAN;
        this.fragment = true;
    }

    /**
     * Reads the records of a fragment written by {@link MigrationWriter#fragment}: little-endian,
     * this daemon's version; {@link #next()} returns {@code null} where the input ends between
     * two records. {@code in} must support {@link InputStream#mark}.
     */
    public static MigrationReader fragment(InputStream in) {
        return new MigrationReader(in, MigrationFormat.VERSION);
    }

    public MigrationReader(InputStream in) throws IOException {
        this.in = in;
        this.fragment = false;
        ByteBuffer header = ByteBuffer.wrap(read(MigrationFormat.HEADER_LENGTH, "the header"));
        if (header.getLong() != MigrationFormat.IDENT) {
            throw error(0, "not a xenstore migration stream (no \"xenstore\" at its start)");
        }
        version = header.getInt();
        if (version < 1 || version > MigrationFormat.VERSION) {
            throw error(8, "stream version " + Integer.toUnsignedString(version) + ", this daemon reads 1 and 2");
        }
        int flags = header.getInt();
        if ((flags & ~MigrationFormat.FLAG_BIG_ENDIAN) != 0) {
            throw error(12, "reserved header flags set: 0x" + Integer.toHexString(flags));
        }
        order = (flags & MigrationFormat.FLAG_BIG_ENDIAN) != 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    public int version() {
        return version;
    }

    /**
     * The next record; {@link End} once, after which the stream must be over. In a fragment,
     * {@code null} where the input ends between two records.
     *
     * @throws MigrationFormatException if the stream is not well formed, with the offset
     */
    public MigrationRecord next() throws IOException {
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
        long start = offset;
        if (fragment) {
            in.mark(1);
            if (in.read() < 0) {
                return null;
            }
            in.reset();
        }
        ByteBuffer header = ByteBuffer.wrap(read(8, "a record header")).order(order);
        int type = header.getInt();
        int length = header.getInt();
        if (length < 0 || length > MAX_RECORD) {
            throw error(start, "record of type " + type + " claims " + Integer.toUnsignedString(length) + " octets");
        }
        ByteBuffer body = ByteBuffer.wrap(read(length, "a record of type " + type)).order(order);
        read(MigrationFormat.padding(length), "the padding of a record");
        MigrationRecord record;
        try {
            record = parse(type, body, start);
        } catch (BufferUnderflowException e) {
            throw error(start, "record of type " + type + " is shorter than its fields say");
        }
        // The format pads a record to 8 octets after its length; C counts the padding in the
        // length. Either way, what follows the fields is fewer than 8 zero octets.
        int past = body.remaining();
        if (past >= 8 || !allZero(body)) {
            throw error(start, "record of type " + type + " has " + past + " octets past its fields");
        }
        if (record instanceof End) {
            ended = true;
            if (in.read() >= 0) {
                throw error(offset, "data after the END record");
            }
        }
        return record;
    }

    private MigrationRecord parse(int type, ByteBuffer b, long start) throws MigrationFormatException {
        return switch (type) {
            case MigrationFormat.END -> new End();
            case MigrationFormat.GLOBAL_DATA -> new GlobalData(b.getInt(), b.getInt());
            case MigrationFormat.CONNECTION_DATA -> connection(b, start);
            case MigrationFormat.WATCH_DATA -> watch(b, false, start);
            case MigrationFormat.WATCH_DATA_EXTENDED -> {
                if (version < 2) {
                    throw error(start, "WATCH_DATA_EXTENDED in a version 1 stream");
                }
                yield watch(b, true, start);
            }
            case MigrationFormat.TRANSACTION_DATA -> {
                TransactionData t = new TransactionData(knownConnection(b.getInt(), start), b.getInt());
                transactions.add(key(t.connId(), t.txId()));
                yield t;
            }
            case MigrationFormat.NODE_DATA -> node(b, start);
            case MigrationFormat.GLOBAL_QUOTA_DATA -> {
                int perDomain = u16(b);
                int global = u16(b);
                List<QuotaValue> all = quotaValues(b, perDomain + global, start);
                yield new GlobalQuotaData(all.subList(0, perDomain), all.subList(perDomain, all.size()));
            }
            case MigrationFormat.DOMAIN_DATA -> {
                int domid = u16(b);
                int count = u16(b);
                int features = b.getInt();
                // A field the stream's version does not define is ignored.
                yield new DomainData(domid, version >= 2 ? features : 0, quotaValues(b, count, start));
            }
            case MigrationFormat.NODE_REMOVED -> new NodeRemoved(cString(b, u16(b), "path", start));
            case MigrationFormat.DOMAIN_RESET -> new DomainReset(b.getInt());
            case MigrationFormat.TRANSACTION_LOG -> transactionLog(b, start);
            case MigrationFormat.JOURNAL_POSITION -> new JournalPosition(b.getLong(), b.getLong());
            default -> throw error(start, "unknown record type " + Integer.toUnsignedString(type));
        };
    }

    private TransactionLog transactionLog(ByteBuffer b, long start) throws MigrationFormatException {
        int connId = knownConnection(b.getInt(), start);
        int txId = b.getInt();
        if (!transactions.contains(key(connId, txId))) {
            throw error(start, "a log of transaction " + Integer.toUnsignedString(txId) + " of connection "
                    + connId + ", which no TRANSACTION_DATA introduced");
        }
        boolean replayable = (b.getInt() & 1) != 0;
        int touchedCount = b.getInt();
        int requestCount = b.getInt();
        // Each entry takes at least 3 octets: a count cannot ask for more than the record holds.
        if (touchedCount < 0 || requestCount < 0 || (long) touchedCount * 3 + (long) requestCount * 8 > b.remaining()) {
            throw error(start, "transaction log counts do not fit the record");
        }
        List<String> touched = new ArrayList<>(touchedCount);
        for (int i = 0; i < touchedCount; i++) {
            touched.add(cString(b, u16(b), "touched path", start));
        }
        List<LoggedRequest> requests = new ArrayList<>(requestCount);
        for (int i = 0; i < requestCount; i++) {
            int type = b.getInt();
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw error(start, "a logged request longer than its record");
            }
            requests.add(new LoggedRequest(type, bytes(b, length)));
        }
        return new TransactionLog(connId, txId, replayable, touched, requests);
    }

    private ConnectionData connection(ByteBuffer b, long start) throws MigrationFormatException {
        int bodyStart = b.position();
        int connId = b.getInt();
        if (connId == 0) {
            throw error(start, "connection id 0");
        }
        if (!connections.add(connId)) {
            throw error(start, "connection " + Integer.toUnsignedString(connId) + " twice");
        }
        int type = u16(b);
        int fields = u16(b);
        if ((fields & ~MigrationFormat.FIELD_UNIQUE_ID) != 0) {
            throw error(start, "unknown connection fields 0x" + Integer.toHexString(fields));
        }
        Endpoint endpoint = switch (type) {
            case MigrationFormat.CONN_RING -> new Ring(u16(b), u16(b), b.getInt());
            case MigrationFormat.CONN_SOCKET -> {
                Socket s = new Socket(b.getInt());
                b.getInt();
                yield s;
            }
            default -> throw error(start, "unknown connection type " + type);
        };
        int inLength = u16(b);
        int partial = u16(b);
        int outLength = b.getInt();
        if (outLength < 0 || (long) inLength + outLength > b.remaining() || partial > outLength) {
            throw error(start, "connection data lengths do not fit the record");
        }
        byte[] input = bytes(b, inLength);
        byte[] output = bytes(b, outLength);
        OptionalLong uniqueId = OptionalLong.empty();
        if ((fields & MigrationFormat.FIELD_UNIQUE_ID) != 0) {
            bytes(b, MigrationFormat.padding(b.position() - bodyStart));
            uniqueId = OptionalLong.of(b.getLong());
        }
        return new ConnectionData(connId, endpoint, input, partial, output, uniqueId);
    }

    private WatchData watch(ByteBuffer b, boolean extended, long start) throws MigrationFormatException {
        int connId = knownConnection(b.getInt(), start);
        int pathLength = u16(b);
        int tokenLength = u16(b);
        int depth = WatchData.NO_DEPTH;
        if (extended) {
            depth = u16(b);
            b.getShort();
        }
        return new WatchData(connId, cString(b, pathLength, "watch path", start),
                cString(b, tokenLength, "watch token", start), depth);
    }

    private NodeData node(ByteBuffer b, long start) throws MigrationFormatException {
        int connId = b.getInt();
        int txId = b.getInt();
        if (connId != 0 && !transactions.contains(key(connId, txId))) {
            throw error(start, "node of transaction " + Integer.toUnsignedString(txId) + " of connection "
                    + Integer.toUnsignedString(connId) + ", which no earlier record opened");
        }
        int pathLength = u16(b);
        int valueLength = u16(b);
        int access = u16(b);
        int count = u16(b);
        List<Perm> perms = new ArrayList<>(Math.min(count, b.remaining() / 4));
        for (int i = 0; i < count; i++) {
            char letter = (char) (b.get() & 0xFF);
            int flags = b.get() & 0xFF;
            int domid = u16(b);
            Access a = Perm.accessOf(letter);
            if (a == null || (flags & ~MigrationFormat.PERM_STALE) != 0) {
                throw error(start, "bad permission entry " + (i + 1) + " (letter 0x" + Integer.toHexString(letter)
                        + ", flags 0x" + Integer.toHexString(flags) + ")");
            }
            Perm p = new Perm(a, domid);
            perms.add((flags & MigrationFormat.PERM_STALE) != 0 ? p.ignored() : p);
        }
        if (connId == 0 && perms.isEmpty()) {
            throw error(start, "committed node without permissions");
        }
        String path = cString(b, pathLength, "node path", start);
        return new NodeData(connId, txId, access, perms, path, bytes(b, valueLength));
    }

    private List<QuotaValue> quotaValues(ByteBuffer b, int count, long start) throws MigrationFormatException {
        int[] values = new int[Math.min(count, b.remaining() / 4)];
        if (values.length < count) {
            throw error(start, count + " quota values do not fit the record");
        }
        for (int i = 0; i < count; i++) {
            values[i] = b.getInt();
        }
        List<QuotaValue> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int end = b.position();
            while (end < b.limit() && b.get(end) != 0) {
                end++;
            }
            if (end == b.limit() || end == b.position()) {
                throw error(start, "quota name " + (i + 1) + " missing or not NUL-terminated");
            }
            out.add(new QuotaValue(cString(b, end - b.position() + 1, "quota name", start), values[i]));
        }
        return out;
    }

    private int knownConnection(int connId, long start) throws MigrationFormatException {
        if (!connections.contains(connId)) {
            throw error(start, "record for connection " + Integer.toUnsignedString(connId)
                    + ", which no earlier CONNECTION_DATA introduced");
        }
        return connId;
    }

    /** A NUL-terminated string of {@code length} octets, NUL included, and no NUL before its end. */
    private static String cString(ByteBuffer b, int length, String what, long start) throws MigrationFormatException {
        byte[] raw = bytes(b, length);
        int nul = indexOfNul(raw);
        if (length == 0 || nul != length - 1) {
            throw error(start, what + " is not one NUL-terminated string");
        }
        return new String(raw, 0, length - 1, StandardCharsets.ISO_8859_1);
    }

    private static boolean allZero(ByteBuffer b) {
        while (b.hasRemaining()) {
            if (b.get() != 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfNul(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] bytes(ByteBuffer b, int length) {
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }

    private static int u16(ByteBuffer b) {
        return b.getShort() & 0xFFFF;
    }

    private static long key(int connId, int txId) {
        return ((long) connId << 32) | Integer.toUnsignedLong(txId);
    }

    /** Exactly {@code length} octets, or an error saying the stream ended inside {@code what}. */
    private byte[] read(int length, String what) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length < length) {
            throw error(offset + b.length, "the stream ends inside " + what);
        }
        offset += length;
        return b;
    }

    private static MigrationFormatException error(long at, String what) {
        return new MigrationFormatException("migration stream, offset " + at + ": " + what);
    }
}
