package org.jxenstore.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.Map;
import java.util.Set;
import org.jxenstore.access.Perms;
import org.jxenstore.protocol.Payload;

/**
 * The live store: a persistent tree of immutable {@link Node}s, the global generation counter,
 * and the ownership index.
 *
 * <p>A change copies the path from the changed node to the root and shares everything else, so
 * {@link #root()} is an O(1) consistent snapshot (used by {@code check} and {@code memreport}).
 * No method recurses on the tree's depth: paths are walked with loops and explicit stacks.
 */
public final class Store implements NodeView {
    private Node root;
    private long generation;
    private final OwnershipIndex index;
    private final Map<String, Perms> specialPerms = new HashMap<>();
    /** While a change is open: the root before it and how to undo its index updates. */
    private Node rootBeforeChange;
    private final ArrayList<Runnable> undo = new ArrayList<>();
    private StoreListener listener = StoreListener.NONE;
    /** What the open change will tell the listener if it stays. */
    private final ArrayList<Report> reports = new ArrayList<>();

    /** A change the listener is to hear of: a node written (created or not) or removed. */
    private record Report(String path, boolean created, boolean removed) {
        void tell(StoreListener l) {
            if (removed) {
                l.removed(path);
            } else {
                l.written(path, created);
            }
        }
    }

    /** C's initial tree: {@code /}, {@code /tool}, {@code /tool/xenstored}, owned by the master domain. */
    public Store(int masterDomid) {
        index = new OwnershipIndex(masterDomid);
        Perms perms = Perms.ownedBy(masterDomid);
        root = new Node(Payload.EMPTY, perms, ChildMap.EMPTY, 0);
        index.add(NodePath.ROOT, perms, 0);
        put("/tool", Payload.EMPTY, perms);
        put("/tool/xenstored", Payload.EMPTY, perms);
        specialPerms.put(NodePath.INTRODUCE_DOMAIN, perms);
        specialPerms.put(NodePath.RELEASE_DOMAIN, perms);
    }

    /**
     * Opens a change that {@link #abortChange()} can take back whole: one request's updates,
     * applied node by node, either all stay or none do.
     */
    public void beginChange() {
        rootBeforeChange = root;
        undo.clear();
        reports.clear();
    }

    /** Keeps the open change. */
    public void endChange() {
        rootBeforeChange = null;
        undo.clear();
        // Indexed: an iterator would be an allocation for every request, most of which report nothing.
        for (int i = 0; i < reports.size(); i++) {
            reports.get(i).tell(listener);
        }
        reports.clear();
    }

    /** From now on, {@code l} is told of every change that stays. */
    public void listen(StoreListener l) {
        listener = l;
    }

    /** Tells the listener now, or when the open change is kept; nothing without a listener. */
    private void report(String path, boolean created, boolean removed) {
        if (listener == StoreListener.NONE) {
            return;
        }
        Report r = new Report(path, created, removed);
        if (rootBeforeChange != null) {
            reports.add(r);
        } else {
            r.tell(listener);
        }
    }

    /**
     * Takes back the open change after a failure half-way through it: the old root comes back
     * (the tree is persistent, so it is intact) and the ownership index is rolled back. The
     * generation count stays where it is: it only ever grows.
     */
    public void abortChange() {
        if (rootBeforeChange == null) {
            return;
        }
        root = rootBeforeChange;
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
        reports.clear();
        endChange();
    }

    private void indexAdd(String path, Perms perms, int length) {
        index.add(path, perms, length);
        if (rootBeforeChange != null) {
            undo.add(() -> index.remove(path, perms, length));
        }
    }

    private void indexRemove(String path, Perms perms, int length) {
        index.remove(path, perms, length);
        if (rootBeforeChange != null) {
            undo.add(() -> index.add(path, perms, length));
        }
    }

    private void indexChange(String path, Perms before, int beforeLength, Perms after, int afterLength) {
        index.change(path, before, beforeLength, after, afterLength);
        if (rootBeforeChange != null) {
            undo.add(() -> index.change(path, after, afterLength, before, beforeLength));
        }
    }

    /** Bumps and returns the global generation count. */
    public long nextGeneration() {
        return ++generation;
    }

    /** The current generation count, without bumping it. */
    public long generation() {
        return generation;
    }

    /** The whole tree as it is now; it never changes afterwards. */
    public Node root() {
        return root;
    }

