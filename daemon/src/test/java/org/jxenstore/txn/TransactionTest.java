package org.jxenstore.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.junit.jupiter.api.Test;

/**
 * Transactions as C xenstored runs them: per-node validation of the generation seen at first
 * access, isolation until commit, events only at commit.
 */
class TransactionTest {
    private final XsFixture xs = new XsFixture();
    private final Client a = xs.dom0();
    private final Client other = xs.dom0();

    // --- the C conflict matrix ---

    @Test
    void readThenOutsideWriteOfThatNodeIsEagain() {
        assertEquals("OK", a.write("/n", "1"));
        int tx = a.begin();
        assertEquals("1", a.read(tx, "/n"));
        assertEquals("OK", other.write("/n", "2"));
        assertEquals("OK", a.write(tx, "/m", "x"));
        assertEquals("EAGAIN", a.commit(tx));
        assertEquals("ENOENT", a.read("/m"));
    }

    @Test
    void siblingCreatedOutsideDoesNotConflict() {
        assertEquals("OK", a.write("/p/n", "1"));
        int tx = a.begin();
        assertEquals("1", a.read(tx, "/p/n"));
        assertEquals("OK", a.write(tx, "/p/n", "2"));
        assertEquals("OK", other.write("/p/sibling", "s"));
        assertEquals("OK", a.commit(tx));
        assertEquals("2", a.read("/p/n"));
        assertEquals("s", a.read("/p/sibling"));
    }

    @Test
    void listedDirectoryThatGainedAChildIsEagain() {
        assertEquals("OK", a.mkdir("/d"));
        int tx = a.begin();
        assertEquals("", a.dir(tx, "/d"));
        assertEquals("OK", other.write("/d/new", ""));
        assertEquals("OK", a.write(tx, "/elsewhere", "x"));
        assertEquals("EAGAIN", a.commit(tx));
    }

    @Test
    void outsideRewriteWithTheSameValueIsEagain() {
        assertEquals("OK", a.write("/n", "same"));
        int tx = a.begin();
        assertEquals("same", a.read(tx, "/n"));
        assertEquals("OK", other.write("/n", "same"));
        assertEquals("EAGAIN", a.commit(tx));
    }

    @Test
    void blindWriteOfANodeModifiedOutsideIsEagain() {
        assertEquals("OK", a.write("/n", "1"));
        int tx = a.begin();
        assertEquals("OK", a.write(tx, "/n", "tx"));
        assertEquals("OK", other.write("/n", "outside"));
        assertEquals("EAGAIN", a.commit(tx));
        assertEquals("outside", a.read("/n"));
    }

    @Test
    void readOnlyTransactionWhoseNodeChangedIsEagain() {
        assertEquals("OK", a.write("/n", "1"));
        int tx = a.begin();
        assertEquals("1", a.read(tx, "/n"));
        assertEquals("OK", other.write("/n", "2"));
        assertEquals("EAGAIN", a.commit(tx));
    }

    @Test
    void readOfAMissingNodeThatAppearsOutsideIsEagain() {
        int tx = a.begin();
        assertEquals("ENOENT", a.read(tx, "/ghost"));
        assertEquals("OK", other.write("/ghost", "boo"));
        assertEquals("EAGAIN", a.commit(tx));
    }

    @Test
    void outsideRemovalOfAReadNodeIsEagain() {
        assertEquals("OK", a.write("/n", "1"));
        int tx = a.begin();
        assertEquals("1", a.read(tx, "/n"));
        assertEquals("OK", other.rm("/n"));
        assertEquals("EAGAIN", a.commit(tx));
    }

    @Test
    void twoTransactionsCreatingDifferentChildrenOfTheSameParentSecondIsEagain() {
        assertEquals("OK", a.mkdir("/dev"));
        int t1 = a.begin();
        int t2 = other.begin();
        assertEquals("OK", a.write(t1, "/dev/vif0", "a"));
        assertEquals("OK", other.write(t2, "/dev/vbd0", "b"));
        assertEquals("OK", a.commit(t1));
        assertEquals("EAGAIN", other.commit(t2));
        assertEquals("vif0", a.dir("/dev"));
    }

    @Test
    void unrelatedTransactionsBothCommit() {
        int t1 = a.begin();
        int t2 = other.begin();
        assertEquals("OK", a.write(t1, "/tool/one", "1"));
        assertEquals("OK", other.write(t2, "/local/two", "2"));
        assertEquals("OK", a.commit(t1));
        assertEquals("OK", other.commit(t2));
        assertEquals("1", a.read("/tool/one"));
        assertEquals("2", a.read("/local/two"));
    }

    // --- isolation ---

