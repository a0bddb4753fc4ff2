package org.jxenstore.it.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jxenstore.client.WatchEvent;
import org.jxenstore.client.XsClient;
import org.jxenstore.it.DaemonFixture;
import org.jxenstore.server.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The access log ({@code -T}): one line per request, per reply and per watch event. */
class AccessLogTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** {@code IN conn=3 dom=0 id=5 tx=0 WRITE (...)}, after a timestamp. */
    private static final Pattern LINE = Pattern.compile(
            "\\b(IN|OUT) +conn=(\\d+) dom=(\\d+) id=(\\d+) tx=(\\d+) (\\S+) \\((.*)\\)$");

    private DaemonFixture daemon;
    private Path trace;
    private XsClient xs;

    private record Line(String dir, int conn, int dom, long id, String type, String payload, String text) {
    }

    @BeforeEach
    void start() throws Exception {
        Path dir = Files.createTempDirectory("jxs-log-");
        trace = dir.resolve("trace.log");
        daemon = DaemonFixture.start(Config.defaults(dir.resolve("socket")).withTraceFile(trace));
        xs = XsClient.open(daemon.socket());
    }

    @AfterEach
    void stop() {
        xs.close();
        daemon.close();
    }

    /**
     * The log's request and reply lines. The daemon flushes the log once per event-loop pass, so
     * a round trip made after the last reply of interest guarantees its lines are on disk; the
     * lines of that round trip itself (GET_DOMAIN_PATH) are left out.
     */
    private List<Line> logLines() throws Exception {
        xs.getDomainPath(4321);
        List<Line> lines = new ArrayList<>();
        for (String text : Files.readAllLines(trace, StandardCharsets.UTF_8)) {
            Matcher m = LINE.matcher(text);
            if (!m.find()) {
                continue;
            }
            if (m.group(6).equals("GET_DOMAIN_PATH") && m.group(7).contains("4321")) {
                continue;
            }
            lines.add(new Line(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Long.parseLong(m.group(4)), m.group(6), m.group(7), text));
        }
        return lines;
    }

    private static List<Line> matching(List<Line> lines, String dir, String type, String payloadPart) {
        return lines.stream()
                .filter(l -> l.dir().equals(dir) && l.type().equals(type) && l.payload().contains(payloadPart))
                .toList();
    }

    @Test
    void everyLineNamesTheConnectionAndDomainZero() throws Exception {
        xs.write("/log/a", "1");
        xs.read("/log/a");
        List<Line> lines = logLines();
        assertFalse(lines.isEmpty());
        for (Line l : lines) {
            assertEquals(0, l.dom(), l.text());
            assertTrue(l.text().contains("conn=" + l.conn()), l.text());
        }
        // Every request line of the write is matched by exactly one reply line with its id.
        Line write = matching(lines, "IN", "WRITE", "/log/a").getFirst();
        assertEquals(1, lines.stream().filter(l -> l.dir().equals("OUT") && l.conn() == write.conn()
                && l.id() == write.id() && !l.type().equals("WATCH_EVENT")).count());
    }

    @Test
    void eachRequestHasOneInLineAndOneOutLine() throws Exception {
        xs.watch("/log/w", "tok");
        assertEquals(new WatchEvent("/log/w", "tok"), xs.nextEvent(TIMEOUT));
        xs.write("/log/w/x", "value");
        assertEquals(new WatchEvent("/log/w/x", "tok"), xs.nextEvent(TIMEOUT));
        xs.read("/log/w/x");

        List<Line> lines = logLines();
        Map<Long, List<Line>> byId = new LinkedHashMap<>();
        int conn = matching(lines, "IN", "WRITE", "/log/w/x").getFirst().conn();
        for (Line l : lines) {
            if (l.conn() == conn && !l.type().equals("WATCH_EVENT")) {
                byId.computeIfAbsent(l.id(), k -> new ArrayList<>()).add(l);
            }
        }
        assertEquals(List.of("WATCH", "WRITE", "READ"),
                byId.values().stream().map(ls -> ls.getFirst().type()).toList(), byId.toString());
        for (List<Line> ls : byId.values()) {
            assertEquals(List.of("IN", "OUT"), ls.stream().map(Line::dir).toList(), ls.toString());
            assertEquals(ls.get(0).type(), ls.get(1).type(), ls.toString());
        }
        assertEquals(1, matching(lines, "IN", "WRITE", "/log/w/x value").size());
        assertEquals(1, matching(lines, "OUT", "WRITE", "OK").size());
        assertEquals(1, matching(lines, "IN", "READ", "/log/w/x").size());
        assertEquals(1, matching(lines, "OUT", "READ", "value").size());
    }

    @Test
    void firedWatchEventHasAnOutLine() throws Exception {
        xs.watch("/log/w", "tok");
        assertEquals(new WatchEvent("/log/w", "tok"), xs.nextEvent(TIMEOUT));
        xs.write("/log/w/fired", "v");
        assertEquals(new WatchEvent("/log/w/fired", "tok"), xs.nextEvent(TIMEOUT));

        List<Line> lines = logLines();
        List<Line> events = matching(lines, "OUT", "WATCH_EVENT", "/log/w/fired tok");
        assertEquals(1, events.size(), lines.toString());
        assertEquals(0, events.getFirst().id());
        assertEquals(1, matching(lines, "OUT", "WATCH_EVENT", "/log/w tok").size(), "the initial event");
        assertEquals(0, matching(lines, "IN", "WATCH_EVENT", "").size());
    }

    @Test
    void requestsMadeWhileLoggingIsOffLeaveNoLines() throws Exception {
        xs.write("/log/before", "1");
        assertEquals("OK", xs.control("log", "off"));
        xs.write("/log/while-off", "2");
        xs.read("/log/while-off");
        xs.watch("/log/while-off", "hidden");
        assertEquals(new WatchEvent("/log/while-off", "hidden"), xs.nextEvent(TIMEOUT));
        assertEquals("OK", xs.control("log", "on"));
        xs.write("/log/after", "3");

        List<Line> lines = logLines();
        String all = String.join("\n", Files.readAllLines(trace, StandardCharsets.UTF_8));
        assertFalse(all.contains("while-off"), all);
        assertFalse(all.contains("hidden"), all);
        assertEquals(1, matching(lines, "IN", "WRITE", "/log/before").size());
        assertEquals(1, matching(lines, "IN", "WRITE", "/log/after").size());
        Line after = matching(lines, "IN", "WRITE", "/log/after").getFirst();
        assertEquals(1, lines.stream().filter(l -> l.dir().equals("OUT") && l.type().equals("WRITE")
                && l.conn() == after.conn() && l.id() == after.id()).count(), all);
    }

    @Test
    void eachConnectionHasItsOwnConnNumber() throws Exception {
        xs.write("/log/one", "1");
        try (XsClient other = XsClient.open(daemon.socket())) {
            other.write("/log/two", "2");
        }
        List<Line> lines = logLines();
        int one = matching(lines, "IN", "WRITE", "/log/one").getFirst().conn();
        int two = matching(lines, "IN", "WRITE", "/log/two").getFirst().conn();
        assertTrue(one != two, lines.toString());
    }
}
