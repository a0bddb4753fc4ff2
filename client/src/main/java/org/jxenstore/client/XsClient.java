package org.jxenstore.client;

import org.jxenstore.protocol.Permission;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * A connection to a xenstore daemon over its Unix socket.
 *
 * <p>The client is thread-safe: any number of threads may issue requests at once; they are
 * pipelined on the one socket and each caller blocks until its own reply arrives. A daemon
 * reader thread (named {@code xenstore-reader <socket>}) routes replies to their callers and
 * watch events to a bounded queue read with {@link #nextEvent(Duration)}. There is no request
 * timeout: a call blocks until its reply arrives or the connection fails, so a thread stuck on
 * an unresponsive daemon is released by {@link #close()} from another thread.
 *
 * <p>Every request throws {@link XsException} when the daemon answers with an {@code ERROR}
 * reply, and {@link XsConnectionException} (unchecked) when the connection fails or is closed.
 * A thread that is interrupted when it starts a request, or while it waits for the reply,
 * throws {@link XsConnectionException} and keeps its interrupt flag; in the second case the
 * request may still take effect. Interrupting a thread while it is writing a request closes the
 * connection, because {@link SocketChannel} closes itself when a thread blocked on it is
 * interrupted.
 */
public final class XsClient implements NodeOperations, AutoCloseable {
    /** Default location of the daemon's socket when the environment names none. */
    public static final Path DEFAULT_SOCKET = Path.of("/var/run/xenstored/socket");

    /**
     * How many watch events are kept for {@link #nextEvent(Duration)}. When the queue is full
     * the oldest event is dropped and counted in {@link #droppedEvents()}.
     */
    public static final int EVENT_QUEUE_CAPACITY = 65536;

    /** How many times {@link #transaction(TransactionBody)} tries before giving up. */
    public static final int TRANSACTION_ATTEMPTS = 100;

    private final Connection connection;
    private final WatchEventQueue events;

    private XsClient(Connection connection, WatchEventQueue events) {
        this.connection = connection;
        this.events = events;
    }

    /**
     * Connects to the daemon listening on {@code socket}.
     *
     * @param socket path of the daemon's Unix stream socket
     * @return a connected client
     * @throws XsConnectionException if the socket cannot be connected
     */
    public static XsClient open(Path socket) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new XsConnectionException("cannot create a Unix socket: " + e.getMessage(), e);
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw new XsConnectionException("cannot connect to xenstored at " + socket + ": " + e.getMessage(), e);
        }
        WatchEventQueue events = new WatchEventQueue(EVENT_QUEUE_CAPACITY);
        return new XsClient(new Connection(socket, channel, events), events);
    }

    /**
     * Connects to the daemon where libxenstore would look for it: {@code $XENSTORED_PATH} if
     * set, else {@code $XENSTORED_RUNDIR/socket} if set, else {@link #DEFAULT_SOCKET}.
     *
     * @return a connected client
     * @throws XsConnectionException if the socket cannot be connected
     */
    public static XsClient open() {
        return open(socketFromEnvironment(System.getenv()));
    }

    /** The socket libxenstore's {@code xenstore_daemon_path()} picks for {@code env}. */
    static Path socketFromEnvironment(Map<String, String> env) {
        String path = env.get("XENSTORED_PATH");
        if (path != null) {
            return Path.of(path);
        }
        String rundir = env.get("XENSTORED_RUNDIR");
        return rundir != null ? Path.of(rundir, "socket") : DEFAULT_SOCKET;
    }

    @Override
    public byte[] read(String path) throws XsException {
        return read(0, path);
    }

    @Override
    public void write(String path, byte[] value) throws XsException {
        write(0, path, value);
    }

    @Override
    public void mkdir(String path) throws XsException {
        mkdir(0, path);
    }

    @Override
    public void rm(String path) throws XsException {
        rm(0, path);
    }

    @Override
    public List<String> directory(String path) throws XsException {
        return directory(0, path);
    }

    @Override
    public List<Permission> getPerms(String path) throws XsException {
        return getPerms(0, path);
    }

    @Override
    public void setPerms(String path, List<Permission> permissions) throws XsException {
        setPerms(0, path, permissions);
    }

    /**
     * The home path of a domain ({@code GET_DOMAIN_PATH}); the daemon computes it without
     * checking that the domain exists.
     *
     * @param domid the domain
     * @return e.g. {@code /local/domain/5}
     * @throws XsException e.g. {@code EINVAL} for a domid the daemon cannot parse
     */
    public String getDomainPath(int domid) throws XsException {
        return string(expect(MessageType.GET_DOMAIN_PATH, 0, Payload.strings(Integer.toString(domid))));
    }

    /**
     * Tells the daemon about a new domain's ring page and event channel ({@code INTRODUCE}).
     *
     * @param domid the domain
     * @param mfn   the frame number of its ring page
     * @param port  its xenstore event channel port
     * @throws XsException e.g. {@code EINVAL} for port 0, {@code EACCES} if not privileged
     */
    public void introduce(int domid, long mfn, int port) throws XsException {
        expect(MessageType.INTRODUCE, 0,
                Payload.strings(Integer.toString(domid), Long.toString(mfn), Integer.toString(port)));
    }

    /**
     * Makes the daemon forget a domain ({@code RELEASE}), which fires {@code @releaseDomain}.
     *
     * @param domid the domain
     * @throws XsException e.g. {@code ENOENT} for an unknown domain
     */
    public void release(int domid) throws XsException {
        expect(MessageType.RELEASE, 0, Payload.strings(Integer.toString(domid)));
    }

    /**
     * Re-arms {@code @releaseDomain} for a domain after it resumed from suspend ({@code RESUME}).
     *
     * @param domid the domain
     * @throws XsException e.g. {@code ENOENT} for an unknown domain
     */
    public void resume(int domid) throws XsException {
        expect(MessageType.RESUME, 0, Payload.strings(Integer.toString(domid)));
    }

    /**
     * Whether the daemon knows a domain ({@code IS_DOMAIN_INTRODUCED}).
     *
     * @param domid the domain; {@code DOMID_SELF} (0x7FF0) asks about the caller
     * @return true if the daemon answers {@code T}
     * @throws XsException if the daemon refuses
     */
    public boolean isDomainIntroduced(int domid) throws XsException {
        String answer = string(expect(MessageType.IS_DOMAIN_INTRODUCED, 0, Payload.strings(Integer.toString(domid))));
        return switch (answer) {
            case "T" -> true;
            case "F" -> false;
            default -> throw new XsConnectionException(
                    "IS_DOMAIN_INTRODUCED " + domid + ": reply \"" + answer + "\" is neither T nor F");
        };
    }

    /**
     * Gives domain {@code domid} (e.g. a device model stub domain) the rights of domain
     * {@code target} ({@code SET_TARGET}).
     *
     * @param domid  the domain that gains rights
     * @param target the domain whose rights it gains
     * @throws XsException e.g. {@code ENOENT} if either domain is not introduced
     */
    public void setTarget(int domid, int target) throws XsException {
        expect(MessageType.SET_TARGET, 0, Payload.strings(Integer.toString(domid), Integer.toString(target)));
    }

    /**
     * Removes every watch and transaction of this connection ({@code RESET_WATCHES}). Events
     * already queued stay queued.
     *
     * @throws XsException if the daemon refuses
     */
    public void resetWatches() throws XsException {
        expect(MessageType.RESET_WATCHES, 0, Payload.strings(""));
    }

    /**
     * Runs a daemon-specific control command ({@code CONTROL}, as {@code xenstore-control}
     * does), e.g. {@code control("check")} or {@code control("log", "on")}.
     *
     * @param args the command and its arguments, sent NUL-separated as ISO-8859-1
     * @return the reply text decoded as ISO-8859-1, without its trailing NUL
     * @throws XsException e.g. {@code EINVAL} for an unknown command
     */
    public String control(String... args) throws XsException {
        byte[] reply = expect(MessageType.CONTROL, 0, Payload.strings(args)).payload();
        int length = Payload.endsWithNul(reply) ? reply.length - 1 : reply.length;
        return new String(reply, 0, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends any request and returns the reply as received, for tests that need odd payloads.
     *
     * @param type    the message type
     * @param txId    the header's {@code tx_id}, 0 outside transactions
     * @param payload the exact payload bytes
     * @return the reply, whatever its type except {@code ERROR}
     * @throws XsException if the daemon answers with an {@code ERROR} reply, or {@code E2BIG}
     *                     without sending anything if the payload exceeds 4096 bytes
     */
    public Message request(MessageType type, int txId, byte[] payload) throws XsException {
        return request(type.code(), txId, payload);
    }

    /**
     * Sends a request of any wire type, including codes that name no type, and returns the
     * reply as received.
     *
     * @param typeCode the header's {@code type}, e.g. 0xFFFF (XS_INVALID)
     * @param txId     the header's {@code tx_id}, 0 outside transactions
     * @param payload  the exact payload bytes
     * @return the reply, whatever its type except {@code ERROR}
     * @throws XsException if the daemon answers with an {@code ERROR} reply, or {@code E2BIG}
     *                     without sending anything if the payload exceeds 4096 bytes
     */
    public Message request(int typeCode, int txId, byte[] payload) throws XsException {
        if (payload.length > Wire.PAYLOAD_MAX) {
            throw new XsException(XsError.E2BIG, describe(typeCode, txId, payload) + ": payload of "
                    + payload.length + " bytes exceeds " + Wire.PAYLOAD_MAX);
        }
        Message reply = connection.call(typeCode, txId, payload.clone());
        if (reply.type() == MessageType.ERROR.code()) {
            List<String> name = Payload.split(reply.payload());
            String text = name.isEmpty() ? new String(reply.payload(), StandardCharsets.ISO_8859_1) : name.getFirst();
            throw new XsException(XsError.fromName(text), describe(typeCode, txId, payload) + ": " + text);
        }
        return reply;
    }

    /**
     * Starts a transaction ({@code TRANSACTION_START}). Close it (or commit or abort it) when
     * done: the daemon limits how many transactions a connection may have open.
     *
     * @return the open transaction
     * @throws XsException e.g. {@code ENOSPC} if too many transactions are open
     */
    public Transaction begin() throws XsException {
        String id = string(expect(MessageType.TRANSACTION_START, 0, Payload.strings("")));
        try {
            return new Transaction(this, Integer.parseUnsignedInt(id));
        } catch (NumberFormatException e) {
            throw new XsConnectionException("TRANSACTION_START: reply \"" + id + "\" is not a transaction id", e);
        }
    }

    /**
     * Runs {@code body} in a fresh transaction and commits it, starting over with a new
     * transaction each time the commit fails with {@code EAGAIN}, at most
     * {@link #TRANSACTION_ATTEMPTS} times in all. If {@code body} throws, the transaction is
     * aborted and the exception propagates without a retry.
     *
     * @param body the work; it may run several times
     * @param <T>  what the body computes
     * @return the result of the attempt whose commit succeeded
     * @throws XsException the last {@code EAGAIN} once every attempt conflicted, or any other
     *                     error from the body or the commit
     */
    public <T> T transaction(TransactionBody<T> body) throws XsException {
        for (int attempt = 1; ; attempt++) {
            T result;
            Transaction tx = begin();
            try {
                result = body.run(tx);
            } catch (Throwable bodyFailure) {
                abortAfterFailure(tx, bodyFailure);
                throw bodyFailure;
            }
            try {
                tx.commit();
                return result;
            } catch (XsException e) {
                if (e.error() != XsError.EAGAIN || attempt == TRANSACTION_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Registers a watch on a path and everything below it ({@code WATCH}). The daemon fires one
     * event for {@code path} right away, then one per change.
     *
     * @param path  the node or special path (e.g. {@code @releaseDomain}) to watch
     * @param token a string handed back in each event, to tell watches apart
     * @throws XsException e.g. {@code EEXIST} if the same path and token are already watched
     */
    public void watch(String path, String token) throws XsException {
        expect(MessageType.WATCH, 0, Payload.strings(path, token));
    }

    /**
     * Registers a watch limited to {@code depth} levels below the path ({@code WATCH} with the
     * depth argument of the WATCHDEPTH feature).
     *
     * @param path  the node or special path to watch
     * @param token a string handed back in each event
     * @param depth 0 for the node only, 1 for it and its children, and so on
     * @throws XsException e.g. {@code EINVAL} if the daemon lacks the WATCHDEPTH feature
     * @throws IllegalArgumentException if {@code depth} is negative
     */
    public void watch(String path, String token, int depth) throws XsException {
        if (depth < 0) {
            throw new IllegalArgumentException("watch depth " + depth + " < 0");
        }
        expect(MessageType.WATCH, 0, Payload.strings(path, token, Integer.toString(depth)));
    }

    /**
     * Removes a watch ({@code UNWATCH}). Events it already produced stay queued.
     *
     * @param path  the path exactly as given to {@code watch}
     * @param token the token exactly as given to {@code watch}
     * @throws XsException {@code ENOENT} if no such watch exists
     */
    public void unwatch(String path, String token) throws XsException {
        expect(MessageType.UNWATCH, 0, Payload.strings(path, token));
    }

    /**
     * Takes the oldest queued watch event, waiting up to {@code timeout} for one. Events are
     * queued in the order the daemon sent them, so an event the daemon sent before a reply
     * (as C xenstored does for a connection's own writes) is queued before that request
     * returns.
     *
     * @param timeout how long to wait; zero or negative means not at all
     * @return the event, or null if none arrived in time
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws XsConnectionException if the queue is empty and the connection is closed or failed
     */
    public WatchEvent nextEvent(Duration timeout) throws InterruptedException {
        return events.poll(timeout);
    }

    /**
     * How many watch events were dropped because the queue already held
     * {@link #EVENT_QUEUE_CAPACITY} events. The oldest event is dropped, as the newer ones say
     * more about the current state; a consumer that sees this grow should re-read everything it
     * watches.
     *
     * @return the number of events dropped since the client was opened
     */
    public long droppedEvents() {
        return events.dropped();
    }

    /**
     * Whether the connection still works, i.e. neither {@link #close()} was called nor the
     * connection failed.
     *
     * @return true if requests can be sent
     */
    public boolean isOpen() {
        return connection.isOpen();
    }

    /**
     * Closes the socket and stops the reader thread. Calls still waiting for a reply throw
     * {@link XsConnectionException}; queued events can still be taken. Calling it again does
     * nothing.
     */
    @Override
    public void close() {
        connection.close();
    }

    byte[] read(int txId, String path) throws XsException {
        return expect(MessageType.READ, txId, Payload.strings(path)).payload();
    }

    void write(int txId, String path, byte[] value) throws XsException {
        expect(MessageType.WRITE, txId, Payload.stringThenBytes(path, value));
    }

    void mkdir(int txId, String path) throws XsException {
        expect(MessageType.MKDIR, txId, Payload.strings(path));
    }

    void rm(int txId, String path) throws XsException {
        expect(MessageType.RM, txId, Payload.strings(path));
    }

    List<String> directory(int txId, String path) throws XsException {
        try {
            return strings(expect(MessageType.DIRECTORY, txId, Payload.strings(path)));
        } catch (XsException e) {
            if (e.error() != XsError.E2BIG) {
                throw e;
            }
        }
        DirectoryPager pager = new DirectoryPager(path);
        try {
            while (true) {
                Message part = expect(MessageType.DIRECTORY_PART, txId,
                        Payload.strings(path, Integer.toString(pager.offset())));
                if (pager.accept(part.payload())) {
                    return pager.children();
                }
            }
        } catch (XsException e) {
            if (e.error() == XsError.ENOSYS) {
                throw new XsException(XsError.E2BIG, "DIRECTORY " + path
                        + ": too many children for one reply, and the daemon has no DIRECTORY_PART");
            }
            throw e;
        }
    }

    List<Permission> getPerms(int txId, String path) throws XsException {
        Message reply = expect(MessageType.GET_PERMS, txId, Payload.strings(path));
        List<Permission> permissions = new ArrayList<>();
        for (String entry : strings(reply)) {
            try {
                permissions.add(Permission.parse(entry));
            } catch (IllegalArgumentException e) {
                throw new XsConnectionException("GET_PERMS " + path + ": malformed reply: " + e.getMessage(), e);
            }
        }
        return List.copyOf(permissions);
    }

    void setPerms(int txId, String path, List<Permission> permissions) throws XsException {
        List<String> parts = new ArrayList<>();
        parts.add(path);
        permissions.forEach(p -> parts.add(p.toString()));
        expect(MessageType.SET_PERMS, txId, Payload.strings(parts));
    }

    void endTransaction(int txId, boolean commit) throws XsException {
        expect(MessageType.TRANSACTION_END, txId, Payload.strings(commit ? "T" : "F"));
    }

    /** Sends a request whose reply must be of the same type (or ERROR, which throws). */
    private Message expect(MessageType type, int txId, byte[] payload) throws XsException {
        Message reply = request(type.code(), txId, payload);
        if (reply.type() != type.code()) {
            MessageType replyType = reply.messageType();
            throw new XsConnectionException(describe(type.code(), txId, payload) + ": reply has type "
                    + (replyType != null ? replyType.name() : Integer.toUnsignedString(reply.type())));
        }
        return reply;
    }

    private static void abortAfterFailure(Transaction tx, Throwable failure) {
        try {
            tx.close();
        } catch (XsException | RuntimeException abortFailure) {
            failure.addSuppressed(abortFailure);
        }
    }

    /** A reply that is a single NUL-terminated string, without the NUL. */
    private static String string(Message reply) {
        List<String> parts = strings(reply);
        if (parts.size() != 1) {
            throw new XsConnectionException(describe(reply.type(), reply.txId(), Payload.EMPTY) + ": reply has "
                    + parts.size() + " strings where one was expected");
        }
        return parts.getFirst();
    }

    /** A reply made of NUL-terminated strings, possibly none. */
    private static List<String> strings(Message reply) {
        if (reply.payload().length > 0 && !Payload.endsWithNul(reply.payload())) {
            throw new XsConnectionException(describe(reply.type(), reply.txId(), Payload.EMPTY)
                    + ": reply does not end with NUL");
        }
        return Payload.split(reply.payload());
    }

    /**
     * Names a request in messages by its type, first argument and transaction, e.g.
     * {@code READ /local/domain (transaction 3)}.
     */
    private static String describe(int typeCode, int txId, byte[] payload) {
        MessageType type = MessageType.fromCode(typeCode);
        StringBuilder text = new StringBuilder(type != null ? type.name() : "message type " + Integer.toUnsignedString(typeCode));
        int end = Payload.firstNul(payload);
        if (end > 0) {
            text.append(' ').append(new String(payload, 0, end, StandardCharsets.ISO_8859_1));
        }
        if (txId != 0) {
            text.append(" (transaction ").append(Integer.toUnsignedString(txId)).append(')');
        }
        return text.toString();
    }
}
