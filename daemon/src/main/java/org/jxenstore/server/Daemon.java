package org.jxenstore.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.jxenstore.access.Caller;
import org.jxenstore.access.PermissionCheck;
import org.jxenstore.access.QuotaTable;
import org.jxenstore.control.Clients;
import org.jxenstore.control.ControlCommands;
import org.jxenstore.domain.DomainLifecycle;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.exec.RequestExecutor;
import org.jxenstore.exec.Session;
import org.jxenstore.log.AccessLog;
import org.jxenstore.store.Store;
import org.jxenstore.watch.Notifier;
import org.jxenstore.watch.WatchIndex;
import org.jxenstore.xen.Hypervisor;

/**
 * The running daemon: the composition root that wires store, watches, transactions, domains and
 * the socket transport together, and owns the event-loop thread.
 */
public final class Daemon implements AutoCloseable {
    private final Config config;
    private final ServerSocketChannel server;
    private final EventLoop loop;
    private final Thread thread;
    private final AccessLog log;
    private final XenRings rings;

    private Daemon(Config config, ServerSocketChannel server, EventLoop loop, AccessLog log, XenRings rings) {
        this.config = config;
        this.server = server;
        this.loop = loop;
        this.log = log;
        this.rings = rings;
        this.thread = new Thread(loop, "jxenstored-loop");
    }

    /**
     * Binds the socket, connects to Xen (unless {@code -D}: then the socket alone is served), and
     * starts serving on a thread of its own.
     *
     * @throws IOException with a one-line reason if the socket cannot be bound or there is no Xen
     */
    public static Daemon start(Config config) throws IOException {
        Hypervisor xen = config.noDomainInit() ? null : Hypervisor.open();
        AccessLog log = new AccessLog(config.traceFile(), config.verbose() ? System.err : null);
        Store store = new Store(config.masterDomid());
        DomainRegistry registry = new DomainRegistry(store, config.masterDomid(), config.privDomid());
        PermissionCheck permissions = new PermissionCheck(registry);
        WatchIndex watches = new WatchIndex();
        Notifier notifier = new Notifier(watches, permissions, store);
        QuotaTable quotas = new QuotaTable(config.hardQuotas(), config.softMemory());
        DomainLifecycle domains = new DomainLifecycle(registry, store, notifier, quotas, config.keepOrphans());
        EventLoop[] loopRef = new EventLoop[1];
        // CONTROL runs on the loop thread, so the loop exists by the time a command asks.
        ControlCommands control = new ControlCommands(store, watches, quotas, registry, log, new Clients() {
            @Override
            public List<Session> sessions() {
                return loopRef[0].sessions();
            }

            @Override
            public long queuedOutputBytes() {
                return loopRef[0].queuedOutputBytes();
            }
        });
        Consumer<String> warnings = warning -> {
            log.note(warning);
            System.err.println("jxenstored: " + warning);
        };
        RequestExecutor executor = new RequestExecutor(store, permissions, notifier, watches, quotas, domains, control,
                warnings);
        ServerSocketChannel server;
        XenRings rings = null;
        try {
            server = bind(config.socketPath());
        } catch (IOException e) {
            if (xen != null) {
                xen.close();
            }
            throw e;
        }
        try {
            loopRef[0] = new EventLoop(server, executor, log, Caller.privileged(config.masterDomid()),
                    quotas, config.watchEventTimeoutS() * 1_000_000_000L, warnings);
            if (xen != null) {
                rings = new XenRings(xen, loopRef[0], log, config.masterDomid(), config.privDomid());
                domains.useTransport(rings);
                XenRings r = rings;
                rings.start(() -> domains.checkDomains(r), registry.ensure(0).features());
                registry.ensure(0).introduce();
            }
        } catch (IOException e) {
            server.close();
            if (rings != null) {
                rings.close();
            } else if (xen != null) {
                xen.close();
            }
            throw e;
        }
        Daemon d = new Daemon(config, server, loopRef[0], log, rings);
        d.thread.start();
        return d;
    }

    /**
     * Binds the Unix socket with mode 0600. A leftover socket file from an earlier run is
     * replaced, as C xenstored does; anything else in the way is an error.
     */
    private static ServerSocketChannel bind(Path path) throws IOException {
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(path + " exists and is not a socket");
                }
                Files.delete(path);
            }
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.bind(UnixDomainSocketAddress.of(path));
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("cannot bind socket " + path + ": " + why, e);
        }
    }

    public Path socketPath() {
        return config.socketPath();
    }

    /**
     * Blocks until the daemon has stopped.
     *
     * @throws IOException if it stopped on its own because serving failed, rather than by
     *                     {@link #close()}
     */
    public void awaitTermination() throws InterruptedException, IOException {
        thread.join();
        if (loop.failure() != null) {
            throw new IOException("serving failed: " + loop.failure().getMessage(), loop.failure());
        }
    }

    /** Stops serving, closes every connection and removes the socket file. */
    @Override
    public void close() {
        loop.stop();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (rings != null) {
            rings.close();
        }
        try {
            server.close();
            Files.deleteIfExists(config.socketPath());
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        log.close();
    }
}
