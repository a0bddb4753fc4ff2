package org.jxenstore.it.client;

import org.jxenstore.client.XsClient;
import org.jxenstore.it.DaemonFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test that gets a fresh jxenstored and one connected Java client for every test method. */
abstract class DaemonClientTest {
    DaemonFixture daemon;
    XsClient xs;

    @BeforeEach
    void startDaemonAndClient() throws Exception {
        daemon = DaemonFixture.start();
        xs = XsClient.open(daemon.socket());
    }

    @AfterEach
    void stopDaemonAndClient() {
        if (xs != null) {
            xs.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }
}
