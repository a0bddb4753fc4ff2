package org.jxenstore.watch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.access.PermissionCheck;
import org.jxenstore.access.Perms;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.NodeView.Removed;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Change;

/** Turns changes into watch events for the watches that match and may see them. */
public final class Notifier {
    private final WatchIndex index;
    private final PermissionCheck permissions;
    private final Store store;

    public Notifier(WatchIndex index, PermissionCheck permissions, Store store) {
        this.index = index;
        this.permissions = permissions;
        this.store = store;
    }

    public void fire(Change change, long generation) {
        switch (change) {
            case Change.Modified m -> modified(m.path(), m.before(), m.after(), generation);
            case Change.Removal r -> removed(r);
        }
    }

    /**
     * A node changed: watches on it and on its ancestors fire. XSA-115: only for watchers that may
     * read the node under its new or (for SET_PERMS) its old permissions, or may read its parent.
     */
    private void modified(String path, Perms before, Perms after, long generation) {
        List<Watch> hits = new ArrayList<>();
        index.forEachCovering(path, w -> {
            if (visible(w, after, generation) || (before != null && visible(w, before, generation))
                    || parentVisible(w, path)) {
                hits.add(w);
            }
        });
        deliver(hits, path);
    }

    /** Sends one change's events in C's order ({@link Watch#FIRING_ORDER}). */
    private static void deliver(List<Watch> hits, String path) {
        if (hits.size() > 1) {
            hits.sort(Watch.FIRING_ORDER);
        }
        for (Watch w : hits) {
            w.sink().deliver(w.eventPath(path), w.token());
        }
    }

    private boolean parentVisible(Watch w, String path) {
        String parent = NodePath.parent(path);
        Node p = parent == null ? null : store.get(parent);
        return p != null && visible(w, p.perms(), p.generation());
    }

    /**
     * C's order for RM: it deletes a subtree depth first, children in their list order, and each
     * node fires the watches set exactly on it once its own children are gone (post-order); then
     * the removal root fires with the subtree rule, for watches on it and above. Watches below
     * the root on paths that did not exist do not fire.
     */
    private void removed(Change.Removal r) {
        List<Removed> nodes = r.nodes();
        Map<String, Removed> subtree = byPath(nodes);
        ArrayDeque<Removed> open = new ArrayDeque<>();
        for (Removed n : nodes.subList(1, nodes.size())) {
            while (!open.isEmpty() && !n.path().startsWith(open.peek().path() + "/")) {
                fireExactly(open.pop(), subtree);
            }
            open.push(n);
        }
        while (!open.isEmpty()) {
            fireExactly(open.pop(), subtree);
        }
        fireRemovalRoot(nodes.getFirst());
    }

    /** A removed subtree's nodes by path. */
    private static Map<String, Removed> byPath(List<Removed> nodes) {
        Map<String, Removed> m = new HashMap<>();
        for (Removed n : nodes) {
            m.put(n.path(), n);
        }
        return m;
    }

    /**
     * A node removed with its parent: the watches set exactly on it fire. C checks them while it
     * deletes, children first, so the parent it asks about (XSA-115) is still there: its
     * permissions are those it had before the removal, from {@code subtree}.
     */
    private void fireExactly(Removed n, Map<String, Removed> subtree) {
        Removed parent = subtree.get(NodePath.parent(n.path()));
        List<Watch> hits = new ArrayList<>();
        for (Watch w : index.exactly(n.path())) {
            if (visible(w, n.perms(), n.generation())
                    || (parent != null ? visible(w, parent.perms(), parent.generation()) : parentVisible(w, n.path()))) {
                hits.add(w);
            }
        }
        deliver(hits, n.path());
    }

    /**
     * A node a committed transaction changed or removed: watches on it (and, unless {@code exact},
     * on its ancestors) fire. C asks, at commit, whether the watcher could read the node as the
     * transaction first found it ({@code before}, {@code null} if it was missing then), or can
     * read it now or its parent as C has it at that point of the commit ({@code parent}): XSA-115.
     * A node the transaction created and removed again therefore fires for nobody.
     */
    public void fireAtCommit(String path, Node before, Node parent, boolean exact) {
        Node now = store.get(path);
        List<Watch> hits = new ArrayList<>();
        Consumer<Watch> check = w -> {
            if ((before != null && visible(w, before.perms(), before.generation()))
                    || (now != null && (visible(w, now.perms(), now.generation())
                            || (parent != null && visible(w, parent.perms(), parent.generation()))))) {
                hits.add(w);
            }
        };
        if (exact) {
            index.exactly(path).forEach(check);
        } else {
            index.forEachCovering(path, check);
        }
        deliver(hits, path);
    }

    /** The root of a removed subtree: watches on it and on its ancestors fire. */
    private void fireRemovalRoot(Removed top) {
        modified(top.path(), null, top.perms(), top.generation());
    }

    /**
     * A special event ({@code @introduceDomain}, {@code @releaseDomain}): the generic name fires
     * watches set exactly on it; a per-domain form {@code @releaseDomain/<domid>} fires watches
     * on that form and watches on the generic name registered with a depth of at least 1.
     */
    public void special(String name, Perms perms) {
        List<Watch> hits = new ArrayList<>();
        for (Watch w : index.exactly(name)) {
            if (visible(w, perms, Long.MAX_VALUE)) {
                hits.add(w);
            }
        }
        deliver(hits, name);
    }

    /** The per-domain form of a special event, for watchers that asked for it by depth. */
    public void specialForDomain(String name, int domid, Perms perms) {
        String specific = name + "/" + domid;
        List<Watch> hits = new ArrayList<>();
        for (Watch w : index.exactly(specific)) {
            if (visible(w, perms, Long.MAX_VALUE)) {
                hits.add(w);
            }
        }
        for (Watch w : index.exactly(name)) {
            if (w.depth() >= 1 && visible(w, perms, Long.MAX_VALUE)) {
                hits.add(w);
            }
        }
        deliver(hits, specific);
    }

    private boolean visible(Watch w, Perms perms, long generation) {
        return permissions.allows(w.sink().caller(), perms, generation, Access.READ);
    }
}
