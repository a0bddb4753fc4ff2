package org.jxenstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jxenstore.cli.AotTrainingWorkload;
import org.jxenstore.it.peers.PeerTools;
import org.jxenstore.it.peers.ToolResult;
import org.junit.jupiter.api.Test;

/**
 * The workload that bin/jxenstored's training start serves for the AOT cache: the launcher
 * ignores its failure (a cache of the start alone is still a cache), so this is where a broken
 * workload shows.
 */
class AotTrainingWorkloadTest {
    @Test
    void itRunsEveryRequestToItsReplyAndLeavesTheTreeAsItFoundIt() throws Exception {
        PeerTools tools = PeerTools.get();
        try (DaemonFixture daemon = DaemonFixture.start()) {
            ToolResult before = tools.xs(daemon.socket(), "xenstore-ls", "-f", "/");
            AotTrainingWorkload.main(new String[] {daemon.socket().toString()});
            ToolResult after = tools.xs(daemon.socket(), "xenstore-ls", "-f", "/");
            assertTrue(after.ok(), after.describe());
            assertEquals(before.stdout(), after.stdout(), "the tree is as it was");
            assertFalse(after.stdout().contains("/training"));
        }
    }
}
