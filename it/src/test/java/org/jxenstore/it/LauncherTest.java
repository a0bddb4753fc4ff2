package org.jxenstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/jxenstored} run as a user runs it: as a subprocess, with C xenstored's options and
 * environment.
 */
class LauncherTest {
    /** Room for the launcher to build the daemon first, if the jar is older than the sources. */
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    private static final int XS_READ = 2;

    // Surefire runs each module's tests in the module's folder.
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent()
            .resolve("bin/jxenstored");

    @TempDir
    Path dir;

    private record Exit(int status, String out, String err) {
    }

    private ProcessBuilder launcher(Path rundir, String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Only XENSTORED_RUNDIR may say where the socket goes, never the caller's environment.
        builder.environment().remove("XENSTORED_PATH");
        builder.environment().remove("JXENSTORED_LOG");
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().put("XENSTORED_RUNDIR", rundir.toString());
        // Files, not pipes: a detached daemon keeps what it inherits open after the launcher exits.
        return builder.redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
    }

    private Exit run(Path rundir, String... args) throws IOException, InterruptedException {
        Process process = launcher(rundir, args).start();
        assertTrue(process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the launcher returns");
        return new Exit(process.exitValue(), Files.readString(dir.resolve("out")),
                Files.readString(dir.resolve("err")));
    }

    private static String[] inForeground(boolean foreground, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (foreground) {
            all.addFirst("--no-fork");
        }
        return all.toArray(String[]::new);
    }

    @Test
    void minusHPrintsTheHelpAndSucceeds() throws Exception {
        Exit exit = run(dir.resolve("run"), "-H");
        assertEquals(0, exit.status(), exit.err());
        assertTrue(exit.out().startsWith("Usage: jxenstored"), exit.out());
        assertTrue(exit.out().contains("--entry-nb"), exit.out());
        assertEquals("", exit.err());
    }

    @ParameterizedTest(name = "foreground: {0}")
    @ValueSource(booleans = {true, false})
    void anUnknownQuotaIsOneLineAndAFailure(boolean foreground) throws Exception {
        Exit exit = run(dir.resolve("run"), inForeground(foreground, "-D", "-Q", "bogus=1"));
        assertNotEquals(0, exit.status());
        assertEquals(1, exit.err().lines().count(), exit.err());
        assertTrue(exit.err().contains("bogus"), exit.err());
    }

    @ParameterizedTest(name = "foreground: {0}")
    @ValueSource(booleans = {true, false})
    void aSocketThatCannotBeBoundIsOneLineAndAFailure(boolean foreground) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "not a directory");
        Exit exit = run(file.resolve("run"), inForeground(foreground, "-D"));
        assertNotEquals(0, exit.status());
        assertEquals(1, exit.err().lines().count(), exit.err());
        assertTrue(exit.err().startsWith("jxenstored: "), exit.err());
    }

    @Test
    void inTheForegroundItServesUntilSigterm() throws Exception {
        Path socket = dir.resolve("run/socket");
        // -P: the daemon prints its pid once it listens. The socket file alone is no such sign,
        // since it appears at bind(), before listen().
        Process daemon = launcher(socket.getParent(), "--no-fork", "-D", "-P")
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        try {
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(
                    () -> daemon.inputReader().lines().findFirst().orElse("(none: it exited)"));
            assertEquals(String.valueOf(daemon.pid()),
                    firstLine.get(DEADLINE.toSeconds(), TimeUnit.SECONDS),
                    "the launcher exec'd the JVM, so the daemon's pid is the launcher's");
            assertEquals(XS_READ, replyTypeToReadOfRoot(socket));
        } finally {
            daemon.destroy();
        }
        assertTrue(daemon.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "SIGTERM stops it");
        assertFalse(Files.exists(socket), "the socket is removed");
    }

    @Test
    void aSighupReopensTheTraceFileAndTheDaemonGoesOnEvenIfItInheritedSighupIgnored() throws Exception {
        Path socket = dir.resolve("run/socket");
        Path trace = dir.resolve("trace");
        ProcessBuilder builder = launcher(socket.getParent(), "--no-fork", "-D", "-P", "-T", trace.toString())
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE);
        // nohup execs the launcher with SIGHUP ignored, which the JVM would keep ignored.
        builder.command().addFirst("nohup");
        Process daemon = builder.start();
        try {
            BufferedReader out = daemon.inputReader();
            BufferedReader err = daemon.errorReader();
            assertEquals(String.valueOf(daemon.pid()), out.readLine(), "the pid, once it listens");
            assertEquals(XS_READ, replyTypeToReadOfRoot(socket));
            Path rotated = dir.resolve("trace.1");
            Files.move(trace, rotated);
            Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.pid())).start();
            assertEquals(0, kill.waitFor());
            CompletableFuture<Boolean> noted = CompletableFuture.supplyAsync(
                    () -> err.lines().anyMatch(l -> l.contains("SIGHUP: reopening the trace file")));
            assertTrue(noted.get(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the daemon log notes the SIGHUP");
            assertEquals(XS_READ, replyTypeToReadOfRoot(socket), "it still serves");
            assertTrue(Files.exists(trace), "the trace file is there again");
            assertTrue(daemon.isAlive());
        } finally {
            daemon.destroy();
        }
        assertTrue(daemon.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "SIGTERM stops it");
    }

    @Test
    void withoutNoForkItDetachesAndWritesThePidFile() throws Exception {
        Path rundir = dir.resolve("run");
        Path pidFile = dir.resolve("xenstored.pid");
        ProcessHandle daemon = startDetached(rundir, pidFile);
        try {
            assertTrue(daemon.isAlive());
            assertEquals(XS_READ, replyTypeToReadOfRoot(rundir.resolve("socket")));
        } finally {
            daemon.destroy();
        }
        daemon.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertFalse(Files.exists(rundir.resolve("socket")), "the socket is removed");
        assertFalse(Files.exists(pidFile), "the pid file is removed");
    }

    /**
     * logrotate moves a detached daemon's log file away and sends SIGHUP: the daemon log goes on
     * in a new file of the same name.
     */
    @Test
    void aSighupReopensADetachedDaemonsLogFile() throws Exception {
        Path rundir = dir.resolve("run");
        ProcessHandle daemon = startDetached(rundir, dir.resolve("xenstored.pid"));
        try {
            Path logFile = rundir.resolve("jxenstored.log");
            Path rotated = rundir.resolve("jxenstored.log.1");
            Files.move(logFile, rotated);
            try (WatchService changes = rundir.getFileSystem().newWatchService()) {
                rundir.register(changes, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.pid())).start();
                assertEquals(0, kill.waitFor());
                // The line the daemon writes after reopening is the event waited for.
                while (!(Files.exists(logFile)
                        && Files.readString(logFile).contains("SIGHUP: reopening the trace file"))) {
                    WatchKey key = changes.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    assertNotNull(key, "a new log file with the SIGHUP's line");
                    key.pollEvents();
                    key.reset();
                }
            }
            assertFalse(Files.readString(rotated).contains("SIGHUP"), "nothing more in the moved file");
            assertEquals(XS_READ, replyTypeToReadOfRoot(rundir.resolve("socket")), "it still serves");
        } finally {
            daemon.destroy();
        }
        daemon.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * As C xenstored once it forks, a detached daemon logs to syslog too, as "jxenstored",
     * facility daemon: its start line at info is {@code <30>} (3 * 8 + 6). The '%' in the socket's
     * name comes through as it is: the line is never a format.
     */
    @Test
    void aDetachedDaemonLogsItsStartToSyslogToo() throws Exception {
        Path rundir = dir.resolve("run-100%s%n");
        try (SyslogReceiver syslog = SyslogReceiver.atDevLog()) {
            ProcessHandle daemon = startDetached(rundir, dir.resolve("xenstored.pid"));
            try {
                String start = "jxenstored[" + daemon.pid() + "]: serving " + rundir.resolve("socket")
                        + " (socket only)";
                // Sent before the daemon said it serves: only the receiver's reading is waited for.
                String line = syslog.awaitLine(l -> l.endsWith(start), Duration.ofSeconds(30));
                assertTrue(line.startsWith("<30>"), line);
            } finally {
                daemon.destroy();
            }
            daemon.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondStartForTheSameRunDirectoryChangesNothingAndSucceeds() throws Exception {
        Path rundir = dir.resolve("run");
        Path pidFile = dir.resolve("xenstored.pid");
        ProcessHandle daemon = startDetached(rundir, pidFile);
        String pid = String.valueOf(daemon.pid());
        FileTime written = Files.getLastModifiedTime(pidFile);
        try {
            Exit second = run(rundir, "-D", "-F", pidFile.toString());
            assertEquals(0, second.status(), second.err());
            assertEquals("jxenstored: already running on " + rundir.resolve("socket") + " (pid " + pid
                    + "); nothing to do\n", second.err());
            assertEquals(pid + "\n", Files.readString(pidFile), "the pid file is not rewritten");
            assertEquals(written, Files.getLastModifiedTime(pidFile));
            assertEquals(XS_READ, replyTypeToReadOfRoot(rundir.resolve("socket")), "the first daemon serves");
            assertEquals(List.of(daemon.pid()), daemonsOf(rundir), "no second daemon");
        } finally {
            daemon.destroy();
        }
        daemon.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aDaemonKilledWithSigkillDoesNotBlockTheNextStart() throws Exception {
        Path rundir = dir.resolve("run");
        Path pidFile = dir.resolve("xenstored.pid");
        ProcessHandle killed = startDetached(rundir, pidFile);
        assertEquals(0, new ProcessBuilder("kill", "-KILL", String.valueOf(killed.pid())).start().waitFor());
        killed.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        ProcessHandle daemon = startDetached(rundir, pidFile);
        try {
            assertNotEquals(killed.pid(), daemon.pid());
            assertEquals(XS_READ, replyTypeToReadOfRoot(rundir.resolve("socket")));
        } finally {
            daemon.destroy();
        }
        daemon.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Starts a detached daemon with {@code -D -F pidFile}; it must succeed. Returns the daemon named in the pid file. */
    private ProcessHandle startDetached(Path rundir, Path pidFile) throws IOException, InterruptedException {
        Exit exit = run(rundir, "-D", "-F", pidFile.toString());
        assertEquals(0, exit.status(), exit.err());
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
    }

    /** The processes started for {@code rundir}: those whose environment names it as XENSTORED_RUNDIR. */
    private static List<Long> daemonsOf(Path rundir) throws IOException {
        byte[] wanted = ("XENSTORED_RUNDIR=" + rundir + "\0").getBytes(StandardCharsets.UTF_8);
        List<Long> pids = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(q -> q.getFileName().toString().matches("[0-9]+")).toList()) {
                byte[] env;
                try {
                    env = Files.readAllBytes(p.resolve("environ"));
                } catch (IOException e) {
                    continue; // gone, or not ours to read
                }
                if (indexOf(env, wanted) >= 0) {
                    pids.add(Long.parseLong(p.getFileName().toString()));
                }
            }
        }
        return pids;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Sends {@code READ "/"} (xsd_sockmsg: type, req_id, tx_id, len, little-endian) and returns
     * the type of the reply.
     */
    private static int replyTypeToReadOfRoot(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] path = "/\0".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer request = ByteBuffer.allocate(16 + path.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(XS_READ).putInt(1).putInt(0).putInt(path.length).put(path).flip();
            while (request.hasRemaining()) {
                channel.write(request);
            }
            ByteBuffer reply = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            while (reply.hasRemaining()) {
                if (channel.read(reply) < 0) {
                    throw new IOException("connection closed before a whole reply header");
                }
            }
            return reply.getInt(0);
        }
    }
}
