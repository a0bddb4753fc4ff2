package org.jxenstore.watch;

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
        index.forEachCovering(path, w -> {
            if (visible(w, after, generation) || (before != null && visible(w, before, generation))
                    || parentVisible(w, path)) {
                w.sink().deliver(w.eventPath(path), w.token());
            }
        });
    }

    private boolean parentVisible(Watch w, String path) {
        String parent = NodePath.parent(path);
        Node p = parent == null ? null : store.get(parent);
        return p != null && visible(w, p.perms(), p.generation());
    }

    /**
     * C's order for RM: every removed node fires the watches set exactly on it, deepest
     * listed last; then the removal root fires with the subtree rule for watches on it and above.
     * Watches below the root on paths that did not exist do not fire.
     */
    private void removed(Change.Removal r) {
        var nodes = r.nodes();
        for (int i = nodes.size() - 1; i >= 1; i--) {
            Removed n = nodes.get(i);
            for (Watch w : index.exactly(n.path())) {
                if (visible(w, n.perms(), n.generation()) || parentVisible(w, n.path())) {
                    w.sink().deliver(w.eventPath(n.path()), w.token());
                }
            }
        }
        Removed top = nodes.getFirst();
        modified(top.path(), null, top.perms(), top.generation());
    }

    /**
     * A special event ({@code @introduceDomain}, {@code @releaseDomain}): the generic name fires
     * watches set exactly on it; a per-domain form {@code @releaseDomain/<domid>} fires watches
     * on that form and watches on the generic name registered with a depth of at least 1.
     */
    public void special(String name, Perms perms) {
        for (Watch w : index.exactly(name)) {
            if (visible(w, perms, Long.MAX_VALUE)) {
                w.sink().deliver(name, w.token());
            }
        }
    }

    /** The per-domain form of a special event, for watchers that asked for it by depth. */
    public void specialForDomain(String name, int domid, Perms perms) {
        String specific = name + "/" + domid;
        for (Watch w : index.exactly(specific)) {
            if (visible(w, perms, Long.MAX_VALUE)) {
                w.sink().deliver(specific, w.token());
            }
        }
        for (Watch w : index.exactly(name)) {
            if (w.depth() >= 1 && visible(w, perms, Long.MAX_VALUE)) {
                w.sink().deliver(specific, w.token());
            }
        }
    }

    private boolean visible(Watch w, Perms perms, long generation) {
        return permissions.allows(w.sink().caller(), perms, generation, Access.READ);
    }
}
