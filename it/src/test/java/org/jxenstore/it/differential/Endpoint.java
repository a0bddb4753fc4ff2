package org.jxenstore.it.differential;

import java.io.IOException;
import java.util.List;
import org.jxenstore.protocol.Message;

/** One client of a daemon in a lockstep run: a socket connection, or a guest on its ring. */
interface Endpoint extends AutoCloseable {

    /**
     * Sends {@code request} and returns what arrives up to and including its reply, in order:
     * watch events, then the reply; the list ends without a reply if the daemon closed the
     * connection or no reply came within the timeout ({@link #closed()} tells which).
     */
    List<Message> call(Message request) throws IOException;

    /** Whether the daemon closed the connection. */
    boolean closed();

    @Override
    void close() throws IOException;
}
