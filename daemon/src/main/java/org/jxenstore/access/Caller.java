package org.jxenstore.access;

/**
 * Who sends a request: the domain of the connection, and whether it is privileged (dom0's tools,
 * the socket, the configured privileged domain). Rights gained through SET_TARGET belong to the
 * domain, not to one connection, so {@link PermissionCheck} looks them up.
 */
public record Caller(int domid, boolean privileged) {

    public static Caller privileged(int domid) {
        return new Caller(domid, true);
    }

    public static Caller unprivileged(int domid) {
        return new Caller(domid, false);
    }
}
