package org.jxenstore.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One framed message: a header and its payload. The payload array is owned by the message and
 * must not be changed after construction.
 */
public record Message(int type, int reqId, int txId, byte[] payload) {

    public Message {
        if (payload.length > Wire.PAYLOAD_MAX) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + Wire.PAYLOAD_MAX);
        }
    }

    public Message(MessageType type, int reqId, int txId, byte[] payload) {
        this(type.code(), reqId, txId, payload);
    }

    /** The known type of this message, or {@code null}. */
    public MessageType messageType() {
        return MessageType.fromCode(type);
    }

    /** Header and payload as one buffer, ready to be written. */
    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        new Header(type, reqId, txId, payload.length).write(b);
        b.put(payload);
        return b.flip();
    }

    /** An error reply to a request with the given ids. */
    public static Message error(int reqId, int txId, XsError error) {
        return new Message(MessageType.ERROR, reqId, txId, Payload.strings(error.name()));
    }
}
