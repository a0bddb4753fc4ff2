package org.jxenstore.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jxenstore.access.Caller;
import org.jxenstore.access.PermissionCheck;
import org.jxenstore.control.ControlCommands;
import org.jxenstore.control.LiveUpdateSupport;
import org.jxenstore.domain.Domain;
import org.jxenstore.domain.DomainFeatures;
import org.jxenstore.domain.DomainLifecycle;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.domain.DomainTransport;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.exec.RequestExecutor;
import org.jxenstore.exec.Session;
import org.jxenstore.exec.Sessions;
import org.jxenstore.journal.Journal;
import org.jxenstore.journal.Recovery.Recovered;
import org.jxenstore.journal.Recovery;
import org.jxenstore.log.AccessLog;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.metrics.DaemonMetrics;
import org.jxenstore.metrics.StateCounts;
import org.jxenstore.migration.MigrationRecord.Ring;
import org.jxenstore.migration.MigrationRecord.Socket;
import org.jxenstore.migration.MigrationRecord.TransactionLog;
import org.jxenstore.migration.MigrationRecord.WatchData;
import org.jxenstore.quota.QuotaCommands;
import org.jxenstore.quota.QuotaGate;
import org.jxenstore.quota.QuotaTable;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.Notifier;
import org.jxenstore.watch.Watch;
import org.jxenstore.watch.WatchIndex;
import org.jxenstore.xen.Hypervisor;

/**
 * The running daemon, and the composition root: every part of it is built here, in the order
 * of their dependencies, and nowhere else. The tests build the parts that answer requests with
 * {@link #state} and {@link #core}, as {@link #start} does.
 *
 * <p>The order breaks what would otherwise be a cycle: the guest rings need the connection set
 * and the loop's agenda, which are built first; the domain operations need the rings; the
 * executor needs the domain operations; the dispatcher needs the executor; the loop comes last.
 */
public final class Daemon implements AutoCloseable {
    private final Config config;
    private final ServerSocketChannel server;
    private final EventLoop loop;
    private final Thread thread;
    private final AccessLog trace;
    private final DaemonLog log;
    private final XenRings rings;
    private final Journal journal;
    private final DaemonMetrics metrics;

    private Daemon(Config config, ServerSocketChannel server, EventLoop loop, AccessLog trace, DaemonLog log,
            XenRings rings, Journal journal, DaemonMetrics metrics) {
        this.config = config;
        this.journal = journal;
        this.metrics = metrics;
        this.server = server;
        this.loop = loop;
        this.trace = trace;
        this.log = log;
        this.rings = rings;
        this.thread = new Thread(loop, "jxenstored-loop");
    }

    /**
     * The parts that answer requests, over the daemon's state.
     *
     * @param domains  the domain operations and domain death
     * @param executor runs one decoded request
     * @param gate     the quota checks, which the metrics listen to
     */
    public record Core(DomainLifecycle domains, RequestExecutor executor, QuotaGate gate) {
    }

    /** A fresh state as C xenstored starts: its initial tree, no domains, no clients. */
    public static DaemonState state(Config config) {
        Store store = new Store(config.masterDomid());
        WatchIndex watches = new WatchIndex();
        return new DaemonState(store, new DomainRegistry(store, config.masterDomid(), config.privDomid()), watches,
                new QuotaTable(config.hardQuotas(), config.softMemory()), new Sessions(watches));
    }

    /** The parts that answer requests over {@code state}, reaching domains through {@code transport}. */
    public static Core core(Config config, DaemonState state, DomainTransport transport, AccessLog trace,
            DaemonLog log, LiveUpdateSupport liveUpdate) {
        PermissionCheck permissions = new PermissionCheck(state.domains());
        Notifier notifier = new Notifier(state.watches(), permissions, state.store());
        DomainLifecycle domains = new DomainLifecycle(state.domains(), state.store(), notifier, state.quotas(),
                transport, config.keepOrphans(), log);
        QuotaCommands quotas = new QuotaCommands(state.quotas(), domid -> state.domains().find(domid) != null,
                state.store()::nodesOwnedBy, state.sessions()::watchesOf);
        ControlCommands control = new ControlCommands(state.store(), state.watches(), quotas, state.domains(), trace,
                state.sessions(), liveUpdate, log);
        QuotaGate gate = new QuotaGate(state.quotas(), log);
        RequestExecutor executor = new RequestExecutor(state, permissions, notifier, gate, quotas, domains,
                new DomainFeatures(state.domains()), control, log);
        return new Core(domains, executor, gate);
    }

