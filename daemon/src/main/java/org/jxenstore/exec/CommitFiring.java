package org.jxenstore.exec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.NodeView.Removed;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Change;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.Notifier;

/**
 * The watch events of a committed transaction, in C's order. C keeps the nodes a transaction
 * touched in a list, in the order it first touched them, and at commit fires every changed one
 * in that order: so events follow the first touch of each node, not the order of the changes.
 * Each node fires once. A removed subtree's root fires for the watches on it and above, each node
 * below it for the watches set exactly on it (or on it and above, if the transaction had written
 * it), each at its own place in that order.
 */
final class CommitFiring {
    /** One node's events and where they stand. */
    private record Step(int order, Runnable fire) {
    }

    private CommitFiring() {
    }

    static void fire(Transaction tx, Notifier notifier, Store store) {
        Set<String> rewritten = new HashSet<>();
        for (Change change : tx.changes()) {
            if (change instanceof Change.Modified m) {
                rewritten.add(m.path());
            }
        }
        List<Step> steps = new ArrayList<>();
        for (Change change : tx.changes()) {
            switch (change) {
                case Change.Modified m -> steps.add(new Step(tx.touchOrder(m.path()),
                        () -> notifier.fireAtCommit(m.path(), tx.firstSeen(m.path()), parentAtFiring(tx, store, m.path()),
                                false)));
                case Change.Removal r -> {
                    for (Removed n : r.nodes()) {
                        // A node removed and written again fires once, as the node it is now.
                        if (rewritten.contains(n.path())) {
                            continue;
                        }
                        boolean exact = !n.path().equals(r.path()) && !tx.writtenThenRemoved().contains(n.path());
                        steps.add(new Step(tx.touchOrder(n.path()), () -> notifier.fireAtCommit(n.path(), tx.firstSeen(n.path()),
                                parentAtFiring(tx, store, n.path()), exact)));
                    }
                }
            }
        }
        steps.sort(Comparator.comparingInt(Step::order));
        for (Step s : steps) {
            s.fire().run();
        }
    }

    /**
     * The parent of a changed node as C sees it when it fires the node: C writes the nodes to
     * the store one by one in the same order, firing each as it goes, so a parent the transaction
     * first touched later is still as it was before the commit.
     */
    private static Node parentAtFiring(Transaction tx, Store store, String path) {
        String parent = NodePath.parent(path);
        if (parent == null) {
            return null;
        }
        int order = tx.touchOrder(parent);
        return order != Integer.MAX_VALUE && order > tx.touchOrder(path) ? tx.firstSeen(parent) : store.get(parent);
    }
}
