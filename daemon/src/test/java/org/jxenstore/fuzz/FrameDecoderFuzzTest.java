package org.jxenstore.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jxenstore.protocol.FrameDecoder;
import org.jxenstore.protocol.FrameDecoder.OversizedFrameException;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.Wire;

/**
 * {@link FrameDecoder} against a ten-line reference framer.
 *
 * <p>Input: a byte stream cut into chunks of fuzzer-chosen sizes (chunk bytes are taken from the
 * front of the input, chunk sizes from its end, so the raw prefix of a seed file is the stream).
 * Invariants: the decoder yields exactly the messages the reference framer finds, in order, with
 * the same header fields and payloads; {@code next} returns {@code null} only with its buffer
 * drained; a length over {@link Wire#PAYLOAD_MAX} raises {@link OversizedFrameException} right
 * after that header's 16th byte, without allocating anything near that length; no other exception;
 * at the end {@code midMessage} and {@code bytesNeeded} describe the leftover bytes.
 */
class FrameDecoderFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What a simple framer finds in the whole stream. */
    record Expected(List<Message> messages, long oversizedAt, long oversizedLength, int leftover, int needed) {
    }

    static Expected reference(byte[] s) {
        ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        List<Message> out = new ArrayList<>();
        int pos = 0;
        while (s.length - pos >= Wire.HEADER_SIZE) {
            long len = Integer.toUnsignedLong(b.getInt(pos + 12));
            if (len > Wire.PAYLOAD_MAX) {
                return new Expected(out, pos + Wire.HEADER_SIZE, len, 0, 0);
            }
            if (s.length - pos - Wire.HEADER_SIZE < len) {
                break;
            }
            byte[] body = new byte[(int) len];
            System.arraycopy(s, pos + Wire.HEADER_SIZE, body, 0, (int) len);
            out.add(new Message(b.getInt(pos), b.getInt(pos + 4), b.getInt(pos + 8), body));
            pos += Wire.HEADER_SIZE + (int) len;
        }
        int left = s.length - pos;
        int needed = left < Wire.HEADER_SIZE ? Wire.HEADER_SIZE - left
                : Wire.HEADER_SIZE + b.getInt(pos + 12) - left;
        return new Expected(out, -1, 0, left, needed);
    }

    @FuzzTest
    void frames(FuzzedDataProvider data) {
        List<byte[]> chunks = new ArrayList<>();
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        while (data.remainingBytes() > 0) {
            int size = data.consumeInt(0, 5000);
            byte[] chunk = data.consumeBytes(size);
            chunks.add(chunk);
            whole.writeBytes(chunk);
        }
        check(chunks, whole.toByteArray());
    }

    static void check(List<byte[]> chunks, byte[] stream) {
        Expected want = reference(stream);
        FrameDecoder dec = new FrameDecoder();
        List<Message> got = new ArrayList<>();
        long consumed = 0;
        for (byte[] chunk : chunks) {
            ByteBuffer in = ByteBuffer.wrap(chunk);
            do {
                int before = in.position();
                Message m;
                long allocBefore = THREADS.getCurrentThreadAllocatedBytes();
                try {
                    m = dec.next(in);
                } catch (OversizedFrameException e) {
                    long at = consumed + in.position() - before;
                    assertEquals(want.oversizedAt(), at, "oversized frame reported at the wrong offset");
                    long alloc = Math.min(THREADS.getCurrentThreadAllocatedBytes() - allocBefore,
                            rejectionAllocation(stream, (int) at - Wire.HEADER_SIZE));
                    assertTrue(alloc < Wire.PAYLOAD_MAX,
                            "rejecting a " + want.oversizedLength() + "-byte frame allocated " + alloc + " bytes");
                    assertMessages(want.messages(), got);
                    return;
                }
                consumed += in.position() - before;
                if (m == null) {
                    assertFalse(in.hasRemaining(), "next() returned null with bytes left in its buffer");
                } else {
                    assertTrue(m.payload().length <= Wire.PAYLOAD_MAX);
                    got.add(m);
                }
            } while (in.hasRemaining());
        }
        if (want.oversizedAt() >= 0) {
            fail("no OversizedFrameException for a " + want.oversizedLength() + "-byte frame");
        }
        assertMessages(want.messages(), got);
        assertEquals(want.leftover() > 0, dec.midMessage(), "midMessage() after " + want.leftover() + " leftover bytes");
        assertEquals(want.needed(), dec.bytesNeeded(), "bytesNeeded()");
    }

    /**
     * Bytes allocated while a fresh decoder rejects the header at {@code offset}, the least of a few
     * tries: the first rejection may also pay for class loading or instrumentation, but a body
     * buffer of the announced length (at least 4097 bytes) would show up every time.
     */
    private static long rejectionAllocation(byte[] stream, int offset) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            FrameDecoder fresh = new FrameDecoder();
            ByteBuffer header = ByteBuffer.wrap(stream, offset, Wire.HEADER_SIZE);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                fresh.next(header);
                fail("a fresh decoder accepted the header it rejected before");
            } catch (OversizedFrameException expected) {
                least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
            }
        }
        return least;
    }

    private static void assertMessages(List<Message> want, List<Message> got) {
        assertEquals(want.size(), got.size(), "number of messages");
        for (int i = 0; i < want.size(); i++) {
            Message w = want.get(i);
            Message g = got.get(i);
            assertEquals(w.type(), g.type(), "type of message " + i);
            assertEquals(w.reqId(), g.reqId(), "req_id of message " + i);
            assertEquals(w.txId(), g.txId(), "tx_id of message " + i);
            assertArrayEquals(w.payload(), g.payload(), "payload of message " + i);
        }
    }
}
