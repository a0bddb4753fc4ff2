package org.jxenstore.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Debian's xenstore-utils (libxenstore 4.17 command line tools) against the daemon. Every test
 * works in its own subtree; outputs are compared exactly.
 */
class XenstoreUtilsTest extends TargetDaemonTest {
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private String base;

    @BeforeEach
    void pickSubtree(TestInfo info) {
        String method = info.getTestMethod().orElseThrow().getName();
        // a top-level node of its own, removed afterwards: nothing is left in the store
        base = "/jxs-it-utils-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-" + method;
    }

    @AfterEach
    void removeSubtree() throws Exception {
        xs("xenstore-rm", base); // best effort, not asserted
    }

    private ToolResult xs(String tool, String... args) throws Exception {
        return tools.xs(target.socket(), tool, args);
    }

    /** Runs a tool and asserts it succeeded; returns its result. */
    private ToolResult ok(String tool, String... args) throws Exception {
        ToolResult r = xs(tool, args);
        assertTrue(r.ok(), () -> tool + " failed against " + target + r.describe());
        return r;
    }

    private static void assertOutput(String expectedStdout, ToolResult r) {
        assertEquals(expectedStdout, r.stdout(), () -> "stdout of " + r.command().getFirst() + r.describe());
    }

    private static void assertExit(int expected, ToolResult r) {
        assertTrue(!r.timedOut() && r.exitCode() == expected,
                () -> "expected exit " + expected + r.describe());
    }

    /** base/a = hello, base/b/c = world, base/e = "" (created in sorted order). */
    private void writeSample() throws Exception {
        ToolResult w = ok("xenstore-write", base + "/a", "hello", base + "/b/c", "world", base + "/e", "");
        assertOutput("", w);
    }

    @Test
    void writeSeveralPairsThenRead() throws Exception {
        writeSample();
        assertOutput("hello\n", ok("xenstore-read", base + "/a"));
        assertOutput("hello\nworld\n\n", ok("xenstore-read", base + "/a", base + "/b/c", base + "/e"));
        // the intermediate node the write created implicitly has an empty value
        assertOutput("\n", ok("xenstore-read", base + "/b"));
        // overwrite
        ok("xenstore-write", base + "/a", "again");
        assertOutput("again\n", ok("xenstore-read", base + "/a"));
    }

    @Test
    void readOfAbsentNodeFails() throws Exception {
        writeSample();
        ToolResult r = xs("xenstore-read", base + "/nope");
        assertExit(1, r);
        assertOutput("", r);
        assertEquals("xenstore-read: couldn't read path " + base + "/nope\n", r.stderr(), r.describe());
    }

    @Test
    void existsPresentAndAbsent() throws Exception {
        writeSample();
        for (String p : List.of(base, base + "/a", base + "/b", base + "/b/c", base + "/e")) {
            ToolResult r = xs("xenstore-exists", p);
            assertExit(0, r);
            assertOutput("", r);
        }
        for (String p : List.of(base + "/nope", base + "/a/nope", base + "/nope/deeper")) {
            ToolResult r = xs("xenstore-exists", p);
            assertExit(1, r);
            assertOutput("", r);
        }
    }

    @Test
    void list() throws Exception {
        writeSample();
        assertOutput("a\nb\ne\n", ok("xenstore-list", base));
        assertOutput("c\n", ok("xenstore-list", base + "/b"));
        assertOutput("", ok("xenstore-list", base + "/a"));
        ToolResult absent = xs("xenstore-list", base + "/nope");
        assertExit(1, absent);
        assertEquals("xenstore-list: could not list path " + base + "/nope\n", absent.stderr(), absent.describe());
    }

    @Test
    void lsTreeAndFullPaths() throws Exception {
        writeSample();
        assertOutput("a = \"hello\"\nb = \"\"\n c = \"world\"\ne = \"\"\n", ok("xenstore-ls", base));
        assertOutput(base + "/a = \"hello\"\n"
                + base + "/b = \"\"\n"
                + base + "/b/c = \"world\"\n"
                + base + "/e = \"\"\n", ok("xenstore-ls", "-f", base));
    }

