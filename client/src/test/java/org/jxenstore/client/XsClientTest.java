package org.jxenstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XsClientTest {

    @Test
    void socketPathWinsOverRundir() {
        assertEquals(Path.of("/x/sock"),
                XsClient.socketFromEnvironment(Map.of("XENSTORED_PATH", "/x/sock", "XENSTORED_RUNDIR", "/r")));
    }

    @Test
    void rundirGetsSocketAppended() {
        assertEquals(Path.of("/r/socket"), XsClient.socketFromEnvironment(Map.of("XENSTORED_RUNDIR", "/r")));
    }

    @Test
    void defaultsToVarRun() {
        assertEquals(Path.of("/var/run/xenstored/socket"), XsClient.socketFromEnvironment(Map.of()));
    }

    @Test
    void missingSocketFailsWithItsPath(@TempDir Path dir) {
        Path socket = dir.resolve("no-daemon-here");
        XsConnectionException e = assertThrows(XsConnectionException.class, () -> XsClient.open(socket));
        assertTrue(e.getMessage().contains(socket.toString()), e.getMessage());
    }
}