    @Override
    public Node get(String path) {
        if (path.equals(NodePath.ROOT)) {
            return root;
        }
        // Each component ("/a/b": a, then b) is looked up where it stands in the path.
        Node n = root;
        for (int from = 1; ; ) {
            int slash = path.indexOf('/', from);
            int to = slash < 0 ? path.length() : slash;
            n = n.children().get(path, from, to);
            if (n == null || slash < 0) {
                return n;
            }
            from = slash + 1;
        }
    }

    @Override
    public void put(String path, byte[] value, Perms perms) {
        long gen = nextGeneration();
        if (path.equals(NodePath.ROOT)) {
            indexChange(path, root.perms(), root.valueLength(), perms, value.length);
            root = new Node(value, perms, root.children(), gen);
            report(path, false, false);
            return;
        }
        int[] ends = componentEnds(path);
        int last = ends.length - 1;
        Node[] ancestors = ancestorsOf(path, ends);
        Node parent = ancestors[last];
        Node existing = parent.children().get(path, componentStart(ends, last), ends[last]);
        Node created;
        if (existing == null) {
            created = new Node(value, perms, ChildMap.EMPTY, gen);
            indexAdd(path, perms, value.length);
        } else {
            created = existing.withValue(value, perms, gen);
            indexChange(path, existing.perms(), existing.valueLength(), perms, value.length);
        }
        // Adding a child rewrites the parent (new generation); changing one does not (as in C).
        Node child = parent.withChildren(parent.children().with(path, componentStart(ends, last), ends[last], created),
                existing == null ? gen : parent.generation());
        root = rebindAbove(path, ends, ancestors, last, child);
        report(path, existing == null, false);
    }

    /**
     * Where each component of an absolute path other than the root ends ("/a/bc": 2, 5), so
     * that a write finds the components in the path rather than cutting them out, and copies no
     * name it does not add.
     */
    private static int[] componentEnds(String path) {
        int n = 1;
        for (int i = path.indexOf('/', 1); i >= 0; i = path.indexOf('/', i + 1)) {
            n++;
        }
        int[] ends = new int[n];
        int k = 0;
        for (int i = path.indexOf('/', 1); i >= 0; i = path.indexOf('/', i + 1)) {
            ends[k++] = i;
        }
        ends[k] = path.length();
        return ends;
    }

    private static int componentStart(int[] ends, int i) {
        return i == 0 ? 1 : ends[i - 1] + 1;
    }

    /**
     * The new root, once {@code child} replaces {@code ancestors[level]}: each ancestor above it
     * rebinds the one below, keeping its generation (only the parent of an added or removed node
     * changes its child set).
     */
    private static Node rebindAbove(String path, int[] ends, Node[] ancestors, int level, Node child) {
        for (int i = level - 1; i >= 0; i--) {
            Node p = ancestors[i];
            child = p.withChildren(p.children().with(path, componentStart(ends, i), ends[i], child), p.generation());
        }
        return child;
    }

    /** The nodes from the root down to the parent of the path's last component. */
    private Node[] ancestorsOf(String path, int[] ends) {
        Node[] ancestors = new Node[ends.length];
        Node n = root;
        for (int i = 0; i < ends.length; i++) {
            ancestors[i] = n;
            if (i < ends.length - 1) {
                n = n.children().get(path, componentStart(ends, i), ends[i]);
                if (n == null) {
                    throw new IllegalStateException("parent of " + path + " missing");
                }
            }
        }
        return ancestors;
    }

    @Override
    public List<Removed> remove(String path) {
        if (path.equals(NodePath.ROOT)) {
            throw new IllegalArgumentException("the root cannot be removed");
        }
        Node target = get(path);
        if (target == null) {
            return List.of();
        }
        List<Removed> removed = subtree(path, target);
        for (Removed r : removed) {
            indexRemove(r.path(), r.perms(), r.valueLength());
        }
        long gen = nextGeneration();
        int[] ends = componentEnds(path);
        Node[] ancestors = ancestorsOf(path, ends);
        int last = ends.length - 1;
        Node child = ancestors[last].withChildren(ancestors[last].children().without(NodePath.name(path)), gen);
        root = rebindAbove(path, ends, ancestors, last, child);
        report(path, false, true);
        return removed;
    }

    /** Every node of a subtree, in {@link #walk}'s order: its root first. */
    public static List<Removed> subtree(String path, Node top) {
        List<Removed> out = new ArrayList<>();
        walk(path, top, (p, n) -> out.add(Removed.of(p, n)));
        return out;
    }

