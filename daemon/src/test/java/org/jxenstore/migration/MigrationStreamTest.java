package org.jxenstore.migration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
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
import org.jxenstore.protocol.Permission.Access;
import org.junit.jupiter.api.Test;

class MigrationStreamTest {

    /** One record of every type, in an order the format allows. */
    private static List<MigrationRecord> everyRecordType() {
        return List.of(
                new GlobalData(3, -1),
                new GlobalQuotaData(List.of(new QuotaValue("nodes", 1000), new QuotaValue("watches", 128)),
                        List.of(new QuotaValue("outstanding", 20))),
                new DomainData(5, 15, List.of(new QuotaValue("nodes", 50))),
                new ConnectionData(1, new Socket(9), bytes("partial request"), 3, bytes("rest of a reply"),
                        OptionalLong.empty()),
                new ConnectionData(2, new Ring(5, Ring.NO_TARGET, 17), new byte[0], 0, new byte[0],
                        OptionalLong.of(0x1122334455667788L)),
                new WatchData(1, "/local/domain/5", "tok", WatchData.NO_DEPTH),
                new WatchData(2, "@releaseDomain", "", 1),
                new WatchData(2, "device", "relative", WatchData.UNLIMITED),
                new NodeData(0, 0, 0, List.of(new Perm(Access.NONE, 0)), "/", new byte[0]),
                new NodeData(0, 0, 0, List.of(new Perm(Access.NONE, 5), new Perm(Access.READ, 0),
                        new Perm(Access.BOTH, 7).ignored()), "/local/domain/5", new byte[] {0, 1, 2, 0}),
                new TransactionData(2, 4),
                new NodeData(2, 4, NodeData.READ | NodeData.WRITTEN, List.of(new Perm(Access.WRITE, 5)),
                        "/local/domain/5/x", bytes("v")),
                new NodeData(2, 4, 0, List.of(), "/local/domain/5/gone", new byte[0]),
                new TransactionLog(2, 4, true, List.of("/local/domain/5/x", "/local/domain/5"),
                        List.of(new LoggedRequest(11, bytes("x\0v")), new LoggedRequest(13, new byte[0]))),
                new TransactionLog(2, 4, false, List.of(), List.of()),
                new NodeRemoved("/local/domain/5/old"),
                new DomainReset(7),
                new JournalPosition(3, 4096));
    }

