package org.jxenstore.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jxenstore.ring.XenstoreRing;
import org.jxenstore.ring.XenstoreRing.RingIndexException;

/**
 * {@link XenstoreRing} over a hostile page.
 *
 * <p>Input: the page's 4096 bytes (the guest's contents, including every index word), then a
 * sequence of operations: our reads and writes with buffers of fuzzer-chosen size and position,
 * the guest moving its own indexes (to anything), reconnection, features and error words.
 * The page is the middle of three pages of one Arena allocation, so that a stray access would land
 * in a guard page we check too.
 *
 * <p>Invariants, per operation, against a byte-for-byte copy of the page taken before it:
 * <ul>
 *   <li>{@code readRequests} throws {@link RingIndexException} iff {@code req_prod - req_cons}
 *       (unsigned 32-bit) exceeds 1024, and then changes nothing; otherwise it copies
 *       {@code min(prod - cons, dst.remaining())} bytes from {@code req[(cons + i) % 1024]} into
 *       the buffer's window (nothing outside it), advances {@code req_cons} by that much, and
 *       changes no other byte of the page.</li>
 *   <li>{@code writeResponses} likewise for {@code rsp_prod - rsp_cons}: it writes
 *       {@code min(1024 - used, src.remaining())} bytes at {@code rsp[(prod + i) % 1024]},
 *       advances {@code rsp_prod}, and changes no other byte.</li>
 *   <li>The guard pages never change; no exception other than RingIndexException.</li>
 * </ul>
 */
class RingFuzzTest {
    private static final int PAGE = XenstoreRing.PAGE_SIZE;
    private static final int RING = XenstoreRing.RING_SIZE;
    private static final int REQ = 0;
    private static final int RSP = 1024;
    private static final int REQ_CONS = 2048;
    private static final int REQ_PROD = 2052;
    private static final int RSP_CONS = 2056;
    private static final int RSP_PROD = 2060;
    private static final int FEATURES = 2064;
    private static final int CONNECTION = 2068;
    private static final int ERROR = 2072;

