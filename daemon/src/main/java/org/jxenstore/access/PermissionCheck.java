package org.jxenstore.access;

/** C xenstored's {@code perm_for_conn}: what a caller may do with a node. */
public final class PermissionCheck {
    private final DomainAges ages;

    public PermissionCheck(DomainAges ages) {
        this.ages = ages;
    }

    /**
     * Whether {@code caller} has {@code needed} on a node with these permissions.
     *
     * <p>Privileged callers and the owner (or the holder of the owner's target rights) get
     * everything; otherwise the first live ACL entry naming the caller or its target decides;
     * otherwise the owner entry's letter is the default.
     */
    public boolean allows(Caller caller, Perms perms, long nodeGeneration, Access needed) {
        if (caller.privileged() || caller.actsAs(perms.owner())) {
            return true;
        }
        var entries = perms.entries();
        for (int i = 1; i < entries.size(); i++) {
            Perm p = entries.get(i);
            if (p.stale() || !caller.actsAs(p.domid()) || ages.staleFor(p.domid(), nodeGeneration)) {
                continue;
            }
            return p.access().grants(needed);
        }
        return entries.getFirst().access().grants(needed);
    }

    /** Whether {@code caller} owns the node: it may change its permissions. */
    public boolean owns(Caller caller, Perms perms) {
        return caller.privileged() || caller.actsAs(perms.owner());
    }
}
