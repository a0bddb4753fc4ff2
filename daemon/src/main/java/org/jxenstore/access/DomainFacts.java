package org.jxenstore.access;

/** What the permission check needs to know about domains. */
public interface DomainFacts {
    /**
     * Whether an entry naming {@code domid} on a node last written at {@code nodeGeneration}
     * must be ignored: the domain is unknown, or it was created after the node was written, so
     * the entry was meant for an earlier domain with the same id (XSA-322, XSA-417).
     */
    boolean staleFor(int domid, long nodeGeneration);

    /** The domain whose rights {@code domid} holds through SET_TARGET, or -1. */
    int targetOf(int domid);
}
