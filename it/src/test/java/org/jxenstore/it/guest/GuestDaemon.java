package org.jxenstore.it.guest;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jxenstore.it.peers.PeerTools;
import org.jxenstore.it.peers.RunningTool;
import org.jxenstore.it.peers.ToolResult;

/**
 * A xenstore daemon under the fake-hypervisor shim ({@code <shared>/peers/start-peer.sh}), so that
 * simulated guests ({@code xsguest.py}) can talk to it over real shared-memory rings and datagram
 * event channels.
 *
 * <p>System property {@code jxs.guest.daemon} selects it:
 *
 * <ul>
 *   <li>{@code jxenstored} (default): {@code start-peer.sh exec DIR -- <repo>/bin/jxenstored
 *       --no-fork}, i.e. without {@code -D}: jxenstored then initialises dom0 and the guest rings
 *       through the shim's Xen libraries;
 *   <li>{@code c}: Debian's C xenstored 4.17, the reference ({@code start-peer.sh c DIR}).
 * </ul>
 *
 * <p>Each instance lives in a fresh short folder under /tmp (socket and datagram socket paths must
 * stay short), is stopped with {@code stop-peer.sh} (which kills exactly the recorded pid) and the
 * folder is deleted.
 */
public final class GuestDaemon implements AutoCloseable {
    public static final String PROPERTY = "jxs.guest.daemon";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);

    /** Which daemon runs under the shim. */
    public enum Kind {
        C, JXENSTORED
    }

    private final PeerTools tools;
    private final Kind kind;
    private final Path dir;
    private long pid;

    private GuestDaemon(PeerTools tools, Kind kind, Path dir, long pid) {
        this.tools = tools;
        this.kind = kind;
        this.dir = dir;
        this.pid = pid;
    }

    /** The daemon selected by {@value #PROPERTY}. */
    public static Kind configuredKind() {
        String v = System.getProperty(PROPERTY, "jxenstored").trim();
        return switch (v) {
            case "c", "C" -> Kind.C;
            case "jxenstored", "" -> Kind.JXENSTORED;
            default -> throw new AssertionError("-D" + PROPERTY + "=" + v + ": expected c or jxenstored");
        };
    }

    /**
     * Starts the configured daemon in a fresh folder under /tmp; fails with its log if it does
     * not come up. {@code jxenstoredArgs} are added to jxenstored's command line (not C's).
     */
    public static GuestDaemon start(List<String> jxenstoredArgs) throws IOException, InterruptedException {
        return start(configuredKind(), jxenstoredArgs);
    }

    /** Starts a daemon of the given kind, as {@link #start(List)} does. */
    public static GuestDaemon start(Kind kind, List<String> jxenstoredArgs) throws IOException, InterruptedException {
        PeerTools tools = PeerTools.get();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jxg-");
        List<String> cmd = new ArrayList<>();
        cmd.add(tools.script("start-peer.sh").toString());
        if (kind == Kind.C) {
            cmd.add("c");
            cmd.add(dir.toString());
        } else {
            cmd.addAll(List.of("exec", dir.toString(), "--", repoRoot().resolve("bin/jxenstored").toString(),
                    "--no-fork"));
            cmd.addAll(jxenstoredArgs);
        }
        ToolResult r = tools.run(null, Duration.ofSeconds(360), Map.of(), cmd.toArray(String[]::new));
        Path pidFile = dir.resolve("pid");
        if (!r.ok() || !Files.isRegularFile(pidFile)) {
            String log = tail(dir.resolve("daemon.log"));
            if (Files.isRegularFile(pidFile)) {
                tools.run(null, Duration.ofSeconds(20), Map.of(), tools.script("stop-peer.sh").toString(),
                        dir.toString());
            }
            deleteTree(dir);
            throw new AssertionError("the " + kind + " daemon did not start under the shim in " + dir
                    + r.describe() + "\n--- daemon.log (tail) ---\n" + log);
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return new GuestDaemon(tools, kind, dir, pid);
    }

    /**
     * The environment under which a jxenstored started by other means than start-peer.sh (a
     * restart in place, an init script) runs in {@code dir} as start-peer.sh would run it: its
     * socket in {@code dir}, the shim, guest rings in {@code dir}, every domid a live domain.
     * Writes the shim's domain list if there is none yet.
     */
    public static Map<String, String> shimEnvironment(PeerTools tools, Path dir) throws IOException {
        Path domains = dir.resolve("domains");
        if (!Files.exists(domains)) {
            Files.writeString(domains, "0-32751\n");
        }
        return Map.of("XENSTORED_RUNDIR", dir.toString(),
                "LD_PRELOAD", tools.cache().resolve("build/xenshim.so").toString(),
                "XSHIM_RING_DIR", dir.toString(), "XSHIM_DOMAINS_FILE", domains.toString());
    }

    /**
     * A jxenstored that serves in {@code dir} under {@link #shimEnvironment}, started by the
     * caller; {@link #close} stops it as it stops the others.
     */
    public static GuestDaemon adopt(Path dir, long pid) throws IOException {
        Files.writeString(dir.resolve("pid"), pid + "\n");
        return new GuestDaemon(PeerTools.get(), Kind.JXENSTORED, dir, pid);
    }

    /** The repository's root: system property {@code jxs.repo}, else the first parent of the working directory with bin/jxenstored. */
    public static Path repoRoot() {
        String configured = System.getProperty("jxs.repo");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/jxenstored")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("bin/jxenstored not found above " + Path.of("").toAbsolutePath()
                + "; set -Djxs.repo=DIR");
    }

    public Kind kind() {
        return kind;
    }

    public boolean isC() {
        return kind == Kind.C;
    }

    public Path dir() {
        return dir;
    }

    public Path socket() {
        return dir.resolve("socket");
    }

    public PeerTools tools() {
        return tools;
    }

    /** Whether the daemon process still runs (not gone, not a zombie). */
    public boolean alive() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String afterComm = stat.substring(stat.lastIndexOf(')') + 2);
            return !afterComm.startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    public long pid() {
        return pid;
    }

    /**
     * Kills the daemon with SIGKILL, at whatever it is doing, and starts the same jxenstored
     * command again in the same folder, with the environment start-peer.sh gives it. The guests'
     * ring pages and event sockets stay as they are (start-peer.sh would remove them). {@code -P}
     * is added so that the daemon's first line says it serves; its log goes on in daemon.log.
     */
    public void killAndRestart(List<String> jxenstoredArgs) throws IOException, InterruptedException {
        if (kind != Kind.JXENSTORED) {
            throw new IllegalStateException("only jxenstored is restarted in place");
        }
        // A connection of our own ends when the kernel closes the killed process's descriptors,
        // which is also when its locks are released (it may stay a zombie: PID 1 need not reap it).
        try (SocketChannel watch = SocketChannel.open(UnixDomainSocketAddress.of(socket()));
                Selector selector = Selector.open()) {
            watch.configureBlocking(false);
            watch.register(selector, SelectionKey.OP_READ);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            if (selector.select(Duration.ofSeconds(30).toMillis()) == 0 || readEnd(watch) >= 0) {
                throw new AssertionError("pid " + pid + " survived SIGKILL for 30 s");
            }
        }
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exec setsid \"$@\" 2>>\"$0\"",
                dir.resolve("daemon.log").toString(), repoRoot().resolve("bin/jxenstored").toString(), "--no-fork",
                "-P"));
        cmd.addAll(jxenstoredArgs);
        RunningTool daemon = tools.start(null, shimEnvironment(tools, dir), cmd);
        String first = daemon.nextLine(Duration.ofSeconds(120));
        pid = Long.parseLong(first.trim());
        Files.writeString(dir.resolve("pid"), pid + "\n");
    }

    /** -1 when the peer is gone (end of stream or a reset connection). */
    private static int readEnd(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(16));
        } catch (IOException e) {
            return -1;
        }
    }

    /** The last lines of daemon.log, for assertion messages. */
    public String logTail() {
        return tail(dir.resolve("daemon.log"));
    }

    /** A Debian xenstore-* tool (dom0, over the socket). */
    public ToolResult xs(String tool, String... args) throws IOException, InterruptedException {
        return tools.xs(socket(), tool, args);
    }

    /** {@code python3 xsguest.py --dir DIR --domid N ARGS...} (the CLI of the shared guest simulator). */
    public ToolResult xsguest(int domid, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", "-B", tools.script("xsguest.py").toString(),
                "--dir", dir.toString(), "--domid", Integer.toString(domid)));
        cmd.addAll(List.of(args));
        return tools.run(null, Duration.ofSeconds(30), Map.of(), cmd.toArray(String[]::new));
    }

    /**
     * Starts {@code it/src/test/resources/guest/SCRIPT} for one scenario in the background, for a
     * test that acts on the daemon while the script runs.
     */
    public RunningTool startScript(String script, String scenario) throws IOException {
        return tools.start(null, Map.of("PYTHONDONTWRITEBYTECODE", "1"), List.of("python3", "-B",
                resource(script).toString(), tools.shared().toString(), dir.toString(), scenario));
    }

    /** Waits for {@code tool} to print the line {@code wanted}, skipping the lines before it. */
    public static void awaitLine(RunningTool tool, String wanted, Duration timeout) throws InterruptedException {
        while (!tool.nextLine(timeout).equals(wanted)) {
            // earlier lines (STEP, ACK) are not what this wait is for
        }
    }

    /**
     * Runs {@code it/src/test/resources/guest/SCRIPT} (copied to the test classpath) for one
     * scenario and parses its {@code STEP name result} lines.
     */
    public Steps script(String script, String scenario) throws IOException, InterruptedException {
        Path file = resource(script);
        ToolResult r = tools.run(null, SCRIPT_TIMEOUT, Map.of("PYTHONDONTWRITEBYTECODE", "1"), "python3", "-B",
                file.toString(), tools.shared().toString(), dir.toString(), scenario);
        return Steps.of(this, script + " " + scenario, r);
    }

    static Path resource(String name) {
        URL url = GuestDaemon.class.getResource("/guest/" + name);
        if (url == null) {
            throw new AssertionError("test resource guest/" + name + " is not on the classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return kind + " daemon (pid " + pid + ", " + dir + ")";
    }

    /** Stops the daemon (stop-peer.sh) and deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            tools.run(null, Duration.ofSeconds(30), Map.of(), tools.script("stop-peer.sh").toString(),
                    dir.toString());
        } finally {
            deleteTree(dir);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + log + ": " + e + ")";
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover folder under /tmp is harmless
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
