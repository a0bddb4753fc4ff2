package org.jxenstore.xen;

import java.io.IOException;

/**
 * A hypervisor call failed, or there is no hypervisor to call. The message is one line that says
 * what was attempted and why it failed (for the daemon's log and its exit message).
 */
public final class XenException extends IOException {
    private static final long serialVersionUID = 1L;

    public XenException(String message) {
        super(oneLine(message));
    }

    public XenException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        return message == null ? null : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
