package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 20 (reference §4.3, §2.3): special events. A dom0 watcher counts
 * {@code @introduceDomain}, {@code @releaseDomain} and the per-domid {@code @releaseDomain/<id>}
 * events up to a marker write. INTRODUCE fires {@code @introduceDomain} once; a shutdown fires
 * {@code @releaseDomain/200} once, another VIRQ without RESUME nothing, a VIRQ after RESUME once
 * more (a barrier domain destroyed after each VIRQ proves the daemon handled it); guest 201 is cut
 * off for a ring-index attack and its later death still fires exactly once (XSA-325); RELEASE of
 * dom0 is EINVAL, of an unknown domain ENOENT, by a guest EACCES; RELEASE of guest 202 while 60
 * of its requests are in flight (XSA-425) fires once and deletes its home. Script:
 * {@code resources/adversarial/s20_special.py}.
 *
 * <p>Would fail on C before XSA-325 ({@code cut-off-no-early-release} rel201=1 when the connection
 * is killed, {@code death-fired} NO at the real death), on C before XSA-425 (the daemon dies or
 * double-frees during RELEASE with requests in flight: {@code release-in-flight} not OK, daemon
 * gone), on a daemon that never re-arms after RESUME ({@code resumed-fired} NO) or fires on every
 * VIRQ ({@code virq-again} rel200=1), and on oxenstored's 2025 regression (no
 * {@code @releaseDomain} for shut-down domains).
 */
class Scenario20SpecialEventsXsa325Xsa425Test extends Scenario16To30Support {

    @Test
    void events() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s20_special.py", "events").assertCompleted().expect(
                "introduce", "intro=1,rel=0",
                "shutdown-fired", "YES",
                "shutdown-introduced", "T",
                "barrier1", "OK",
                "virq-again", "rel200=0",
                "resume", "OK",
                "resumed-fired", "YES",
                "barrier2", "OK",
                "resumed-extra", "rel200=0",
                "cut-off", "YES",
                "cut-off-introduced", "T",
                "cut-off-no-early-release", "rel201=0",
                "death-fired", "YES",
                "barrier3", "OK",
                "death-extra", "rel201=0",
                "release-dom0", "EINVAL",
                "release-unknown", "ENOENT",
                "release-by-guest", "EACCES",
                "release-in-flight", "OK",
                "release-fired", "YES",
                "release-extra", "rel202=0",
                "released-home", "ENOENT",
                "release-again", "ENOENT",
                "barrier4", "OK",
                "destroy", "OK");
        assertRecovered(before);
    }
}
