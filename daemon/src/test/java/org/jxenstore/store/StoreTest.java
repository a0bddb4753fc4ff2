package org.jxenstore.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.access.Perm;
import org.jxenstore.access.Perms;
import org.junit.jupiter.api.Test;

/** The persistent tree: values, generations, snapshots, ownership accounting, deep paths. */
class StoreTest {
    private final Store store = new Store(0);
    private static final Perms DOM0 = Perms.ownedBy(0);

    private static byte[] b(String s) {
        return s.getBytes();
    }

    private static Perms owned(int domid, Perm... acl) {
        List<Perm> l = new java.util.ArrayList<>();
        l.add(new Perm(Access.NONE, domid));
        l.addAll(List.of(acl));
        return new Perms(l);
    }

    @Test
    void initialTreeHasRootToolAndToolXenstored() {
        assertEquals(List.of("tool"), store.root().children().names());
        assertNotNull(store.get("/tool/xenstored"));
        assertEquals(3, store.nodesOwnedBy(0));
        assertTrue(store.isSpecialNode("@introduceDomain"));
        assertTrue(store.isSpecialNode("@releaseDomain"));
        assertEquals(0, store.specialPerms("@releaseDomain").owner());
    }

    @Test
    void putThenGet() {
        store.put("/a", b("1"), DOM0);
        store.put("/a/b", b("2"), DOM0);
        assertArrayEquals(b("1"), store.get("/a").value());
        assertArrayEquals(b("2"), store.get("/a/b").value());
        assertNull(store.get("/a/c"));
        assertNull(store.get("/x/y"));
    }

    @Test
    void putWithoutParentIsRefused() {
        assertThrows(IllegalStateException.class, () -> store.put("/missing/child", b("x"), DOM0));
    }

    @Test
    void removeTakesTheSubtreeRootFirst() {
        store.put("/a", b(""), DOM0);
        store.put("/a/b", b(""), DOM0);
        store.put("/a/b/c", b(""), DOM0);
        store.put("/a/d", b(""), DOM0);
        List<NodeView.Removed> removed = store.remove("/a");
        assertEquals("/a", removed.getFirst().path());
        assertEquals(Set.of("/a", "/a/b", "/a/b/c", "/a/d"),
                Set.copyOf(removed.stream().map(NodeView.Removed::path).toList()));
        assertNull(store.get("/a"));
        assertNull(store.get("/a/b/c"));
        assertEquals(List.of("tool"), store.root().children().names());
    }

    @Test
    void removingAMissingNodeRemovesNothing() {
        assertEquals(List.of(), store.remove("/nothing"));
    }

    @Test
    void theRootCannotBeRemoved() {
        assertThrows(IllegalArgumentException.class, () -> store.remove("/"));
    }

    @Test
    void everyChangeGetsAFreshGenerationAheadOfTheOldOnes() {
        long before = store.generation();
        store.put("/a", b("1"), DOM0);
        long g = store.get("/a").generation();
        assertTrue(g > before);
        store.put("/a", b("2"), DOM0);
        assertTrue(store.get("/a").generation() > g);
        assertEquals(store.generation(), store.get("/a").generation());
    }

    @Test
    void addingAChildBumpsTheParentsGeneration() {
        store.put("/p", b(""), DOM0);
        long g = store.get("/p").generation();
        store.put("/p/c", b(""), DOM0);
        assertTrue(store.get("/p").generation() > g);
        assertEquals(store.get("/p/c").generation(), store.get("/p").generation());
    }

    @Test
    void removingAChildBumpsTheParentsGeneration() {
        store.put("/p", b(""), DOM0);
        store.put("/p/c", b(""), DOM0);
        long g = store.get("/p").generation();
        store.remove("/p/c");
        assertTrue(store.get("/p").generation() > g);
    }

    @Test
    void changingAChildsValueDoesNotBumpTheParent() {
        store.put("/p", b(""), DOM0);
        store.put("/p/c", b("1"), DOM0);
        long parent = store.get("/p").generation();
        long grandparent = store.get("/").generation();
        store.put("/p/c", b("2"), DOM0);
        store.put("/p/c", b("2"), owned(0, new Perm(Access.READ, 5)));
        assertEquals(parent, store.get("/p").generation());
        assertEquals(grandparent, store.get("/").generation());
    }

