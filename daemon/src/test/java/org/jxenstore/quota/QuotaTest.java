package org.jxenstore.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.junit.jupiter.api.Test;

/** C xenstored's quotas for unprivileged domains, at their exact boundaries (default values). */
class QuotaTest {
    private final XsFixture xs = new XsFixture();
    private final Client dom0 = xs.dom0();
    private final Client g3 = xs.guest(3);
    private static final String HOME = "/local/domain/3";

    // --- nodes: 1000, C checks "count >= quota" before each new node ---

    @Test
    void nodeQuotaAllows1000OwnedNodesCountingTheHomeAndRefusesThe1001st() {
        assertEquals(1, xs.store.nodesOwnedBy(3), "the home counts");
        // One flat directory of 1000 children would hit node-size first (see below).
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "node-size", "0"));
        for (int i = 1; i < 1000; i++) {
            assertEquals("OK", g3.write(HOME + "/n" + i, ""), "node " + i);
        }
        assertEquals(1000, xs.store.nodesOwnedBy(3));
        assertEquals("ENOSPC", g3.write(HOME + "/one-more", ""));
        assertEquals("ENOSPC", g3.mkdir(HOME + "/one-more"));
        assertEquals("ENOENT", g3.read(HOME + "/one-more"));
        // Rewriting an existing node needs no new node.
        assertEquals("OK", g3.write(HOME + "/n1", "still fine"));
        // Removing one frees one.
        assertEquals("OK", g3.rm(HOME + "/n1"));
        assertEquals("OK", g3.write(HOME + "/one-more", ""));
    }

    @Test
    void nodeQuotaCountsImplicitParentsAndRefusesTheWholeWrite() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "nodes", "3"));
        assertEquals("ENOSPC", g3.write(HOME + "/a/b/c", ""));
        assertEquals("ENOENT", g3.read(HOME + "/a"));
        assertEquals("OK", g3.write(HOME + "/a/b", ""));
        assertEquals("ENOSPC", g3.write(HOME + "/a/c", ""));
        assertEquals(3, xs.store.nodesOwnedBy(3));
    }

    @Test
    void nodeQuotaIsCheckedAtCommitForTransactions() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "nodes", "3"));
        int t1 = g3.begin();
        int t2 = g3.begin();
        assertEquals("OK", g3.write(t1, HOME + "/x", ""));
        assertEquals("OK", g3.write(t1, HOME + "/y", ""));
        assertEquals("OK", g3.commit(t1));
        assertEquals("ENOSPC", g3.write(t2, HOME + "/z", ""));
    }

    @Test
    void privilegedCallersHaveNoNodeQuota() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "nodes", "1"));
        for (int i = 0; i < 5; i++) {
            assertEquals("OK", dom0.write("/dom0/n" + i, ""));
        }
    }

    @Test
    void quotaZeroDisablesTheCheck() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "nodes", "0"));
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "node-size", "0"));
        for (int i = 0; i < 1100; i++) {
            assertEquals("OK", g3.write(HOME + "/n" + i, ""));
        }
    }

    // --- watches: 128; C checks "count > quota" before adding, so 129 fit and the 130th is E2BIG ---

    @Test
    void memoryQuotaWarnsPastTheSoftValueAndRefusesGrowthWithEnomemAtTheHardOne() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "memory", "6000"));
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "soft-memory", "3000"));
        String value = "v".repeat(400);
        int written = 0;
        String r;
        while ((r = g3.write(HOME + "/m" + written, value)).equals("OK")) {
            written++;
            assertTrue(written < 100, "the memory quota never refused");
        }
        assertEquals("ENOMEM", r);
        assertTrue(written >= 10, "refused after only " + written + " nodes");
        assertEquals(List.of("dom3 uses ", "dom3 reached its memory quota (6000): ENOMEM"),
                xs.warnings().stream().map(w -> w.startsWith("dom3 uses ") ? "dom3 uses " : w).toList());
        // Reading grows nothing; freeing memory makes room again.
        assertEquals(value, g3.read(HOME + "/m0"));
        assertEquals("OK", g3.rm(HOME + "/m0"));
        assertEquals("OK", g3.write(HOME + "/again", "x"));
        assertEquals(1, softWarnings().size(), "warned once while it stays over: " + xs.warnings());
        // A new connection for the domid (a re-created domain) is warned afresh.
        assertEquals("OK", xs.guest(3).write(HOME + "/new-connection", "x"));
        assertEquals(2, softWarnings().size(), xs.warnings().toString());
    }

    private List<String> softWarnings() {
        return xs.warnings().stream().filter(w -> w.startsWith("dom3 uses ")).toList();
    }

    @Test
    void aGuestGivesOneDirectoryAt425ShortChildrenAsC() {
        // C counts a node's child names in its size: with the 2048-byte node-size quota the
        // 426th child k425 of the guest's home (perms nN, no value) is refused (verify-guest's
        // children-per-directory row for C 4.17).
        for (int i = 0; i < 425; i++) {
            assertEquals("OK", g3.write(HOME + "/k" + i, ""), "child " + i);
        }
        assertEquals("ENOSPC", g3.write(HOME + "/k425", ""));
    }

    @Test
    void watchQuotaAllows129WatchesAndThe130thIsE2big() {
        for (int i = 1; i <= 129; i++) {
            assertEquals("OK", g3.watch(HOME + "/w" + i, "t"), "watch " + i);
        }
        assertEquals("E2BIG", g3.watch(HOME + "/w130", "t"));
        assertEquals(List.of("dom3 reached its watches quota (128): E2BIG"), xs.warnings());
    }

    @Test
    void watchQuotaIsFreedByUnwatch() {
        int fit = 0;
        while (fit < 200 && g3.watch(HOME + "/w" + fit, "t").equals("OK")) {
            fit++;
        }
        assertEquals("E2BIG", g3.watch(HOME + "/extra", "t"));
        assertEquals("OK", g3.unwatch(HOME + "/w0", "t"));
        assertEquals("OK", g3.watch(HOME + "/extra", "t"));
        assertEquals("OK", g3.call(MessageType.RESET_WATCHES, 0, ""));
        for (int i = 0; i < fit; i++) {
            assertEquals("OK", g3.watch(HOME + "/again" + i, "t"));
        }
    }

    @Test
    void duplicateWatchIsEexistEvenAtTheQuota() {
        int fit = 0;
        while (fit < 200 && g3.watch(HOME + "/w" + fit, "t").equals("OK")) {
            fit++;
        }
        assertEquals("EEXIST", g3.watch(HOME + "/w0", "t"));
    }

    // --- transactions: 10; C checks "started > quota" before starting, so 11 open and the 12th is ENOSPC ---

    @Test
    void transactionQuotaAllows11OpenAndThe12thIsEnospc() {
        for (int i = 1; i <= 11; i++) {
            assertEquals(Integer.toString(i), g3.start(), "transaction " + i);
        }
        assertEquals("ENOSPC", g3.start());
    }

    @Test
    void endingATransactionFreesItsSlot() {
        int fit = 0;
        while (fit < 20 && !g3.start().equals("ENOSPC")) {
            fit++;
        }
        assertEquals("OK", g3.abort(1));
        assertEquals(Integer.toString(fit + 1), g3.start());
        assertEquals("ENOSPC", g3.start());
    }

    @Test
    void privilegedCallersHaveNoTransactionQuota() {
        for (int i = 0; i < 50; i++) {
            dom0.begin();
        }
    }

    // --- node-permissions: 5 entries ---

    @Test
    void fivePermissionEntriesAreAllowedSixAreEnospc() {
        assertEquals("OK", g3.write(HOME + "/p", ""));
        assertEquals("OK", g3.setPerms(HOME + "/p", "n3", "r1", "r2", "r4", "r5"));
        assertEquals("ENOSPC", g3.setPerms(HOME + "/p", "n3", "r1", "r2", "r4", "r5", "r6"));
        assertEquals("n3 r1 r2 r4 r5", g3.getPerms(HOME + "/p"));
        assertEquals("OK", dom0.setPerms(HOME + "/p", "n3", "r1", "r2", "r4", "r5", "r6"));
    }

    // --- node-size: 2048 bytes = 24-byte header + 8 per permission + value + child names ---

    @Test
    void aNodeRecordMustStayBelow2048BytesAsInC() {
        // C 4.17 (measured over a guest ring): with one permission entry a 2015-byte value fits
        // and 2016 is ENOSPC; the record is 24 + 8 per entry + value + child names.
        String fits = "x".repeat(2048 - 24 - 8 - 1);
        assertEquals("OK", g3.write(HOME + "/big", fits));
        assertEquals("ENOSPC", g3.write(HOME + "/big", fits + "x"));
        assertEquals(fits, g3.read(HOME + "/big"));
        assertEquals("ENOSPC", g3.write(HOME + "/big2", fits + "x"));
        assertEquals("ENOENT", g3.read(HOME + "/big2"));
    }

    @Test
    void nodeSizeCountsPermissionEntries() {
        assertEquals("OK", g3.write(HOME + "/p", ""));
        assertEquals("OK", g3.setPerms(HOME + "/p", "n3", "r1"));
        String fits = "x".repeat(2048 - 24 - 16 - 1);
        assertEquals("OK", g3.write(HOME + "/p", fits));
        assertEquals("ENOSPC", g3.write(HOME + "/p", fits + "x"));
    }

    @Test
    void privilegedCallersHaveNoNodeSizeQuota() {
        assertEquals("OK", dom0.write("/big", "x".repeat(4000)));
    }

    // --- path-max ---

    @Test
    void pathMaxCountsOnlyThePartBelowTheHome() {
        // 2048 characters in 64-character components, so no directory outgrows node-size.
        String rel = ("a".repeat(63) + "/").repeat(31) + "b".repeat(64);
        assertEquals(2048, rel.length());
        assertEquals("OK", g3.write(rel, "1"));
        assertEquals("EINVAL", g3.write(rel + "y", "1"));
    }

    @Test
    void pathMaxBindsPrivilegedCallersAsInC417() {
        // The reference peer, C 4.17, refuses 2049 characters after /local/domain/0/ from dom0
        // too (xsprobe path_length_limits); Xen 4.22 exempts privileged callers.
        assertEquals("OK", dom0.write("/" + "x".repeat(2047), "1"));
        assertEquals("EINVAL", dom0.write("/" + "x".repeat(2500), "1"));
        assertEquals("OK", dom0.write("r".repeat(2048), "1"));
        assertEquals("EINVAL", dom0.write("r".repeat(2049), "1"));
    }

    @Test
    void pathMaxPerDomainValueBindsThatDomain() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "path-max", "10"));
        assertEquals("OK", g3.write("x".repeat(10), "1"));
        assertEquals("EINVAL", g3.write("x".repeat(11), "1"));
    }

    // --- per-domain values ---

    @Test
    void perDomainQuotaOverridesTheGlobalOneForThatDomainOnly() {
        Client g4 = xs.guest(4);
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "3", "transactions", "1"));
        assertEquals("1", g3.start());
        assertEquals("2", g3.start());
        assertEquals("ENOSPC", g3.start());
        for (int i = 0; i < 5; i++) {
            g4.begin();
        }
    }

    // --- GET_QUOTA and SET_QUOTA ---

    @Test
    void getQuotaWithoutArgumentsListsTheQuotaNames() {
        String names = dom0.call(MessageType.GET_QUOTA, 0);
        assertEquals(Set.of("nodes", "watches", "outstanding", "memory", "transactions", "transaction-nodes",
                "node-permissions", "path-max", "node-size", "soft-memory"), Set.of(names.split(" ")));
    }

    @Test
    void getQuotaWithANameGivesTheGlobalDefault() {
        assertEquals("1000", dom0.call(MessageType.GET_QUOTA, 0, "nodes"));
        assertEquals("128", dom0.call(MessageType.GET_QUOTA, 0, "watches"));
        assertEquals("10", dom0.call(MessageType.GET_QUOTA, 0, "transactions"));
        assertEquals("5", dom0.call(MessageType.GET_QUOTA, 0, "node-permissions"));
        assertEquals("2048", dom0.call(MessageType.GET_QUOTA, 0, "node-size"));
        assertEquals("2048", dom0.call(MessageType.GET_QUOTA, 0, "path-max"));
        assertEquals("2097152", dom0.call(MessageType.GET_QUOTA, 0, "soft-memory"));
    }

    @Test
    void setQuotaWithANameSetsTheGlobalDefault() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "nodes", "500"));
        assertEquals("500", dom0.call(MessageType.GET_QUOTA, 0, "nodes"));
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "soft-memory", "0"));
        assertEquals("0", dom0.call(MessageType.GET_QUOTA, 0, "soft-memory"));
    }

    @Test
    void perDomainQuotaIsSetAndReadSeparately() {
        assertEquals("OK", dom0.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        assertEquals("1000", dom0.call(MessageType.GET_QUOTA, 0, "5", "nodes"));
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "5", "nodes", "7"));
        assertEquals("7", dom0.call(MessageType.GET_QUOTA, 0, "5", "nodes"));
        assertEquals("1000", dom0.call(MessageType.GET_QUOTA, 0, "nodes"));
    }

    @Test
    void perDomainQuotaOfAnUnknownDomainIsEnoent() {
        assertEquals("ENOENT", dom0.call(MessageType.GET_QUOTA, 0, "55", "nodes"));
        assertEquals("ENOENT", dom0.call(MessageType.SET_QUOTA, 0, "55", "nodes", "1"));
    }

    @Test
    void unknownQuotaNamesAndBadValuesAreEinval() {
        assertEquals("EINVAL", dom0.call(MessageType.GET_QUOTA, 0, "bogus"));
        assertEquals("EINVAL", dom0.call(MessageType.SET_QUOTA, 0, "bogus", "1"));
        assertEquals("EINVAL", dom0.call(MessageType.SET_QUOTA, 0, "nodes", "-1"));
        assertEquals("EINVAL", dom0.call(MessageType.SET_QUOTA, 0, "nodes", "x"));
        assertEquals("EINVAL", dom0.call(MessageType.SET_QUOTA, 0, "nodes"));
        assertEquals("1000", dom0.call(MessageType.GET_QUOTA, 0, "nodes"));
    }

    @Test
    void permissionsIsAnAliasOfNodePermissions() {
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "permissions", "3"));
        assertEquals("3", dom0.call(MessageType.GET_QUOTA, 0, "node-permissions"));
    }
}
