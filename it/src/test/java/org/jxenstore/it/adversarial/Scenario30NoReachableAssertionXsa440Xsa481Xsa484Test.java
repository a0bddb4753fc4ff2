package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 30 (reference §4.3; XSA-440, XSA-481, XSA-484): the known reachable assertions of C
 * xenstored, replayed over the socket (dom0) and over a ring (guest 300). XSA-440: two
 * transactions delete the same 50 nodes (and the same subtree) and both commit: the first OK, the
 * second EAGAIN, the tree and (ring) the guest's node accounting exact. XSA-481: the path
 * {@code /local/domain/} (trailing slash) and its relatives in every path-taking request: EINVAL.
 * XSA-484: RESET_WATCHES carrying the id of an open transaction, then again, then its END:
 * the transaction and the watch are gone (ENOENT), a new transaction works. Zero-length and
 * unterminated requests after an RM: EINVAL. After each: CONTROL {@code check} OK. Script:
 * {@code resources/adversarial/s30_asserts.py}.
 *
 * <p>Would fail on C before each fix: the daemon aborts on an assertion (negative node count for
 * XSA-440; clobbered errno for XSA-481; double transaction teardown for XSA-484), so the script
 * cannot finish and {@link AdversarialFixture#assertHealthy} fails; a daemon that double-counts
 * the deletions fails {@code node-accounting}.
 */
class Scenario30NoReachableAssertionXsa440Xsa481Xsa484Test extends Scenario16To30Support {

    /** What both transports must answer; the ring adds its own accounting and destruction. */
    private static final String[] COMMON = {
        "xsa440-rm", "OK",
        "xsa440-commit1", "OK",
        "xsa440-commit2", "EAGAIN",
        "xsa440-subtree-commit1", "OK",
        "xsa440-subtree-commit2", "EAGAIN",
        "xsa440-check", "OK",
        "xsa481", "EINVAL",
        "xsa481-unwatch", "ENOENT",
        "xsa484-reset-in-tx", "OK",
        "xsa484-reset-again", "ENOENT",
        "xsa484-end", "ENOENT",
        "xsa484-tx-write-dropped", "ENOENT",
        "xsa484-watch-dropped", "ENOENT",
        "xsa484-reset-no-txid", "OK",
        "xsa484-end-after", "ENOENT",
        "xsa484-new-tx", "OK",
        "zero-length", "EINVAL",
        "unterminated", "EINVAL",
        "usable", "OK",
        "check", "OK",
    };

    @Test
    void socket() throws Exception {
        runScenario("socket", COMMON);
    }

    @Test
    void ring() throws Exception {
        String[] ringOnly = {"node-accounting", "EXACT", "destroy", "OK"};
        String[] all = java.util.Arrays.copyOf(COMMON, COMMON.length + ringOnly.length);
        System.arraycopy(ringOnly, 0, all, COMMON.length, ringOnly.length);
        runScenario("ring", all);
    }

    private void runScenario(String transport, String... expected) throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s30_asserts.py", transport).assertCompleted().expect(expected);
        assertRecovered(before);
    }
}
