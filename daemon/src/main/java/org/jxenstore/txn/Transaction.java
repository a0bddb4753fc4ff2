package org.jxenstore.txn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jxenstore.access.Perms;
import org.jxenstore.store.ChildMap;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.NodeView;
import org.jxenstore.store.Store;

/**
 * One open transaction: C xenstored's optimistic, per-node scheme.
 *
 * <p>The first time the transaction touches a path it reads the live node (an O(1) pointer to
 * an immutable node) and keeps it, or that it was absent. Later accesses see the transaction's
 * own copy, so reads are repeatable and the transaction sees its own writes; nothing is copied up
 * front. At commit the generation of every node first seen is compared with the live one: any difference, even a rewrite with the same value, means another writer got there
 * first, and the commit fails with EAGAIN. Otherwise the transaction's changes are applied to the
 * live store. Because creating or removing a child rewrites the parent, and creating a node reads
 * its parent, two transactions that each add a child to the same parent conflict, exactly as in C.
 */
public final class Transaction implements NodeView {
    private final int id;
    private final Store live;
    private final int nodeLimit;
    private final Map<String, Node> view = new HashMap<>();
    /** The live node each touched path held when first touched ({@code null}: it was missing). */
    private final Map<String, Node> firstSeen = new HashMap<>();
    /** The order in which the transaction first touched each path, reads of missing nodes included. */
    private final Map<String, Integer> touchOrder = new HashMap<>();
    private final LinkedHashSet<String> written = new LinkedHashSet<>();
    private final List<String> removedRoots = new ArrayList<>();
    /** Parents whose child list this transaction changed: C rewrites them at commit. */
    private final LinkedHashSet<String> childListsChanged = new LinkedHashSet<>();
    /** One change per node: a node written ten times fires once at commit, as in C. */
    private final LinkedHashMap<String, Change> changes = new LinkedHashMap<>();
    private final List<Perms> permsSet = new ArrayList<>();
    private final Map<String, Boolean> firing = new HashMap<>();
    private boolean failed;
    private boolean interrupted;
    private final List<Step> steps = new ArrayList<>();
    private long stepBytes;
    private boolean replayable = true;

    /**
     * What a live update keeps of a transaction's requests that changed its view, so that the new
     * process can replay them: at most this many octets, beyond which the transaction is carried
     * over as one that can only fail (EAGAIN).
     */
    public static final long MAX_REPLAY_BYTES = 1 << 20;

    /** One request that changed the transaction's view: its message type and payload. */
    public record Step(int type, byte[] payload) {
    }

    /** The transaction touched as many nodes as its {@code transaction-nodes} quota allows. */
    public static final class TooManyNodesException extends RuntimeException {
        TooManyNodesException() {
            super("transaction-nodes quota reached", null, false, false);
        }
    }

    /**
     * @param nodeLimit how many distinct nodes it may touch ({@code transaction-nodes}), 0 for no
     *                  limit
     */
    public Transaction(int id, Store live, int nodeLimit) {
        this.id = id;
        this.live = live;
        this.nodeLimit = nodeLimit;
        live.nextGeneration();
    }

    public int id() {
        return id;
    }

    /** Number of distinct nodes touched, for the {@code transaction-nodes} quota. */
    public int nodesTouched() {
        return firstSeen.size();
    }

    /** Keeps a request that changes the view, for {@link #steps()}. */
    public void logStep(int type, byte[] payload) {
        if (!replayable) {
            return;
        }
        stepBytes += payload.length + 16L;
        if (stepBytes > MAX_REPLAY_BYTES) {
            replayable = false;
            steps.clear();
            return;
        }
        steps.add(new Step(type, payload));
    }

    /** The requests that changed the view, in order: with {@link #touched()}, all a replay needs. */
    public List<Step> steps() {
        return steps;
    }

