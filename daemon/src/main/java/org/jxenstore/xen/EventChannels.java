package org.jxenstore.xen;

/**
 * Event channels (libxenevtchn): the "look at the ring" doorbells between the daemon and each
 * domain, and the VIRQ by which the hypervisor says that some domain died or shut down.
 *
 * <p>One dedicated thread calls {@link #awaitPending}; any other thread may bind, unbind, notify
 * and call {@link #wakeup} at the same time.
 */
public interface EventChannels {
    /** Binds to {@code remotePort} of domain {@code domid}; returns the local port. */
    int bindInterdomain(int domid, int remotePort) throws XenException;

    /** Binds VIRQ_DOM_EXC (3), fired when a domain dies or shuts down; returns the local port. */
    int bindVirqDomExc() throws XenException;

    /** Unbinds a local port; errors are ignored (the port is gone either way). */
    void unbind(int localPort);

    /** Signals the other end of a local port; errors are ignored, as C xenstored does. */
    void notify(int localPort);

    /**
     * Blocks until an event is pending (or {@link #wakeup()} was called), then returns its local
     * port, already unmasked; returns -1 after {@code wakeup()}. Each {@code wakeup()} makes one
     * call return -1 (several wakeups that no call has consumed yet count as one). Once the
     * {@link Hypervisor} is closed, it returns -1 at once. Call it from one thread only.
     */
    int awaitPending() throws XenException;

    /** Makes a blocked {@link #awaitPending()} return -1 promptly (or the next one, if none is blocked). */
    void wakeup();
}
