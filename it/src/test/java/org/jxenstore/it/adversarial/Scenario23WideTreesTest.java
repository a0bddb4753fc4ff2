package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 23 (reference §4.3, §1.6): wide trees. dom0 creates 5000 children under one node
 * (pipelined); DIRECTORY answers E2BIG; DIRECTORY_PART pages through all 5000 names, in order;
 * an offset past the end gives the empty terminator; a child added between two chunks changes
 * the generation, so a client restarts and sees 5001 names. Guest 230 lists the same node over
 * its ring (E2BIG, then 5001 names by DIRECTORY_PART), then widens its own home until the
 * node-size quota refuses the 426th child (child names count), and dies. dom0 removes the wide
 * node with one RM while watching it. Script: {@code resources/adversarial/s23_wide.py}.
 *
 * <p>Would fail on a daemon that sends an oversized DIRECTORY reply (XSA-72: the client sees a
 * broken frame), pages by element instead of byte offset or drops names across chunks
 * ({@code part-names}), keeps the generation when a child is added ({@code generation-changed}
 * NO: clients would merge two different lists), or lets a guest grow a node without bound
 * ({@code guest-children}).
 */
class Scenario23WideTreesTest extends Scenario16To30Support {

    @Test
    void wide() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s23_wide.py", "wide").assertCompleted().expect(
                "create-5000", "OK",
                "directory", "E2BIG",
                "part-names", "ALL",
                "part-pages", "MANY",
                "part-past-end", "OK:[],True",
                "part-bad-offset", "OK:c0000",
                "generation-changed", "YES",
                "part-after-change", "5001",
                "guest-directory", "E2BIG",
                "guest-part-names", "5001",
                "guest-children", "425:ENOSPC",
                "guest-home-listed", "OK:425",
                "destroy", "OK",
                "rm-wide", "OK",
                "rm-event", "YES");
        assertRecovered(before);
    }
}
