package org.jxenstore.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jxenstore.access.Perm;
import org.jxenstore.access.Perms;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.quota.QuotaTable;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Change;
import org.jxenstore.watch.Notifier;

/**
 * The domain operations of the protocol (INTRODUCE, RELEASE, RESUME, SET_TARGET,
 * IS_DOMAIN_INTRODUCED) and what happens when a domain goes away.
 */
public final class DomainLifecycle {
    private final DomainRegistry registry;
    private final Store store;
    private final Notifier notifier;
    private final QuotaTable quotas;
    private final boolean keepOrphans;
    private final DomainTransport transport;
    private final DaemonLog log;

    /**
     * @param transport   how introduced domains are reached ({@link DomainTransport#NONE} without Xen)
     * @param keepOrphans {@code -K}: a dead domain's nodes pass to the master domain
     */
    public DomainLifecycle(DomainRegistry registry, Store store, Notifier notifier, QuotaTable quotas,
            DomainTransport transport, boolean keepOrphans, DaemonLog log) {
        this.registry = registry;
        this.store = store;
        this.notifier = notifier;
        this.quotas = quotas;
        this.transport = transport;
        this.keepOrphans = keepOrphans;
        this.log = log;
    }

    /**
     * INTRODUCE: the domain's ring becomes a connection. Introducing a known domain again only
     * re-binds its event channel, so {@code @introduceDomain} fires the first time only.
     */
    public void introduce(int domid, int port) throws XsException {
        if (domid < 0 || domid > 0xFFFF || port <= 0) {
            throw new XsException(XsError.EINVAL);
        }
        Domain d = registry.ensure(domid);
        boolean first = !d.introduced();
        try {
            transport.connect(domid, port, d.features());
        } catch (XsException e) {
            if (first) {
                registry.forgetIfUnused(domid);
            }
            throw e;
        }
        d.introduce(port);
        if (first) {
            log.info("dom" + domid + " introduced (event channel " + port + ")");
            fireSpecial(NodePath.INTRODUCE_DOMAIN, domid);
        }
    }

    /**
     * A domain the daemon's previous process had introduced: its ring is mapped and its event
     * channel bound again, with no {@code @introduceDomain}, as after a live update. If that
     * fails, the domain is taken as gone: it is destroyed and {@code @releaseDomain} fires.
     *
     * @return whether the domain is connected
     */
    public boolean reattach(int domid) {
        Domain d = registry.find(domid);
        if (d == null || !d.introduced()) {
            return false;
        }
        try {
            transport.connect(domid, d.port(), d.features());
            log.info("dom" + domid + " attached again (event channel " + d.port() + ")");
            return true;
        } catch (XsException e) {
            log.warning("dom" + domid + " cannot be attached again: its connection and nodes are removed");
            destroy(domid);
            notifier.special(NodePath.RELEASE_DOMAIN, store.specialPerms(NodePath.RELEASE_DOMAIN));
            return false;
        }
    }

    /**
     * RELEASE: forget the domain. The store and privileged domains cannot be released (EINVAL);
     * an unknown one is ENOENT.
     */
    public void release(int domid) throws XsException {
        if (registry.isPrivilegedDomain(domid)) {
            throw new XsException(XsError.EINVAL);
        }
        if (!registry.isIntroduced(domid)) {
            throw new XsException(XsError.ENOENT);
        }
        log.info("dom" + domid + " released");
        destroy(domid);
        notifier.special(NodePath.RELEASE_DOMAIN, store.specialPerms(NodePath.RELEASE_DOMAIN));
    }

    /**
     * VIRQ_DOM_EXC: asks the hypervisor about every introduced guest. A domain that is gone or
     * dying is destroyed; one seen shut down for the first time is reported (RESUME re-arms
     * that). The generic {@code @releaseDomain} fires once per batch, the per-domain form once
     * per domain.
     */
    public void checkDomains(DomainStates states) {
        boolean fired = false;
        for (Domain d : registry.introduced()) {
            if (registry.isPrivilegedDomain(d.domid())) {
                continue;
            }
            var s = states.state(d.domid());
            if (s.isEmpty() || s.get().dying()) {
                log.info("dom" + d.domid() + (s.isEmpty() ? " is gone" : " is dying") + ": its connection and nodes are removed");
                destroy(d.domid());
                fired = true;
            } else if (s.get().shutdown() && !d.shutdownReported) {
                log.info("dom" + d.domid() + " shut down");
                d.shutdownReported = true;
                notifier.specialForDomain(NodePath.RELEASE_DOMAIN, d.domid(),
                        store.specialPerms(NodePath.RELEASE_DOMAIN));
                fired = true;
            }
        }
        if (fired) {
            notifier.special(NodePath.RELEASE_DOMAIN, store.specialPerms(NodePath.RELEASE_DOMAIN));
        }
    }

