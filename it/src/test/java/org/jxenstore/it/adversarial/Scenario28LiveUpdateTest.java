package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 28 (reference §4.3, §2.10): live update. <b>Live update itself is not built in
 * jxenstored</b> (there is no migration stream): CONTROL {@code live-update} answers ENOSYS. This
 * test asserts exactly that refusal and that it changes nothing. With state in flight (a dom0
 * connection with a watch and an open transaction holding a write; guest 280 with a watch, an
 * open transaction and, after its own refused attempt (EACCES), a request cut in the middle in
 * its ring), every form of the command ({@code -s}, {@code -s -F -t 10}, {@code -f <binary>},
 * {@code -c}, {@code -a}, bare) is ENOSYS; memreport counters and the whole tree (values and
 * permissions) are identical before and after; the guest's half request completes and is
 * answered; both transactions commit; both watches still fire. Script:
 * {@code resources/adversarial/s28_liveupdate.py}.
 *
 * <p>Would fail on a daemon that answers OK without doing anything (a toolstack would believe
 * the update happened), that starts tearing state down for an update it cannot finish (lost
 * transactions, watches or the partial request), or that lets a guest ask for it.
 */
class Scenario28LiveUpdateTest extends Scenario16To30Support {

    @Test
    void refused() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s28_liveupdate.py", "refused").assertCompleted().expect(
                "lu-guest", "EACCES",
                "lu-s", "ENOSYS",
                "lu-s-force", "ENOSYS",
                "lu-f", "ENOSYS",
                "lu-c", "ENOSYS",
                "lu-a", "ENOSYS",
                "lu-bare", "ENOSYS",
                "mem-unchanged", "SAME",
                "tree-unchanged", "YES",
                "partial-completed", "OK:1",
                "guest-commit", "OK",
                "guest-tx-visible", "OK:v",
                "dom0-commit", "OK",
                "dom0-watch-fires", "YES",
                "guest-watch-fires", "YES",
                "destroy", "OK");
        assertRecovered(before);
    }
}
