package org.jxenstore.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jxenstore.access.Perm;
import org.jxenstore.access.Perms;

/**
 * Which nodes each domain owns and which nodes name it in an ACL entry, kept up to date by every
 * change to the live store. The node quota reads the counts; domain teardown reads the paths, so
 * that it costs time proportional to the dead domain's own nodes, not to the whole tree.
 *
 * <p>The master domain (the one the daemon runs in) is never torn down, so its nodes, most of a
 * host's tree, are counted but their paths are not kept: a path per node was 40% of the heap
 * with 100,000 nodes.
 */
final class OwnershipIndex {
    private final int master;
    private final Map<Integer, Set<String>> owned = new HashMap<>();
    private final Map<Integer, Integer> counts = new HashMap<>();
    private final Map<Integer, Set<String>> mentioned = new HashMap<>();
    private final Map<Integer, Long> bytes = new HashMap<>();

    OwnershipIndex(int master) {
        this.master = master;
    }

    /**
     * What a node costs its owner against the {@code memory} quota: its record without children
     * (they are charged to their own owners) plus its name in its parent's child list.
     */
    static long cost(String path, Perms perms, int valueLength) {
        return Node.size(perms, valueLength, NodePath.name(path).length() + 1);
    }

    void add(String path, Perms perms, int valueLength) {
        bytes.merge(perms.owner(), cost(path, perms, valueLength), Long::sum);
        counts.merge(perms.owner(), 1, Integer::sum);
        if (perms.owner() != master) {
            owned.computeIfAbsent(perms.owner(), k -> new HashSet<>()).add(path);
        }
        var entries = perms.entries();
        for (int i = 1; i < entries.size(); i++) {
            mentioned.computeIfAbsent(entries.get(i).domid(), k -> new HashSet<>()).add(path);
        }
    }

    void remove(String path, Perms perms, int valueLength) {
        bytes.merge(perms.owner(), -cost(path, perms, valueLength), Long::sum);
        if (bytes.get(perms.owner()) == 0) {
            bytes.remove(perms.owner());
        }
        if (counts.merge(perms.owner(), -1, Integer::sum) == 0) {
            counts.remove(perms.owner());
        }
        drop(owned, perms.owner(), path);
        var entries = perms.entries();
        for (int i = 1; i < entries.size(); i++) {
            drop(mentioned, entries.get(i).domid(), path);
        }
    }

    void change(String path, Perms before, int beforeLength, Perms after, int afterLength) {
        if (before.equals(after) && beforeLength == afterLength) {
            return;
        }
        remove(path, before, beforeLength);
        add(path, after, afterLength);
    }

    /** Bytes of the nodes {@code domid} owns, as the memory quota counts them. */
    long bytesOwnedBy(int domid) {
        return bytes.getOrDefault(domid, 0L);
    }

    private static void drop(Map<Integer, Set<String>> m, int domid, String path) {
        Set<String> s = m.get(domid);
        if (s != null && s.remove(path) && s.isEmpty()) {
            m.remove(domid);
        }
    }

    int ownedCount(int domid) {
        return counts.getOrDefault(domid, 0);
    }

    Set<String> ownedBy(int domid) {
        if (domid == master) {
            throw new IllegalStateException("the paths of the master domain's nodes are not indexed:"
                    + " it is never torn down");
        }
        return Set.copyOf(owned.getOrDefault(domid, Set.of()));
    }

    boolean isMentioned(int domid) {
        return mentioned.containsKey(domid);
    }

    Set<String> mentioning(int domid) {
        return Set.copyOf(mentioned.getOrDefault(domid, Set.of()));
    }

    /** Owner → number of nodes, for {@code check} and {@code memreport}. */
    Map<Integer, Integer> ownedCounts() {
        return Map.copyOf(counts);
    }

    /** Whether the ACL index holds exactly the entries of the given (path → perms) list. */
    boolean mentionsMatch(Map<Integer, Integer> expectedCounts) {
        Map<Integer, Integer> actual = new HashMap<>();
        mentioned.forEach((d, s) -> actual.put(d, s.size()));
        return actual.equals(expectedCounts);
    }

    static void countMentions(Perms perms, Map<Integer, Integer> into) {
        var entries = perms.entries();
        Set<Integer> seen = new HashSet<>();
        for (int i = 1; i < entries.size(); i++) {
            Perm p = entries.get(i);
            if (seen.add(p.domid())) {
                into.merge(p.domid(), 1, Integer::sum);
            }
        }
    }
}
