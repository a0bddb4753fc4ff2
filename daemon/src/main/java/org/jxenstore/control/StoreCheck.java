package org.jxenstore.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import org.jxenstore.exec.Session;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.Store;
import org.jxenstore.watch.Watch;
import org.jxenstore.watch.WatchIndex;

/**
 * CONTROL {@code check}: walks a snapshot of the tree (iteratively, whatever its depth) and
 * verifies child lists, generations, the ownership and ACL indexes, and that the watch index
 * holds exactly the watches the connections registered. Reports what is wrong; repairs nothing.
 */
final class StoreCheck {
    private final Store store;
    private final WatchIndex watches;
    private final List<Session> sessions;

    StoreCheck(Store store, WatchIndex watches, List<Session> sessions) {
        this.store = store;
        this.watches = watches;
        this.sessions = sessions;
    }

    String run() {
        List<String> problems = new ArrayList<>();
        Map<Integer, Integer> owners = new HashMap<>();
        Map<Integer, Integer> mentions = new HashMap<>();
        long current = store.generation();
        int[] count = new int[1];
        Store.walk(NodePath.ROOT, store.root(), (p, n) -> {
            count[0]++;
            owners.merge(n.perms().owner(), 1, Integer::sum);
            Store.countMentions(n.perms(), mentions);
            if (n.generation() > current) {
                problems.add(p + ": generation " + n.generation() + " is ahead of the counter " + current);
            }
            List<String> names = n.children().names();
            if (names.size() != n.children().size()) {
                problems.add(p + ": child list has " + names.size() + " names for " + n.children().size() + " children");
            }
            for (String name : names) {
                if (name.isEmpty() || name.indexOf('/') >= 0 || n.children().get(name) == null) {
                    problems.add(p + ": bad child entry '" + name + "'");
                }
            }
        });
        if (!owners.equals(store.ownedCounts())) {
            problems.add("node accounting per owner " + store.ownedCounts() + " differs from the tree " + owners);
        }
        if (!store.aclIndexMatches(mentions)) {
            problems.add("ACL index differs from the tree " + mentions);
        }
        Set<Watch> registered = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Session s : sessions) {
            registered.addAll(s.watches());
        }
        List<Watch> indexed = watches.all();
        Set<Watch> indexedSet = Collections.newSetFromMap(new IdentityHashMap<>());
        indexedSet.addAll(indexed);
        if (indexed.size() != indexedSet.size() || !indexedSet.equals(registered)) {
            problems.add("watch index holds " + indexed.size() + " watches, connections registered " + registered.size());
        }
        if (indexed.size() != watches.size()) {
            problems.add("watch index counts " + watches.size() + " but holds " + indexed.size());
        }
        if (problems.isEmpty()) {
            return "OK: " + count[0] + " nodes, " + indexed.size() + " watches";
        }
        return "ERRORS:\n" + String.join("\n", problems) + "\n";
    }
}
