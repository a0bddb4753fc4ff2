package org.jxenstore.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct xsd_sockmsg}: four host-endian (little-endian on x86 and Arm) 32-bit words.
 *
 * @param type    the message type's wire code (may name no known type)
 * @param reqId   chosen by the client, echoed in the reply
 * @param txId    0, or the transaction the request runs in
 * @param length  payload length in bytes, unsigned on the wire
 */
public record Header(int type, int reqId, int txId, int length) {
    /** Where each word is in the 16 octets. */
    static final int TYPE_OFFSET = 0;
    static final int REQ_ID_OFFSET = 4;
    static final int TX_ID_OFFSET = 8;
    static final int LENGTH_OFFSET = 12;

    /** Reads a header from the next 16 bytes of {@code buf}. */
    public static Header read(ByteBuffer buf) {
        ByteBuffer b = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int pos = buf.position();
        Header h = new Header(b.getInt(pos + TYPE_OFFSET), b.getInt(pos + REQ_ID_OFFSET), b.getInt(pos + TX_ID_OFFSET),
                b.getInt(pos + LENGTH_OFFSET));
        buf.position(pos + Wire.HEADER_SIZE);
        return h;
    }

    /** Writes this header into {@code buf} at its position. */
    public void write(ByteBuffer buf) {
        ByteBuffer b = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int pos = buf.position();
        b.putInt(pos + TYPE_OFFSET, type).putInt(pos + REQ_ID_OFFSET, reqId).putInt(pos + TX_ID_OFFSET, txId)
                .putInt(pos + LENGTH_OFFSET, length);
        buf.position(pos + Wire.HEADER_SIZE);
    }

    /** The payload length as the unsigned value the sender meant. */
    public long unsignedLength() {
        return Integer.toUnsignedLong(length);
    }
}
