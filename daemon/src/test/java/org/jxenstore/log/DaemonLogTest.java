package org.jxenstore.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The daemon log's lines: on standard error always, and to a second sink (syslog) by priority. */
class DaemonLogTest {
    private record Sent(int priority, String message) {
    }

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Sent> sent = new ArrayList<>();
    private final DaemonLog log = new DaemonLog(new PrintStream(err, true, StandardCharsets.UTF_8),
            (priority, message) -> sent.add(new Sent(priority, message)));

    @Test
    void eachLevelGoesToTheSinkWithItsSyslogPriorityAndWithoutTimeOrLevel() {
        log.info("serving /run/xenstored/socket");
        log.warning("dom5 reached its watches quota (128): E2BIG");
        log.error("internal error", new IOException("disk full"));

        assertEquals(List.of(new Sent(6, "serving /run/xenstored/socket"),
                new Sent(4, "dom5 reached its watches quota (128): E2BIG")), sent.subList(0, 2));
        assertEquals(3, sent.get(2).priority(), "LOG_ERR");
        assertTrue(sent.get(2).message().startsWith("internal error: java.io.IOException: disk full\n\tat "),
                sent.get(2).message());
    }

    @Test
    void standardErrorStillHasEveryLineWithItsTimeAndLevel() {
        log.info("100% of nodes");
        log.warning("slow");

        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\S+Z jxenstored info: 100% of nodes"), lines.get(0));
        assertTrue(lines.get(1).endsWith(" jxenstored warning: slow"), lines.get(1));
    }
}
