package org.jxenstore.server;

import java.io.IOException;
import java.nio.ByteBuffer;

/** How a connection's bytes move: a Unix socket, or a guest's shared ring and event channel. */
interface Transport {

    /**
     * Reads what is available into {@code dst} without blocking.
     *
     * @return the number of bytes read, or -1 when the peer is gone
     * @throws IOException if the transport failed or the peer broke its protocol
     */
    int read(ByteBuffer dst) throws IOException;

    /** Writes as much of {@code srcs} as fits without blocking; returns the number of bytes written. */
    long write(ByteBuffer[] srcs) throws IOException;

    /** The event loop's wishes: whether more input is wanted now and whether output is pending. */
    void interest(boolean read, boolean write);

    /** The peer sent a message the protocol forbids (a length over 4096); it is about to be dropped. */
    void protocolError();

    /** A short name for logs: {@code socket} or {@code dom5}. */
    String describe();

    void close();
}
