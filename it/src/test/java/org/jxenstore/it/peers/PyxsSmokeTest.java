package org.jxenstore.it.peers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pyxs (Debian's python3-pyxs 0.4.2) driven by {@code <shared>/peers/pyxs-smoke.py}. */
class PyxsSmokeTest extends TargetDaemonTest {

    @Test
    void pyxsSmokePasses() throws Exception {
        ToolResult r = tools.run(target.socket(), Duration.ofSeconds(45),
                Map.of("PYTHONPATH", tools.pythonPath().toString()),
                "python3", tools.script("pyxs-smoke.py").toString(), target.socket().toString());
        assertTrue(r.ok(), () -> "pyxs-smoke.py failed against " + target + r.describe());
        List<String> failed = r.stdoutLines().stream().filter(l -> l.startsWith("FAIL")).toList();
        assertTrue(failed.isEmpty(), () -> "pyxs-smoke.py checks failed: " + failed + r.describe());
        long passed = r.stdoutLines().stream().filter(l -> l.startsWith("PASS")).count();
        assertTrue(passed > 0, () -> "pyxs-smoke.py reported no PASS line" + r.describe());
        assertTrue(r.stdout().contains(" checks, 0 failed"), () -> "no summary line" + r.describe());
    }
}
