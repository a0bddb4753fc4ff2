package org.jxenstore.domain;

import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsException;

/**
 * How an introduced domain is reached: its ring and event channel. Without Xen ({@code -D})
 * domains are only recorded.
 */
public interface DomainTransport {

    /** No transport: INTRODUCE records the domain and nothing else. */
    DomainTransport NONE = new DomainTransport() {
        @Override
        public void connect(int domid, int remotePort, int features) {
        }

        @Override
        public void disconnect(int domid) {
        }

        /** Without a hypervisor to ask, every domid below the reserved ones may exist. */
        @Override
        public boolean exists(int domid) {
            return domid >= 0 && domid < Wire.DOMID_SELF; // DOMID_SELF is the first reserved domid
        }
    };

    /**
     * Connects a domain's ring, advertising {@code features}; for a domain already connected,
     * re-binds its event channel (a guest recreating its xenbus channel).
     *
     * @throws XsException EINVAL if the ring cannot be mapped or the channel bound
     */
    void connect(int domid, int remotePort, int features) throws XsException;

    /** Drops the domain's connection, unbinds its channel and unmaps its ring. */
    void disconnect(int domid);

    /** Whether the hypervisor knows a domain {@code domid}, dying or not. */
    boolean exists(int domid);
}
