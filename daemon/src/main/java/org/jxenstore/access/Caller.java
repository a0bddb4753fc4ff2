package org.jxenstore.access;

/**
 * Who sends a request: the domain of the connection, whether it is privileged (dom0's tools, the
 * socket, the configured privileged domain), and the domain it acts for after SET_TARGET.
 */
public record Caller(int domid, boolean privileged, int target) {
    public static final int NO_TARGET = -1;

    public static Caller privileged(int domid) {
        return new Caller(domid, true, NO_TARGET);
    }

    public static Caller unprivileged(int domid) {
        return new Caller(domid, false, NO_TARGET);
    }

    /** Whether {@code domid} is this caller or the domain it is the target-holder of. */
    public boolean actsAs(int domid) {
        return domid == this.domid || (target != NO_TARGET && domid == target);
    }
}
