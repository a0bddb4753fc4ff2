package org.jxenstore.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A Unix socket client, driven by the event loop's selector. */
final class SocketTransport implements Transport {
    private final SocketChannel channel;
    private SelectionKey key;

    SocketTransport(SocketChannel channel) {
        this.channel = channel;
    }

    SocketChannel channel() {
        return channel;
    }

    void setKey(SelectionKey k) {
        key = k;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return channel.write(srcs);
    }

    @Override
    public void interest(boolean read, boolean write) {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    @Override
    public void protocolError() {
        // A socket has no error word: closing it is the whole answer.
    }

    @Override
    public String describe() {
        return "socket";
    }

    @Override
    public void close() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // The peer is gone either way.
        }
    }
}