    /** How a walk finds a child: in the tree itself, or in a transaction's view of it. */
    @FunctionalInterface
    public interface ChildLookup {
        /** The child {@code name} (at {@code childPath}) of {@code parent}, or {@code null}. */
        Node child(Node parent, String name, String childPath);
    }

    /** Visits every node of a subtree of the tree rooted at {@code top}, parents before children. */
    public static void walk(String path, Node top, BiConsumer<String, Node> visitor) {
        walk(path, top, (parent, name, childPath) -> parent.children().get(name), visitor);
    }

    /**
     * Visits every node of a subtree in pre-order, children in their list order (the order in
     * which C reads them when it deletes a subtree), finding each child through {@code lookup}
     * just before it is visited. An explicit stack: the depth is the client's to choose, the
     * daemon's stack is not. The only walk over a subtree in the daemon.
     */
    public static void walk(String path, Node top, ChildLookup lookup, BiConsumer<String, Node> visitor) {
        ArrayList<Node> parents = new ArrayList<>();
        ArrayList<String> names = new ArrayList<>();
        ArrayList<String> paths = new ArrayList<>();
        visitor.accept(path, top);
        pushChildren(path, top, parents, names, paths);
        while (!paths.isEmpty()) {
            Node parent = parents.removeLast();
            String name = names.removeLast();
            String childPath = paths.removeLast();
            Node child = lookup.child(parent, name, childPath);
            if (child != null) {
                visitor.accept(childPath, child);
                pushChildren(childPath, child, parents, names, paths);
            }
        }
    }

    /** Pushes a node's children last first, so that the first is taken next. */
    private static void pushChildren(String path, Node n, List<Node> parents, List<String> names, List<String> paths) {
        List<String> children = n.children().names();
        for (int i = children.size() - 1; i >= 0; i--) {
            parents.add(n);
            names.add(children.get(i));
            paths.add(NodePath.child(path, children.get(i)));
        }
    }

    /** Permissions of a special node ({@code @introduceDomain}, {@code @releaseDomain}). */
    public Perms specialPerms(String name) {
        return specialPerms.get(name);
    }

    /** Whether {@code name} is one of the special nodes that carry permissions. */
    public boolean isSpecialNode(String name) {
        return specialPerms.containsKey(name);
    }

    public void setSpecialPerms(String name, Perms perms) {
        specialPerms.put(name, perms);
        report(name, false, false);
    }

    /** A dead domain's entries leave the special nodes' ACLs too (XSA-322). */
    public void stripFromSpecialPerms(int domid) {
        for (String name : List.copyOf(specialPerms.keySet())) {
            setSpecialPerms(name, specialPerms.get(name).withoutAclFor(domid));
        }
    }

    /** Bytes of the nodes {@code domid} owns, for the memory quota. */
    public long bytesOwnedBy(int domid) {
        return index.bytesOwnedBy(domid);
    }

    /** Number of nodes {@code domid} owns, for the node quota. */
    public int nodesOwnedBy(int domid) {
        return index.ownedCount(domid);
    }

    /** Paths of the nodes {@code domid} owns; never asked of the master domain, which is never torn down. */
    public Set<String> pathsOwnedBy(int domid) {
        return index.ownedBy(domid);
    }

    /** Whether any node's ACL, or a special node's, names {@code domid}. */
    public boolean isMentioned(int domid) {
        if (index.isMentioned(domid)) {
            return true;
        }
        for (Perms p : specialPerms.values()) {
            for (int i = 1; i < p.entries().size(); i++) {
                if (p.entries().get(i).domid() == domid) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Paths of the nodes whose ACL names {@code domid}. */
    public Set<String> pathsMentioning(int domid) {
        return index.mentioning(domid);
    }

    /** Owner → node count as the index holds it. */
    public Map<Integer, Integer> ownedCounts() {
        return index.ownedCounts();
    }

    /** Whether the ACL index agrees with a count made from the tree. */
    public boolean aclIndexMatches(Map<Integer, Integer> mentionCounts) {
        return index.mentionsMatch(mentionCounts);
    }

    /** Adds the ACL domids of {@code perms} (each once) to a per-domid count. */
    public static void countMentions(Perms perms, Map<Integer, Integer> into) {
        OwnershipIndex.countMentions(perms, into);
    }
}