    @Test
    void transactionWritesAreInvisibleOutsideUntilCommit() {
        int tx = a.begin();
        assertEquals("OK", a.write(tx, "/iso/x", "v"));
        assertEquals("v", a.read(tx, "/iso/x"));
        assertEquals("ENOENT", other.read("/iso/x"));
        assertEquals("ENOENT", a.read("/iso"));
        assertEquals("OK", a.commit(tx));
        assertEquals("v", other.read("/iso/x"));
        assertEquals("", other.read("/iso"));
    }

    @Test
    void outsideWritesAreInvisibleToANodeTheTransactionAlreadySaw() {
        assertEquals("OK", a.write("/n", "1"));
        int tx = a.begin();
        assertEquals("1", a.read(tx, "/n"));
        assertEquals("OK", other.write("/n", "2"));
        assertEquals("1", a.read(tx, "/n"));
    }

    @Test
    void rmInsideTransactionThenRecreate() {
        assertEquals("OK", a.write("/r/old", "o"));
        int tx = a.begin();
        assertEquals("OK", a.rm(tx, "/r"));
        assertEquals("ENOENT", a.read(tx, "/r/old"));
        assertEquals("OK", a.write(tx, "/r/new", "n"));
        assertEquals("new", a.dir(tx, "/r"));
        assertEquals("old", other.dir("/r"));
        assertEquals("OK", a.commit(tx));
        assertEquals("new", other.dir("/r"));
        assertEquals("ENOENT", other.read("/r/old"));
        assertEquals("n", other.read("/r/new"));
    }

    @Test
    void rmSubtreeThenWriteBelowIt() {
        assertEquals("OK", a.write("/s/a/b", "1"));
        assertEquals("OK", a.write("/s/a/c", "2"));
        int tx = a.begin();
        assertEquals("OK", a.rm(tx, "/s/a"));
        assertEquals("OK", a.write(tx, "/s/a/b/deeper", "d"));
        assertEquals("", a.read(tx, "/s/a/b"));
        assertEquals("ENOENT", a.read(tx, "/s/a/c"));
        assertEquals("OK", a.commit(tx));
        assertEquals("b", other.dir("/s/a"));
        assertEquals("", other.read("/s/a/b"));
        assertEquals("d", other.read("/s/a/b/deeper"));
        assertEquals("ENOENT", other.read("/s/a/c"));
        assertEquals("OK", a.control("check").substring(0, 2));
    }

    @Test
    void nodesCreatedAndRemovedInsideATransactionLeaveNoTrace() {
        int tx = a.begin();
        assertEquals("OK", a.write(tx, "/tmp/x/y", "1"));
        assertEquals("OK", a.rm(tx, "/tmp"));
        assertEquals("OK", a.commit(tx));
        assertEquals("ENOENT", other.read("/tmp"));
        assertEquals("OK", a.control("check").substring(0, 2));
    }

    @Test
    void abortDiscardsEverything() {
        assertEquals("OK", a.write("/keep", "1"));
        int tx = a.begin();
        assertEquals("OK", a.write(tx, "/keep", "2"));
        assertEquals("OK", a.write(tx, "/new", "n"));
        assertEquals("OK", a.rm(tx, "/tool"));
        assertEquals("OK", a.abort(tx));
        assertEquals("1", a.read("/keep"));
        assertEquals("ENOENT", a.read("/new"));
        assertEquals("", a.read("/tool/xenstored"));
    }

    @Test
    void abortOfAConflictedTransactionIsOk() {
        assertEquals("OK", a.write("/n", "1"));
        int tx = a.begin();
        assertEquals("1", a.read(tx, "/n"));
        assertEquals("OK", other.write("/n", "2"));
        assertEquals("OK", a.abort(tx));
    }

    // --- events ---

    @Test
    void noEventsBeforeCommitAndEventsAtCommit() {
        Client watcher = xs.dom0();
        assertEquals("OK", watcher.watch("/w", "tok"));
        assertEquals(List.of("/w tok"), watcher.events());
        int tx = a.begin();
        assertEquals("OK", a.write(tx, "/w/a", "1"));
        assertEquals("OK", a.write(tx, "/w/b", "2"));
        assertEquals(List.of(), watcher.events());
        assertEquals("OK", a.commit(tx));
        assertEquals(List.of("/w/a tok", "/w/b tok"), watcher.events());
    }

    @Test
    void noEventsOnAbortOrEagain() {
        Client watcher = xs.dom0();
        assertEquals("OK", a.write("/w/n", "0"));
        assertEquals("OK", watcher.watch("/w", "tok"));
        watcher.events();
        int t1 = a.begin();
        assertEquals("OK", a.write(t1, "/w/n", "1"));
        assertEquals("OK", a.abort(t1));
        int t2 = a.begin();
        assertEquals("0", a.read(t2, "/w/n"));
        assertEquals("OK", a.write(t2, "/w/m", "1"));
        assertEquals("OK", other.write("/w/n", "x"));
        assertEquals(List.of("/w/n tok"), watcher.events());
        assertEquals("EAGAIN", a.commit(t2));
        assertEquals(List.of(), watcher.events());
    }

