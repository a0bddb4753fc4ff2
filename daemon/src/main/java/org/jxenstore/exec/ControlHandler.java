package org.jxenstore.exec;

import java.util.List;
import org.jxenstore.protocol.XsException;

/** Runs a CONTROL (xenstore-control) command; the control package implements it. */
public interface ControlHandler {
    /**
     * @param s the connection's session: a live update belongs to the connection that began it
     * @return the reply
     */
    Reply run(Session s, List<String> args) throws XsException;
}
