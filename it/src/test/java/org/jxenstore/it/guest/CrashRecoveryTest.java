package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.jxenstore.it.peers.RunningTool;
import org.jxenstore.it.peers.ToolResult;
import org.junit.jupiter.api.Test;

/**
 * jxenstored killed with SIGKILL under load, then started again with the same command in the
 * same run directory, takes over from its journal: every acknowledged write is there, the rest
 * of the tree is unchanged, and a guest's ring is served again without a new INTRODUCE, with its
 * watch and its open transaction (which ends in EAGAIN, so its retry loop recovers). Scenarios:
 * {@code resources/guest/crash.py}. C xenstored keeps nothing across a crash: jxenstored only.
 */
class CrashRecoveryTest {
    /** Rounds of the repeated test; {@code -Djxs.crash.rounds=N} changes it. */
    private static final int ROUNDS = Integer.getInteger("jxs.crash.rounds", 50);
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void guestAndWriterSurviveKillNine() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "C keeps nothing across a crash");
        try (GuestDaemon d = GuestDaemon.start(List.of())) {
            RunningTool guest = d.startScript("crash.py", "guest");
            GuestDaemon.awaitLine(guest, "READY", WAIT);
            String before = treeWithout(d, "/crash", "/local/domain/5/in-tx", "/local/domain/5/after");
            RunningTool writer = d.startScript("crash.py", "writer");
            GuestDaemon.awaitLine(writer, "ACK " + RandomGenerator.getDefault().nextInt(100, 2000), WAIT);
            d.killAndRestart(List.of());
            int acked = lastAck(writer.await(WAIT), d);
            Steps steps = Steps.of(d, "crash.py guest", guest.await(WAIT)).assertCompleted();
            steps.expect(
                    "initial-event", "OK",
                    "watch-after-restart", "w tok",
                    "commit-open-tx", "EAGAIN",
                    "commit-retry", "OK",
                    "read-own", "OK:2",
                    "write-own", "OK",
                    "introduced", "T",
                    "dom0-reads-guest", "OK:1");
            assertAcknowledgedWritesPresent(d, acked);
            assertEquals(before, treeWithout(d, "/crash", "/local/domain/5/in-tx", "/local/domain/5/after"),
                    "the tree besides the writer's nodes and the guest's later writes");
        }
    }

    /**
     * SIGKILL at a random moment of a steady writer, {@value #ROUNDS} times in a row on the same
     * run directory; after each restart every write acknowledged in any round is present, and a
     * guest introduced before the first round is still served over its ring.
     */
    @Test
    void repeatedKillNineLosesNoAcknowledgedWrite() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "C keeps nothing across a crash");
        RandomGenerator random = RandomGenerator.getDefault();
        try (GuestDaemon d = GuestDaemon.start(List.of())) {
            assertTrue(d.xsguest(7, "write", "alive", "0").ok(), "dom7 introduced");
            for (int round = 0; round < ROUNDS; round++) {
                RunningTool writer = d.startScript("crash.py", "writer");
                GuestDaemon.awaitLine(writer, "ACK " + random.nextInt(20, 400), WAIT);
                d.killAndRestart(List.of());
                int acked = lastAck(writer.await(WAIT), d);
                assertAcknowledgedWritesPresent(d, acked);
                ToolResult g = d.xsguest(7, "--introduce", "attach", "write", "alive", Integer.toString(round + 1));
                assertTrue(g.ok(), "round " + round + ": dom7 is served after the restart" + g.describe()
                        + "\n" + d.logTail());
                assertTrue(d.xs("xenstore-rm", "/crash").ok(), "round " + round + ": /crash removed");
            }
            ToolResult r = d.xs("xenstore-read", "/local/domain/7/alive");
            assertEquals(Integer.toString(ROUNDS), r.stdout().strip(), "dom7's last write" + r.describe());
        }
    }

    /** The writer's last acknowledged index; it must have stopped because the daemon died. */
    private static int lastAck(ToolResult writer, GuestDaemon d) {
        int last = -1;
        boolean failed = false;
        for (String line : writer.stdoutLines()) {
            if (line.startsWith("ACK ")) {
                last = Integer.parseInt(line.substring(4));
            } else if (line.startsWith("FAILED ")) {
                failed = true;
            }
        }
        assertTrue(failed && last >= 0, "the writer wrote, then lost its daemon" + writer.describe());
        return last;
    }

    /** {@code /crash/k0} .. {@code k<acked>} hold their index; at most the unacknowledged next one is more. */
    private static void assertAcknowledgedWritesPresent(GuestDaemon d, int acked) throws Exception {
        ToolResult ls = d.xs("xenstore-ls", "-f", "/crash");
        assertTrue(ls.ok(), "xenstore-ls /crash" + ls.describe());
        Map<Integer, String> found = new TreeMap<>();
        for (String line : ls.stdoutLines()) {
            int eq = line.indexOf(" = ");
            found.put(Integer.parseInt(line.substring("/crash/k".length(), eq)), line.substring(eq + 3));
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i <= acked; i++) {
            if (!("\"" + i + "\"").equals(found.get(i))) {
                missing.add(i);
            }
        }
        assertEquals(List.of(), missing, "acknowledged writes 0.." + acked + " missing or wrong\n" + d.logTail());
        assertTrue(found.keySet().stream().allMatch(i -> i <= acked + 1),
                "only the one unacknowledged write may be there besides: " + found.keySet());
    }

    private static String treeWithout(GuestDaemon d, String... excluded) throws Exception {
        ToolResult ls = d.xs("xenstore-ls", "-f", "-p", "/");
        assertTrue(ls.ok(), "xenstore-ls" + ls.describe());
        StringBuilder sb = new StringBuilder();
        next:
        for (String line : ls.stdoutLines()) {
            for (String x : excluded) {
                if (line.startsWith(x + " ") || line.startsWith(x + "/")) {
                    continue next;
                }
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
