package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jxenstore.it.peers.ToolResult;

/**
 * Store-domain mode (disaggregation): jxenstored runs as if in domain 1 ({@code --master-domid 1
 * --priv-domid 0}), and dom0 is an ordinary ring client, privileged by configuration:
 * {@code xsguest --domid 0 --introduce attach} talks over dom0's own ring ({@code ring-0}, which
 * the daemon maps at start like {@code /proc/xen/xsd_kva}) and gets privileged access: writing
 * below /tool, listing /, IS_DOMAIN_INTRODUCED. (Run against C, the daemon is C's default
 * set-up, where the store domain is dom0 itself.)
 */
class StoreDomainModeTest extends GuestDaemonTest {
    private static final int STORE_DOMAIN = 1;

    @Override
    protected List<String> jxenstoredArgs() {
        return List.of("--master-domid", Integer.toString(STORE_DOMAIN), "--priv-domid", "0");
    }

    /** The store domain owns the initial tree, so what dom0 creates below /tool inherits it. */
    private String owner() {
        return daemon.isC() ? "n0" : "n" + STORE_DOMAIN;
    }

    private ToolResult dom0Ring(String... args) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("--introduce", "attach"));
        a.addAll(List.of(args));
        ToolResult r = daemon.xsguest(0, a.toArray(String[]::new));
        assertTrue(r.ok(), () -> "dom0 ring: " + String.join(" ", args) + r.describe()
                + "\n--- daemon.log (tail) ---\n" + daemon.logTail());
        return r;
    }

    @Test
    void dom0PrivilegedOpsOverItsRing() throws Exception {
        dom0Ring("write", "/tool/x", "from-ring-0");
        assertEquals(List.of("from-ring-0"), dom0Ring("read", "/tool/x").stdoutLines());
        List<String> root = dom0Ring("ls", "/").stdoutLines();
        // a fresh C daemon's tree is just /tool/xenstored (no /local until a domain is set up)
        assertEquals(List.of("tool"), root, "ls / over ring-0");
        assertTrue(dom0Ring("ls", "/tool").stdoutLines().contains("x"));
        assertEquals(List.of(owner()), dom0Ring("getperms", "/tool/x").stdoutLines());
        // IS_DOMAIN_INTRODUCED is privileged (a guest gets EACCES): dom0 over its ring gets an answer
        assertEquals(List.of("T"), dom0Ring("introduced", "0").stdoutLines());
        assertEquals(List.of("F"), dom0Ring("introduced", "5").stdoutLines());
        dom0Ring("setperms", "/tool/x", owner(), "r7");
        // the same store over the socket
        ToolResult viaSocket = daemon.xs("xenstore-read", "/tool/x");
        assertTrue(viaSocket.ok(), viaSocket::describe);
        assertEquals("from-ring-0", viaSocket.stdout().strip());
        assertEquals(List.of(owner() + " r7"), dom0Ring("getperms", "/tool/x").stdoutLines());
        dom0Ring("rm", "/tool/x");
        assertTrue(!daemon.xs("xenstore-exists", "/tool/x").ok(), "/tool/x still exists after rm over ring-0");
        String ring = dom0Ring("dump").stdout();
        assertTrue(ring.contains("error=0"), () -> "ring-0: " + ring);
    }
}