    @FuzzTest
    void ring(FuzzedDataProvider data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(3L * PAGE, PAGE);
            byte[] guard = new byte[PAGE];
            Arrays.fill(guard, (byte) 0xa5);
            MemorySegment.copy(guard, 0, all, ValueLayout.JAVA_BYTE, 0, PAGE);
            MemorySegment.copy(guard, 0, all, ValueLayout.JAVA_BYTE, 2L * PAGE, PAGE);
            MemorySegment page = all.asSlice(PAGE, PAGE);
            byte[] initial = Arrays.copyOf(data.consumeBytes(PAGE), PAGE);
            MemorySegment.copy(initial, 0, page, ValueLayout.JAVA_BYTE, 0, PAGE);
            XenstoreRing ring = new XenstoreRing(page);
            int ops = 0;
            while (data.remainingBytes() > 0 && ops++ < 64) {
                byte[] before = page.toArray(ValueLayout.JAVA_BYTE);
                switch (data.consumeInt(0, 7)) {
                    case 0, 1 -> read(ring, page, before, data);
                    case 2, 3 -> write(ring, page, before, data);
                    case 4 -> {
                        // The guest moves an index it owns, or scribbles on ours: anything goes.
                        int which = data.pickValue(new int[] {REQ_CONS, REQ_PROD, RSP_CONS, RSP_PROD});
                        int value = data.consumeBoolean() ? data.consumeInt()
                                : getInt(before, which) + data.consumeInt(-2048, 2048);
                        page.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), which, value);
                    }
                    case 5 -> {
                        // The guest fills part of its request ring.
                        int at = data.consumeInt(0, RING - 1);
                        byte[] bytes = data.consumeBytes(RING - at);
                        MemorySegment.copy(bytes, 0, page, ValueLayout.JAVA_BYTE, REQ + at, bytes.length);
                    }
                    case 6 -> {
                        ring.resetAfterReconnect();
                        byte[] after = page.toArray(ValueLayout.JAVA_BYTE);
                        for (int i = 0; i < PAGE; i++) {
                            byte want = i < 2 * RING ? (byte) 0xff
                                    : (i >= REQ_CONS && i < RSP_PROD + 4) || (i >= CONNECTION && i < CONNECTION + 4) ? 0
                                    : before[i];
                            assertEquals(want, after[i], "byte " + i + " after resetAfterReconnect");
                        }
                    }
                    default -> {
                        int v = data.consumeInt();
                        int which;
                        switch (data.consumeInt(0, 2)) {
                            case 0 -> {
                                ring.setServerFeatures(v);
                                which = FEATURES;
                            }
                            case 1 -> {
                                ring.setError(v);
                                which = ERROR;
                            }
                            default -> {
                                assertEquals(getInt(before, CONNECTION), ring.connectionState());
                                which = -1;
                            }
                        }
                        byte[] expect = before.clone();
                        if (which >= 0) {
                            putInt(expect, which, v);
                        }
                        assertArrayEquals(expect, page.toArray(ValueLayout.JAVA_BYTE), "only the written word changes");
                    }
                }
                assertArrayEquals(guard, all.asSlice(0, PAGE).toArray(ValueLayout.JAVA_BYTE), "guard page below");
                assertArrayEquals(guard, all.asSlice(2L * PAGE, PAGE).toArray(ValueLayout.JAVA_BYTE), "guard page above");
            }
        }
    }

    private static void read(XenstoreRing ring, MemorySegment page, byte[] before, FuzzedDataProvider data) {
        int cap = data.consumeInt(0, 2 * RING + 16);
        int off = data.consumeInt(0, 16);
        int pos = data.consumeInt(0, 16);
        byte[] backing = new byte[off + cap + 16];
        Arrays.fill(backing, (byte) 0x5a);
        ByteBuffer dst = ByteBuffer.wrap(backing, off, cap).slice();
        dst.position(Math.min(pos, cap));
        int start = dst.position();
        int prod = getInt(before, REQ_PROD);
        int cons = getInt(before, REQ_CONS);
        int used = prod - cons;
        int n;
        try {
            n = ring.readRequests(dst);
        } catch (RingIndexException e) {
            assertTrue(Integer.compareUnsigned(used, RING) > 0, "RingIndexException for a valid distance " + used);
            assertArrayEquals(before, page.toArray(ValueLayout.JAVA_BYTE), "page changed by a refused read");
            return;
        }
        assertTrue(Integer.compareUnsigned(used, RING) <= 0, "read accepted distance " + Integer.toUnsignedString(used));
        assertEquals(Math.min(used, cap - start), n, "bytes read");
        assertEquals(start + n, dst.position(), "buffer position after read");
        for (int i = 0; i < backing.length; i++) {
            int rel = i - off - start;
            byte want = rel >= 0 && rel < n ? before[REQ + ((cons + rel) & (RING - 1))] : (byte) 0x5a;
            assertEquals(want, backing[i], "buffer byte " + i);
        }
        byte[] expect = before.clone();
        putInt(expect, REQ_CONS, cons + n);
        assertArrayEquals(expect, page.toArray(ValueLayout.JAVA_BYTE), "a read changes only req_cons");
    }

    private static void write(XenstoreRing ring, MemorySegment page, byte[] before, FuzzedDataProvider data) {
        int len = data.consumeInt(0, 2 * RING + 16);
        int off = data.consumeInt(0, 16);
        byte[] backing = new byte[off + len];
        for (int i = 0; i < backing.length; i++) {
            backing[i] = (byte) (i * 7 + 1);
        }
        byte[] original = backing.clone();
        ByteBuffer src = ByteBuffer.wrap(backing, off, len).slice();
        int prod = getInt(before, RSP_PROD);
        int cons = getInt(before, RSP_CONS);
        int used = prod - cons;
        int n;
        try {
            n = ring.writeResponses(src);
        } catch (RingIndexException e) {
            assertTrue(Integer.compareUnsigned(used, RING) > 0, "RingIndexException for a valid distance " + used);
            assertArrayEquals(before, page.toArray(ValueLayout.JAVA_BYTE), "page changed by a refused write");
            return;
        }
        assertTrue(Integer.compareUnsigned(used, RING) <= 0, "write accepted distance " + Integer.toUnsignedString(used));
        assertEquals(Math.min(RING - used, len), n, "bytes written");
        assertEquals(n, src.position(), "buffer position after write");
        assertArrayEquals(original, backing, "a write changed its source");
        byte[] expect = before.clone();
        for (int i = 0; i < n; i++) {
            expect[RSP + ((prod + i) & (RING - 1))] = original[off + i];
        }
        putInt(expect, RSP_PROD, prod + n);
        assertArrayEquals(expect, page.toArray(ValueLayout.JAVA_BYTE), "a write changes only rsp[] and rsp_prod");
    }

    private static int getInt(byte[] page, int offset) {
        return ByteBuffer.wrap(page).order(ByteOrder.nativeOrder()).getInt(offset);
    }

    private static void putInt(byte[] page, int offset, int value) {
        ByteBuffer.wrap(page).order(ByteOrder.nativeOrder()).putInt(offset, value);
    }
}
