package org.jxenstore.it.peers;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class that drives one daemon under test (see {@link TargetDaemon}) with the reference
 * peers' tools: the daemon starts before the class's first test and stops after its last.
 */
abstract class TargetDaemonTest {
    static PeerTools tools;
    static TargetDaemon target;

    @BeforeAll
    static void startTarget() throws Exception {
        tools = PeerTools.get();
        target = TargetDaemon.open();
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
            target = null;
        }
    }
}
