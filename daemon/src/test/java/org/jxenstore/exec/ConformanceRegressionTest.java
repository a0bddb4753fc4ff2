package org.jxenstore.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.junit.jupiter.api.Test;

/**
 * Differences from C xenstored 4.17 found by the differential tester (it/.../differential), each
 * answered here as C answers it.
 */
class ConformanceRegressionTest {
    private static final String P = "/p";
    private final XsFixture xs = new XsFixture();
    private final Client a = xs.dom0();
    private final Client b = xs.dom0();

    @Test
    void oneChangeFiresAConnectionsWatchesInTheOrderItRegisteredThem() {
        a.watch(P + "/x", "t0");
        a.watch(P, "all");
        a.watch(P + "/x", "t1");
        a.events();
        assertEquals("OK", b.write(P + "/x", "v"));
        assertEquals(List.of(P + "/x t0", P + "/x all", P + "/x t1"), a.events());
    }

    @Test
    void aCommitFiresInTheOrderTheTransactionFirstTouchedEachNode() {
        assertEquals("OK", b.mkdir(P));
        for (String t : List.of("t0", "t1", "t2")) {
            a.watch(P + "/x", t);
        }
        a.watch(P, "all");
        a.events();
        int tx = b.begin();
        assertEquals("OK", b.write(tx, P + "/y", "1"));
        assertEquals("OK", b.write(tx, P + "/x/q", "2"));
        assertEquals("OK", b.write(tx, P + "/z", "3"));
        assertEquals("OK", b.write(tx, P + "/x", "4"));
        assertEquals("OK", b.commit(tx));
        assertEquals(List.of(P + "/y all",
                P + "/x/q t0", P + "/x/q t1", P + "/x/q t2", P + "/x/q all",
                P + "/x t0", P + "/x t1", P + "/x t2", P + "/x all",
                P + "/z all"), a.events());
    }

    @Test
    void aMissingNodeReadInATransactionConflictsWithANewSiblingOfItsParent() {
        assertEquals("OK", b.mkdir(P));
        int tx = a.begin();
        assertEquals("OK", a.write(P + "/y-2", "rh"));
        assertEquals("ENOENT", a.read(tx, P + "/b/b"));
        assertEquals("OK", b.rm(P + "/y-2"));
        assertEquals("EAGAIN", a.commit(tx));
    }

    @Test
    void aSetPermsByANonOwnerInATransactionConflictsWithAChangeToTheParentItAsked() {
        Client guest = xs.guest(3);
        assertEquals("OK", b.write(P + "/a", ""));
        assertEquals("OK", b.setPerms(P + "/a", "w0"));
        int tx = guest.begin();
        assertEquals("EACCES", guest.call(MessageType.SET_PERMS, tx, P + "/a", "r5"));
        assertEquals("OK", b.write(P, "changed"));
        assertEquals("EAGAIN", guest.commit(tx));
    }

    @Test
    void nodesATransactionCreatedAndRemovedAgainFireForNobodyAtCommit() {
        assertEquals("OK", b.mkdir(P + "/a"));
        a.watch(P, "all");
        a.events();
        int tx = b.begin();
        assertEquals("OK", b.write(tx, P + "/a/b/c", "v"));
        assertEquals("OK", b.rm(tx, P + "/a/b"));
        assertEquals("OK", b.commit(tx));
        assertEquals(List.of(), a.events());
    }

    @Test
    void aCommitChecksANodesParentAsTheCommitHasItWhenTheNodeFires() {
        Client guest = xs.guest(3);
        assertEquals("OK", b.mkdir(P));
        assertEquals("OK", b.setPerms(P, "n0"));
        assertEquals("OK", guest.watch(P, "g"));
        guest.events();
        int tx = b.begin();
        // x/y is touched before x, so when x/y fires, x is not in the store yet: the guest,
        // which may read x but not x/y, sees x only.
        assertEquals("OK", b.write(tx, P + "/x/y", "v"));
        assertEquals("OK", b.call(MessageType.SET_PERMS, tx, P + "/x", "n0", "r3"));
        assertEquals("OK", b.commit(tx));
        assertEquals(List.of(P + "/x g"), guest.events());
    }

    @Test
    void nodesAnEarlierRemovalInTheTransactionTookStillFireAtCommit() {
        assertEquals("OK", b.mkdir(P + "/a/b/c/d"));
        a.watch(P + "/a/b/c", "w");
        a.events();
        int tx = b.begin();
        assertEquals("OK", b.rm(tx, P + "/a/b"));
        assertEquals("OK", b.rm(tx, P));
        assertEquals("OK", b.commit(tx));
        assertEquals(List.of(P + "/a/b/c w"), a.events());
    }

    @Test
    void aRemovedSubtreeFiresDepthFirstInChildOrderThenItsRoot() {
        watchedSubtree();
        assertEquals("OK", b.rm(P + "/r"));
        assertEquals(List.of(P + "/r/c1/d1 w", P + "/r/c1 w", P + "/r/c2 w", P + "/r w"), a.events());
    }

    @Test
    void aTransactionsRemovalFiresAtCommitRootFirstThenInTheOrderItReadTheNodes() {
        watchedSubtree();
        int tx = b.begin();
        assertEquals("OK", b.rm(tx, P + "/r"));
        assertEquals("OK", b.commit(tx));
        assertEquals(List.of(P + "/r w", P + "/r/c1 w", P + "/r/c1/d1 w", P + "/r/c2 w"), a.events());
    }

    /** {@code r} with children {@code c1} (with {@code d1}) and {@code c2}; {@code a} watches each exactly. */
    private void watchedSubtree() {
        for (String n : List.of("/r/c1/d1", "/r/c2")) {
            assertEquals("OK", b.write(P + n, ""));
        }
        for (String n : List.of("/r/c2", "/r/c1/d1", "/r/c1", "/r")) {
            a.watch(P + n, "w");
        }
        a.events();
    }

    @Test
    void unwatchOfAMalformedPathIsEnoent() {
        for (String bad : List.of(P + "/a b", P + "/a/", P + "/./a", P + "/a:b")) {
            assertEquals("ENOENT", a.unwatch(bad, "t"), bad);
        }
    }

    @Test
    void directoryPartReadsItsOffsetWithAtoiTakenUnsigned() {
        assertEquals("OK", b.mkdir(P + "/ab"));
        assertEquals("OK", b.mkdir(P + "/cd"));
        assertEquals("ab cd ", partWithoutGeneration("0"));
        assertEquals("b cd ", partWithoutGeneration("1"));
        assertEquals("", partWithoutGeneration("-1"));
        assertEquals("", partWithoutGeneration("6"));
        assertEquals("ab cd ", partWithoutGeneration("4294967296"));
        assertEquals("", partWithoutGeneration("99999999999999999999"));
    }

    /** The DIRECTORY_PART reply after its generation, strings joined by blanks. */
    private String partWithoutGeneration(String offset) {
        String r = a.call(MessageType.DIRECTORY_PART, 0, P, offset);
        return r.substring(r.indexOf(' ') + 1);
    }
}
