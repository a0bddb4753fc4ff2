package org.jxenstore.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jxenstore.access.Caller;
import org.jxenstore.domain.DomainLifecycle;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.control.LiveUpdateSupport;
import org.jxenstore.domain.DomainTransport;
import org.jxenstore.log.AccessLog;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.RequestDecoder;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsException;
import org.jxenstore.server.Config;
import org.jxenstore.server.Daemon;
import org.jxenstore.quota.QuotaTable;
import org.jxenstore.store.Store;
import org.jxenstore.watch.EventSink;
import org.jxenstore.watch.WatchIndex;

/**
 * The daemon's parts built by {@link Daemon#state} and {@link Daemon#core}, as the running
 * daemon builds them, without the socket or rings: requests go through the real
 * {@link RequestDecoder} and {@link RequestExecutor}, and each client's watch events are recorded
 * by a real {@link EventSink} that keeps them in a list. Warnings go to a daemon log kept in memory.
 *
 * <p>Replies are rendered as text: the error name for an error ("EACCES"); otherwise the payload
 * with its strings joined by a space ("OK", "a b c" for a DIRECTORY), or the raw value for READ.
 */
public final class XsFixture {
    public static final int DOM0 = 0;

    public final Store store;
    public final DomainRegistry registry;
    public final WatchIndex watches;
    public final QuotaTable quotas;
    public final DomainLifecycle domains;
    public final AccessLog log;
    public final RequestExecutor executor;
    public final DaemonState state;
    private final Sessions sessions;
    private long nextClient;
    private final ByteArrayOutputStream daemonLog = new ByteArrayOutputStream();

    public XsFixture() {
        this(DomainTransport.NONE);
    }

    /** A fixture whose domains are reached through {@code transport}. */
    public XsFixture(DomainTransport transport) {
        this(Daemon.state(Config.defaults(Path.of("unused"))), transport);
    }

    /** A fixture over {@code state} (one taken over from a journal, say). */
    public XsFixture(DaemonState state, DomainTransport transport) {
        Config config = Config.defaults(Path.of("unused"));
        this.state = state;
        try {
            log = new AccessLog(null, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Daemon.Core core = Daemon.core(config, state, transport, log,
                new DaemonLog(new PrintStream(daemonLog, true, StandardCharsets.UTF_8)), LiveUpdateSupport.NONE);
        store = state.store();
        registry = state.domains();
        watches = state.watches();
        quotas = state.quotas();
        sessions = state.sessions();
        domains = core.domains();
        executor = core.executor();
    }

    /** A privileged (dom0 / socket) client. */
    public Client dom0() {
        return client(Caller.privileged(DOM0));
    }

    /** An unprivileged client of {@code domid}; the domain is not introduced by this. */
    public Client client(Caller caller) {
        return new Client(caller);
    }

    /**
     * What the toolstack does for a new guest: INTRODUCE it, create its home owned by it, and
     * hand back an unprivileged client of it.
     */
    public Client guest(int domid) {
        Client admin = dom0();
        expect("OK", admin.call(MessageType.INTRODUCE, 0, String.valueOf(domid), "1", "1"));
        String home = "/local/domain/" + domid;
        expect("OK", admin.call(MessageType.MKDIR, 0, home));
        expect("OK", admin.call(MessageType.SET_PERMS, 0, home, "n" + domid));
        admin.close();
        return client(Caller.unprivileged(domid));
    }

    /**
     * As {@link #guest}, but the client is the session on the domain's ring, whose watches and
     * transactions outlive the daemon's process.
     */
    public Client ring(int domid) {
        guest(domid).close();
        return new Client(Caller.unprivileged(domid), domid);
    }

    public List<Session> sessions() {
        return sessions.all();
    }

    /** The lines of the given level the daemon log got so far, without their time stamps. */
    public List<String> daemonLog(String level) {
        String mark = " jxenstored " + level + ": ";
        return daemonLog.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains(mark))
                .map(l -> l.substring(l.indexOf(mark) + mark.length()))
                .toList();
    }

    /** The warnings the daemon log got so far. */
    public List<String> warnings() {
        return daemonLog("warning");
    }

    private static void expect(String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new AssertionError("fixture set-up: expected " + expected + " but got " + actual);
        }
    }

