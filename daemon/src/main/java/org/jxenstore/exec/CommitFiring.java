package org.jxenstore.exec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.Notifier;

/**
 * The watch events of a committed transaction, in C's order. C keeps the nodes a transaction
 * touched in a list, in the order it first touched them, and at commit writes each changed one
 * to the store and fires it, in that order: so events follow the first touch of each node, not
 * the order of the changes, and each changed node fires once ({@link Transaction#firing}), as
 * the node it is at the end, for watches exactly on it or on it and above.
 */
final class CommitFiring {
    private CommitFiring() {
    }

    static void fire(Transaction tx, Notifier notifier, Store store) {
        List<String> paths = new ArrayList<>(tx.firing().keySet());
        paths.sort(Comparator.comparingInt(tx::touchOrder));
        for (String p : paths) {
            notifier.fireAtCommit(p, tx.firstSeen(p), parentAtFiring(tx, store, p), tx.firing().get(p));
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
