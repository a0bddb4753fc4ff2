package org.jxenstore.it.xen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jxenstore.it.peers.PeerTools;
import org.jxenstore.it.peers.RunningTool;
import org.jxenstore.it.peers.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FFM Xen bindings (org.jxenstore.xen) against the reference peers' fake hypervisor, the
 * LD_PRELOAD shim xenshim.c: a child JVM ({@link ShimBindingsMain}) runs under exactly the
 * environment {@code start-peer.sh exec} gives a daemon, and this test plays the guest and the
 * hypervisor through the shim's files and datagram sockets.
 */
class ShimBindingsTest {
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path ringDir;

    @Test
    void bindingsWorkAgainstTheShim() throws Exception {
        PeerTools tools = PeerTools.get();
        // the guest's event channel: bound before the child can notify it
        Path guestSocket = ringDir.resolve("evtchn-7.sock");
        try (RunningTool guest = tools.start(null, Map.of(), List.of("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                print("bound", flush=True)
                s.settimeout(60)
                print(s.recv(128).decode(), flush=True)
                """, guestSocket.toString()));
             RunningTool child = startChild(tools, shimEnv())) {
            assertEquals("bound", guest.nextLine(STEP));

            expect(child, "opened");
            expect(child, "mapped 7 size=4096");
            expect(child, "dom0 port=1 size=4096");
            Matcher bound = Pattern.compile("bound local=(\\d+) virq=(\\d+)").matcher(child.nextLine(STEP));
            assertTrue(bound.matches(), child.snapshot());
            String local = bound.group(1);
            String virq = bound.group(2);

            // the guest notifies its port 1: the child sees it on the port bound to (7, 1)
            expect(child, "await guest-event");
            send(tools, "7 1");
            expect(child, "pending=" + local);
            expect(child, "notified");
            // ... and the child's notify reaches the guest as the datagram "<domid> <remote port>"
            assertEquals("7 1", guest.nextLine(STEP));
            expect(child, "state7=present dying=false shutdown=false reason=0");

            // the hypervisor shuts domain 8 down: VIRQ_DOM_EXC, and the shutdown bit (reason poweroff)
            expect(child, "await shutdown-8");
            send(tools, "shutdown 8");
            expect(child, "pending=" + virq);
            expect(child, "state8=present dying=false shutdown=true reason=0");

            // ... and destroys domain 7: VIRQ_DOM_EXC, then the domain is unknown
            expect(child, "await destroy-7");
            send(tools, "destroy 7");
            expect(child, "pending=" + virq);
            expect(child, "state7=absent");

            expect(child, "wakeup=-1");
            expect(child, "unmapped ring closed");
            expect(child, "waiter in poll=true");
            expect(child, "await across close=-1");
            expect(child, "closed");
            ToolResult r = child.await(STEP);
            assertEquals(0, r.exitCode(), r.describe());
        }

        // what the child wrote went to the shared ring files
        byte[] ring7 = Files.readAllBytes(ringDir.resolve("ring-7"));
        assertEquals(4096, ring7.length);
        assertEquals((byte) 0x5a, ring7[0]);
        assertEquals((byte) 0xa5, ring7[4095]);
        byte[] ring0 = Files.readAllBytes(ringDir.resolve("ring-0"));
        assertEquals(4096, ring0.length);
        assertArrayEquals(new byte[] {0, 0x42, 0}, Arrays.copyOf(ring0, 3));
    }

    @Test
    void withoutTheShimThereIsNoHypervisor() throws Exception {
        // Xen's real libraries are found (LD_LIBRARY_PATH) but there is no /dev/xen/evtchn
        PeerTools tools = PeerTools.get();
        try (RunningTool child = startChild(tools, Map.of(), "open-only")) {
            expect(child, "XenException: no Xen hypervisor: xenevtchn_open failed: No such file or directory");
            ToolResult r = child.await(STEP);
            assertEquals(0, r.exitCode(), r.describe());
        }
    }

    /** The environment start-peer.sh gives a daemon (LD_LIBRARY_PATH comes from PeerTools). */
    private Map<String, String> shimEnv() {
        PeerTools tools = PeerTools.get();
        return Map.of(
                "LD_PRELOAD", tools.cache().resolve("build/xenshim.so").toString(),
                "XSHIM_RING_DIR", ringDir.toString(),
                // every domid exists, whatever the caller's environment says
                "XSHIM_DOMAINS", "0-32751",
                "XSHIM_DOMAINS_FILE", "");
    }

    private static RunningTool startChild(PeerTools tools, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                ShimBindingsMain.class.getName()));
        cmd.addAll(List.of(args));
        return tools.start(null, env, cmd);
    }

    /** The shim's "hypervisor": a datagram to the daemon's event channel socket. */
    private void send(PeerTools tools, String datagram) throws IOException, InterruptedException {
        ToolResult r = tools.run(null, PeerTools.TOOL_TIMEOUT, Map.of(), "python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.sendto(sys.argv[2].encode(), sys.argv[1])
                """, ringDir.resolve("evtchn-daemon.sock").toString(), datagram);
        assertEquals(0, r.exitCode(), r.describe());
    }

    private static void expect(RunningTool child, String line) throws InterruptedException {
        assertEquals(line, child.nextLine(STEP), child.snapshot());
    }
}
