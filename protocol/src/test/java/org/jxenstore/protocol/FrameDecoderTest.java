package org.jxenstore.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reassembly of messages from a byte stream split anywhere. */
class FrameDecoderTest {

    private static byte[] concat(ByteBuffer... bs) {
        int n = 0;
        for (ByteBuffer b : bs) {
            n += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(n);
        for (ByteBuffer b : bs) {
            out.put(b.duplicate());
        }
        return out.array();
    }

    private static ByteBuffer header(int type, int req, int tx, int len) {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(req).putInt(tx).putInt(len);
        return b.flip();
    }

    private static void assertSame(Message expected, Message actual) {
        assertNotNull(actual);
        assertEquals(expected.type(), actual.type());
        assertEquals(expected.reqId(), actual.reqId());
        assertEquals(expected.txId(), actual.txId());
        assertArrayEquals(expected.payload(), actual.payload());
    }

    @Test
    void wholeMessageInOneBuffer() throws Exception {
        Message m = new Message(MessageType.READ, 42, 7, Payload.strings("/a/b"));
        Message got = new FrameDecoder().next(m.encode());
        assertSame(m, got);
    }

    @Test
    void messageFedOneByteAtATime() throws Exception {
        Message m = new Message(MessageType.WRITE, 3, 0, Payload.stringThenBytes("/x", new byte[] {1, 0, 2}));
        ByteBuffer all = m.encode();
        FrameDecoder d = new FrameDecoder();
        Message got = null;
        int fed = 0;
        while (all.hasRemaining()) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {all.get()});
            got = d.next(one);
            fed++;
            assertFalse(one.hasRemaining());
            if (fed < 16 + m.payload().length) {
                assertNull(got, "complete after only " + fed + " bytes");
                assertTrue(d.midMessage());
            }
        }
        assertSame(m, got);
        assertFalse(d.midMessage());
    }

    @Test
    void manyMessagesInOneBufferComeOutInOrder() throws Exception {
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(new Message(MessageType.WRITE, i, i % 3, Payload.stringThenBytes("/p" + i, new byte[i])));
        }
        sent.add(new Message(MessageType.TRANSACTION_START, 99, 0, Payload.EMPTY));
        ByteBuffer[] parts = sent.stream().map(Message::encode).toArray(ByteBuffer[]::new);
        ByteBuffer in = ByteBuffer.wrap(concat(parts));
        FrameDecoder d = new FrameDecoder();
        List<Message> got = new ArrayList<>();
        Message m;
        while ((m = d.next(in)) != null) {
            got.add(m);
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertSame(sent.get(i), got.get(i));
        }
        assertFalse(in.hasRemaining());
    }

    @Test
    void messagesSplitAtArbitraryBoundaries() throws Exception {
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(new Message(MessageType.READ, i, 0, Payload.strings("/node/" + i)));
        }
        byte[] all = concat(sent.stream().map(Message::encode).toArray(ByteBuffer[]::new));
        FrameDecoder d = new FrameDecoder();
        List<Message> got = new ArrayList<>();
        int pos = 0;
        int chunk = 1;
        while (pos < all.length) {
            int n = Math.min(chunk, all.length - pos);
            ByteBuffer in = ByteBuffer.wrap(all, pos, n);
            Message m;
            while ((m = d.next(in)) != null) {
                got.add(m);
            }
            assertFalse(in.hasRemaining());
            pos += n;
            chunk = chunk % 23 + 7;
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertSame(sent.get(i), got.get(i));
        }
    }

    @Test
    void zeroLengthPayloadCompletesRightAfterTheHeader() throws Exception {
        FrameDecoder d = new FrameDecoder();
        Message got = d.next(header(MessageType.TRANSACTION_START.code(), 5, 0, 0));
        assertNotNull(got);
        assertEquals(0, got.payload().length);
        assertEquals(5, got.reqId());
        assertFalse(d.midMessage());
    }

    @Test
    void payloadOfExactly4096IsAccepted() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(concat(header(MessageType.WRITE.code(), 1, 0, 4096), ByteBuffer.allocate(4096)));
        Message got = new FrameDecoder().next(in);
        assertNotNull(got);
        assertEquals(4096, got.payload().length);
    }

    @Test
    void length4097IsRejectedAsSoonAsTheHeaderIsComplete() {
        FrameDecoder d = new FrameDecoder();
        // Only the header: the decoder must refuse before any payload byte arrives.
        assertThrows(FrameDecoder.OversizedFrameException.class,
                () -> d.next(header(MessageType.WRITE.code(), 1, 0, 4097)));
    }

    @Test
    void length0xffffffffIsRejectedWithoutAllocating() {
        FrameDecoder d = new FrameDecoder();
        FrameDecoder.OversizedFrameException e = assertThrows(FrameDecoder.OversizedFrameException.class,
                () -> d.next(header(MessageType.WRITE.code(), 1, 0, 0xffffffff)));
        // The unsigned value is reported, not -1 (which would also betray a signed comparison).
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
        // The header alone was consumed: no 4 GiB buffer was ever needed (it would be an OutOfMemoryError).
        assertFalse(d.midMessage());
    }

    @Test
    void negativeAsSignedLengthIsRejected() {
        assertThrows(FrameDecoder.OversizedFrameException.class,
                () -> new FrameDecoder().next(header(MessageType.WRITE.code(), 1, 0, 0x80000000)));
    }

    @Test
    void partialHeaderReturnsNullAndReportsMidMessage() throws Exception {
        FrameDecoder d = new FrameDecoder();
        assertFalse(d.midMessage());
        ByteBuffer h = header(MessageType.READ.code(), 1, 0, 3);
        h.limit(5);
        assertNull(d.next(h));
        assertTrue(d.midMessage());
    }

    @Test
    void unknownTypeStillFramesSoTheExecutorCanAnswerEnosys() throws Exception {
        Message got = new FrameDecoder().next(header(0xffff, 9, 0, 0));
        assertNotNull(got);
        assertEquals(0xffff, got.type());
        assertNull(got.messageType());
    }

    @Test
    void headerFieldsAreLittleEndianAndEchoed() throws Exception {
        Message got = new FrameDecoder().next(header(2, 0x01020304, 0x0a0b0c0d, 0));
        assertEquals(0x01020304, got.reqId());
        assertEquals(0x0a0b0c0d, got.txId());
        assertEquals(MessageType.READ, got.messageType());
    }
}