    /**
     * Binds the socket, connects to Xen (unless {@code -D}: then the socket alone is served), and
     * starts serving on a thread of its own. Xen's libraries are bound on another thread while the
     * state is read and the socket bound.
     *
     * @throws IOException with a one-line reason if the socket cannot be bound or there is no Xen
     */
    public static Daemon start(Config config, DaemonLog log) throws IOException {
        long began = System.nanoTime();
        HypervisorOpening opening = config.noDomainInit() ? null : HypervisorOpening.begin();
        DaemonState state;
        Journal journal;
        Recovered recovered;
        AccessLog trace;
        ServerSocketChannel server;
        try {
            state = state(config);
            journal = config.journalDir() == null ? null : new Journal(config.journalDir(), state, log);
            recovered = config.liveUpdate() ? Recovery.liveUpdate(LiveUpdate.dumpFile(config), state)
                    : journal == null ? Recovered.NOTHING : Recovery.recover(config.journalDir(), state, log);
            trace = new AccessLog(config.traceFile(), config.verbose());
            try {
                server = config.liveUpdate() ? SocketHandover.server(recovered.listeningFd())
                        : bind(config.socketPath());
            } catch (IOException | RuntimeException e) {
                trace.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (opening != null) {
                opening.abandon();
            }
            throw e;
        }
        long loaded = System.nanoTime();
        Hypervisor xen;
        try {
            xen = opening == null ? null : opening.await();
        } catch (IOException | RuntimeException | Error e) {
            // The reason the start fails is Xen's; a failing clean-up is added to it, not put for it.
            try {
                server.close();
                Files.deleteIfExists(config.socketPath());
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                trace.close();
            }
            throw e;
        }
        XenRings rings = null;
        Selector selector = null;
        DaemonMetrics metrics = null;
        try {
            // The journal makes the changes durable before anything acknowledges them; the trace
            // has its lines in the file before the client holds the reply, as C's unbuffered
            // trace writes do, so that whoever reads the file after an answer finds its request.
            Journal durable = journal;
            Runnable beforeOutput = durable == null ? trace::flush : () -> {
                durable.sync();
                trace.flush();
            };
            selector = Selector.open();
            Agenda agenda = new Agenda(selector);
            RequestTickets tickets = new RequestTickets();
            Connections connections = new Connections(new ConnectionContext(state.sessions(), state.quotas(),
                    config.watchEventTimeoutS() * 1_000_000_000L, trace, tickets, agenda, beforeOutput));
            if (xen != null) {
                rings = new XenRings(xen, connections, agenda, log, config.masterDomid(), config.privDomid());
            }
            LiveUpdate liveUpdate = new LiveUpdate(config, server, connections, state, journal, trace, log);
            Core core = core(config, state, rings == null ? DomainTransport.NONE : rings, trace, log, liveUpdate);
            metrics = config.metricsAddress() == null ? null : serveMetrics(config, agenda, state, journal);
            if (metrics != null) {
                core.gate().listen(metrics::quotaRefused);
            }
            GuestHold hold = new GuestHold();
            Dispatcher dispatcher = new Dispatcher(core.executor(), new HeapGuard(log::warning), hold, tickets, trace,
                    log, liveUpdate, metrics);
            XenRings domainStates = rings;
            Runnable onDomainChange = rings == null ? () -> { } : () -> core.domains().checkDomains(domainStates);
            EventLoop loop = new EventLoop(server, selector, connections, agenda, dispatcher, hold, onDomainChange,
                    beforeOutput, liveUpdate::performIfScheduled, Caller.privileged(config.masterDomid()), trace, log);
            if (rings != null) {
                Domain dom0 = state.domains().ensure(0);
                rings.start(dom0.features(), loop::fail);
                dom0.introduce(0);
            }
            long opened = System.nanoTime();
            // The journal first: what taking over changes (a guest gone meanwhile) is journaled.
            if (journal != null) {
                journal.start(recovered.journal());
            }
            long journaled = System.nanoTime();
            takeOver(recovered, config, state, core, loop);
            if (config.liveUpdate()) {
                Files.deleteIfExists(LiveUpdate.dumpFile(config));
                log.info("live update: took over " + recovered.connections().size()
                        + " connections: state read and socket taken in " + millis(began, loaded)
                        + " ms, Xen (opened meanwhile) ready " + millis(loaded, opened) + " ms later, journal in "
                        + millis(opened, journaled) + " ms, connections attached in "
                        + millis(journaled, System.nanoTime()) + " ms");
            }
            if (rings != null && !recovered.connections().isEmpty()) {
                // A guest may have died while no daemon ran: its VIRQ_DOM_EXC was lost.
                core.domains().checkDomains(rings);
            }
            Daemon d = new Daemon(config, server, loop, trace, log, rings, journal, metrics);
            d.thread.start();
            log.info("serving " + config.socketPath() + (rings == null ? " (socket only)" : " and guest rings"));
            return d;
        } catch (IOException | RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            if (journal != null) {
                journal.close();
            }
            server.close();
            Files.deleteIfExists(config.socketPath());
            if (selector != null) {
                selector.close();
            }
            trace.close();
            if (rings != null) {
                rings.close();
            } else if (xen != null) {
                xen.close();
            }
            throw e;
        }
    }

    /**
     * Metrics on the address given: what the daemon holds is counted on the loop's thread when a
     * scrape asks; if the loop does not answer within a second, the last counts are shown.
     */
    private static DaemonMetrics serveMetrics(Config config, Agenda agenda, DaemonState state, Journal journal)
            throws IOException {
        AtomicReference<StateCounts> last = new AtomicReference<>(new StateCounts(0, 0, 0, 0, 0, 0));
        return DaemonMetrics.serve(config.metricsAddress(), () -> {
            try {
                last.set(agenda.onLoop(() -> StateCounts.of(state)).get(1, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // The last counts stand.
            }
            return last.get();
        }, journal == null ? () -> -1 : journal::size);
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /**
     * Serves the connections of the previous process again: a guest's ring is mapped and bound
     * again (the store domain's own is attached already), a socket (after a live update) is taken
     * over by its descriptor; each gets back its unread input, its unwritten output, its watches
     * and its transactions. After a crash every watch fires once and a transaction can only fail;
     * after a live update nothing was missed and a transaction goes on where it was.
     */
    private static void takeOver(Recovered recovered, Config config, DaemonState state, Core core, EventLoop loop)
            throws IOException {
        boolean crash = !config.liveUpdate();
        for (Recovery.Conn c : recovered.connections()) {
            Connection conn;
            if (c.endpoint() instanceof Ring ring) {
                if (ring.domid() != config.masterDomid() && !core.domains().reattach(ring.domid())) {
                    continue;
                }
                Session s = state.sessions().ring(ring.domid());
                if (s == null) {
                    continue;
                }
                // A connection is its session's event sink.
                conn = (Connection) s.sink();
            } else {
                conn = loop.adopt(SocketHandover.socket(((Socket) c.endpoint()).fd()));
            }
            conn.restore(c.input(), c.output());
            Session s = conn.session();
            for (WatchData w : c.watches()) {
                boolean unlimited = w.depth() == WatchData.UNLIMITED || w.depth() == WatchData.NO_DEPTH;
                core.executor().adoptWatch(s, w.path(), w.token(), unlimited ? Watch.UNLIMITED : w.depth(), crash);
            }
            for (int id : c.transactions()) {
                TransactionLog log = c.logs().get(id);
                if (log != null && log.replayable()) {
                    List<Transaction.Step> steps = log.requests().stream()
                            .map(r -> new Transaction.Step(r.type(), r.payload())).toList();
                    core.executor().replayTransaction(s, id, log.touched(), steps);
                } else {
                    core.executor().adoptTransaction(s, id);
                }
            }
        }
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
     * SIGHUP: the trace file ({@code -T}) is reopened by name before its next line. The log says
     * so once that is settled, so that whoever waits for the line finds the next request traced
     * in the new file.
     */
    public void reopenLogs() {
        trace.reopen();
        log.info("SIGHUP: reopening the trace file");
    }

    /**
     * Blocks until the daemon has stopped, giving memory back between bursts meanwhile
     * ({@link IdleHeapTrim}).
     *
     * @throws IOException if it stopped on its own because serving failed, rather than by
     *                     {@link #close()}
     */
    public void awaitTermination() throws InterruptedException, IOException {
        IdleHeapTrim trim = new IdleHeapTrim();
        while (thread.isAlive()) {
            thread.join(IdleHeapTrim.INTERVAL);
            if (thread.isAlive()) {
                trim.check();
            }
        }
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
        if (journal != null) {
            journal.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        try {
            server.close();
            Files.deleteIfExists(config.socketPath());
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        trace.close();
        log.info("stopped");
    }
}
