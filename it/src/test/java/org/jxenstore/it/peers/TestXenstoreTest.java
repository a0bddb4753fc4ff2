package org.jxenstore.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Xen's own libxenstore test program, test-xenstore (Xen 4.17), against the daemon. */
class TestXenstoreTest extends TargetDaemonTest {
    private static final int ITERATIONS = 20;
    private static final int EXPECTED_TESTS = 12;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** "{@code read 1    : Read node with 1 byte data}": the name is padded to the colon. */
    private static final Pattern LIST_LINE = Pattern.compile("^(.*?)\\s*: (.+)$");

    private static ToolResult testXenstore(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.testXenstore().toString());
        cmd.addAll(List.of(args));
        return tools.run(target.socket(), TIMEOUT, Map.of(), cmd.toArray(String[]::new));
    }

    private static List<String> testNames() throws Exception {
        ToolResult r = testXenstore("-l");
        assertTrue(r.ok(), () -> "test-xenstore -l" + r.describe());
        List<String> names = new ArrayList<>();
        for (String line : r.stdoutLines()) {
            Matcher m = LIST_LINE.matcher(line);
            assertTrue(m.matches(), () -> "unexpected line in test-xenstore -l: '" + line + "'" + r.describe());
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void listsTwelveTests() throws Exception {
        List<String> names = testNames();
        assertEquals(EXPECTED_TESTS, names.size(), () -> "test-xenstore -l lists " + names);
        assertEquals(EXPECTED_TESTS, names.stream().distinct().count(), () -> "duplicate names in " + names);
    }

    @TestFactory
    Stream<DynamicTest> eachTest() throws Exception {
        return testNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            ToolResult r = testXenstore("-t", name, "-i", Integer.toString(ITERATIONS));
            assertTrue(r.ok(), () -> "test-xenstore -t '" + name + "' failed against " + target + r.describe());
            // an unknown test name also exits 0, silently: require the test's own result line
            Pattern result = Pattern.compile("^" + Pattern.quote(name) + "\\s*: avg: .*$", Pattern.MULTILINE);
            assertTrue(result.matcher(r.stdout()).find(),
                    () -> "no result line for '" + name + "'" + r.describe());
        }));
    }

    @Test
    void allTestsAtOnce() throws Exception {
        ToolResult r = testXenstore("-i", Integer.toString(ITERATIONS));
        assertTrue(r.ok(), () -> "test-xenstore -i " + ITERATIONS + " failed against " + target + r.describe());
        long results = r.stdoutLines().stream().filter(l -> l.matches(".*: avg: .*")).count();
        assertEquals(EXPECTED_TESTS, results, r::describe);
    }
}
