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

    /** Reads a header from the next 16 bytes of {@code buf}. */
    public static Header read(ByteBuffer buf) {
        ByteBuffer b = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int pos = buf.position();
        Header h = new Header(b.getInt(pos), b.getInt(pos + 4), b.getInt(pos + 8), b.getInt(pos + 12));
        buf.position(pos + Wire.HEADER_SIZE);
        return h;
    }

    /** Writes this header into {@code buf} at its position. */
    public void write(ByteBuffer buf) {
        ByteBuffer b = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int pos = buf.position();
        b.putInt(pos, type).putInt(pos + 4, reqId).putInt(pos + 8, txId).putInt(pos + 12, length);
        buf.position(pos + Wire.HEADER_SIZE);
    }

    /** The payload length as the unsigned value the sender meant. */
    public long unsignedLength() {
        return Integer.toUnsignedLong(length);
    }
}
