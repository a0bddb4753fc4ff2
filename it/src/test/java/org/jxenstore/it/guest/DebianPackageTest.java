package org.jxenstore.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jxenstore.it.SyslogReceiver;
import org.jxenstore.it.peers.PeerTools;
import org.jxenstore.it.peers.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package as an administrator meets it: built with {@code ./mvnw -B -DskipTests -Pdeb
 * package} from a copy of this checkout, installed with {@code dpkg -i}, started exactly as
 * Debian's {@code /etc/init.d/xen} starts xenstored (start-stop-daemon and choom) under the
 * fake-hypervisor shim, stopped with {@code start-stop-daemon --stop} and removed with
 * {@code dpkg -r}. The steps share one installation and one daemon, in order. Needs root, for
 * dpkg; whatever a failed step leaves is stopped and purged at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageTest {
    private static final Duration BUILD = Duration.ofMinutes(15);
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final Path LAUNCHER = Path.of("/usr/sbin/jxenstored");
    private static final Path HOME = Path.of("/usr/lib/jxenstore");
    private static final Path LOG = Path.of("/var/log/jxenstored.log");
    private static final String JAR = HOME.resolve("jxenstored.jar").toString();
    private static final int CAP_SYS_RESOURCE = 24;

    private PeerTools tools;
    private Path work;
    private Path dir;
    private Path pidFile;
    private int metricsPort;
    private int oomScore;
    private long pid;
    private boolean installed;
    /** Where the detached daemon's log goes too; none where a real syslog owns /dev/log. */
    private SyslogReceiver syslog;

    @BeforeAll
    void needsRootAndDebiansTools() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "dpkg -i needs root");
        for (String tool : List.of("/usr/bin/dpkg", "/usr/sbin/start-stop-daemon", "/usr/bin/choom")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is needed");
        }
        tools = PeerTools.get();
        work = Files.createTempDirectory("jxs-deb-");
        dir = Files.createTempDirectory(Path.of("/tmp"), "jxd-");
        pidFile = dir.resolve("xenstore.pid");
        metricsPort = MetricsTest.freePort();
        // choom can lower a score only with CAP_SYS_RESOURCE, which CI's root may lack.
        oomScore = hasCapability(CAP_SYS_RESOURCE) ? -1000 : 500;
    }

    @Test
    @Order(1)
    void thePackageBuildsIsCalledJxenstoreNeedsNoJavaAndInstalls() throws Exception {
        Path source = work.resolve("src");
        Files.createDirectories(source);
        ToolResult copy = run(Duration.ofMinutes(2), Map.of(), "sh", "-c",
                "tar -C \"$0\" --exclude=.git --exclude=target -cf - . | tar -C \"$1\" -xf -",
                GuestDaemon.repoRoot().toString(), source.toString());
        assertTrue(copy.ok(), copy.describe());
        ToolResult build = runIn(source, BUILD, "./mvnw", "-B", "-DskipTests", "-Pdeb", "package");
        assertTrue(build.ok(), build.describe());
        List<Path> debs;
        try (Stream<Path> files = Files.list(source.resolve("packaging/deb/target"))) {
            debs = files.filter(p -> p.getFileName().toString().matches("jxenstore_.+_amd64\\.deb")).toList();
        }
        assertEquals(1, debs.size(), "one package: " + debs);
        Path deb = debs.getFirst();

        ToolResult fields = run(STEP, Map.of(), "dpkg-deb", "-f", deb.toString(), "Package", "Depends");
        assertTrue(fields.ok(), fields.describe());
        assertTrue(fields.stdout().contains("Package: jxenstore\n"), fields.stdout());
        assertFalse(Pattern.compile("(?i)java|jre|jdk").matcher(fields.stdout()).find(),
                "depends on no Java package: " + fields.stdout());

        ToolResult install = run(STEP, Map.of(), "dpkg", "-i", deb.toString());
        installed = true;
        assertTrue(install.ok(), install.describe());
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is installed");
        for (String file : List.of("/usr/lib/jxenstore/runtime/bin/java", "/usr/lib/jxenstore/jxenstored.aot",
                "/usr/share/man/man8/jxenstored.8.gz", "/lib/systemd/system/jxenstored.service",
                "/etc/logrotate.d/jxenstored", "/usr/share/doc/jxenstore/README.Debian")) {
            assertTrue(Files.exists(Path.of(file)), file + " is installed");
        }
    }

    @Test
    @Order(2)
    void startedAsDebiansInitScriptDoesItServesUnderItsOwnPidWithTheOomScore() throws Exception {
        assertTrue(installed, "installed in the first step");
        syslog = SyslogReceiver.atDevLogIfFree().orElse(null);
        ToolResult start = initScriptStart();
        assertTrue(start.ok(), start.describe());
        ToolResult read = tools.xs(dir.resolve("socket"), "xenstore-read", "-s", "/");
        assertTrue(read.ok(), "xenstore-read -s / answers, as the init script polls it" + read.describe());

        pid = Long.parseLong(Files.readString(pidFile).trim());
        assertEquals(HOME.resolve("runtime/bin/java"), Path.of("/proc/" + pid + "/exe").toRealPath(),
                "the pid file names the packaged JVM");
        assertTrue(holdsSocket(pid, dir.resolve("socket")), "the pid file's process serves the socket");
        // The JVM keeps the cache mapped only if it accepted it (the jar's time among others).
        assertTrue(Files.readString(Path.of("/proc/" + pid + "/maps")).contains(HOME.resolve("jxenstored.aot").toString()),
                "the packaged AOT cache is in use");
        assertEquals(String.valueOf(oomScore), Files.readString(Path.of("/proc/" + pid + "/oom_score_adj")).trim(),
                "choom's score stays with the JVM");
        if (syslog != null) {
            syslog.awaitLine(l -> l.contains("jxenstored[" + pid + "]: serving " + dir.resolve("socket")), STEP);
        }
    }

    @Test
    @Order(3)
    void aSecondIdenticalStartExitsZeroAndChangesNothing() throws Exception {
        assertTrue(pid > 0, "a daemon from the previous step");
        FileTime pidWritten = Files.getLastModifiedTime(pidFile);
        Object socketInode = Files.getAttribute(dir.resolve("socket"), "unix:ino");

        ToolResult again = initScriptStart();
        assertTrue(again.ok(), again.describe());
        assertEquals(1, (again.stdout() + again.stderr()).lines().count(), "one line:" + again.describe());
        assertEquals(pid + "\n", Files.readString(pidFile), "the pid file is not rewritten");
        assertEquals(pidWritten, Files.getLastModifiedTime(pidFile));
        assertEquals(socketInode, Files.getAttribute(dir.resolve("socket"), "unix:ino"), "the socket is the same");
        assertEquals(List.of(pid), packagedDaemons(), "the only daemon");
        assertTrue(tools.xs(dir.resolve("socket"), "xenstore-read", "-s", "/").ok(), "it still serves");
    }

    @Test
    @Order(4)
    void aSighupAfterTheTraceFileIsRenamedMakesTheNextRequestWriteANewOne() throws Exception {
        assertTrue(pid > 0, "a daemon from the previous step");
        Path trace = dir.resolve("trace");
        Path rotated = dir.resolve("trace.1");
        Files.move(trace, rotated);
        awaitLogLine("SIGHUP: reopening the trace file", () -> signal("HUP"));
        ToolResult write = tools.xs(dir.resolve("socket"), "xenstore-write", "/after-rotation", "1");
        assertTrue(write.ok(), write.describe());
        assertTrue(Files.readString(trace).contains("/after-rotation"), "the request is in a new trace file");
        assertFalse(Files.readString(rotated).contains("/after-rotation"), "and not in the renamed one");
    }

    @Test
    @Order(5)
    void aGuestsQuotaRefusalIsCountedForItsDomidLoggedAndEveryMetricIsServed() throws Exception {
        assertTrue(pid > 0, "a daemon from the previous step");
        GuestDaemon daemon = GuestDaemon.adopt(dir, pid);
        awaitLogLine("dom7 reached its transactions quota",
                () -> daemon.script("metrics.py", "quota").assertCompleted().expect("refusal", "ENOSPC"));
        String text = MetricsTest.scrape(metricsPort);
        for (String name : MetricsTest.METRICS) {
            assertTrue(Pattern.compile("^" + name + "(_bucket|_count|_sum)?(\\{|\\s)", Pattern.MULTILINE)
                    .matcher(text).find(), name + " is served:\n" + text);
        }
        Matcher refusals = Pattern.compile(
                "^jxenstored_quota_rejections_total\\{domid=\"7\",quota=\"transactions\"\\} (\\S+)", Pattern.MULTILINE)
                .matcher(text);
        assertTrue(refusals.find() && Double.parseDouble(refusals.group(1)) > 0, "dom7's refusal is counted:\n" + text);
        if (syslog != null) {
            syslog.awaitLine(l -> l.contains("jxenstored[" + pid + "]: dom7 reached its transactions quota"), STEP);
        }
    }

    @Test
    @Order(6)
    void startStopDaemonStopEndsItAndDpkgRemovesThePackage() throws Exception {
        assertTrue(pid > 0, "a daemon from the previous step");
        ToolResult stop = run(STEP, Map.of(), "start-stop-daemon", "--stop", "--quiet", "--retry=TERM/30/KILL/5",
                "--pidfile", pidFile.toString());
        assertTrue(stop.ok(), stop.describe());
        assertTrue(ProcessHandle.of(pid).isEmpty(), "the daemon is gone");
        assertFalse(Files.exists(dir.resolve("socket")), "it removed its socket, as a clean exit does");
        pid = 0;

        ToolResult remove = run(STEP, Map.of(), "dpkg", "-r", "jxenstore");
        assertTrue(remove.ok(), remove.describe());
        installed = false;
        assertFalse(Files.exists(LAUNCHER), LAUNCHER + " is removed");
        assertFalse(Files.exists(HOME), HOME + " is removed, runtime and cache too");
    }

    @AfterAll
    void stopAndPurge() throws Exception {
        if (tools == null) {
            return;
        }
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (syslog != null) {
            syslog.close();
        }
        run(STEP, Map.of(), "dpkg", "-P", "jxenstore");
        GuestDaemon.deleteTree(dir);
        GuestDaemon.deleteTree(work);
    }

    /** /etc/init.d/xen's xenstored_start, with -T and --metrics in XENSTORED_ARGS. */
    private ToolResult initScriptStart() throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(GuestDaemon.shimEnvironment(tools, dir));
        env.put("XENSTORED_ROOTDIR", dir.toString());
        return run(STEP, env, "start-stop-daemon", "--start", "--quiet", "--pidfile", pidFile.toString(),
                "--exec", "/usr/bin/choom", "--", "-n", String.valueOf(oomScore), LAUNCHER.toString(), "--",
                "-T", dir.resolve("trace").toString(), "--metrics", "127.0.0.1:" + metricsPort,
                "--pid-file", pidFile.toString());
    }

    private ToolResult run(Duration timeout, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        return tools.run(null, timeout, env, command);
    }

    private ToolResult runIn(Path folder, Duration timeout, String... command) throws IOException, InterruptedException {
        List<String> inFolder = new ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", folder.toString()));
        inFolder.addAll(List.of(command));
        return run(timeout, Map.of(), inFolder.toArray(String[]::new));
    }

    private void signal(String name) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start().waitFor());
    }

    /** What a test does before it waits for the log. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code action}, then waits for the daemon log file to hold {@code line} past where it
     * ended before (the file is appended to across starts).
     */
    private static void awaitLogLine(String line, Step action) throws Exception {
        try (WatchService changes = LOG.getFileSystem().newWatchService()) {
            LOG.getParent().register(changes, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            long before = Files.size(LOG);
            action.run();
            while (!logSince(before).contains(line)) {
                WatchKey key = changes.poll(STEP.toSeconds(), TimeUnit.SECONDS);
                assertNotNull(key, LOG + " gets the line " + line);
                key.pollEvents();
                key.reset();
            }
        }
    }

    private static String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(LOG);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code pid} has the listening socket bound at {@code path} among its descriptors.
     * The server's end of each accepted connection carries the path too; the listening socket is
     * the one with __SO_ACCEPTCON (00010000) in its flags.
     */
    private static boolean holdsSocket(long pid, Path path) throws IOException {
        String inode = null;
        for (String entry : Files.readAllLines(Path.of("/proc/net/unix"))) {
            String[] f = entry.trim().split("\\s+");
            if (f.length >= 8 && f[7].equals(path.toString()) && f[3].equals("00010000")) {
                inode = f[6];
            }
        }
        assertNotNull(inode, path + " is listened on, in /proc/net/unix");
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            String wanted = "socket:[" + inode + "]";
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(wanted);
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    /** The processes that run the packaged daemon's jar. */
    private static List<Long> packagedDaemons() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(JAR);
                } catch (IOException e) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
        }
    }

    private static boolean hasCapability(int bit) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> bit & 1) == 1;
            }
        }
        return false;
    }
}
