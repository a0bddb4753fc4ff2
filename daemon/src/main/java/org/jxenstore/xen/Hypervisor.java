package org.jxenstore.xen;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The hypervisor services xenstored needs, through Xen's own libraries (libxenevtchn,
 * libxengnttab, libxenctrl 4.17), called with the FFM API.
 *
 * <p>The JVM must run with {@code --enable-native-access=ALL-UNNAMED} (bin/jxenstored passes it).
 */
public interface Hypervisor extends AutoCloseable {
    /**
     * Opens libxenevtchn, libxengnttab and libxenctrl.
     *
     * @throws XenException with a one-line reason if there is no Xen (a library is missing, or
     *     {@code xenevtchn_open} fails because there is no {@code /dev/xen/evtchn}, ...)
     */
    static Hypervisor open() throws XenException {
        return LibXenHypervisor.open();
    }

    EventChannels eventChannels();

    /**
     * Maps grant reference 1 (GNTTAB_RESERVED_XENSTORE) of the domain, read/write, 4096 bytes.
     * The segment is valid until {@link #unmapRing} or {@link #close}; using it after that throws
     * {@link IllegalStateException} instead of touching unmapped memory.
     */
    MemorySegment mapRing(int domid) throws XenException;

    /** Unmaps a segment returned by {@link #mapRing}; anything else (or a second unmap) is ignored. */
    void unmapRing(MemorySegment ring);

    /** The domain's state, or empty if the hypervisor does not know the domain. */
    Optional<DomainState> domainState(int domid) throws XenException;

    /**
     * Dom0's own ring: mmap of /proc/xen/xsd_kva (4096 bytes, shared, read/write) and the port
     * read from /proc/xen/xsd_port.
     */
    Dom0Ring dom0Ring() throws XenException;

    /**
     * Unmaps every ring (dom0's too) and closes the library handles. A thread blocked in {@link
     * EventChannels#awaitPending} is woken (it returns -1) and waited for before the event channel
     * is closed. Rings must not be in use by other threads meanwhile: their segments are closed.
     */
    @Override
    void close();
}