    @Test
    void addingAGrandchildDoesNotBumpTheGrandparent() {
        store.put("/p", b(""), DOM0);
        store.put("/p/c", b(""), DOM0);
        long gp = store.get("/p").generation();
        store.put("/p/c/d", b(""), DOM0);
        assertEquals(gp, store.get("/p").generation());
    }

    @Test
    void rootSnapshotIsUnchangedByLaterWrites() {
        store.put("/a", b("old"), DOM0);
        Node snapshot = store.root();
        store.put("/a", b("new"), DOM0);
        store.put("/b", b("x"), DOM0);
        store.remove("/tool");
        assertArrayEquals(b("old"), snapshot.children().get("a").value());
        assertNull(snapshot.children().get("b"));
        assertNotNull(snapshot.children().get("tool"));
        assertEquals(List.of("tool", "a"), snapshot.children().names());
        assertEquals(List.of("a", "b"), store.root().children().names());
    }

    @Test
    void childrenAreListedInInsertionOrder() {
        store.put("/d", b(""), DOM0);
        for (String n : List.of("zeta", "alpha", "mid", "Aa", "BB")) {
            store.put("/d/" + n, b(""), DOM0);
        }
        store.put("/d/alpha", b("rewritten"), DOM0);
        assertEquals(List.of("zeta", "alpha", "mid", "Aa", "BB"), store.get("/d").children().names());
    }

    @Test
    void ownershipCountsFollowPutsPermChangesAndRemoves() {
        store.put("/a", b(""), owned(5));
        store.put("/a/b", b(""), owned(5));
        store.put("/a/c", b(""), owned(6, new Perm(Access.READ, 5)));
        assertEquals(2, store.nodesOwnedBy(5));
        assertEquals(1, store.nodesOwnedBy(6));
        assertEquals(Set.of("/a", "/a/b"), store.pathsOwnedBy(5));
        assertEquals(Set.of("/a/c"), store.pathsMentioning(5));
        store.put("/a/b", b(""), owned(6));
        assertEquals(1, store.nodesOwnedBy(5));
        assertEquals(2, store.nodesOwnedBy(6));
        store.remove("/a");
        assertEquals(0, store.nodesOwnedBy(5));
        assertEquals(0, store.nodesOwnedBy(6));
        assertEquals(Set.of(), store.pathsMentioning(5));
        assertEquals(Map.of(0, 3), store.ownedCounts());
    }

    @Test
    void theMasterDomainsNodesAreCountedWithoutKeepingTheirPaths() {
        store.put("/m", b(""), DOM0);
        store.put("/m/n", b(""), DOM0);
        assertEquals(5, store.nodesOwnedBy(0), "/, /tool, /tool/xenstored, /m, /m/n");
        store.remove("/m");
        assertEquals(3, store.nodesOwnedBy(0));
        assertThrows(IllegalStateException.class, () -> store.pathsOwnedBy(0), "it is never torn down");
    }

    @Test
    void specialPermsCanBeReplaced() {
        Perms p = owned(0, new Perm(Access.READ, 5));
        store.setSpecialPerms("@releaseDomain", p);
        assertSame(p, store.specialPerms("@releaseDomain"));
        assertTrue(!store.isSpecialNode("@other"));
    }

    @Test
    void a1500LevelPathCanBeBuiltReadAndRemovedWithoutRecursion() {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            p.append("/x");
            store.put(p.toString(), b(Integer.toString(i)), DOM0);
        }
        String deepest = p.toString();
        assertEquals(3000, deepest.length());
        assertArrayEquals(b("1499"), store.get(deepest).value());
        assertEquals(3 + 1500, store.nodesOwnedBy(0));
        List<NodeView.Removed> removed = store.remove("/x");
        assertEquals(1500, removed.size());
        assertEquals(3, store.nodesOwnedBy(0));
        assertNull(store.get("/x"));
    }

    @Test
    void subtreeOfADeepChainWalksIteratively() {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            p.append("/y");
            store.put(p.toString(), b(""), DOM0);
        }
        assertEquals(1500, Store.subtree("/y", store.get("/y")).size());
    }
}
