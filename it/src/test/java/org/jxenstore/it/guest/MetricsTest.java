package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code --metrics 127.0.0.1:PORT}: OpenMetrics text at {@code /metrics}. Guest dom7 opens
 * transactions until ENOSPC; the metrics then count the refusal for domid 7, the daemon log names
 * dom7, and every metric the operations issue lists is there. jxenstored only.
 */
class MetricsTest {
    static final List<String> METRICS = List.of("jxenstored_requests_total",
            "jxenstored_request_duration_seconds", "jxenstored_nodes", "jxenstored_watches",
            "jxenstored_transactions", "jxenstored_connections", "jxenstored_domains",
            "jxenstored_quota_rejections_total", "jxenstored_heap_used_bytes", "jxenstored_journal_bytes");

    @Test
    void aQuotaRefusalIsCountedByDomainAndEveryMetricIsServed() throws Exception {
        assumeTrue(GuestDaemon.configuredKind() == GuestDaemon.Kind.JXENSTORED, "jxenstored's metrics");
        int port = freePort();
        try (GuestDaemon d = GuestDaemon.start(List.of("--metrics", "127.0.0.1:" + port))) {
            d.script("metrics.py", "quota").assertCompleted().expect("refusal", "ENOSPC", "opened", "11");
            String text = scrape(port);
            for (String name : METRICS) {
                assertTrue(Pattern.compile("^" + name + "(_bucket|_count|_sum)?(\\{|\\s)", Pattern.MULTILINE)
                        .matcher(text).find(), name + " is served:\n" + text);
            }
            Matcher m = Pattern.compile("^jxenstored_quota_rejections_total\\{domid=\"7\",quota=\"transactions\"\\} (\\S+)",
                    Pattern.MULTILINE).matcher(text);
            assertTrue(m.find(), "dom7's refusal is counted:\n" + text);
            assertEquals(1.0, Double.parseDouble(m.group(1)), text);
            assertTrue(Pattern.compile("^jxenstored_connections\\{kind=\"ring\"\\} [1-9]", Pattern.MULTILINE)
                    .matcher(text).find(), "dom0's and dom7's rings:\n" + text);
            assertTrue(Files.readString(d.dir().resolve("daemon.log")).contains("dom7 reached its transactions quota"),
                    d.logTail());
        }
    }

    static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** A port nothing listens on now; the daemon binds it a moment later. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
