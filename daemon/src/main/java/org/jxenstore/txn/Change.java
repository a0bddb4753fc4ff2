package org.jxenstore.txn;

import java.util.List;
import org.jxenstore.access.Perms;
import org.jxenstore.store.NodeView.Removed;

/** A change that fires watches: recorded as it happens, fired at once or at commit. */
public sealed interface Change {

    /** The node the change is about (for a removal, the root of the removed subtree). */
    String path();

    /** A node was written, created or had its permissions changed. */
    record Modified(String path, Perms before, Perms after) implements Change {
    }

    /** A subtree was removed; {@code nodes} holds its root first. */
    record Removal(String path, List<Removed> nodes) implements Change {
    }
}
