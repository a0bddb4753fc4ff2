package org.jxenstore.it.guest;

import org.junit.jupiter.api.Test;

/**
 * The per-domain quotas and limits of an unprivileged guest, with the exact boundaries C
 * xenstored 4.17 gives with its defaults (measured; see the README's verify-guest table).
 * Each test also checks that another guest and dom0 are served while the guest sits at its
 * quota. Scenarios: {@code resources/guest/quota.py}.
 */
class GuestQuotaTest extends GuestDaemonTest {

    /**
     * Node quota 1000: writes {@code q/dI/kJ} (40 leaves per directory) succeed 973 times, then
     * ENOSPC: the guest then owns exactly 1000 nodes (its home, q, 25 directories, 973 leaves);
     * "reaching the quota counts as exceeding it". Rewriting an existing node is fine; rm frees
     * the quota; dom0 has none (1100 nodes).
     */
    @Test
    void nodeQuota() throws Exception {
        run("quota.py", "nodes").expect(
                "writes-ok", "973",
                "then", "ENOSPC",
                "owned", "1000",
                "rewrite-existing-at-quota", "OK",
                "others-served-at-quota", "OK",
                "after-rm", "OK",
                "dom0-1100-nodes", "OK");
    }

    /** Watch quota 128, checked with {@code >}: 129 watches, the 130th gives E2BIG (not ENOSPC). */
    @Test
    void watchQuota() throws Exception {
        run("quota.py", "watches").expect(
                "watches-ok", "129",
                "then", "E2BIG",
                "others-served-at-quota", "OK",
                "after-reset", "OK");
    }

    /** Transaction quota 10, checked with {@code >}: 11 open transactions, the 12th ENOSPC. */
    @Test
    void transactionQuota() throws Exception {
        run("quota.py", "transactions").expect(
                "open-ok", "11",
                "then", "ENOSPC",
                "others-served-at-quota", "OK",
                "after-end", "OK");
    }

    /**
     * node-size 2048: C's record of a node (24-byte header + 8 bytes per permission entry + the
     * value + the child names with their NULs) must stay below 2048 bytes. A leaf with one
     * entry takes a value of 2015 bytes, not 2016; with two entries 2007, not 2008; 2049 ENOSPC.
     */
    @Test
    void nodeSizeLimit() throws Exception {
        run("quota.py", "node-size").expect(
                "value-2015", "OK",
                "value-2016", "ENOSPC",
                "value-2049", "ENOSPC",
                "two-perms-value-2007", "OK",
                "two-perms-value-2008", "ENOSPC",
                "value-read-back", "OK:2015",
                "others-served", "OK");
    }

    /** node-permissions 5: SET_PERMS with 5 entries is fine, with 6 ENOSPC (perms unchanged). */
    @Test
    void permissionEntriesLimit() throws Exception {
        run("quota.py", "perms").expect(
                "five-entries", "OK",
                "six-entries", "ENOSPC",
                "perms-now", "OK:n144,r1,r2,r3,r4",
                "others-served", "OK");
    }

    /**
     * path-max 2048, counted below {@code /local/domain/N/} for the guest: 2048 OK, 2049 EINVAL,
     * for a relative path and for the same absolute one. A single 2046-char component is
     * refused with ENOSPC instead: its name does not fit in the parent's 2048-byte record.
     */
    @Test
    void pathLengthLimit() throws Exception {
        run("quota.py", "path").expect(
                "relative-2048", "OK",
                "relative-2049", "EINVAL",
                "absolute-2048-below-home", "OK",
                "absolute-2049-below-home", "EINVAL",
                "read-2048", "OK:2",
                "one-component-2048", "ENOSPC",
                "others-served", "OK");
    }

    /** Only privileged connections change a node's owner: a guest's attempt is EPERM (C). */
    @Test
    void ownerChangeRefused() throws Exception {
        run("quota.py", "owner").expect(
                "chown-to-other", "EPERM",
                "chown-to-dom0", "EPERM",
                "keep-owner", "OK",
                "perms-now", "OK:n146,r149",
                "others-served", "OK");
    }
}
