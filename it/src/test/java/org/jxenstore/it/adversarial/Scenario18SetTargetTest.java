package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 18 (reference §4.3, §2.2, §2.3): SET_TARGET. Stub 181 targets 180: it gets the
 * target's owner rights and ACL entries, and nothing more (not 183's nodes, no privileged
 * operation, no owner change); 182 targeting the stub does not reach 180 (not transitive); a
 * self-target and unknown domains are harmless or refused; when 180 dies its rights are gone,
 * also for a new domain reusing domid 180. Script: {@code resources/adversarial/s18_settarget.py}.
 *
 * <p>Would fail on a daemon that makes a stub privileged (oxenstored with target 0 style bugs:
 * {@code stub-introduce}/{@code stub-set-target} OK), follows target chains, keeps a stub's
 * rights past its target's death (XSA-322 class: {@code stub-reads-reused-domid} OK), or leaks
 * target records (memreport {@code domains}).
 */
class Scenario18SetTargetTest extends Scenario16To30Support {

    @Test
    void rights() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s18_settarget.py", "rights").assertCompleted().expect(
                "before-set-target", "EACCES",
                "set-target", "OK",
                "stub-reads-target", "OK:t1",
                "stub-writes-target", "OK",
                "stub-uses-target-acl", "OK:a",
                "stub-reads-other", "EACCES",
                "stub-set-target", "EACCES",
                "stub-introduce", "EACCES",
                "stub-is-introduced", "EACCES",
                "stub-owner-change", "EPERM",
                "target-perms-after", "OK:n180",
                "chain-set-target", "OK",
                "chain-reads-stub", "OK:x",
                "chain-reads-target", "EACCES",
                "self-target", "OK",
                "self-reads-target", "EACCES",
                "self-served", "OK:1",
                "unknown-target", "ENOENT",
                "unknown-stub", "ENOENT",
                "stub-still-reads-target", "OK:t1",
                "destroy-target", "OK",
                "stub-acl-after-death", "EACCES",
                "stub-reads-reused-domid", "EACCES",
                "stub-served", "OK:1",
                "destroy", "OK");
        assertRecovered(before);
    }
}
