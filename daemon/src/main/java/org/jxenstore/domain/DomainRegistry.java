package org.jxenstore.domain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jxenstore.access.DomainFacts;
import org.jxenstore.store.Store;

/**
 * The domains xenstored knows about. A record is created when a domain is first named (by
 * INTRODUCE, or by an ACL entry) and stamped with the generation count of that moment; entries
 * on nodes written before it refer to an earlier domain with the same id and are ignored
 * (XSA-322). Releasing a domain forgets its record, so its old entries become stale at once.
 */
public final class DomainRegistry implements DomainFacts {
    private final Map<Integer, Domain> domains = new HashMap<>();
    private final Store store;
    private final int masterDomid;
    private final int privDomid;
    private IntConsumer changed = domid -> { };

    public DomainRegistry(Store store, int masterDomid, int privDomid) {
        this.store = store;
        this.masterDomid = masterDomid;
        this.privDomid = privDomid;
        Domain master = ensure(masterDomid);
        master.introduced = true;
        master.generation = 0;
    }

    public int masterDomid() {
        return masterDomid;
    }

    /** Whether {@code domid} is the store domain or the privileged domain, which cannot be released. */
    public boolean isPrivilegedDomain(int domid) {
        return domid == masterDomid || domid == privDomid;
    }

    /** The record for {@code domid}, created with the current generation if it is new. */
    public Domain ensure(int domid) {
        return domains.computeIfAbsent(domid, d -> new Domain(d, store.generation(), this::changed));
    }

    /** The record, or {@code null}. */
    public Domain find(int domid) {
        return domains.get(domid);
    }

    public boolean isIntroduced(int domid) {
        Domain d = domains.get(domid);
        return d != null && d.introduced;
    }

    /**
     * From now on, {@code onChange} is told the domid whenever what is kept of a domain changes:
     * introduced, forgotten, its features or its target.
     */
    public void listen(IntConsumer onChange) {
        changed = onChange;
    }

    private void changed(int domid) {
        changed.accept(domid);
    }

    /**
     * Clears what is kept of a domain beyond its record (taking over a previous process's
     * state, whose later records say what is left): not introduced (unless it is the store
     * domain), no port, no target, all features; the record goes too if nothing names it.
     */
    public void reset(int domid) {
        Domain d = domains.get(domid);
        if (d == null) {
            return;
        }
        d.introduced = domid == masterDomid;
        d.port = 0;
        d.target = -1;
        d.features = Domain.SUPPORTED_FEATURES;
        forgetIfUnused(domid);
    }

    /** Forgets a domain. */
    public void forget(int domid) {
        if (domains.remove(domid) != null) {
            changed(domid);
        }
    }

    /**
     * Forgets the record of a domain that was never introduced once no node names it any more:
     * records made for ACL entries (XSA-417) must not pile up as entries come and go.
     */
    public void forgetIfUnused(int domid) {
        Domain d = domains.get(domid);
        if (d != null && !d.introduced && domid != masterDomid && domid != privDomid
                && store.nodesOwnedBy(domid) == 0 && !store.isMentioned(domid)) {
            forget(domid);
        }
    }

    /** Every domain record, introduced or made for an ACL entry. */
    public List<Domain> all() {
        return List.copyOf(domains.values());
    }

    public List<Domain> introduced() {
        return domains.values().stream().filter(d -> d.introduced).toList();
    }

    public int size() {
        return domains.size();
    }

    @Override
    public int targetOf(int domid) {
        Domain d = domains.get(domid);
        return d == null ? -1 : d.target;
    }

    /** A domain went away: whoever held its rights through SET_TARGET loses them. */
    public void revokeTargetsOn(int domid) {
        for (Domain d : domains.values()) {
            if (d.target == domid) {
                d.setTarget(-1);
            }
        }
    }

    @Override
    public boolean staleFor(int domid, long nodeGeneration) {
        Domain d = domains.get(domid);
        return d == null || d.generation > nodeGeneration;
    }
}
