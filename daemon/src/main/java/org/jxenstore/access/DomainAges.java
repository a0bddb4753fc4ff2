package org.jxenstore.access;

/** What the permission check needs to know about domains to spot stale ACL entries. */
public interface DomainAges {
    /**
     * Whether an entry naming {@code domid} on a node last written at {@code nodeGeneration}
     * must be ignored: the domain is unknown, or it was created after the node was written, so
     * the entry was meant for an earlier domain with the same id (XSA-322, XSA-417).
     */
    boolean staleFor(int domid, long nodeGeneration);
}