    @Test
    void rmInsideTransactionFiresAtCommit() {
        Client watcher = xs.dom0();
        assertEquals("OK", a.write("/w/n", "0"));
        assertEquals("OK", watcher.watch("/w/n", "tok"));
        watcher.events();
        int tx = a.begin();
        assertEquals("OK", a.rm(tx, "/w"));
        assertEquals(List.of(), watcher.events());
        assertEquals("OK", a.commit(tx));
        assertEquals(List.of("/w/n tok"), watcher.events());
    }

    // --- ids and errors ---

    @Test
    void idsStartAtOneAndAreConsecutivePerConnection() {
        assertEquals("1", a.start());
        assertEquals("2", a.start());
        assertEquals("3", a.start());
        assertEquals("1", other.start());
    }

    @Test
    void anEndedIdIsNotReusedWhileTheCounterMovesOn() {
        assertEquals("1", a.start());
        assertEquals("OK", a.abort(1));
        assertEquals("2", a.start());
    }

    @Test
    void nestedStartIsEbusy() {
        int tx = a.begin();
        assertEquals("EBUSY", a.call(MessageType.TRANSACTION_START, tx, ""));
    }

    @Test
    void unknownTransactionIdIsEnoent() {
        assertEquals("ENOENT", a.read(42, "/tool"));
        assertEquals("ENOENT", a.write(42, "/x", "1"));
        assertEquals("ENOENT", a.commit(42));
        assertEquals("ENOENT", a.abort(42));
    }

    @Test
    void anotherConnectionsTransactionIdIsEnoent() {
        int tx = a.begin();
        assertEquals("ENOENT", other.write(tx, "/x", "1"));
    }

    @Test
    void endedTransactionIsGone() {
        int tx = a.begin();
        assertEquals("OK", a.commit(tx));
        assertEquals("ENOENT", a.commit(tx));
        assertEquals("ENOENT", a.read(tx, "/tool"));
    }

    @Test
    void endWithoutATransactionIsEnoent() {
        assertEquals("ENOENT", a.commit(0));
    }

    @Test
    void resetWatchesDropsTransactions() {
        int tx = a.begin();
        assertEquals("OK", a.write(tx, "/x", "1"));
        assertEquals("OK", a.call(MessageType.RESET_WATCHES, 0, ""));
        assertEquals("ENOENT", a.commit(tx));
        assertEquals("ENOENT", a.read("/x"));
    }

    @Test
    void watchAndUnwatchIgnoreTheTransactionId() {
        assertEquals("OK", a.call(MessageType.WATCH, 77, "/w", "t"));
        assertEquals("OK", a.call(MessageType.UNWATCH, 77, "/w", "t"));
    }

    @Test
    void transactionStartBumpsTheGenerationCount() {
        long g = xs.store.generation();
        a.begin();
        assertEquals(g + 1, xs.store.generation());
    }

    @Test
    void aTransactionStopsGrowingAtItsTransactionNodesQuota() {
        // C counts a node before reading it, so a guest cannot grow a transaction past the quota
        // even with reads of nodes that do not exist; the refused transaction cannot commit.
        Client g = xs.guest(3);
        assertEquals("OK", other.call(MessageType.SET_QUOTA, 0, "3", "transaction-nodes", "10"));
        int tx = g.begin();
        // Each read touches the missing node; the first also its home, looked at for masking.
        for (int i = 0; i < 9; i++) {
            assertEquals("ENOENT", g.read(tx, "/local/domain/3/missing" + i), "read " + i);
        }
        assertEquals("ENOSPC", g.read(tx, "/local/domain/3/missing9"));
        assertEquals("ENOSPC", g.read(tx, "/local/domain/3/missing10"));
        assertEquals("EIO", g.commit(tx));
    }

    @Test
    void aNodeWrittenManyTimesInATransactionFiresOnceAtCommit() {
        Client w = xs.dom0();
        assertEquals("OK", a.write("/once", "0"));
        assertEquals("OK", w.watch("/once", "t"));
        w.events();
        int tx = a.begin();
        for (int i = 1; i <= 5; i++) {
            assertEquals("OK", a.write(tx, "/once", Integer.toString(i)));
        }
        assertEquals("OK", a.commit(tx));
        assertEquals(List.of("/once t"), w.events());
        assertEquals("5", a.read("/once"));
    }
}
