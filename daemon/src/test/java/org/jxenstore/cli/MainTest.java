package org.jxenstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jxenstore.control.LiveUpdateSupport;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.migration.MigrationRecord;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.migration.TreeImage;
import org.jxenstore.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code jxenstored} answers before it serves: help, usage errors, refusals. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void minusHPrintsTheHelpOnStandardOutputAndSucceeds() {
        assertEquals(0, run(Map.of(), "-H"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.startsWith("Usage: jxenstored [OPTIONS]"), help);
        assertTrue(help.contains("--no-domain-init"));
        assertEquals("", stderr());
    }

    @Test
    void anInvalidValueIsOneLineAndExitStatusTwo() {
        assertEquals(2, run(Map.of(), "-D", "-Q", "bogus=1"));
        assertEquals("jxenstored: --quota: unknown quota \"bogus\" (see --help)\n", stderr());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertEquals(2, run(Map.of(), "--bogus"));
        assertEquals(1, stderr().lines().count(), stderr());
    }

    @Test
    void withoutMinusDOnAMachineWithoutXenItExitsWithOneLine(@TempDir Path dir) {
        // This JVM runs without the test shim, so the real libxenevtchn finds no hypervisor.
        assertEquals(1, run(Map.of("XENSTORED_RUNDIR", dir.toString())));
        assertTrue(stderr().startsWith("jxenstored: "), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
        assertEquals(0, dir.toFile().list().length, "nothing is created");
    }

    @Test
    void liveUpdateWithoutAStateToTakeOverIsOneLineAndExitStatusOne(@TempDir Path dir) {
        assertEquals(1, run(Map.of("XENSTORED_RUNDIR", dir.toString()), "-D", "-N", "-U"));
        assertEquals("jxenstored: " + dir.resolve("state_dump") + ": no such file or directory\n", stderr());
    }

    @Test
    void aStateThatCanBeTakenOverIsConfirmed(@TempDir Path dir) throws IOException {
        Path dump = dir.resolve("state_dump");
        try (OutputStream file = Files.newOutputStream(dump)) {
            MigrationWriter w = new MigrationWriter(file);
            w.write(new MigrationRecord.GlobalData(3, -1));
            TreeImage.write(new Store(0), new DomainRegistry(new Store(0), 0, 0), w);
            w.finish();
        }
        assertEquals(0, run(Map.of("XENSTORED_RUNDIR", dir.toString()), "--check-state", dump.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith(LiveUpdateSupport.CONFIRMATION + ": " + dump),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStateThatCannotBeTakenOverIsRefusedInOneLine(@TempDir Path dir) throws IOException {
        Path dump = Files.writeString(dir.resolve("state_dump"), "not a stream");
        assertEquals(1, run(Map.of("XENSTORED_RUNDIR", dir.toString()), "--check-state", dump.toString()));
        assertTrue(stderr().startsWith("jxenstored: cannot take the state over: " + dump), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRunDirectoryThatCannotBeCreatedIsOneLineAndExitStatusOne(@TempDir Path dir)
            throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        assertEquals(1, run(Map.of("XENSTORED_RUNDIR", file.resolve("run").toString()), "-D"));
        assertEquals("jxenstored: " + file.resolve("run") + ": Not a directory\n", stderr());
    }

    @Test
    void aPidFileLockedByAnotherDaemonEndsTheStartWithSuccessAndIsKept(@TempDir Path dir) throws IOException {
        Path pid = dir.resolve("xenstored.pid");
        try (PidFile other = PidFile.claim(pid, DaemonLog.standardError())) {
            other.write(4242);
            // The lock is per process, so a second claim from this JVM must come from a child.
            ProcessBuilder start = new ProcessBuilder(javaCommand(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "-D", "-F", pid.toString())
                    .redirectErrorStream(true);
            // Should the lock ever fail to hold, the second daemon still stays out of /var/run.
            start.environment().remove("XENSTORED_PATH");
            start.environment().put("XENSTORED_RUNDIR", dir.toString());
            Process second = start.start();
            String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, waitFor(second), output);
            assertTrue(output.endsWith(pid + " is locked: another xenstored is running; nothing to do\n"), output);
            assertEquals(1, output.lines().count(), output);
            assertEquals("4242\n", Files.readString(pid));
        }
        assertTrue(Files.notExists(pid), "the owner removes it when it stops");
    }

    @Test
    void aStartForARunDirectoryAnotherDaemonHoldsSaysSoAndSucceeds(@TempDir Path dir) throws IOException {
        try (RunLock held = RunLock.tryClaim(dir)) {
            ProcessBuilder start = new ProcessBuilder(javaCommand(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "-D")
                    .redirectErrorStream(true);
            start.environment().remove("XENSTORED_PATH");
            start.environment().put("XENSTORED_RUNDIR", dir.toString());
            Files.writeString(dir.resolve("socket"), "not touched");
            Process second = start.start();
            String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, waitFor(second), output);
            assertTrue(output.endsWith("already running on " + dir.resolve("socket") + " (pid "
                    + ProcessHandle.current().pid() + "); nothing to do\n"), output);
            assertEquals(1, output.lines().count(), output);
            assertEquals("not touched", Files.readString(dir.resolve("socket")), "the socket is left alone");
        }
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
