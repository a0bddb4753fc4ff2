package org.jxenstore.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reassembles messages from a byte stream that may arrive in arbitrary pieces.
 *
 * <p>The body buffer is allocated only after the header's length has been checked against
 * {@link Wire#PAYLOAD_MAX}, so a hostile length never causes a large allocation.
 */
public final class FrameDecoder {
    /**
     * The header's octets as they come; once it is whole it stays here, read in place, until its
     * body is: no object is made for it (this runs for every request).
     */
    private final ByteBuffer header = ByteBuffer.allocate(Wire.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    /** The body being received, once the header is whole; null until then. */
    private byte[] body;
    private int bodyFilled;

    /** A peer sent a header whose length exceeds the protocol's limit. */
    public static final class OversizedFrameException extends Exception {
        public OversizedFrameException(long length) {
            super("message length " + length + " exceeds " + Wire.PAYLOAD_MAX, null, false, false);
        }
    }

    /**
     * Consumes bytes from {@code in} until one message is complete or {@code in} is empty.
     *
     * @return the completed message, or {@code null} if more bytes are needed
     */
    public Message next(ByteBuffer in) throws OversizedFrameException {
        if (body == null) {
            while (header.hasRemaining() && in.hasRemaining()) {
                header.put(in.get());
            }
            if (header.hasRemaining()) {
                return null;
            }
            long length = Integer.toUnsignedLong(header.getInt(Header.LENGTH_OFFSET));
            if (length > Wire.PAYLOAD_MAX) {
                header.clear();
                throw new OversizedFrameException(length);
            }
            body = length == 0 ? Payload.EMPTY : new byte[(int) length];
            bodyFilled = 0;
        }
        int n = Math.min(in.remaining(), body.length - bodyFilled);
        in.get(body, bodyFilled, n);
        bodyFilled += n;
        if (bodyFilled < body.length) {
            return null;
        }
        Message m = new Message(header.getInt(Header.TYPE_OFFSET), header.getInt(Header.REQ_ID_OFFSET),
                header.getInt(Header.TX_ID_OFFSET), body);
        header.clear();
        body = null;
        return m;
    }

    /**
     * How many more bytes complete the header or, once it is in, the body: a reader that must
     * not take more than one message (a guest ring) reads exactly this many.
     */
    public int bytesNeeded() {
        return body == null ? header.remaining() : body.length - bodyFilled;
    }

    /** Forgets a partly received message (a ring reconnection discards it). */
    public void reset() {
        header.clear();
        body = null;
    }

    /**
     * The octets of the partly received message, as they came: what a new decoder needs to be
     * given to carry on where this one is (a live update hands them over).
     */
    public byte[] partial() {
        if (body == null) {
            return Arrays.copyOf(header.array(), header.position());
        }
        byte[] out = Arrays.copyOf(header.array(), Wire.HEADER_SIZE + bodyFilled);
        System.arraycopy(body, 0, out, Wire.HEADER_SIZE, bodyFilled);
        return out;
    }

    /** Whether part of a message has been received but not yet completed. */
    public boolean midMessage() {
        return body != null || header.position() > 0;
    }
}
