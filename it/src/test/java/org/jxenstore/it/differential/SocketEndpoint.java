package org.jxenstore.it.differential;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jxenstore.it.wire.RawConnection;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;

/** A client on the daemon's Unix socket: privileged, as every socket client is. */
final class SocketEndpoint implements Endpoint {
    private final RawConnection connection;

    private SocketEndpoint(RawConnection connection) {
        this.connection = connection;
    }

    /**
     * A connection the daemon has accepted: C xenstored listens with a backlog of 1, so the next
     * connect must wait until this one has had an answer.
     */
    static SocketEndpoint open(Path socket, Message probe) throws IOException {
        SocketEndpoint e = new SocketEndpoint(RawConnection.open(socket));
        e.call(probe);
        return e;
    }

    @Override
    public List<Message> call(Message request) throws IOException {
        connection.send(request);
        List<Message> arrived = new ArrayList<>();
        while (true) {
            Message m = connection.receive(RawConnection.TIMEOUT);
            if (m == null) {
                return arrived;
            }
            arrived.add(m);
            if (m.type() != MessageType.WATCH_EVENT.code()) {
                return arrived;
            }
        }
    }

    @Override
    public boolean closed() {
        return connection.closedByDaemon();
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