    /** One connection: its session and the watch events delivered to it. */
    public final class Client implements EventSink {
        public final Session session;
        private final List<String> events = new ArrayList<>();
        private final long order = nextClient++;

        Client(Caller caller) {
            this(caller, Session.NOT_A_RING);
        }

        Client(Caller caller, int ringDomid) {
            this.session = sessions.open(caller, this, ringDomid);
        }

        @Override
        public long connectionOrder() {
            return order;
        }

        @Override
        public Caller caller() {
            return session.caller();
        }

        @Override
        public void deliver(String path, String token) {
            events.add(path + " " + token);
        }

        @Override
        public long queuedBytes() {
            // Delivered events are kept in a list for the test, not queued for a transport.
            return 0;
        }

        /** Memory-quota warnings logged so far. */
        public List<String> warnings() {
            return XsFixture.this.warnings();
        }

        /** The events delivered since the last call, each as "path token". */
        public List<String> events() {
            List<String> out = List.copyOf(events);
            events.clear();
            return out;
        }

        /** Like the event loop: decode, execute, reply, then the WATCH's initial event. */
        public String send(MessageType type, int txId, byte[] payload) {
            Reply reply;
            try {
                reply = executor.execute(session, type, txId, payload);
            } catch (XsException e) {
                return e.error().name();
            }
            if (reply.payload().length > Wire.PAYLOAD_MAX) {
                return "E2BIG";
            }
            if (reply.initialEvent() != null) {
                var w = reply.initialEvent();
                deliver(w.eventPath(w.path()), w.token());
            }
            if (type == MessageType.READ) {
                return new String(reply.payload(), StandardCharsets.ISO_8859_1);
            }
            return String.join(" ", Payload.split(reply.payload()));
        }

        /** A request whose payload is the given NUL-terminated strings. */
        public String call(MessageType type, int txId, String... args) {
            return send(type, txId, Payload.strings(args));
        }

        public String write(String path, String value) {
            return write(0, path, value);
        }

        public String write(int tx, String path, String value) {
            return send(MessageType.WRITE, tx, Payload.stringThenBytes(path, value.getBytes(StandardCharsets.ISO_8859_1)));
        }

        public String read(String path) {
            return call(MessageType.READ, 0, path);
        }

        public String read(int tx, String path) {
            return call(MessageType.READ, tx, path);
        }

        public String mkdir(String path) {
            return call(MessageType.MKDIR, 0, path);
        }

        public String mkdir(int tx, String path) {
            return call(MessageType.MKDIR, tx, path);
        }

        public String rm(String path) {
            return call(MessageType.RM, 0, path);
        }

        public String rm(int tx, String path) {
            return call(MessageType.RM, tx, path);
        }

        public String dir(String path) {
            return call(MessageType.DIRECTORY, 0, path);
        }

        public String dir(int tx, String path) {
            return call(MessageType.DIRECTORY, tx, path);
        }

        public String getPerms(String path) {
            return call(MessageType.GET_PERMS, 0, path);
        }

        public String setPerms(String path, String... perms) {
            String[] args = new String[perms.length + 1];
            args[0] = path;
            System.arraycopy(perms, 0, args, 1, perms.length);
            return call(MessageType.SET_PERMS, 0, args);
        }

        public String watch(String path, String token) {
            return call(MessageType.WATCH, 0, path, token);
        }

        public String watch(String path, String token, int depth) {
            return call(MessageType.WATCH, 0, path, token, Integer.toString(depth));
        }

        public String unwatch(String path, String token) {
            return call(MessageType.UNWATCH, 0, path, token);
        }

        /** TRANSACTION_START; the reply is the id (or an error name). */
        public String start() {
            return call(MessageType.TRANSACTION_START, 0, "");
        }

        /** TRANSACTION_START that must succeed. */
        public int begin() {
            String r = start();
            try {
                return Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw new AssertionError("TRANSACTION_START failed: " + r);
            }
        }

        public String commit(int tx) {
            return call(MessageType.TRANSACTION_END, tx, "T");
        }

        public String abort(int tx) {
            return call(MessageType.TRANSACTION_END, tx, "F");
        }

        public String control(String... args) {
            return call(MessageType.CONTROL, 0, args);
        }

        /** The connection goes away: its watches and transactions with it. */
        public void close() {
            sessions.close(session);
        }
    }
}
