package org.jxenstore.exec;

import java.util.List;
import org.jxenstore.protocol.XsException;

/** Runs a CONTROL (xenstore-control) command; the control package implements it. */
public interface ControlHandler {
    /** @return the reply text (sent NUL-terminated) */
    String run(List<String> args) throws XsException;
}