    @Test
    void chmodThenLsWithPerms() throws Exception {
        writeSample();
        assertOutput("", ok("xenstore-chmod", base + "/a", "n0", "r5"));
        assertOutput(base + "/a = \"hello\"   (n0,r5)\n"
                + base + "/b = \"\"   (n0)\n"
                + base + "/b/c = \"world\"   (n0)\n"
                + base + "/e = \"\"   (n0)\n", ok("xenstore-ls", "-f", "-p", base));
    }

    @Test
    void chmodSeveralEntriesAndRecursive() throws Exception {
        writeSample();
        ok("xenstore-chmod", base + "/e", "n0", "w5", "b7");
        ok("xenstore-chmod", "-r", base + "/b", "n0", "r3");
        assertOutput(base + "/a = \"hello\"   (n0)\n"
                + base + "/b = \"\"   (n0,r3)\n"
                + base + "/b/c = \"world\"   (n0,r3)\n"
                + base + "/e = \"\"   (n0,w5,b7)\n", ok("xenstore-ls", "-f", "-p", base));
        // chmod of a node that does not exist fails
        ToolResult absent = xs("xenstore-chmod", base + "/nope", "n0");
        assertExit(1, absent);
    }

    @Test
    void rmSubtree() throws Exception {
        writeSample();
        assertOutput("", ok("xenstore-rm", base + "/b"));
        assertExit(1, xs("xenstore-exists", base + "/b"));
        assertExit(1, xs("xenstore-exists", base + "/b/c"));
        assertExit(0, xs("xenstore-exists", base + "/a"));
        assertOutput("a\ne\n", ok("xenstore-list", base));
        // removing an absent leaf under an existing parent succeeds; under an absent parent it fails
        assertExit(0, xs("xenstore-rm", base + "/nope"));
        ToolResult deeper = xs("xenstore-rm", base + "/nope/deeper");
        assertExit(1, deeper);
        assertEquals("xenstore-rm: could not remove path " + base + "/nope/deeper\n", deeper.stderr(),
                deeper.describe());
        // the whole subtree
        ok("xenstore-rm", base);
        assertExit(1, xs("xenstore-exists", base));
        assertExit(1, xs("xenstore-exists", base + "/a"));
    }

    @Test
    void watchInitialWriteAndChild() throws Exception {
        String w = base + "/w";
        try (RunningTool watch = tools.start(target.socket(), Map.of(),
                List.of(tools.cliTool("xenstore-watch").toString(), "-n", "3", w))) {
            // the initial event proves the watch is registered
            assertEquals(w, watch.nextLine(LINE_TIMEOUT), watch::snapshot);
            ok("xenstore-write", w, "1");
            assertEquals(w, watch.nextLine(LINE_TIMEOUT), watch::snapshot);
            ok("xenstore-write", w + "/x", "2");
            assertEquals(w + "/x", watch.nextLine(LINE_TIMEOUT), watch::snapshot);
            ToolResult r = watch.await(LINE_TIMEOUT);
            assertExit(0, r);
            assertEquals(w + "\n" + w + "\n" + w + "/x\n", r.stdout(), r.describe());
        }
    }

    @Test
    void watchSeesRemovalOfSubtree() throws Exception {
        writeSample();
        try (RunningTool watch = tools.start(target.socket(), Map.of(),
                List.of(tools.cliTool("xenstore-watch").toString(), "-n", "2", base + "/b"))) {
            assertEquals(base + "/b", watch.nextLine(LINE_TIMEOUT), watch::snapshot);
            // a write elsewhere fires nothing for this watch; the removal of b does
            ok("xenstore-write", base + "/a", "other");
            ok("xenstore-rm", base + "/b");
            assertEquals(base + "/b", watch.nextLine(LINE_TIMEOUT), watch::snapshot);
            ToolResult r = watch.await(LINE_TIMEOUT);
            assertExit(0, r);
            assertEquals(base + "/b\n" + base + "/b\n", r.stdout(), r.describe());
        }
    }
}
