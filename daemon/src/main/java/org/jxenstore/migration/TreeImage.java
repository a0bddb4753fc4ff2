package org.jxenstore.migration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jxenstore.access.DomainFacts;
import org.jxenstore.access.Perm;
import org.jxenstore.access.Perms;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.migration.MigrationRecord.NodeData;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.Store;

/**
 * The committed node tree as migration records, and back: a NODE_DATA record for every node,
 * parents before children and children in their list order (the stream requires a node's parent
 * before it), then one for each special node ({@code @introduceDomain}, {@code @releaseDomain}),
 * which carries permissions only.
 *
 * <p>Whether an ACL entry is honoured depends on generation counts that do not survive a new
 * process (XSA-322: an entry written before its domain was created is meant for an earlier
 * domain with that id). The image states the outcome instead: an entry that would be ignored now
 * is flagged stale, and stays ignored after loading; every other entry names a domain that gets
 * a record before the node is loaded, so it is honoured as before.
 */
public final class TreeImage {
    private TreeImage() {
    }

    /** Writes the tree of {@code store}; {@code domains} tells which entries are ignored now. */
    public static void write(Store store, DomainFacts domains, MigrationWriter out) throws IOException {
        List<IOException> failed = new ArrayList<>(1);
        Store.walk(NodePath.ROOT, store.root(), (path, node) -> {
            if (failed.isEmpty()) {
                try {
                    out.write(record(path, node, domains));
                } catch (IOException e) {
                    failed.add(e);
                }
            }
        });
        if (!failed.isEmpty()) {
            throw failed.getFirst();
        }
        for (String special : List.of(NodePath.INTRODUCE_DOMAIN, NodePath.RELEASE_DOMAIN)) {
            out.write(special(special, store, domains));
        }
    }

    /** The record of one committed node. */
    public static NodeData record(String path, Node node, DomainFacts domains) {
        return new NodeData(0, 0, 0, asWritten(node.perms(), domains, node.generation()), path, node.value());
    }

    /** The record of a special node: its permissions. */
    public static NodeData special(String name, Store store, DomainFacts domains) {
        return new NodeData(0, 0, 0, asWritten(store.specialPerms(name), domains, Long.MAX_VALUE), name,
                new byte[0]);
    }

    /**
     * Loads one committed node into {@code store}. The root comes first, and takes the place of
     * the tree a new store starts with; every other node's parent must be loaded already.
     */
    public static void load(NodeData n, Store store, DomainRegistry domains) throws MigrationFormatException {
        put(n, store, domains, true);
    }

    /**
     * Writes one committed node into {@code store} as it is now: a change recorded after the
     * tree was loaded. Its parent must exist; the root keeps its children.
     */
    public static void update(NodeData n, Store store, DomainRegistry domains) throws MigrationFormatException {
        put(n, store, domains, false);
    }

    private static void put(NodeData n, Store store, DomainRegistry domains, boolean rootReplacesTree)
            throws MigrationFormatException {
        if (n.connId() != 0) {
            throw new IllegalArgumentException("a node of a transaction is not part of the tree");
        }
        Perms perms = new Perms(n.perms());
        for (Perm p : perms.entries()) {
            if (!p.stale()) {
                domains.ensure(p.domid());
            }
        }
        if (n.path().startsWith("@")) {
            if (!store.isSpecialNode(n.path())) {
                throw new MigrationFormatException("migration stream: unknown special node " + n.path());
            }
            store.setSpecialPerms(n.path(), perms);
            return;
        }
        if (!NodePath.isValid(n.path(), 0)) {
            throw new MigrationFormatException("migration stream: node path " + n.path() + " is not a valid path");
        }
        String parent = NodePath.parent(n.path());
        if (parent == null && rootReplacesTree) {
            for (String child : store.root().children().names()) {
                store.remove(NodePath.child(NodePath.ROOT, child));
            }
        } else if (parent != null && store.get(parent) == null) {
            throw new MigrationFormatException("migration stream: node " + n.path() + " comes before its parent");
        }
        store.put(n.path(), n.value(), perms);
    }

    /** The entries as the image holds them: those ignored now flagged stale (the owner never is). */
    private static List<Perm> asWritten(Perms perms, DomainFacts domains, long generation) {
        List<Perm> entries = perms.entries();
        List<Perm> out = new ArrayList<>(entries.size());
        out.add(entries.getFirst());
        for (Perm p : entries.subList(1, entries.size())) {
            out.add(p.stale() || domains.staleFor(p.domid(), generation) ? p.ignored() : p);
        }
        return out;
    }
}
