package org.jxenstore.control;

import java.util.List;
import org.jxenstore.exec.Session;

/** What CONTROL commands need to know about the connected clients. */
public interface Clients {

    /** The session of every connection. */
    List<Session> sessions();

    /** Bytes of replies and events queued for all clients and not yet written. */
    long queuedOutputBytes();
}
