package org.jxenstore.server;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jxenstore.control.LiveUpdateSupport;
import org.jxenstore.domain.Domain;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.exec.Reply;
import org.jxenstore.journal.Journal;
import org.jxenstore.journal.SessionImage;
import org.jxenstore.log.AccessLog;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.migration.MigrationRecord.ConnectionData;
import org.jxenstore.migration.MigrationRecord.Endpoint;
import org.jxenstore.migration.MigrationRecord.GlobalData;
import org.jxenstore.migration.MigrationRecord.JournalPosition;
import org.jxenstore.migration.MigrationRecord.Ring;
import org.jxenstore.migration.MigrationRecord.Socket;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.migration.SettingsImage;
import org.jxenstore.migration.TreeImage;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.Payload;

/**
 * Live update, on the server's side: the state as a migration stream, with every connection's
 * unread input and unwritten output, its watches and its open transactions (with what a replay
 * needs), and the descriptors of the listening socket and of every socket client; then exec of
 * the new binary in this process, with those descriptors kept open and {@code -U} added to its
 * command line. The new binary reads {@code state_dump} beside the socket (C's name and place)
 * and sends the reply that started the update, which is in its connection's output.
 *
 * <p>Guests' rings and event channels are not handed over: the new process maps and binds them
 * again, as after a crash (the exec closes the old bindings, so the guest's ports are free).
 */
final class LiveUpdate implements LiveUpdateSupport {
    static final String DUMP = "state_dump";
    private static final byte[] FAILED = Payload.strings("Error activating new binary.");

    private final Config config;
    private final ServerSocketChannel server;
    private final Connections connections;
    private final DaemonState state;
    private final Journal journal;
    private final AccessLog trace;
    private final DaemonLog log;
    private Connection requester;
    private Message reply;
    private Reply.Handover handover;

    /** @param journal {@code null} without one */
    LiveUpdate(Config config, ServerSocketChannel server, Connections connections, DaemonState state,
            Journal journal, AccessLog trace, DaemonLog log) {
        this.config = config;
        this.server = server;
        this.connections = connections;
        this.state = state;
        this.journal = journal;
        this.trace = trace;
        this.log = log;
    }

    static Path dumpFile(Config config) {
        return config.socketPath().resolveSibling(DUMP);
    }

    @Override
    public String unavailable() {
        return SocketHandover.unavailable();
    }

    @Override
    public Path writeForCheck() throws IOException {
        Path file = dumpFile(config).resolveSibling(DUMP + ".check");
        write(file, null, null);
        return file;
    }

    /** The request {@code reply} answers asked for {@code handover}: done at the end of the pass. */
    void schedule(Connection c, Message reply, Reply.Handover handover) {
        this.requester = c;
        this.reply = reply;
        this.handover = handover;
    }

    /**
     * Hands over to the new binary if a request asked for it. Returns only if that failed: the
     * requester is then told so, and this process goes on as before.
     */
    void performIfScheduled() {
        if (requester == null) {
            return;
        }
        Connection c = requester;
        Message ok = reply;
        Reply.Handover h = handover;
        requester = null;
        reply = null;
        handover = null;
        Path dump = dumpFile(config);
        try {
            Set<Integer> keep = write(dump, c, ok.encode().array());
            List<String> argv = argv(h);
            log.info("live update: handing over to " + String.join(" ", argv));
            trace.flush();
            ProcessImage.exec(argv, System.getenv(), keep);
        } catch (IOException | RuntimeException e) {
            log.warning("live update failed, this daemon goes on: " + e.getMessage());
            try {
                Files.deleteIfExists(dump);
            } catch (IOException ignored) {
                // the next live update overwrites it
            }
            if (!c.closed()) {
                c.send(new Message(ok.type(), ok.reqId(), ok.txId(), FAILED), null);
            }
        }
    }

    /** The new command line: the old one (or {@code -c}'s), with {@code -U}. */
    private List<String> argv(Reply.Handover h) {
        List<String> argv = new ArrayList<>();
        argv.add(h.binary());
        if (h.commandLine() != null) {
            argv.addAll(Arrays.asList(h.commandLine().trim().split("[ \t]+")));
        } else {
            argv.addAll(config.arguments());
        }
        if (!argv.contains("-U") && !argv.contains("--live-update")) {
            argv.add("-U");
        }
        return argv;
    }

    private Ring ring(int domid) {
        Domain d = state.domains().find(domid);
        int target = d == null || d.target() < 0 ? Ring.NO_TARGET : d.target();
        return new Ring(domid, target, d == null ? 0 : d.port());
    }

    /**
     * Writes the whole state to {@code file}, with {@code extra} after the output of
     * {@code requester}; returns the descriptors the stream names.
     */
    private Set<Integer> write(Path file, Connection requester, byte[] extra) throws IOException {
        Set<Integer> fds = new HashSet<>();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            MigrationWriter w = new MigrationWriter(out);
            int listening = SocketHandover.fdOf(server);
            fds.add(listening);
            w.write(new GlobalData(listening, -1));
            Optional<JournalPosition> position = journal == null || requester == null ? Optional.empty()
                    : journal.position();
            if (position.isPresent()) {
                w.write(position.get());
            }
            SettingsImage.write(state.quotas(), state.domains(), w);
            TreeImage.write(state.store(), state.domains(), w);
            Set<Integer> withRing = new HashSet<>();
            int connId = 0;
            for (Connection c : connections.inOrder()) {
                connId = c.id();
                Endpoint endpoint;
                if (c.transport() instanceof RingTransport ring) {
                    endpoint = ring(ring.domid());
                    withRing.add(ring.domid());
                } else {
                    int fd = SocketHandover.fdOf(((SocketTransport) c.transport()).channel());
                    fds.add(fd);
                    endpoint = new Socket(fd);
                }
                byte[] output = c.pendingOutput();
                if (c == requester) {
                    output = Arrays.copyOf(output, output.length + extra.length);
                    System.arraycopy(extra, 0, output, output.length - extra.length, extra.length);
                }
                w.write(new ConnectionData(c.id(), endpoint, c.pendingInput(), c.partialReplyLength(), output,
                        OptionalLong.empty()));
                SessionImage.write(c.id(), c.session(), true, w);
            }
            // A guest cut off for misbehaving stays introduced (XSA-325): it is attached again,
            // as after a crash, rather than forgotten.
            for (Domain d : state.domains().introduced()) {
                if (!withRing.contains(d.domid()) && d.domid() != config.masterDomid() && d.port() > 0) {
                    w.write(new ConnectionData(++connId, ring(d.domid()), new byte[0], 0, new byte[0],
                            OptionalLong.empty()));
                }
            }
            w.finish();
        }
        return fds;
    }
}
