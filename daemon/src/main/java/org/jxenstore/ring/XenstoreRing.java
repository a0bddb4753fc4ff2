package org.jxenstore.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The shared page of {@code struct xenstore_domain_interface} (xs_wire.h): a 1024-byte request
 * ring the guest fills, a 1024-byte response ring we fill, their free-running 32-bit indexes, and
 * the feature, connection and error words.
 *
 * <p>The guest can change any byte of the page at any time, so every index is read exactly once
 * per operation into a local, the distance {@code prod - cons} is validated before it is used
 * (XSA-38), and payload bytes are copied out of the page before anyone parses them. Ordering
 * follows the protocol: the producer index is read with acquire semantics before the data it
 * covers, and our own index is published with release semantics after the data we read or wrote.
 */
public final class XenstoreRing {
    public static final int PAGE_SIZE = 4096;
    public static final int RING_SIZE = 1024;

    private static final long REQ = 0;
    private static final long RSP = 1024;
    private static final long REQ_CONS = 2048;
    private static final long REQ_PROD = 2052;
    private static final long RSP_CONS = 2056;
    private static final long RSP_PROD = 2060;
    private static final long SERVER_FEATURES = 2064;
    private static final long CONNECTION = 2068;
    private static final long ERROR = 2072;

    /** {@code connection} values. */
    public static final int CONNECTED = 0;
    public static final int RECONNECT = 1;

    /** {@code error} values. */
    public static final int ERROR_RINGIDX = 2;
    public static final int ERROR_PROTO = 3;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment page;

    /** The guest broke the ring protocol: an index out of range. */
    public static final class RingIndexException extends Exception {
        public RingIndexException(String what) {
            super(what, null, false, false);
        }
    }

    public XenstoreRing(MemorySegment page) {
        if (page.byteSize() < PAGE_SIZE) {
            throw new IllegalArgumentException("a xenstore ring page is " + PAGE_SIZE + " bytes");
        }
        this.page = page;
    }

    private int load(long offset) {
        return (int) INT.getAcquire(page, offset);
    }

    private void store(long offset, int value) {
        INT.setRelease(page, offset, value);
    }

    /**
     * Copies up to {@code dst.remaining()} request bytes out of the ring and consumes them.
     *
     * @return the number of bytes copied (0 if the ring is empty)
     * @throws RingIndexException if the guest's indexes claim more than a ring's worth of data
     */
    public int readRequests(ByteBuffer dst) throws RingIndexException {
        int prod = load(REQ_PROD);
        int cons = load(REQ_CONS);
        int n = Math.min(distance("request", prod, cons), dst.remaining());
        if (n > 0) {
            // Only an index that moved is written: the guest owns the page, and a store of the
            // value read earlier could undo what it wrote meanwhile.
            copyOut(REQ, cons, n, dst);
            store(REQ_CONS, cons + n);
        }
        return n;
    }

    /**
     * Copies as many bytes of {@code src} into the response ring as fit, and publishes them.
     *
     * @return the number of bytes written (0 if the ring is full)
     * @throws RingIndexException if the guest's consumer index is out of range
     */
    public int writeResponses(ByteBuffer src) throws RingIndexException {
        int cons = load(RSP_CONS);
        int prod = load(RSP_PROD);
        int n = Math.min(RING_SIZE - distance("response", prod, cons), src.remaining());
        if (n > 0) {
            copyIn(RSP, prod, n, src);
            store(RSP_PROD, prod + n);
        }
        return n;
    }

    /** The bytes between two free-running indexes, which may never exceed a ring (XSA-38). */
    private static int distance(String ring, int prod, int cons) throws RingIndexException {
        int d = prod - cons;
        if (Integer.compareUnsigned(d, RING_SIZE) > 0) {
            throw new RingIndexException(ring + " ring: prod " + Integer.toUnsignedString(prod)
                    + " cons " + Integer.toUnsignedString(cons));
        }
        return d;
    }

    private void copyOut(long base, int index, int n, ByteBuffer dst) {
        int first = Math.min(n, RING_SIZE - (index & (RING_SIZE - 1)));
        MemorySegment.copy(page, ValueLayout.JAVA_BYTE, base + (index & (RING_SIZE - 1)),
                heapArray(dst), dst.arrayOffset() + dst.position(), first);
        MemorySegment.copy(page, ValueLayout.JAVA_BYTE, base, heapArray(dst),
                dst.arrayOffset() + dst.position() + first, n - first);
        dst.position(dst.position() + n);
    }

    private void copyIn(long base, int index, int n, ByteBuffer src) {
        int first = Math.min(n, RING_SIZE - (index & (RING_SIZE - 1)));
        MemorySegment.copy(heapArray(src), src.arrayOffset() + src.position(), page, ValueLayout.JAVA_BYTE,
                base + (index & (RING_SIZE - 1)), first);
        MemorySegment.copy(heapArray(src), src.arrayOffset() + src.position() + first, page, ValueLayout.JAVA_BYTE,
                base, n - first);
        src.position(src.position() + n);
    }

    private static byte[] heapArray(ByteBuffer b) {
        if (!b.hasArray()) {
            throw new IllegalArgumentException("ring copies use heap buffers");
        }
        return b.array();
    }

    /** Advertises the features we implement; written before we touch the rings. */
    public void setServerFeatures(int features) {
        store(SERVER_FEATURES, features);
    }

    public int connectionState() {
        return load(CONNECTION);
    }

    /**
     * Completes a guest's reconnection request: both rings emptied, indexes reset, then
     * {@code connection} back to CONNECTED (only the server writes 0).
     */
    public void resetAfterReconnect() {
        page.asSlice(REQ, 2 * RING_SIZE).fill((byte) 0xff);
        store(REQ_CONS, 0);
        store(REQ_PROD, 0);
        store(RSP_CONS, 0);
        store(RSP_PROD, 0);
        store(CONNECTION, CONNECTED);
    }

    /** Tells the guest why we stopped talking to it. */
    public void setError(int code) {
        store(ERROR, code);
    }
}
