package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.peers.RunningTool;
import org.jxenstore.it.peers.ToolResult;
import org.junit.jupiter.api.Test;

/**
 * Debian's unmodified {@code xenstore-control live-update} replaces a running jxenstored with
 * the checkout's launcher, in the same process, under load: socket clients and a guest on its
 * ring keep their connections, watches and open transactions, and a steady writer loses nothing.
 * Scenarios: {@code resources/guest/liveupdate.py}. jxenstored only (C's live update does not run
 * under the shim).
 */
class LiveUpdateTest {
    /** Live updates in a row in the repeated test; {@code -Djxs.liveupdate.rounds=N} changes it. */
    private static final int ROUNDS = Integer.getInteger("jxs.liveupdate.rounds", 20);
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void liveUpdateUnderLoadKeepsConnectionsWatchesAndTransactions() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "jxenstored's live update");
        try (GuestDaemon d = GuestDaemon.start(List.of())) {
            RunningTool clients = d.startScript("liveupdate.py", "clients");
            GuestDaemon.awaitLine(clients, "READY", WAIT);
            RunningTool writer = d.startScript("liveupdate.py", "writer");
            GuestDaemon.awaitLine(writer, "ACK 200", WAIT);
            String before = treeWithoutWriter(d);
            long pid = d.pid();
            ToolResult update = liveUpdate(d);
            assertTrue(update.ok(), "xenstore-control live-update" + update.describe() + "\n" + d.logTail());
            assertTrue(d.alive(), "the daemon runs on, as pid " + pid + "\n" + d.logTail());
            assertTrue(Files.readString(d.dir().resolve("daemon.log")).contains("live update: took over"),
                    "the new binary took the state over\n" + d.logTail());
            assertEquals(before, treeWithoutWriter(d), "the tree, besides the writer's nodes");
            assertTrue(d.xs("xenstore-write", "/lu/w", "after").ok());
            assertTrue(d.xs("xenstore-write", "/local/domain/5/w", "after").ok());
            Steps steps = Steps.of(d, "liveupdate.py clients", clients.await(WAIT)).assertCompleted();
            steps.expect(
                    "socket-initial-event", "OK",
                    "guest-initial-event", "OK",
                    "socket-watch", "/lu/w sock",
                    "guest-watch", "w ring",
                    "commit", "OK:OK",
                    "committed-value", "OK:in-transaction",
                    "guest-served", "OK:after");
            WriterRun w = stopWriter(d, writer);
            assertEquals(0, w.errors, "the writer saw no error");
            assertAcknowledgedWritesPresent(d, w.acked);
            System.out.println("[live update] the writer's longest wait: " + w.longestMs + " ms");
        }
    }

    /**
     * {@value #ROUNDS} live updates in a row under a steady writer, with a guest on its ring:
     * after each, every acknowledged write is there and the guest is served.
     */
    @Test
    void repeatedLiveUpdatesUnderLoadLoseNothing() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "jxenstored's live update");
        try (GuestDaemon d = GuestDaemon.start(List.of())) {
            assertTrue(d.xsguest(7, "write", "alive", "0").ok(), "dom7 introduced");
            RunningTool writer = d.startScript("liveupdate.py", "writer");
            GuestDaemon.awaitLine(writer, "ACK 50", WAIT);
            long longest = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                ToolResult update = liveUpdate(d);
                assertTrue(update.ok(), "round " + round + update.describe() + "\n" + d.logTail());
                ToolResult g = d.xsguest(7, "--introduce", "attach", "write", "alive", Integer.toString(round));
                assertTrue(g.ok(), "round " + round + ": dom7 is served" + g.describe() + "\n" + d.logTail());
            }
            WriterRun w = stopWriter(d, writer);
            assertEquals(0, w.errors, "the writer saw no error");
            assertAcknowledgedWritesPresent(d, w.acked);
            assertEquals(Integer.toString(ROUNDS), d.xs("xenstore-read", "/local/domain/7/alive").stdout().strip());
            assertEquals(ROUNDS, Files.readString(d.dir().resolve("daemon.log")).split("live update: took over", -1)
                    .length - 1, "one takeover per round");
            System.out.println("[live update] " + ROUNDS + " rounds; the writer's longest wait: " + w.longestMs + " ms");
        }
    }

    /**
     * An update to a missing file, and one to a program that is not jxenstored, are refused with
     * xenstore-control's exit status 3 and the daemon's reason, and change nothing.
     */
    @Test
    void aRefusedUpdateChangesNothing() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "jxenstored's live update");
        try (GuestDaemon d = GuestDaemon.start(List.of())) {
            assertTrue(d.xs("xenstore-write", "/lu/kept", "1").ok());
            String before = treeWithoutWriter(d);
            ToolResult missing = liveUpdate(d, "/nonexistent/jxenstored");
            assertEquals(3, missing.exitCode(), missing.describe());
            assertTrue(missing.stderr().contains("File not accessible."), missing.describe());
            ToolResult wrong = liveUpdate(d, "/bin/true");
            assertEquals(3, wrong.exitCode(), wrong.describe());
            assertTrue(wrong.stderr().contains("Refused: /bin/true cannot take the state over"), wrong.describe());
            assertTrue(d.alive(), d.logTail());
            assertEquals(before, treeWithoutWriter(d));
            assertFalse(Files.readString(d.dir().resolve("daemon.log")).contains("handing over"), d.logTail());
        }
    }

    /**
     * XSA-325: a guest cut off for misbehaving stays introduced, so that its death still fires
     * {@code @releaseDomain}; it stays so across a live update (it is attached again, as after a
     * crash).
     */
    @Test
    void aGuestCutOffStaysIntroducedAcrossAnUpdate() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "jxenstored's live update");
        try (GuestDaemon d = GuestDaemon.start(List.of())) {
            assertTrue(d.xsguest(9, "write", "x", "1").ok(), "dom9 introduced");
            assertTrue(d.xsguest(9, "--introduce", "attach", "set", "req_prod", "+2000").ok(), "dom9 cut off");
            try (XsClient dom0 = XsClient.open(d.socket())) {
                assertTrue(dom0.isDomainIntroduced(9), "cut off, still introduced");
            }
            ToolResult update = liveUpdate(d);
            assertTrue(update.ok(), update.describe() + "\n" + d.logTail());
            try (XsClient dom0 = XsClient.open(d.socket())) {
                assertTrue(dom0.isDomainIntroduced(9), "still introduced after the update\n" + d.logTail());
            }
        }
    }

    private static ToolResult liveUpdate(GuestDaemon d) throws Exception {
        return liveUpdate(d, GuestDaemon.repoRoot().resolve("bin/jxenstored").toString());
    }

    private static ToolResult liveUpdate(GuestDaemon d, String binary) throws Exception {
        return d.tools().run(d.socket(), WAIT, Map.of(),
                d.tools().cache().resolve("root/usr/lib/xen-4.17/bin/xenstore-control").toString(),
                "live-update", "-t", "60", binary);
    }

    private record WriterRun(int acked, int errors, long longestMs) {
    }

    private static WriterRun stopWriter(GuestDaemon d, RunningTool writer) throws Exception {
        Files.writeString(d.dir().resolve("stop-writer"), "");
        ToolResult r = writer.await(WAIT);
        int acked = -1;
        for (String line : r.stdoutLines()) {
            if (line.startsWith("ACK ")) {
                acked = Integer.parseInt(line.substring(4));
            } else if (line.startsWith("DONE ")) {
                String[] f = line.split(" ");
                return new WriterRun(acked, Integer.parseInt(f[1]), Long.parseLong(f[2]));
            }
        }
        throw new AssertionError("the writer did not finish" + r.describe());
    }

    /** Keys the writer cycles through (liveupdate.py's KEYS). */
    private static final int KEYS = 500;

    /**
     * Each of the writer's keys holds the last value acknowledged for it, or the one write after
     * it that was not acknowledged.
     */
    private static void assertAcknowledgedWritesPresent(GuestDaemon d, int acked) throws Exception {
        ToolResult ls = d.xs("xenstore-ls", "-f", "/luw");
        assertTrue(ls.ok(), "xenstore-ls /luw" + ls.describe());
        Map<Integer, Integer> found = new TreeMap<>();
        for (String line : ls.stdoutLines()) {
            int eq = line.indexOf(" = ");
            found.put(Integer.parseInt(line.substring("/luw/k".length(), eq)),
                    Integer.parseInt(line.substring(eq + 4, line.length() - 1)));
        }
        List<String> wrong = new ArrayList<>();
        for (int key = 0; key < Math.min(KEYS, acked + 1); key++) {
            int last = acked - Math.floorMod(acked - key, KEYS);
            Integer value = found.get(key);
            if (value == null || (value != last && value != last + KEYS)) {
                wrong.add("k" + key + "=" + value + " (last acknowledged " + last + ")");
            }
        }
        assertEquals(List.of(), wrong, "acknowledged writes up to " + acked + " lost");
    }

    /** Every node but the writer's ({@code /luw}), with its permissions. */
    private static String treeWithoutWriter(GuestDaemon d) throws Exception {
        ToolResult top = d.xs("xenstore-list", "/");
        assertTrue(top.ok(), "xenstore-list /" + top.describe());
        StringBuilder sb = new StringBuilder();
        for (String child : top.stdoutLines()) {
            if (child.equals("luw")) {
                continue;
            }
            ToolResult ls = d.xs("xenstore-ls", "-f", "-p", "/" + child);
            assertTrue(ls.ok(), "xenstore-ls /" + child + ls.describe());
            sb.append('/').append(child).append('\n').append(ls.stdout());
        }
        return sb.toString();
    }
}
