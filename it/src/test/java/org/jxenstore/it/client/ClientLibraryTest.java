package org.jxenstore.it.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jxenstore.protocol.Permission;
import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.client.Transaction;
import org.jxenstore.client.WatchEvent;
import org.jxenstore.client.XsClient;
import org.jxenstore.client.XsConnectionException;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.junit.jupiter.api.Test;

/** Every operation of the Java client library, against a real jxenstored over its socket. */
class ClientLibraryTest extends DaemonClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void expectEvent(XsClient client, String path, String token) throws InterruptedException {
        assertEquals(new WatchEvent(path, token), client.nextEvent(TIMEOUT));
    }

    private static void assertFails(XsError expected, org.junit.jupiter.api.function.Executable call) {
        XsException e = assertThrows(XsException.class, call);
        assertEquals(expected, e.error(), e.getMessage());
    }

    @Test
    void binaryValueWithEmbeddedNulsReadsBackByteForByte() throws Exception {
        byte[] value = {0, 1, 0, (byte) 0xff, 0, 'a', (byte) 0x80, 0};
        xs.write("/bin/value", value);
        assertArrayEquals(value, xs.read("/bin/value"));
    }

    @Test
    void emptyValueReadsBackEmpty() throws Exception {
        xs.write("/empty/value", new byte[0]);
        assertArrayEquals(new byte[0], xs.read("/empty/value"));
    }

    @Test
    void stringValueRoundTrips() throws Exception {
        xs.write("/text/value", "hello world");
        assertEquals("hello world", xs.readString("/text/value"));
    }

    @Test
    void writeCreatesMissingParentsWithEmptyValues() throws Exception {
        xs.write("/p1/p2/leaf", "v");
        assertArrayEquals(new byte[0], xs.read("/p1"));
        assertArrayEquals(new byte[0], xs.read("/p1/p2"));
    }

    @Test
    void mkdirCreatesEmptyNodeAndParents() throws Exception {
        xs.mkdir("/m/a/b");
        assertArrayEquals(new byte[0], xs.read("/m/a/b"));
        assertTrue(xs.exists("/m/a"));
    }

    @Test
    void mkdirOfExistingNodeKeepsItsValue() throws Exception {
        xs.write("/m/v", "keep");
        xs.mkdir("/m/v");
        assertEquals("keep", xs.readString("/m/v"));
    }

    @Test
    void rmRemovesTheWholeSubtreeAndNothingElse() throws Exception {
        xs.write("/r/a/b", "1");
        xs.write("/r/a/c/d", "2");
        xs.write("/r/e", "3");
        xs.rm("/r/a");
        assertFalse(xs.exists("/r/a"));
        assertFalse(xs.exists("/r/a/b"));
        assertFalse(xs.exists("/r/a/c/d"));
        assertEquals(List.of("e"), xs.directory("/r"));
    }

    @Test
    void rmOfMissingNodeWithExistingParentSucceeds() throws Exception {
        xs.mkdir("/r");
        xs.rm("/r/absent");
        assertTrue(xs.exists("/r"));
    }

    @Test
    void rmOfNodeWhoseParentIsMissingFailsWithEnoent() {
        assertFails(XsError.ENOENT, () -> xs.rm("/nowhere/absent"));
    }

    @Test
    void readOfMissingNodeFailsWithEnoent() {
        assertFails(XsError.ENOENT, () -> xs.read("/missing"));
    }

    @Test
    void directoryListsChildrenInInsertionOrder() throws Exception {
        xs.write("/dir/b", "");
        xs.write("/dir/a", "");
        xs.write("/dir/c", "");
        assertEquals(List.of("b", "a", "c"), xs.directory("/dir"));
    }

    @Test
    void directoryOfLeafIsEmpty() throws Exception {
        xs.write("/dir/leaf", "x");
        assertEquals(List.of(), xs.directory("/dir/leaf"));
    }

    @Test
    void existsAndReadIfPresentDistinguishPresentAndAbsentNodes() throws Exception {
        assertFalse(xs.exists("/opt/node"));
        assertTrue(xs.readIfPresent("/opt/node").isEmpty());
        xs.write("/opt/node", "here");
        assertTrue(xs.exists("/opt/node"));
        assertArrayEquals(bytes("here"), xs.readIfPresent("/opt/node").orElseThrow());
    }

    @Test
    void newNodeInheritsRootPermissions() throws Exception {
        xs.write("/perm/node", "");
        assertEquals(List.of(new Permission(Access.NONE, 0)), xs.getPerms("/perm/node"));
    }

    @Test
    void setPermsThenGetPermsRoundTrips() throws Exception {
        xs.write("/perm/node", "");
        List<Permission> perms = List.of(new Permission(Access.NONE, 0), new Permission(Access.READ, 5),
                new Permission(Access.WRITE, 6), new Permission(Access.BOTH, 7));
        xs.setPerms("/perm/node", perms);
        assertEquals(perms, xs.getPerms("/perm/node"));
    }

    @Test
    void setPermsOfMissingNodeFailsWithEnoent() {
        assertFails(XsError.ENOENT, () -> xs.setPerms("/perm/missing", List.of(new Permission(Access.READ, 0))));
    }

    @Test
    void getDomainPathIsLocalDomainSlashDomid() throws Exception {
        assertEquals("/local/domain/0", xs.getDomainPath(0));
        assertEquals("/local/domain/17", xs.getDomainPath(17));
    }

    @Test
    void unknownDomainIsNotIntroduced() throws Exception {
        assertFalse(xs.isDomainIntroduced(12));
    }

    @Test
    void introduceFiresIntroduceDomainAndReleaseFiresReleaseDomain() throws Exception {
        xs.watch("@introduceDomain", "intro");
        expectEvent(xs, "@introduceDomain", "intro");
        xs.watch("@releaseDomain", "release");
        expectEvent(xs, "@releaseDomain", "release");

        xs.introduce(12, 0x1234, 7);
        expectEvent(xs, "@introduceDomain", "intro");
        assertTrue(xs.isDomainIntroduced(12));

        xs.release(12);
        expectEvent(xs, "@releaseDomain", "release");
        assertFalse(xs.isDomainIntroduced(12));
    }

    @Test
    void releaseOfUnknownDomainFailsWithEnoent() {
        assertFails(XsError.ENOENT, () -> xs.release(13));
    }

    @Test
    void controlHelpListsTheCommands() throws Exception {
        String help = xs.control("help");
        for (String command : List.of("check", "log", "memreport", "quota")) {
            assertTrue(help.contains(command), help);
        }
    }

    @Test
    void unknownControlCommandFailsWithEinval() {
        assertFails(XsError.EINVAL, () -> xs.control("no-such-command"));
    }

    @Test
    void transactionWritesAreInvisibleOutsideUntilCommit() throws Exception {
        try (Transaction tx = xs.begin()) {
            tx.write("/tx/node", "inside");
            assertEquals("inside", tx.readString("/tx/node"));
            assertFalse(xs.exists("/tx/node"));
            tx.commit();
        }
        assertEquals("inside", xs.readString("/tx/node"));
    }

    @Test
    void abortedTransactionLeavesNoTrace() throws Exception {
        Transaction tx = xs.begin();
        tx.write("/tx/aborted", "x");
        tx.abort();
        assertTrue(tx.isEnded());
        assertFalse(xs.exists("/tx/aborted"));
    }

    @Test
    void transactionSeesOwnRmAndDirectory() throws Exception {
        xs.write("/tx/dir/a", "");
        xs.write("/tx/dir/b", "");
        try (Transaction tx = xs.begin()) {
            tx.rm("/tx/dir/a");
            tx.mkdir("/tx/dir/c");
            assertEquals(List.of("b", "c"), tx.directory("/tx/dir"));
            assertEquals(List.of("a", "b"), xs.directory("/tx/dir"));
            tx.commit();
        }
        assertEquals(List.of("b", "c"), xs.directory("/tx/dir"));
    }

    @Test
    void conflictingCommitFailsWithEagain() throws Exception {
        xs.write("/tx/counter", "0");
        try (XsClient other = XsClient.open(daemon.socket())) {
            Transaction tx = xs.begin();
            tx.read("/tx/counter");
            other.write("/tx/counter", "changed");
            tx.write("/tx/counter", "mine");
            assertFails(XsError.EAGAIN, tx::commit);
        }
        assertEquals("changed", xs.readString("/tx/counter"));
    }

    @Test
    void transactionBodyRunsAgainAfterEagainAndCommitsOnTheSecondAttempt() throws Exception {
        xs.write("/tx/counter", "0");
        AtomicInteger attempts = new AtomicInteger();
        try (XsClient other = XsClient.open(daemon.socket())) {
            int result = xs.transaction(tx -> {
                int n = Integer.parseInt(tx.readString("/tx/counter"));
                if (attempts.incrementAndGet() == 1) {
                    // A conflicting change from another connection, on the first attempt only.
                    other.write("/tx/counter", "100");
                }
                tx.write("/tx/counter", Integer.toString(n + 1));
                return n + 1;
            });
            assertEquals(101, result);
        }
        assertEquals(2, attempts.get());
        assertEquals("101", xs.readString("/tx/counter"));
    }

    @Test
    void transactionBodyFailureAbortsWithoutRetry() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        XsException e = assertThrows(XsException.class, () -> xs.transaction(tx -> {
            attempts.incrementAndGet();
            tx.write("/tx/partial", "x");
            return tx.read("/tx/missing");
        }));
        assertEquals(XsError.ENOENT, e.error());
        assertEquals(1, attempts.get());
        assertFalse(xs.exists("/tx/partial"));
    }

    @Test
    void watchFiresAnInitialEventForItsPath() throws Exception {
        xs.watch("/w/not-yet", "tok");
        expectEvent(xs, "/w/not-yet", "tok");
    }

    @Test
    void ownWriteFiresOwnWatch() throws Exception {
        xs.watch("/w", "tok");
        expectEvent(xs, "/w", "tok");
        xs.write("/w/child", "v");
        expectEvent(xs, "/w/child", "tok");
    }

    @Test
    void otherClientsWriteFiresWatch() throws Exception {
        xs.watch("/w", "tok");
        expectEvent(xs, "/w", "tok");
        try (XsClient other = XsClient.open(daemon.socket())) {
            other.write("/w/from-other", "v");
        }
        expectEvent(xs, "/w/from-other", "tok");
    }

    @Test
    void committedTransactionFiresWatchForEachChangedNode() throws Exception {
        xs.watch("/w", "tok");
        expectEvent(xs, "/w", "tok");
        try (Transaction tx = xs.begin()) {
            tx.write("/w/t", "1");
            tx.commit();
        }
        expectEvent(xs, "/w/t", "tok");
    }

    @Test
    void duplicateWatchFailsWithEexist() throws Exception {
        xs.watch("/w", "tok");
        assertFails(XsError.EEXIST, () -> xs.watch("/w", "tok"));
    }

    @Test
    void unwatchOfUnknownWatchFailsWithEnoent() {
        assertFails(XsError.ENOENT, () -> xs.unwatch("/w", "tok"));
    }

    @Test
    void unwatchStopsEvents() throws Exception {
        xs.watch("/w", "gone");
        expectEvent(xs, "/w", "gone");
        xs.unwatch("/w", "gone");
        xs.write("/w/after-unwatch", "v");
        // Events arrive in order: the sentinel's initial event comes first only if nothing
        // was sent for the removed watch.
        xs.watch("/sentinel", "sentinel");
        expectEvent(xs, "/sentinel", "sentinel");
    }

    @Test
    void resetWatchesRemovesWatches() throws Exception {
        xs.watch("/w", "a");
        expectEvent(xs, "/w", "a");
        xs.watch("/v", "b");
        expectEvent(xs, "/v", "b");
        xs.resetWatches();
        xs.write("/w/x", "1");
        xs.write("/v/x", "1");
        xs.watch("/sentinel", "sentinel");
        expectEvent(xs, "/sentinel", "sentinel");
        // The watches are really gone, not merely silent: they can be registered again.
        xs.watch("/w", "a");
        expectEvent(xs, "/w", "a");
    }

    @Test
    void resetWatchesEndsOpenTransactions() throws Exception {
        Transaction tx = xs.begin();
        tx.write("/tx/reset", "x");
        xs.resetWatches();
        assertFails(XsError.ENOENT, tx::commit);
        assertFalse(xs.exists("/tx/reset"));
    }

    @Test
    void closeMakesFurtherCallsFail() {
        xs.close();
        assertFalse(xs.isOpen());
        assertThrows(XsConnectionException.class, () -> xs.read("/"));
        assertThrows(XsConnectionException.class, () -> xs.write("/x", "v"));
        assertThrows(XsConnectionException.class, () -> xs.control("help"));
        // Closing again does nothing.
        xs.close();
    }

    @Test
    void closingOneClientLeavesOthersWorking() throws Exception {
        XsClient other = XsClient.open(daemon.socket());
        other.write("/shared", "v");
        other.close();
        assertEquals("v", xs.readString("/shared"));
    }
}