    /**
     * Whether the transaction can be carried to a new process by replaying it: its requests were
     * all kept, it was not interrupted, and it would commit now (no node it read has changed).
     */
    public boolean replayable() {
        return replayable && validate();
    }

    /** Every path the transaction touched, in the order it first did. */
    public List<String> touched() {
        List<String> paths = new ArrayList<>(touchOrder.keySet());
        paths.sort(Comparator.comparingInt(touchOrder::get));
        return paths;
    }

    /** Marks the transaction as failed: a change inside it went wrong, so it may not commit (XSA-415). */
    public void fail() {
        failed = true;
    }

    public boolean failed() {
        return failed;
    }

    /**
     * The transaction was open when the daemon's previous process ended, and what it first saw
     * is lost: it cannot commit ({@link #validate()} fails, EAGAIN), so its client retries.
     */
    public void interrupt() {
        interrupted = true;
    }

    /**
     * A change the transaction made. It marks the nodes it changed for the watch events fired at
     * commit ({@link #firing}), and is kept for the domain records to check at commit: changes to
     * one node merge into one, a removal supersedes the changes below it, and a node written
     * again after its removal keeps both.
     */
    public void record(Change change) {
        switch (change) {
            case Change.Modified m -> {
                firing.put(m.path(), false);
                Change earlier = changes.get(m.path());
                if (earlier instanceof Change.Modified e) {
                    changes.put(m.path(), new Change.Modified(m.path(), e.before() != null ? e.before() : m.before(),
                            m.after()));
                } else if (earlier instanceof Change.Removal) {
                    changes.put(m.path() + "\0recreated", m);
                } else {
                    changes.put(m.path(), m);
                }
            }
            case Change.Removal r -> {
                for (Removed n : r.nodes()) {
                    firing.merge(n.path(), !n.path().equals(r.path()), (was, now) -> was && now);
                }
                String below = r.path() + "/";
                changes.keySet().removeIf(k -> k.equals(r.path()) || k.startsWith(below)
                        || k.equals(r.path() + "\0recreated"));
                changes.put(r.path(), r);
            }
        }
    }

    public Collection<Change> changes() {
        return changes.values();
    }

    /**
     * Every node the transaction changed, and whether at commit it fires only the watches set
     * exactly on it: C's per-node {@code fire_watch} and {@code watch_exact}. A node removed
     * below the root of a removal is exact; written, given permissions or removed as a root, it
     * fires the watches on it and above, and that stays so whatever happens to it later.
     */
    public Map<String, Boolean> firing() {
        return firing;
    }

    /**
     * When the transaction first touched {@code path}, reads of missing nodes included: C fires
     * a transaction's events at commit in that order, not in the order of the changes. Writing
     * {@code a/b/c} touches {@code a/b} (to find it missing, or to add a child to it) before a
     * later write of {@code a/b}, so {@code a/b/c} fires first.
     */
    public int touchOrder(String path) {
        return touchOrder.getOrDefault(path, Integer.MAX_VALUE);
    }

    /**
     * The live node at {@code path} when this transaction first touched it, {@code null} if it
     * was missing then (or never touched): at commit, C checks a watcher against the permissions
     * a node had then, not those it had when the transaction changed it.
     */
    public Node firstSeen(String path) {
        return firstSeen.get(path);
    }

    /**
     * XSA-417's domain records for the domains a SET_PERMS in this transaction named are made
     * at commit, so that an aborted transaction leaves none behind.
     */
    public void rememberPerms(Perms perms) {
        permsSet.add(perms);
    }

    public List<Perms> permsSet() {
        return permsSet;
    }

    @Override
    public Node get(String path) {
        if (view.containsKey(path)) {
            return view.get(path);
        }
        // C counts a node against transaction-nodes before it reads it: refusing here keeps a
        // transaction from growing past its quota, even with reads of nodes that do not exist.
        if (nodeLimit > 0 && firstSeen.size() >= nodeLimit) {
            throw new TooManyNodesException();
        }
        Node n = live.get(path);
        view.put(path, n);
        firstSeen.put(path, n);
        touchOrder.put(path, touchOrder.size());
        return n;
    }

