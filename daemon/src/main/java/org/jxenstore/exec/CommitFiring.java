package org.jxenstore.exec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jxenstore.store.NodeView.Removed;
import org.jxenstore.txn.Change;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.Notifier;

/**
 * The watch events of a committed transaction, in C's order. C keeps the nodes a transaction
 * touched in a list, in the order it first touched them, and at commit fires every changed one
 * in that order: so events follow the first touch of each node, not the order of the changes. A
 * removed subtree's root fires for the watches on it and above, each node below it for the
 * watches set exactly on it, each at its own place in that order.
 */
final class CommitFiring {
    /** One node's events and where they stand. */
    private record Step(int order, Runnable fire) {
    }

    private CommitFiring() {
    }

    static void fire(Transaction tx, Notifier notifier, long generation) {
        List<Step> steps = new ArrayList<>();
        for (Change change : tx.changes()) {
            switch (change) {
                case Change.Modified m -> steps.add(new Step(tx.touchOrder(m.path()), () -> notifier.fire(m, generation)));
                case Change.Removal r -> {
                    List<Removed> nodes = r.nodes();
                    Map<String, Removed> subtree = Notifier.byPath(nodes);
                    steps.add(new Step(tx.touchOrder(r.path()), () -> notifier.fireRemovalRoot(nodes.getFirst())));
                    for (Removed n : nodes.subList(1, nodes.size())) {
                        steps.add(new Step(tx.touchOrder(n.path()), () -> notifier.fireExactly(n, subtree)));
                    }
                }
            }
        }
        steps.sort(Comparator.comparingInt(Step::order));
        for (Step s : steps) {
            s.fire().run();
        }
    }
}