    /**
     * A domain is gone: its nodes are deleted (or, with {@code -K}, handed to the store domain),
     * its ACL entries are stripped, its record is forgotten so that a domain reusing the id starts
     * clean (XSA-322, XSA-419), and {@code @releaseDomain} fires. Costs time proportional to the
     * domain's own nodes. Its connection goes first, so that it sees no events for its own
     * teardown. The caller fires the generic {@code @releaseDomain}.
     */
    void destroy(int domid) {
        transport.disconnect(domid);
        List<String> owned = new ArrayList<>(store.pathsOwnedBy(domid));
        owned.sort(Comparator.comparingInt(String::length));
        for (String p : owned) {
            Node n = store.get(p);
            if (n == null || n.perms().owner() != domid) {
                continue;
            }
            if (keepOrphans) {
                store.put(p, n.value(), n.perms().withOwner(registry.masterDomid()));
            } else if (!p.equals(NodePath.ROOT)) {
                Change.Removal removal = new Change.Removal(p, store.remove(p));
                notifier.fire(removal, store.generation());
                forgetUnusedRecords(removal);
            }
        }
        store.stripFromSpecialPerms(domid);
        for (String p : store.pathsMentioning(domid)) {
            Node n = store.get(p);
            if (n != null) {
                store.put(p, n.value(), n.perms().withoutAclFor(domid));
            }
        }
        registry.forget(domid);
        registry.revokeTargetsOn(domid);
        quotas.forgetDomain(domid);
        notifier.specialForDomain(NodePath.RELEASE_DOMAIN, domid, store.specialPerms(NodePath.RELEASE_DOMAIN));
    }

    private void fireSpecial(String name, int domid) {
        Perms perms = store.specialPerms(name);
        notifier.special(name, perms);
        notifier.specialForDomain(name, domid, perms);
    }

    /** RESUME: re-arms {@code @releaseDomain} for the domain's next shutdown. */
    public void resume(int domid) throws XsException {
        if (registry.isPrivilegedDomain(domid)) {
            throw new XsException(XsError.EINVAL);
        }
        Domain d = registry.find(domid);
        if (d == null || !d.introduced()) {
            throw new XsException(XsError.ENOENT);
        }
        d.resume();
    }

    public boolean isIntroduced(int domid) {
        return registry.isIntroduced(domid);
    }

    /** SET_TARGET: {@code domid} (a stub domain) gains the rights of {@code target}; both must be introduced. */
    public void setTarget(int domid, int target) throws XsException {
        Domain d = registry.find(domid);
        if (d == null || !d.introduced() || !registry.isIntroduced(target)) {
            throw new XsException(XsError.ENOENT);
        }
        d.setTarget(target);
    }

    /**
     * After a change: the records of domains that were named only by the permissions it replaced
     * or removed, and were never introduced, are dropped.
     */
    public void forgetUnusedRecords(Change change) {
        switch (change) {
            case Change.Modified m -> {
                if (m.before() != null) {
                    forgetUnused(m.before());
                }
            }
            case Change.Removal r -> {
                for (var n : r.nodes()) {
                    forgetUnused(n.perms());
                }
            }
        }
    }

    /** Drops the records of never-introduced domains {@code perms} names that nothing names any more. */
    public void forgetUnused(Perms perms) {
        for (Perm p : perms.entries()) {
            registry.forgetIfUnused(p.domid());
        }
    }

    /** XSA-417: every domain named in an ACL gets a record stamped now, before the node is written. */
    public void recordAll(Perms perms) {
        for (Perm p : perms.entries()) {
            if (!p.stale() && p.domid() != Wire.DOMID_ANY) {
                registry.ensure(p.domid());
            }
        }
    }

    /** Whether a permission entry may name {@code domid}: xenstored knows it, or the hypervisor does. */
    public boolean exists(int domid) {
        return registry.find(domid) != null || transport.exists(domid);
    }
}