    /** The records of our own (journal and live update) in a fragment: no header, no END. */
    @Test
    void aFragmentReadsBackToItsLastRecord() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MigrationWriter w = MigrationWriter.fragment(out);
        List<MigrationRecord> written = List.of(new NodeRemoved("/a/b"), new DomainReset(5),
                new NodeData(0, 0, 0, List.of(new Perm(Access.NONE, 0)), "/a", bytes("v")));
        for (MigrationRecord r : written) {
            w.write(r);
        }
        MigrationReader reader = MigrationReader.fragment(new ByteArrayInputStream(out.toByteArray()));
        for (MigrationRecord r : written) {
            assertSame(r, reader.next());
        }
        assertNull(reader.next());
        byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 1);
        MigrationReader torn = MigrationReader.fragment(new ByteArrayInputStream(cut));
        torn.next();
        torn.next();
        assertThrows(MigrationFormatException.class, torn::next);
    }

    @Test
    void aLogOfATransactionNoRecordOpenedIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MigrationWriter w = new MigrationWriter(out);
        w.write(new ConnectionData(1, new Socket(4), new byte[0], 0, new byte[0], OptionalLong.empty()));
        w.write(new TransactionLog(1, 9, true, List.of(), List.of()));
        w.finish();
        MigrationFormatException e = assertThrows(MigrationFormatException.class, () -> readAll(out.toByteArray()));
        assertTrue(e.getMessage().contains("which no TRANSACTION_DATA introduced"), e.getMessage());
    }

    @Test
    void everyRecordTypeReadsBackAsItWasWritten() throws IOException {
        List<MigrationRecord> written = everyRecordType();
        List<MigrationRecord> read = readAll(stream(written));
        assertEquals(written.size() + 1, read.size());
        assertInstanceOf(End.class, read.getLast());
        for (int i = 0; i < written.size(); i++) {
            assertSame(written.get(i), read.get(i));
        }
    }

    @Test
    void aBigEndianStreamReadsTheSame() throws IOException {
        byte[] big = bigEndianCopy(List.of(new ConnectionData(1, new Ring(3, 5, 40), bytes("in"), 0, bytes("out"),
                OptionalLong.empty()), new TransactionData(1, 7)));
        List<MigrationRecord> read = readAll(big);
        ConnectionData c = (ConnectionData) read.get(0);
        assertEquals(new Ring(3, 5, 40), c.endpoint());
        assertArrayEquals(bytes("out"), c.output());
        assertEquals(new TransactionData(1, 7), read.get(1));
    }

    @Test
    void recordsAreLaidOutAsCXenstoredWritesThem() throws IOException {
        byte[] written = stream(List.of(new WatchData(1, "/a", "t", WatchData.NO_DEPTH),
                new ConnectionData(2, new Ring(5, Ring.NO_TARGET, 17), bytes("abc"), 0, new byte[0],
                        OptionalLong.of(0x1122334455667788L))));
        ByteBuffer c = ByteBuffer.allocate(written.length).order(ByteOrder.LITTLE_ENDIAN);
        c.put(bytes("xenstore")).put(new byte[] {0, 0, 0, 2, 0, 0, 0, 0});
        // WATCH_DATA: 13 octets of fields, padded to 16, and the padding counted in the length
        c.putInt(3).putInt(16).putInt(1).putShort((short) 3).putShort((short) 2).put(bytes("/a\0t\0"))
                .put(new byte[3]);
        // CONNECTION_DATA with 3 octets of input: the unique id starts 8-aligned, at body offset 32
        c.putInt(2).putInt(40).putInt(2).putShort((short) 0).putShort((short) 1)
                .putShort((short) 5).putShort((short) 0x7FF4).putInt(17)
                .putShort((short) 3).putShort((short) 0).putInt(0).put(bytes("abc")).put(new byte[5])
                .putLong(0x1122334455667788L);
        c.putInt(0).putInt(0);
        assertArrayEquals(c.array(), written);
    }

    /**
     * Bodies are built in one buffer the writer keeps: an earlier, longer record must not show
     * through.
     */
    @Test
    void aRecordAfterALongerOneIsWrittenAsIfAlone() throws IOException {
        ConnectionData c = new ConnectionData(2, new Ring(5, Ring.NO_TARGET, 17), bytes("abc"), 0, new byte[0],
                OptionalLong.of(0x1122334455667788L));
        byte[] value = new byte[100];
        Arrays.fill(value, (byte) 0xFF);
        byte[] alone = stream(List.of(c));
        byte[] after = stream(List.of(new NodeData(0, 0, 0, List.of(new Perm(Access.NONE, 0)), "/a", value), c));
        int header = MigrationFormat.HEADER_LENGTH;
        assertArrayEquals(Arrays.copyOfRange(alone, header, alone.length),
                Arrays.copyOfRange(after, after.length - (alone.length - header), after.length));
    }

    @Test
    void aRecordWhoseLengthLeavesOutThePaddingReadsTheSame() throws IOException {
        DomainData d = new DomainData(5, 0, List.of(new QuotaValue("nodes", 1)));
        byte[] s = stream(List.of(d));
        ByteBuffer.wrap(s, 16 + 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(18);
        assertEquals(d, readAll(s).getFirst());
    }

    @Test
    void aChangedOctetAnywhereIsReadOrRefusedNeverACrash() throws IOException {
        byte[] whole = stream(everyRecordType());
        for (int at = 0; at < whole.length; at++) {
            for (int value : new int[] {0, 1, 0x7F, 0x80, 0xFF}) {
                byte[] changed = whole.clone();
                changed[at] = (byte) value;
                try {
                    readAll(changed);
                } catch (MigrationFormatException e) {
                    assertTrue(e.getMessage().startsWith("migration stream, offset "), e.getMessage());
                }
            }
        }
    }

    @Test
    void aWrongHeaderIsRefused() throws IOException {
        byte[] s = stream(List.of());
        byte[] ident = s.clone();
        ident[0] = 'X';
        assertRefused(ident, "not a xenstore migration stream");
        byte[] version = s.clone();
        version[11] = 3;
        assertRefused(version, "stream version 3");
        byte[] flags = s.clone();
        flags[15] = 2;
        assertRefused(flags, "reserved header flags");
    }

    @Test
    void corruptRecordsAreRefused() throws IOException {
        assertRefused(withRecord(99, new byte[8]), "unknown record type 99");
        assertRefused(withRecord(MigrationFormat.TRANSACTION_DATA, le(1, 1)), "no earlier CONNECTION_DATA");
        assertRefused(withRecord(MigrationFormat.GLOBAL_DATA, new byte[4]), "shorter than its fields");
        assertRefused(withRecord(MigrationFormat.GLOBAL_DATA, new byte[16]), "8 octets past its fields");
        assertRefused(withRecord(MigrationFormat.GLOBAL_DATA, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                "2 octets past its fields");
        byte[] huge = stream(List.of());
        ByteBuffer.wrap(huge, 16, 8).order(ByteOrder.LITTLE_ENDIAN).putInt(MigrationFormat.NODE_DATA).putInt(-2);
        assertRefused(huge, "claims 4294967294 octets");
    }

    @Test
    void aNodeWithABadPermissionOrPathIsRefused() throws IOException {
        byte[] s = stream(List.of(new NodeData(0, 0, 0, List.of(new Perm(Access.READ, 0)), "/a", bytes("v"))));
        byte[] letter = s.clone();
        letter[16 + 8 + 16] = 'x';
        assertRefused(letter, "bad permission entry 1");
        byte[] nul = s.clone();
        nul[16 + 8 + 16 + 4 + 1] = 0;
        assertRefused(nul, "node path is not one NUL-terminated string");
    }

    @Test
    void aNodeOfATransactionNoRecordOpenedIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MigrationWriter w = new MigrationWriter(out);
        w.write(new ConnectionData(1, new Socket(4), new byte[0], 0, new byte[0], OptionalLong.empty()));
        w.write(new NodeData(1, 9, NodeData.WRITTEN, List.of(new Perm(Access.NONE, 0)), "/x", new byte[0]));
        w.finish();
        assertRefused(out.toByteArray(), "which no earlier record opened");
    }

    @Test
    void dataAfterEndIsRefused() throws IOException {
        byte[] s = stream(List.of());
        byte[] longer = Arrays.copyOf(s, s.length + 8);
        assertRefused(longer, "data after the END record");
    }

    @Test
    void valuesThatDoNotFitTheirFieldsAreNotWritten() throws IOException {
        MigrationWriter w = new MigrationWriter(new ByteArrayOutputStream());
        assertThrows(IllegalArgumentException.class, () -> w.write(new NodeData(0, 0, 0,
                List.of(new Perm(Access.NONE, 0)), "/" + "a".repeat(70000), new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> w.write(new ConnectionData(0, new Socket(1),
                new byte[0], 0, new byte[0], OptionalLong.empty())));
        assertThrows(IllegalArgumentException.class, () -> w.write(new DomainData(70000, 0, List.of())));
        assertThrows(IllegalArgumentException.class, () -> w.write(new NodeData(0, 0, 0, List.of(), "/x",
                new byte[0])));
    }

    private static void assertRefused(byte[] stream, String message) {
        MigrationFormatException e = assertThrows(MigrationFormatException.class, () -> readAll(stream));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** Records compared field by field, byte arrays by content. */
    private static void assertSame(MigrationRecord expected, MigrationRecord actual) {
        if (expected instanceof ConnectionData e && actual instanceof ConnectionData a) {
            assertEquals(e.connId(), a.connId());
            assertEquals(e.endpoint(), a.endpoint());
            assertArrayEquals(e.input(), a.input());
            assertEquals(e.partialReplyLength(), a.partialReplyLength());
            assertArrayEquals(e.output(), a.output());
            assertEquals(e.uniqueId(), a.uniqueId());
        } else if (expected instanceof NodeData e && actual instanceof NodeData a) {
            assertEquals(List.of(e.connId(), e.txId(), e.access(), e.path()),
                    List.of(a.connId(), a.txId(), a.access(), a.path()));
            assertEquals(e.perms(), a.perms());
            assertArrayEquals(e.value(), a.value());
        } else if (expected instanceof TransactionLog e && actual instanceof TransactionLog a) {
            assertEquals(List.of(e.connId(), e.txId(), e.replayable(), e.touched()),
                    List.of(a.connId(), a.txId(), a.replayable(), a.touched()));
            assertEquals(e.requests().size(), a.requests().size());
            for (int i = 0; i < e.requests().size(); i++) {
                assertEquals(e.requests().get(i).type(), a.requests().get(i).type());
                assertArrayEquals(e.requests().get(i).payload(), a.requests().get(i).payload());
            }
        } else {
            assertEquals(expected, actual);
        }
    }

    private static byte[] stream(List<MigrationRecord> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MigrationWriter w = new MigrationWriter(out);
        for (MigrationRecord r : records) {
            w.write(r);
        }
        w.finish();
        return out.toByteArray();
    }

    /** A stream with one raw record of {@code type} before END. */
    private static byte[] withRecord(int type, byte[] body) throws IOException {
        byte[] s = stream(List.of());
        ByteBuffer b = ByteBuffer.allocate(s.length + 8 + body.length + MigrationFormat.padding(body.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(s, 0, 16).putInt(type).putInt(body.length).put(body);
        b.position(b.position() + MigrationFormat.padding(body.length));
        b.put(s, 16, s.length - 16);
        return b.array();
    }

    /** The same records as the writer gives, with the header's big-endian flag and every record field swapped. */
    private static byte[] bigEndianCopy(List<MigrationRecord> records) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.BIG_ENDIAN);
        b.putLong(MigrationFormat.IDENT).putInt(2).putInt(MigrationFormat.FLAG_BIG_ENDIAN);
        ConnectionData c = (ConnectionData) records.get(0);
        Ring r = (Ring) c.endpoint();
        int length = 24 + c.input().length + c.output().length;
        b.putInt(MigrationFormat.CONNECTION_DATA).putInt(length);
        b.putInt(c.connId()).putShort(MigrationFormat.CONN_RING).putShort((short) 0)
                .putShort((short) r.domid()).putShort((short) r.targetDomid()).putInt(r.port())
                .putShort((short) c.input().length).putShort((short) 0).putInt(c.output().length)
                .put(c.input()).put(c.output());
        b.position(b.position() + MigrationFormat.padding(length));
        TransactionData t = (TransactionData) records.get(1);
        b.putInt(MigrationFormat.TRANSACTION_DATA).putInt(8).putInt(t.connId()).putInt(t.txId());
        b.putInt(MigrationFormat.END).putInt(0);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] le(int... ints) {
        ByteBuffer b = ByteBuffer.allocate(4 * ints.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : ints) {
            b.putInt(i);
        }
        return b.array();
    }

    private static List<MigrationRecord> readAll(byte[] stream) throws IOException {
        MigrationReader r = new MigrationReader(new ByteArrayInputStream(stream));
        List<MigrationRecord> out = new ArrayList<>();
        MigrationRecord next;
        do {
            next = r.next();
            out.add(next);
        } while (!(next instanceof End));
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
