package org.jxenstore.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ring page as a guest sees it: indexes at their xs_wire.h offsets, little-endian. */
class XenstoreRingTest {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment page = arena.allocate(XenstoreRing.PAGE_SIZE, 4096);
    private final XenstoreRing ring = new XenstoreRing(page);

    @AfterEach
    void free() {
        arena.close();
    }

    private int word(long offset) {
        return page.get(ValueLayout.JAVA_INT, offset);
    }

    private void setWord(long offset, int v) {
        page.set(ValueLayout.JAVA_INT, offset, v);
    }

    /** What a guest does: copy bytes at its producer index, then advance it. */
    private void guestSends(byte[] data) {
        int prod = word(2052);
        for (byte b : data) {
            page.set(ValueLayout.JAVA_BYTE, prod & 1023, b);
            prod++;
        }
        setWord(2052, prod);
    }

    @Test
    void anEmptyRingOrAFullOneIsNotWrittenTo() throws Exception {
        // A read-only view of the page: any store into it fails, so nothing here may write.
        XenstoreRing readOnly = new XenstoreRing(page.asReadOnly());
        assertEquals(0, readOnly.readRequests(ByteBuffer.allocate(16)));
        setWord(2060, 1024);   // rsp_prod: the response ring is full
        assertEquals(0, readOnly.writeResponses(ByteBuffer.wrap(new byte[] {1})));
    }

    @Test
    void readsWhatTheGuestProducedAndAdvancesTheConsumerIndex() throws Exception {
        guestSends(new byte[] {1, 2, 3});
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertEquals(3, ring.readRequests(dst));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(dst.array(), 3));
        assertEquals(3, word(2048));
        assertEquals(0, ring.readRequests(ByteBuffer.allocate(16)));
    }

    @Test
    void readsAcrossTheWrapPointWithFreeRunningIndexesNearTwoToThe32() throws Exception {
        int start = -10; // 0xfffffff6: both indexes wrap during this read
        setWord(2048, start);
        setWord(2052, start);
        byte[] data = new byte[40];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        guestSends(data);
        ByteBuffer dst = ByteBuffer.allocate(64);
        assertEquals(40, ring.readRequests(dst));
        assertArrayEquals(data, java.util.Arrays.copyOf(dst.array(), 40));
        assertEquals(start + 40, word(2048));
    }

    @Test
    void readsNoMoreThanTheDestinationHolds() throws Exception {
        guestSends(new byte[100]);
        assertEquals(30, ring.readRequests(ByteBuffer.allocate(30)));
        assertEquals(30, word(2048));
        assertEquals(100, word(2052), "the rest stays in the ring");
    }

    @Test
    void aProducerMoreThanARingAheadIsAnIndexErrorXsa38() {
        setWord(2052, 2000);
        assertThrows(XenstoreRing.RingIndexException.class, () -> ring.readRequests(ByteBuffer.allocate(16)));
        assertEquals(0, word(2048), "nothing consumed");
    }

    @Test
    void aProducerBehindTheConsumerIsAnIndexError() {
        setWord(2048, 10);
        setWord(2052, 5);
        assertThrows(XenstoreRing.RingIndexException.class, () -> ring.readRequests(ByteBuffer.allocate(16)));
    }

    @Test
    void writesAtMostTheFreeSpaceAndPublishesTheProducerIndex() throws Exception {
        ByteBuffer src = ByteBuffer.wrap(new byte[1500]);
        assertEquals(1024, ring.writeResponses(src));
        assertEquals(1024, word(2060));
        assertEquals(476, src.remaining());
        assertEquals(0, ring.writeResponses(src), "full until the guest consumes");
        setWord(2056, 1000);
        assertEquals(476, ring.writeResponses(src));
        assertEquals(1500, word(2060));
    }

    @Test
    void aConsumerIndexMovedIllegallyIsAnIndexError() {
        setWord(2056, 3000);
        assertThrows(XenstoreRing.RingIndexException.class, () -> ring.writeResponses(ByteBuffer.allocate(4)));
    }

    @Test
    void reconnectionResetsIndexesAndConnectionState() {
        guestSends(new byte[] {9});
        setWord(2068, XenstoreRing.RECONNECT);
        assertEquals(XenstoreRing.RECONNECT, ring.connectionState());
        ring.resetAfterReconnect();
        assertEquals(0, word(2048));
        assertEquals(0, word(2052));
        assertEquals(0, word(2056));
        assertEquals(0, word(2060));
        assertEquals(XenstoreRing.CONNECTED, word(2068));
    }

    @Test
    void featuresAndErrorGoToTheirWords() {
        ring.setServerFeatures(3);
        ring.setError(XenstoreRing.ERROR_PROTO);
        assertEquals(3, word(2064));
        assertEquals(3, word(2072));
    }
}
