package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 17 (reference §4.3, §2.2): the permission matrix. Guest 170 probes owner, default
 * letter, ACL entries and first-match order; tries to give its own node away (XSA-352), to
 * change permissions of nodes it does not own, to learn of missing nodes under an unreadable
 * one (ENOENT masked as EACCES), to chmod, list, write under and remove the root (XSA-353), and
 * to exceed the ACL length quota. Script: {@code resources/adversarial/s17_perms.py}.
 *
 * <p>Would fail on oxenstored before XSA-352 ({@code owner-change} OK and the node now owned by
 * 171, or by dom0, which escapes the node quota) and before XSA-353 ({@code root-setperms},
 * {@code root-rm}, {@code root-dir} succeed; the root's permissions or children change), and on
 * any daemon that checks the last instead of the first matching ACL entry, lets a
 * read-write non-owner SET_PERMS, or answers ENOENT under an unreadable node.
 */
class Scenario17PermissionMatrixXsa352Xsa353Test extends Scenario16To30Support {

    @Test
    void permissionMatrix() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s17_perms.py", "matrix").assertCompleted().expect(
                "def-read", "OK:v",
                "def-write", "EACCES",
                "acl-w-read", "EACCES",
                "acl-w-write", "OK",
                "first-read", "OK:v",
                "first-write", "EACCES",
                "owned-write", "OK",
                "owned-setperms", "OK",
                "owner-change", "EPERM",
                "owner-change-to-dom0", "EPERM",
                "owned-perms-after", "OK:n170,r171",
                "both-write", "OK",
                "both-setperms", "EACCES",
                "other-setperms", "EACCES",
                "other-perms-after", "OK:n171,r170",
                "hidden-read", "EACCES",
                "hidden-child-read", "EACCES",
                "hidden-child-dir", "EACCES",
                "readable-missing", "ENOENT",
                "root-setperms", "EACCES",
                "root-setperms-keep-owner", "EACCES",
                "root-rm", "EACCES",
                "root-dir", "EACCES",
                "root-write-child", "EACCES",
                "root-rm-tool", "EACCES",
                "root-perms-after", "OK:n0",
                "root-children-kept", "OK:True",
                "destroy", "OK",
                "owned-after-death", "ENOENT",
                "dom0-nodes-kept", "OK:5");
        assertRecovered(before);
    }

    /**
     * Guest 172 hits the ACL length quota (5 entries fit, 6 are ENOSPC), sends malformed entries
     * (EINVAL), then names 40 other, never introduced domains in ACLs that it rewrites and finally
     * dies. Every counter, {@code domains} included, must return to the baseline: a daemon that
     * keeps a record for every domid an unprivileged ACL ever named (XSA-417's records) lets a
     * guest grow the domain table permanently, up to the whole domid space.
     */
    @Test
    void aclQuotaAndRecordsOfNamedDomains() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s17_perms.py", "acl").assertCompleted().expect(
                "acl-5", "OK",
                "acl-6", "ENOSPC",
                "acl-after", "OK:5",
                "bad-perm-x5", "EINVAL",
                "bad-perm-r", "EINVAL",
                // Well-formed entries for domains that cannot exist: kept, never honoured (C 4.17).
                "bad-perm-r-1", "OK",
                "bad-perm-r99999999999", "OK",
                "bad-perm-empty", "EINVAL",
                "destroy", "OK");
        assertRecovered(before);
    }
}
