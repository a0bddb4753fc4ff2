package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 13 (XSA-322, XSA-417, XSA-419, XSA-483): dom0 grants domain 131 read on
 * {@code /adv13/acl} and write on {@code /adv13/pub}. Incarnation 1 reads the ACL'd node,
 * creates 50 nodes in {@code /adv13/pub} (outside its home, which it owns) and fills its node
 * quota (1000 owned at ENOSPC). It is destroyed: its nodes outside the home and its home are
 * deleted. Incarnation 2 with the same domid inherits nothing: EACCES on both granted nodes
 * (stale ACL entries), and its node quota is whole again — it fills exactly 50 more nodes in its
 * home than incarnation 1 did, reaching 1000 owned. Script: {@code s13_node_quota_reuse.py}.
 *
 * <p>Would catch: XSA-322/417 (the reused domid inherits the old grants: 2-acl-read gives the
 * secret, 2-outside-write succeeds); XSA-419 (nodes of a dead domain kept: dead-outside-nodes
 * lists them; with cooperating guests this is unbounded growth); XSA-483 (the node count not
 * reset for the reused domid: incarnation 2 reaches ENOSPC early, 2-fills-full-quota fails).
 */
class Scenario13NodeQuotaDomidReuseXsa322Xsa419Test extends Scenario01To15Support {

    @Override
    protected int bystander() {
        return 213;
    }

    @Test
    void deadDomainsNodesAndGrantsDieWithIt() throws Exception {
        Map<String, Long> before = baseline();
        script("s13_node_quota_reuse.py", "run", "131", "50").expect(
                "1-acl-read", "OK:secret", "1-outside-errors", "0", "1-fill-error", "ENOSPC",
                "1-owned-at-quota", "1000", "released", "YES",
                "dead-outside-nodes", "NONE", "dead-home", "ENOENT",
                "2-acl-read", "EACCES", "2-outside-write", "EACCES",
                "2-fill-error", "ENOSPC", "2-owned-at-quota", "1000", "2-fills-full-quota", "YES");
        assertServed();
        destroy(131);
        rmQuietly("/adv13");
        assertRecovered(before);
    }
}
