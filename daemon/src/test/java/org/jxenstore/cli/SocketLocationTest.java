package org.jxenstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The socket is where C xenstored and libxenstore look for it. */
class SocketLocationTest {
    @Test
    void byDefaultInVarRunXenstored() {
        assertEquals(Path.of("/var/run/xenstored/socket"), SocketLocation.from(Map.of()));
    }

    @Test
    void inTheRunDirectoryIfOneIsGiven() {
        assertEquals(Path.of("/tmp/xs/socket"),
                SocketLocation.from(Map.of("XENSTORED_RUNDIR", "/tmp/xs")));
    }

    @Test
    void xenstoredPathNamesTheSocketItself() {
        assertEquals(Path.of("/tmp/other.sock"), SocketLocation.from(
                Map.of("XENSTORED_PATH", "/tmp/other.sock", "XENSTORED_RUNDIR", "/tmp/xs")));
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        assertEquals(Path.of("/var/run/xenstored/socket"),
                SocketLocation.from(Map.of("XENSTORED_PATH", "", "XENSTORED_RUNDIR", "")));
    }

    @Test
    void aRelativeRunDirectoryIsTakenFromTheStartingDirectory() {
        assertEquals(Path.of("xs", "socket").toAbsolutePath(),
                SocketLocation.from(Map.of("XENSTORED_RUNDIR", "xs")));
    }
}
