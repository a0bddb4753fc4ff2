package org.jxenstore.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jxenstore.access.Caller;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.watch.EventSink;
import org.jxenstore.watch.Watch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CONTROL commands of xenstore-control. */
class ControlTest {
    private final XsFixture xs = new XsFixture();
    private final Client dom0 = xs.dom0();

    private void assertCheckOk() {
        String r = dom0.control("check");
        assertTrue(r.startsWith("OK"), r);
    }

    // --- check ---

    @Test
    void checkReportsOkOnTheInitialStore() {
        assertEquals("OK: 3 nodes, 0 watches", dom0.control("check"));
    }

    @Test
    void checkReportsOkAfterHeavyRandomActivityFromSeveralConnections() {
        Random rnd = new Random(4242);
        List<Client> clients = new ArrayList<>();
        clients.add(dom0);
        clients.add(xs.dom0());
        for (int d = 1; d <= 4; d++) {
            clients.add(xs.guest(d));
        }
        List<Integer> openTx = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            openTx.add(0);
        }
        String[] names = {"a", "b", "c", "Aa", "BB"};
        for (int step = 0; step < 6000; step++) {
            int ci = rnd.nextInt(clients.size());
            Client c = clients.get(ci);
            int domid = c.caller().domid();
            StringBuilder p = new StringBuilder(ci < 2 && rnd.nextBoolean() ? "/t" : "/local/domain/" + Math.max(1, domid));
            int depth = 1 + rnd.nextInt(4);
            for (int k = 0; k < depth; k++) {
                p.append('/').append(names[rnd.nextInt(names.length)]);
            }
            String path = p.toString();
            int tx = openTx.get(ci);
            switch (rnd.nextInt(12)) {
                case 0, 1, 2, 3 -> c.write(tx, path, "v" + step);
                case 4 -> c.mkdir(tx, path);
                case 5, 6 -> c.rm(tx, path);
                case 7 -> c.setPerms(path, "n" + domid, "r" + rnd.nextInt(6));
                case 8 -> {
                    if (tx == 0) {
                        String id = c.start();
                        if (!id.startsWith("E")) {
                            openTx.set(ci, Integer.parseInt(id));
                        }
                    } else {
                        String r = rnd.nextBoolean() ? c.commit(tx) : c.abort(tx);
                        assertTrue(List.of("OK", "EAGAIN", "ENOSPC").contains(r), r);
                        openTx.set(ci, 0);
                    }
                }
                case 9 -> c.watch(path, "t" + rnd.nextInt(3));
                case 10 -> c.unwatch(path, "t" + rnd.nextInt(3));
                default -> c.read(tx, path);
            }
            c.events();
            if (step % 1000 == 999) {
                assertCheckOk();
            }
        }
        for (int ci = 0; ci < clients.size(); ci++) {
            if (openTx.get(ci) != 0) {
                clients.get(ci).commit(openTx.get(ci));
            }
        }
        assertCheckOk();
        assertEquals("OK", dom0.call(MessageType.RELEASE, 0, "2"));
        assertCheckOk();
        clients.get(3).close();
        assertCheckOk();
    }

    @Test
    void checkWalksA1500LevelTreeWithoutOverflowingTheStack() {
        // path-max is a quota for guests; disable it so that this test does not depend on it.
        assertEquals("OK", dom0.control("quota", "set", "path-max", "0"));
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            p.append("/d");
        }
        assertEquals(3000, p.length());
        assertEquals("OK", dom0.write(p.toString(), "bottom"));
        assertEquals("bottom", dom0.read(p.toString()));
        assertEquals("OK: " + (3 + 1500) + " nodes, 0 watches", dom0.control("check"));
        assertEquals("OK", dom0.rm("/d"));
        assertEquals("OK: 3 nodes, 0 watches", dom0.control("check"));
    }

    @Test
    void checkReportsAWatchLeftBehindByAConnectionThatIsNoLongerListed() throws Exception {
        // A connection the daemon no longer lists, whose watch was never removed from the index.
        EventSink sink = new EventSink() {
            @Override
            public Caller caller() {
                return Caller.privileged(0);
            }

            @Override
            public long connectionOrder() {
                return -1;
            }

            @Override
            public void deliver(String path, String token) {
            }

            @Override
            public long queuedBytes() {
                return 0;
            }
        };
        xs.watches.add(new Watch(sink, "/leak", "t", false, Watch.UNLIMITED, 0));
        String r = dom0.control("check");
        assertTrue(r.startsWith("ERRORS:"), r);
        assertTrue(r.contains("watch index holds 1 watches, connections registered 0"), r);
    }

    // --- other commands ---

    @Test
    void quotaListsTheGlobalSettings() {
        String r = dom0.control("quota");
        assertTrue(r.startsWith("Quota settings:"), r);
        assertTrue(r.matches("(?s).*nodes +: +1000 .*"), r);
        assertTrue(r.matches("(?s).*watches +: +128 .*"), r);
    }

    @Test
    void quotaSetChangesAGlobalValue() {
        assertEquals("OK", dom0.control("quota", "set", "nodes", "77"));
        assertEquals("77", dom0.call(MessageType.GET_QUOTA, 0, "nodes"));
        assertEquals("EINVAL", dom0.control("quota", "set", "nosuch", "1"));
        assertEquals("EINVAL", dom0.control("quota", "set", "nodes"));
        assertEquals("EINVAL", dom0.control("quota", "set", "nodes", "-5"));
    }

    @Test
    void quotaOfADomainShowsItsUsage() {
        Client g3 = xs.guest(3);
        assertEquals("OK", g3.write("x", ""));
        assertEquals("OK", g3.watch("x", "t"));
        String r = dom0.control("quota", "3");
        assertTrue(r.startsWith("Domain 3:"), r);
        assertTrue(r.matches("(?s).*nodes +: +2 \\(max 1000\\).*"), r);
        assertTrue(r.matches("(?s).*watches +: +1 \\(max 128\\).*"), r);
        assertEquals("ENOENT", dom0.control("quota", "99"));
    }

    @Test
    void logOnAndOff() {
        assertEquals("OK", dom0.control("log", "off"));
        assertFalse(xs.log.enabled());
        assertEquals("OK", dom0.control("log", "on"));
        assertTrue(xs.log.enabled());
        assertEquals("EINVAL", dom0.control("log", "maybe"));
        assertEquals("EINVAL", dom0.control("log"));
    }

    @Test
    void memreportDescribesTheStore() {
        dom0.watch("/x", "t");
        String r = dom0.control("memreport");
        assertTrue(r.matches("(?s).*nodes +: 3\n.*"), r);
        assertTrue(r.matches("(?s).*watches +: 1\n.*"), r);
    }

    @Test
    void helpListsTheCommands() {
        String r = dom0.control("help");
        for (String cmd : List.of("check", "log", "memreport", "quota", "help")) {
            assertTrue(r.contains(cmd), cmd + " in " + r);
        }
    }

    @Test
    void printIsOk() {
        assertEquals("OK", dom0.control("print", "hello"));
    }

    @Test
    void unknownCommandIsEinval() {
        assertEquals("EINVAL", dom0.control("frobnicate"));
    }

    /** C's answers, before anything is handed over. */
    @Test
    void liveUpdateRefusesWhatWouldLeaveTheHostWithoutADaemon(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(dir.resolve("not-a-program"), "x");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("File not accessible.", dom0.control("live-update", "-f", "/nonexistent/jxenstored"));
        assertEquals("File not executable.", dom0.control("live-update", "-f", plain.toString()));
        assertEquals("Live update is not possible: this daemon cannot hand its state over.",
                dom0.control("live-update", "-f", "/bin/true"));
        assertEquals("Not in live-update session.", dom0.control("live-update", "-s", "-t", "60"));
        assertEquals("Not in live-update session.", dom0.control("live-update", "-c", "-N"));
        assertEquals("No live-update session active.", dom0.control("live-update", "-a"));
    }

    @Test
    void liveUpdateArgumentsAreCheckedAsInC() {
        assertEquals("EINVAL", dom0.control("live-update"));
        assertEquals("EINVAL", dom0.control("live-update", "-x"));
        assertEquals("EINVAL", dom0.control("live-update", "-s", "-t"));
        assertEquals("EINVAL", dom0.control("live-update", "-s", "-q"));
        assertEquals("EINVAL", dom0.control("live-update", "-a", "more"));
        assertEquals("EINVAL", dom0.control("live-update", "-f"));
    }
}
