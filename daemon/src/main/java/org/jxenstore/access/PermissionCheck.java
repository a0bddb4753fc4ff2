package org.jxenstore.access;

import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.protocol.Wire;
/** C xenstored's {@code perm_for_conn}: what a caller may do with a node. */
public final class PermissionCheck {
    private final DomainFacts domains;

    public PermissionCheck(DomainFacts domains) {
        this.domains = domains;
    }

    /**
     * Whether {@code caller} has {@code needed} on a node with these permissions.
     *
     * <p>Privileged callers and the owner (or the holder of the owner's target rights) get
     * everything; otherwise the first live ACL entry naming the caller, its target or every
     * domain (DOMID_ANY) decides; otherwise the owner entry's letter is the default.
     */
    public boolean allows(Caller caller, Perms perms, long nodeGeneration, Access needed) {
        if (caller.privileged()) {
            return true;
        }
        int target = domains.targetOf(caller.domid());
        if (actsAs(caller, target, perms.owner())) {
            return true;
        }
        var entries = perms.entries();
        for (int i = 1; i < entries.size(); i++) {
            Perm p = entries.get(i);
            if (p.stale()) {
                continue;
            }
            if (p.domid() == Wire.DOMID_ANY) {
                return p.access().grants(needed);
            }
            if (!actsAs(caller, target, p.domid()) || domains.staleFor(p.domid(), nodeGeneration)) {
                continue;
            }
            return p.access().grants(needed);
        }
        return entries.getFirst().access().grants(needed);
    }

    /** Whether {@code caller} owns the node: it may change its permissions. */
    public boolean owns(Caller caller, Perms perms) {
        return caller.privileged() || actsAs(caller, domains.targetOf(caller.domid()), perms.owner());
    }

    /** Whether an entry naming {@code domid} applies to the caller, itself or through its target. */
    private static boolean actsAs(Caller caller, int target, int domid) {
        return domid == caller.domid() || (target >= 0 && domid == target);
    }
}
