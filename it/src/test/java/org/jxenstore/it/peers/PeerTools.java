package org.jxenstore.it.peers;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference peers' tools (Debian's xenstore-utils, Xen's test-xenstore, pyxs, the C
 * xenstored) and the shared scripts around them ({@code <shared>/peers/*.sh}, {@code *.py}).
 *
 * <p>Locations:
 *
 * <ul>
 *   <li>shared folder: system property {@code jxs.shared}, else env {@code JXS_SHARED}, else
 *       {@code ../../shared} relative to the working directory (the {@code it} module), else
 *       {@code ../shared} (working directory = repository root);
 *   <li>peers cache: system property {@code jxs.peers.cache}, else env {@code XS_PEERS_CACHE}, else
 *       {@code /var/tmp/xs-peers}.
 * </ul>
 *
 * <p>If anything is missing from the cache, {@code fetch-peers.sh} (and {@code build.sh}) run once
 * per JVM. If the tools still cannot be had, every use fails with a message naming what is
 * missing: these tests never skip.
 */
public final class PeerTools {
    /** Timeout for one quick CLI tool invocation. */
    public static final Duration TOOL_TIMEOUT = Duration.ofSeconds(20);

    static final List<String> CLI_TOOLS = List.of("xenstore-read", "xenstore-write", "xenstore-exists",
            "xenstore-list", "xenstore-ls", "xenstore-chmod", "xenstore-rm", "xenstore-watch");
    private static final List<String> SHARED_SCRIPTS = List.of("fetch-peers.sh", "build.sh",
            "verify-peer.sh", "pyxs-smoke.py", "xsprobe.py", "start-peer.sh", "stop-peer.sh");
    private static final List<String> ROOT_FILES;

    static {
        List<String> f = new ArrayList<>();
        for (String t : CLI_TOOLS) {
            f.add("root/usr/bin/" + t);
        }
        f.add("root/usr/lib/xen-4.17/bin/test-xenstore");
        f.add("root/usr/lib/xen-4.17/bin/xenstored");
        f.add("root/usr/lib/x86_64-linux-gnu/libxenstore.so.4");
        f.add("root/usr/lib/python3/dist-packages/pyxs/client.py");
        ROOT_FILES = List.copyOf(f);
    }

    private static final String BUILD_FILE = "build/xenshim.so";

    private static PeerTools instance;
    private static String failure;

    private final Path shared;
    private final Path cache;

    private PeerTools(Path shared, Path cache) {
        this.shared = shared;
        this.cache = cache;
    }

    /**
     * The tools, fetched and built if needed (once per JVM).
     *
     * @throws AssertionError naming what is missing if they cannot be had
     */
    public static synchronized PeerTools get() {
        if (instance != null) {
            return instance;
        }
        if (failure == null) {
            try {
                instance = locateAndPrepare();
                return instance;
            } catch (Exception e) {
                failure = "preparing the peers failed: " + e;
            } catch (AssertionError e) {
                failure = e.getMessage();
            }
        }
        throw new AssertionError(failure);
    }

    private static PeerTools locateAndPrepare() throws IOException, InterruptedException {
        Path shared = locateShared();
        Path cache = Path.of(firstNonEmpty(System.getProperty("jxs.peers.cache"),
                System.getenv("XS_PEERS_CACHE"), "/var/tmp/xs-peers")).toAbsolutePath().normalize();
        PeerTools tools = new PeerTools(shared, cache);

        List<String> missing = tools.missing(ROOT_FILES);
        if (!missing.isEmpty()) {
            System.err.println("[peers] missing in " + cache + ": " + missing + " -> running fetch-peers.sh");
            ToolResult r = tools.run(null, Duration.ofMinutes(15), Map.of(),
                    tools.script("fetch-peers.sh").toString(), cache.toString());
            missing = tools.missing(ROOT_FILES);
            if (!missing.isEmpty()) {
                throw new AssertionError("the reference peers' tools are missing from the cache " + cache
                        + ": " + missing + "; " + tools.script("fetch-peers.sh")
                        + " could not provide them (it needs apt access to Debian bookworm):" + r.describe());
            }
        }
        if (!tools.missing(List.of(BUILD_FILE)).isEmpty()) {
            System.err.println("[peers] missing " + cache.resolve(BUILD_FILE) + " -> running build.sh");
            ToolResult r = tools.run(null, Duration.ofMinutes(5), Map.of(),
                    tools.script("build.sh").toString(), cache.toString());
            if (!tools.missing(List.of(BUILD_FILE)).isEmpty()) {
                throw new AssertionError("the shim " + cache.resolve(BUILD_FILE) + " is missing and "
                        + tools.script("build.sh") + " could not build it (it needs gcc and libc6-dev):"
                        + r.describe());
            }
        }
        ToolResult py;
        try {
            py = tools.run(null, TOOL_TIMEOUT, Map.of(), "python3", "--version");
        } catch (IOException e) {
            throw new AssertionError("python3 is needed (pyxs-smoke.py, xsprobe.py) but cannot be run: " + e);
        }
        if (!py.ok()) {
            throw new AssertionError("python3 is needed (pyxs-smoke.py, xsprobe.py) but does not work:"
                    + py.describe());
        }
        return tools;
    }

    private static Path locateShared() {
        String configured = firstNonEmpty(System.getProperty("jxs.shared"), System.getenv("JXS_SHARED"), null);
        List<Path> candidates = configured != null
                ? List.of(Path.of(configured))
                : List.of(Path.of("../../shared"), Path.of("../shared"));
        List<String> tried = new ArrayList<>();
        for (Path c : candidates) {
            Path abs = c.toAbsolutePath().normalize();
            tried.add(abs.toString());
            if (Files.isDirectory(abs.resolve("peers"))) {
                List<String> missing = new ArrayList<>();
                for (String s : SHARED_SCRIPTS) {
                    if (!Files.isRegularFile(abs.resolve("peers").resolve(s))) {
                        missing.add(s);
                    }
                }
                if (!missing.isEmpty()) {
                    throw new AssertionError("the shared folder " + abs + " lacks peers/" + missing);
                }
                return abs;
            }
        }
        throw new AssertionError("the shared folder with peers/fetch-peers.sh etc. was not found; tried "
                + tried + " (working directory " + Path.of("").toAbsolutePath()
                + "); set -Djxs.shared=DIR or JXS_SHARED=DIR");
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private List<String> missing(List<String> relative) {
        List<String> m = new ArrayList<>();
        for (String f : relative) {
            if (!Files.exists(cache.resolve(f))) {
                m.add(f);
            }
        }
        return m;
    }

    public Path shared() {
        return shared;
    }

    public Path cache() {
        return cache;
    }

    /** {@code <shared>/peers/NAME}. */
    public Path script(String name) {
        return shared.resolve("peers").resolve(name);
    }

    /** A Debian xenstore-utils tool, {@code <cache>/root/usr/bin/NAME}. */
    public Path cliTool(String name) {
        return cache.resolve("root/usr/bin").resolve(name);
    }

    public Path testXenstore() {
        return cache.resolve("root/usr/lib/xen-4.17/bin/test-xenstore");
    }

    /** {@code PYTHONPATH} under which pyxs is found. */
    public Path pythonPath() {
        return cache.resolve("root/usr/lib/python3/dist-packages");
    }

    public Path libDir() {
        return cache.resolve("root/usr/lib/x86_64-linux-gnu");
    }

    /**
     * Starts a subprocess with {@code LD_LIBRARY_PATH} = Debian's Xen libraries in the cache,
     * {@code XS_PEERS_CACHE} = the cache, {@code XENSTORED_PATH} = {@code socket} (removed if
     * null), plus {@code extraEnv}; stdin is /dev/null.
     */
    public RunningTool start(Path socket, Map<String, String> extraEnv, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("LD_LIBRARY_PATH", libDir().toString());
        env.put("XS_PEERS_CACHE", cache.toString());
        env.remove("LD_PRELOAD");
        if (socket != null) {
            env.put("XENSTORED_PATH", socket.toString());
        } else {
            env.remove("XENSTORED_PATH");
        }
        env.putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return new RunningTool(command, pb.start());
    }

    /** Runs a command to completion (killed after {@code timeout}); see {@link #start}. */
    public ToolResult run(Path socket, Duration timeout, Map<String, String> extraEnv, String... command)
            throws IOException, InterruptedException {
        try (RunningTool t = start(socket, extraEnv, List.of(command))) {
            return t.await(timeout);
        }
    }

    /** Runs the xenstore-utils tool {@code name} against {@code socket}. */
    public ToolResult xs(Path socket, String name, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(cliTool(name).toString());
        cmd.addAll(List.of(args));
        return run(socket, TOOL_TIMEOUT, Map.of(), cmd.toArray(String[]::new));
    }
}
