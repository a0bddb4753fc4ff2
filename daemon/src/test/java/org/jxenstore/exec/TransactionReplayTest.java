package org.jxenstore.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jxenstore.protocol.MessageType;
import org.jxenstore.txn.Transaction;
import org.junit.jupiter.api.Test;

/**
 * A live update carries an open transaction over by replaying it (RequestExecutor.replayTransaction):
 * rebuilt in another daemon with the same tree, it commits to the same tree, with the same
 * EAGAIN when something it read has changed.
 */
class TransactionReplayTest {

    private static void sameStart(XsFixture xs) {
        XsFixture.Client dom0 = xs.dom0();
        dom0.write("/t/keep", "1");
        dom0.write("/t/gone/deep", "2");
        dom0.write("/t/read", "3");
    }

    /** The transaction under test: a read, writes, a removal, permissions, and a refused request. */
    private static Transaction openTransaction(XsFixture.Client c) {
        int tx = c.begin();
        assertEquals("3", c.read(tx, "/t/read"));
        c.write(tx, "/t/new/child", "n");
        c.rm(tx, "/t/gone");
        c.write(tx, "/t/keep", "changed");
        assertEquals("ENOENT", c.rm(tx, "/t/missing/below"));
        c.call(MessageType.SET_PERMS, tx, "/t/new", "n0", "r5");
        return c.session.transactions().get(tx);
    }

    private static String tree(XsFixture xs) {
        XsFixture.Client c = xs.dom0();
        return String.join("|", c.dir("/t"), c.read("/t/keep"), c.dir("/t/new"), c.getPerms("/t/new"),
                c.read("/t/new/child"), c.read("/t/gone"));
    }

    @Test
    void aReplayedTransactionCommitsToTheSameTree() {
        XsFixture first = new XsFixture();
        sameStart(first);
        XsFixture.Client c1 = first.dom0();
        Transaction original = openTransaction(c1);
        assertTrue(original.replayable());

        XsFixture second = new XsFixture();
        sameStart(second);
        XsFixture.Client c2 = second.dom0();
        second.executor.replayTransaction(c2.session, original.id(), original.touched(), original.steps());

        assertEquals("OK", c1.commit(original.id()));
        assertEquals("OK", c2.commit(original.id()));
        assertEquals(tree(first), tree(second));
        assertEquals(original.id() + 1, c2.begin(), "new transaction ids go on after the replayed one");
    }

    @Test
    void aReplayedTransactionStillConflictsWithAChangeToWhatItRead() {
        XsFixture first = new XsFixture();
        sameStart(first);
        Transaction original = openTransaction(first.dom0());

        XsFixture second = new XsFixture();
        sameStart(second);
        XsFixture.Client c2 = second.dom0();
        second.executor.replayTransaction(c2.session, original.id(), original.touched(), original.steps());
        second.dom0().write("/t/read", "changed by another writer");
        assertEquals("EAGAIN", c2.commit(original.id()));
    }

    @Test
    void aTransactionWhoseReadsChangedIsNotReplayable() {
        XsFixture xs = new XsFixture();
        sameStart(xs);
        Transaction t = openTransaction(xs.dom0());
        xs.dom0().write("/t/read", "changed");
        assertFalse(t.replayable());
    }
}
