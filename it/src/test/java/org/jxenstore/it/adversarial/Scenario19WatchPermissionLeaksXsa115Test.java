package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 19 (reference §4.3, §2.4; XSA-115): guest 190 watches {@code /},
 * {@code @introduceDomain} and {@code @releaseDomain}. dom0 writes, re-permissions and removes
 * nodes under a node 190 cannot read, and a domain is introduced and destroyed: 190 must get no
 * event for any of it (a barrier write to a readable node ends each phase). Revoking read
 * permission from a node it could read is reported (old permissions count), granting it is
 * reported, a change that keeps it unreadable is not. Guest 191 is granted read on
 * {@code @introduceDomain} and gets the event, 190 does not. Script:
 * {@code resources/adversarial/s19_watchperms.py}.
 *
 * <p>Would fail on a daemon without XSA-115's event filtering: {@code phase1-events} would list
 * {@code /adv19/hidden/x/leak1} etc. (names under an unreadable node) and
 * {@code @introduceDomain}/{@code @releaseDomain}; and on one that filters only by the new
 * permissions ({@code revoked-event} NONE) or lets any guest ask IS_DOMAIN_INTRODUCED.
 */
class Scenario19WatchPermissionLeaksXsa115Test extends Scenario16To30Support {

    @Test
    void leaks() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s19_watchperms.py", "leaks").assertCompleted().expect(
                "watch-root", "OK",
                "watch-intro", "OK",
                "watch-release", "OK",
                "bait-destroyed", "OK",
                "phase1-events", "NONE",
                "revoked-event", "/adv19/hidden/p3",
                "granted-event", "/adv19/hidden/p4",
                "unreadable-perm-change", "NONE",
                "read-hidden", "EACCES",
                "dir-hidden", "EACCES",
                "is-introduced", "EACCES",
                "grant-intro", "OK",
                "granted-initial", "YES",
                "granted-intro-event", "YES",
                "ungranted-intro-events", "NONE",
                "restore-intro", "OK",
                "destroy", "OK");
        assertRecovered(before);
    }
}
