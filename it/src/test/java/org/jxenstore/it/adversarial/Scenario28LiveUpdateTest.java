package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.jxenstore.it.guest.GuestDaemon;
import org.junit.jupiter.api.Test;

/**
 * Scenario 28 (reference §4.3, §2.10): live update under state in flight. A dom0 connection has a
 * watch and an open transaction holding a write; guest 280 has a watch, an open transaction and,
 * after its own refused attempt (EACCES), a request cut in the middle in its ring. C's refusals
 * come first ({@code -s}, {@code -c} without a session, {@code -a} without one, a missing file,
 * no argument). Then the dom0 connection runs {@code -f <checkout>/bin/jxenstored} and {@code -s}
 * until it is not BUSY, as xenstore-control does: the new binary answers OK in the same process;
 * memreport's counters and the whole tree (values and permissions) are as before; the guest's
 * half request completes and is answered; both transactions commit their writes (C would have
 * waited for them or dropped them); both watches still fire. Script:
 * {@code resources/adversarial/s28_liveupdate.py}. jxenstored only: C's live update does not run
 * under the shim.
 *
 * <p>Would fail on a daemon that answers OK without doing anything, that loses a transaction, a
 * watch or the partial request across the exec, or that lets a guest ask for it.
 */
class Scenario28LiveUpdateTest extends Scenario16To30Support {

    @Test
    void updatedWithStateInFlight() throws Exception {
        assumeTrue(!fx.daemon().isC(), "C's live update does not run under the shim");
        Map<String, Long> before = fx.memreport();
        fx.script("s28_liveupdate.py", "update", GuestDaemon.repoRoot().resolve("bin/jxenstored").toString())
                .assertCompleted().expect(
                "lu-guest", "EACCES",
                "lu-s", "Not in live-update session.",
                "lu-a", "No live-update session active.",
                "lu-c", "Not in live-update session.",
                "lu-f-missing", "File not accessible.",
                "lu-bare", "ERR:EINVAL",
                "lu-f", "OK",
                "lu-start", "OK",
                "mem-unchanged", "SAME",
                "tree-unchanged", "YES",
                "partial-completed", "OK:1",
                "guest-commit", "OK",
                "guest-tx-visible", "OK:v",
                "dom0-commit", "OK",
                "dom0-tx-visible", "OK:v",
                "dom0-watch-fires", "YES",
                "guest-watch-fires", "YES",
                "destroy", "OK");
        assertRecovered(before);
    }
}
