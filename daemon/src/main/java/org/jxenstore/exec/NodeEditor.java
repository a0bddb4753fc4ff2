package org.jxenstore.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.access.Caller;
import org.jxenstore.access.PermissionCheck;
import org.jxenstore.access.Perms;
import org.jxenstore.quota.Quota;
import org.jxenstore.quota.QuotaGate;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.NodeView;
import org.jxenstore.store.NodeView.Removed;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Change;
import org.jxenstore.txn.Transaction;

/**
 * The node operations shared by the request handlers, written once against a {@link NodeView}
 * so that they behave the same inside and outside a transaction.
 */
final class NodeEditor {
    private final Store store;
    private final PermissionCheck permissions;
    private final QuotaGate gate;

    NodeEditor(Store store, PermissionCheck permissions, QuotaGate gate) {
        this.store = store;
        this.permissions = permissions;
        this.gate = gate;
    }

    /**
     * C's {@code get_node}: the node if the caller has {@code needed} on it. A missing node is
     * ENOENT and a forbidden one EACCES, but if the nearest existing ancestor does not grant the
     * caller {@code needed} the answer is EACCES either way, so that existence does not leak.
     */
    Node require(NodeView v, Caller c, String path, Access needed) throws XsException {
        Node n = v.get(path);
        if (n != null && permissions.allows(c, n.perms(), n.generation(), needed)) {
            return n;
        }
        throw refusal(v, c, path, needed, n == null ? XsError.ENOENT : XsError.EACCES);
    }

    /**
     * The error for a node the caller may not have. C asks the ancestors for every caller and
     * every refusal, so in a transaction they are read, and a later change to them (a child added
     * next to the missing node, a new value) makes the commit fail. The nearest existing one must
     * grant what the request needs (write, to create a node), or the answer is EACCES.
     */
    private XsException refusal(NodeView v, Caller c, String path, Access needed, XsError err) {
        for (String a : NodePath.ancestors(path)) {
            Node p = v.get(a);
            if (p != null) {
                return new XsException(permissions.allows(c, p.perms(), p.generation(), needed) ? err : XsError.EACCES);
            }
        }
        return new XsException(err);
    }

    /** WRITE: sets the value, creating the node and any missing parents. */
    void write(NodeView v, Caller c, String path, byte[] value, Consumer<Change> changes) throws XsException {
        Node n = existingForWrite(v, c, path);
        if (n != null) {
            checkNodeSize(c, n.perms(), value.length, n);
            v.put(path, value, n.perms());
            changes.accept(new Change.Modified(path, null, n.perms()));
        } else {
            Perms perms = create(v, c, path, value);
            changes.accept(new Change.Modified(path, null, perms));
        }
    }

    /** MKDIR: creates the node and any missing parents; an existing node is left alone. */
    void mkdir(NodeView v, Caller c, String path, Consumer<Change> changes) throws XsException {
        if (existingForWrite(v, c, path) == null) {
            Perms perms = create(v, c, path, new byte[0]);
            changes.accept(new Change.Modified(path, null, perms));
        }
    }

    /** The node if it exists and the caller may write it; {@code null} if it is missing. */
    private Node existingForWrite(NodeView v, Caller c, String path) throws XsException {
        try {
            return require(v, c, path, Access.WRITE);
        } catch (XsException e) {
            if (e.error() == XsError.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Creates a node and its missing ancestors. The caller needs write access to the nearest
     * existing ancestor; new nodes copy its permissions, and an unprivileged creator becomes
     * their owner (C, unlike oxenstored).
     */
    private Perms create(NodeView v, Caller c, String path, byte[] value) throws XsException {
        List<String> missing = new ArrayList<>();
        missing.add(path);
        Node base = null;
        for (String a : NodePath.ancestors(path)) {
            base = v.get(a);
            if (base != null) {
                break;
            }
            missing.add(a);
        }
        if (base == null) {
            throw new IllegalStateException("the root is missing");
        }
        if (!permissions.allows(c, base.perms(), base.generation(), Access.WRITE)) {
            throw new XsException(XsError.EACCES);
        }
        Perms perms = c.privileged() ? base.perms() : base.perms().withOwner(c.domid());
        if (!c.privileged()) {
            checkCreationQuotas(v, c, base, missing, perms, value.length);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            v.put(missing.get(i), i == 0 ? value : new byte[0], perms);
        }
        return perms;
    }

    /** The node, node-size and parent-size quotas for an unprivileged creator. */
    private void checkCreationQuotas(NodeView v, Caller c, Node base, List<String> missing, Perms perms,
            int valueLength) throws XsException {
        int owned = store.nodesOwnedBy(perms.owner());
        if (v instanceof Transaction t) {
            owned += t.netNodesOwnedBy(perms.owner());
        }
        gate.require(c, Quota.NODES, (long) owned + missing.size(), XsError.ENOSPC);
        checkNodeSize(c, perms, valueLength, null);
        // C counts child names in a node's size, so every parent that gains a child must stay
        // within node-size too: the existing ancestor, and each new node that gets the next one.
        long parentSize = base.chargedSize();
        for (int i = missing.size() - 1; i >= 0; i--) {
            gate.requireBelow(c, Quota.NODE_SIZE, parentSize + NodePath.name(missing.get(i)).length() + 1,
                    XsError.ENOSPC);
            parentSize = Node.size(perms, 0, 0);
        }
    }

    /** The {@code node-size} quota, for unprivileged writers (C counts header, perms, value, names). */
    private void checkNodeSize(Caller c, Perms perms, int valueLength, Node existing) throws XsException {
        if (c.privileged()) {
            return;
        }
        long size = Node.size(perms, valueLength, existing == null ? 0 : existing.children().nameBytes());
        gate.requireBelow(c, Quota.NODE_SIZE, size, XsError.ENOSPC);
    }

    /** RM: removes a subtree; a missing node is fine if its parent exists. */
    void rm(NodeView v, Caller c, String path, Consumer<Change> changes) throws XsException {
        try {
            require(v, c, path, Access.WRITE);
        } catch (XsException e) {
            if (e.error() == XsError.ENOENT) {
                String parent = NodePath.parent(path);
                if (parent != null && v.get(parent) != null) {
                    return;
                }
            }
            throw e;
        }
        if (path.equals(NodePath.ROOT)) {
            throw new XsException(XsError.EINVAL);
        }
        // In a transaction the node may be one it saw before another client removed its
        // parent: C refuses the RM (EINVAL), and the commit will fail with EAGAIN.
        if (v.get(NodePath.parent(path)) == null) {
            throw new XsException(XsError.EINVAL);
        }
        List<Removed> removed = v.remove(path);
        changes.accept(new Change.Removal(path, removed));
    }

    /** SET_PERMS on a node: the caller must own it, and only a privileged caller may change the owner. */
    void setPerms(NodeView v, Caller c, String path, Perms perms, Consumer<Change> changes) throws XsException {
        Node n = require(v, c, path, Access.WRITE);
        if (!permissions.owns(c, n.perms())) {
            throw refusal(v, c, path, Access.WRITE, XsError.EACCES);
        }
        if (!c.privileged() && perms.owner() != n.perms().owner()) {
            throw new XsException(XsError.EPERM);
        }
        v.put(path, n.value(), perms);
        changes.accept(new Change.Modified(path, n.perms(), perms));
    }
}