    @Override
    public void put(String path, byte[] value, Perms perms) {
        Node existing = get(path);
        long gen = live.generation();
        if (existing != null) {
            view.put(path, existing.withValue(value, perms, gen));
        } else {
            String parentPath = NodePath.parent(path);
            Node parent = get(parentPath);
            if (parent == null) {
                throw new IllegalStateException("parent of " + path + " missing in transaction");
            }
            Node created = new Node(value, perms, ChildMap.EMPTY, gen);
            view.put(path, created);
            view.put(parentPath, parent.withChildren(parent.children().with(NodePath.name(path), created), gen));
            childListsChanged.add(parentPath);
        }
        written.add(path);
    }

    @Override
    public List<Removed> remove(String path) {
        Node top = get(path);
        if (top == null) {
            return List.of();
        }
        List<Removed> removed = new ArrayList<>();
        // Walk this transaction's view of the subtree, so nodes it created are removed too.
        Store.walk(path, top, (parent, name, childPath) -> get(childPath), (p, n) -> {
            removed.add(Removed.of(p, n));
            view.put(p, null);
            written.add(p);
        });
        String parentPath = NodePath.parent(path);
        Node parent = get(parentPath);
        view.put(parentPath, parent.withChildren(parent.children().without(NodePath.name(path)), live.generation()));
        childListsChanged.add(parentPath);
        removedRoots.add(path);
        return removed;
    }

    /** Whether every node this transaction touched is still as it first saw it. */
    public boolean validate() {
        if (interrupted) {
            return false;
        }
        for (Map.Entry<String, Node> e : firstSeen.entrySet()) {
            Node now = live.get(e.getKey());
            Node seen = e.getValue();
            if (now == null ? seen != null : seen == null || now.generation() != seen.generation()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies the changes to the live store. Call only after {@link #validate()} succeeded:
     * every touched node is then unchanged, so replaying removals first and then the surviving
     * nodes, parents before children, reproduces this transaction's view in the live tree.
     */
    public void apply() {
        for (String r : removedRoots) {
            if (NodePath.parent(r) != null) {
                live.remove(r);
            }
        }
        List<String> puts = new ArrayList<>();
        for (String p : written) {
            if (view.get(p) != null) {
                puts.add(p);
            }
        }
        // Parents before children; siblings in the order the transaction's own child lists have
        // them, so that the live lists end up as the transaction saw them (as C installs them).
        puts.sort(Comparator.comparingInt(Transaction::depth).thenComparingInt(this::positionInParent));
        for (String p : puts) {
            Node n = view.get(p);
            live.put(p, n.value(), n.perms());
        }
        // A parent whose child list the transaction changed is written back by C even when the
        // list ends up as it was, so its generation moves and a transaction that read it
        // conflicts: do the same.
        for (String p : childListsChanged) {
            Node n = live.get(p);
            if (n != null && view.get(p) != null && !written.contains(p)) {
                live.put(p, n.value(), n.perms());
            }
        }
    }

    private int positionInParent(String path) {
        Node parent = view.get(NodePath.parent(path));
        return parent == null ? 0 : parent.children().names().indexOf(NodePath.name(path));
    }

    private static int depth(String path) {
        int d = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                d++;
            }
        }
        return d;
    }

    /** Number of nodes this transaction created minus removed, per owner, for the node quota. */
    public int netNodesOwnedBy(int domid) {
        int net = 0;
        for (String p : written) {
            Node now = view.get(p);
            Node before = firstSeen.get(p);
            boolean ownedBefore = before != null && before.perms().owner() == domid;
            boolean ownedNow = now != null && now.perms().owner() == domid;
            net += (ownedNow ? 1 : 0) - (ownedBefore ? 1 : 0);
        }
        return net;
    }
}
