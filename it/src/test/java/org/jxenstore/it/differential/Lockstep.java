package org.jxenstore.it.differential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jxenstore.it.wire.RawConnection;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;

/**
 * One seeded run: the same requests, in the same order, from the same clients of the reference
 * daemon and of the daemon under test: socket connections (privileged) and guests on their
 * rings (unprivileged, so permissions, quotas and the EACCES/ENOENT masking are compared too). After each request every connection
 * that may have events is synchronised (a request whose reply follows every event queued before
 * it), so that each connection's events are compared in order, step by step; now and then the
 * whole subtree below the run's prefix is compared too (values, permissions, child order).
 */
final class Lockstep implements AutoCloseable {
    /** A request whose reply is the same on every daemon and that changes nothing. */
    private static final byte[] SYNC = Payload.strings("0");
    private static final int HISTORY = Integer.getInteger("jxs.diff.history", 40);
    private static final int TREE_EVERY = 100;

    private final long seed;
    private final String prefix;
    private final RequestGenerator generator;
    private final List<Integer> guests;
    private final Side reference;
    private final Side tested;
    private final List<List<Integer>> transactions = new ArrayList<>();
    private final boolean[] mayHaveEvents;
    private final Deque<String> history = new ArrayDeque<>();
    /**
     * The first difference inside each transaction whose replies differed, until it ends. What
     * a client reads in a transaction counts only if the transaction commits: one that fails
     * with EAGAIN must start over, one aborted is discarded. C 4.17's view inside a transaction
     * that has already lost to another writer mixes old and new nodes (a child it can read but
     * not list, EIO for removing it, a name listed twice). Such differences are forgiven unless
     * the transaction commits on both daemons (docs/compatibility.md).
     */
    private final Map<Long, Divergence> doomed = new HashMap<>();
    /** Transactions in which C answered EIO. */
    private final Set<Long> corrupt = new HashSet<>();
    private int reqId = 1;
    private final List<Played> played = new ArrayList<>();
    /** For each open transaction (by {@link #transactionKey}), the index in {@link #played} of its start. */
    private final Map<Long, Integer> startedAt = new HashMap<>();

    /**
     * One request as sent: by which client, and, if it named an open transaction, the index of the
     * TRANSACTION_START that opened it ({@code -1} if none); {@code startedId} is the transaction
     * it opened, if it was a TRANSACTION_START that succeeded ({@code -1} otherwise).
     */
    record Played(int index, int client, RequestGenerator.Request request, int startedBy, int startedId) {
    }

    /** One daemon under the shim: its name in reports, its socket and its run folder (the ring directory). */
    record Daemon(String name, Path socket, Path dir) {
    }

    /** Where the guest bridge and the shared peers folder are. */
    record GuestTools(Path bridge, Path shared) {
    }

    /** The clients of one daemon (socket connections, then guests), and a socket that reads the tree. */
    private record Side(String name, List<Endpoint> clients, RawConnection admin) {
        static Side open(Daemon daemon, int sockets, List<Integer> guests, GuestTools tools) throws IOException {
            List<Endpoint> clients = new ArrayList<>();
            for (int domid : guests) {
                clients.add(GuestEndpoint.start(tools.bridge(), tools.shared(), daemon.dir(), domid));
            }
            Message probe = new Message(MessageType.GET_DOMAIN_PATH.code(), 0, 0, SYNC);
            for (int i = 0; i < sockets; i++) {
                clients.add(SocketEndpoint.open(daemon.socket(), probe));
            }
            RawConnection admin = RawConnection.open(daemon.socket());
            admin.call(MessageType.GET_DOMAIN_PATH, 0, SYNC);
            return new Side(daemon.name(), clients, admin);
        }
    }

    /**
     * @param sockets socket connections on each daemon
     * @param guests  the domids of the guests on each daemon, each introduced afresh
     */
    Lockstep(long seed, int sockets, List<Integer> guests, Daemon reference, Daemon tested, GuestTools tools)
            throws IOException {
        this(seed, prefixOf(seed), sockets, guests, reference, tested, tools);
    }

    /** @param prefix the folder this run's paths live in: a replay takes a new one, so it meets no earlier nodes */
    Lockstep(long seed, String prefix, int sockets, List<Integer> guests, Daemon reference, Daemon tested,
            GuestTools tools) throws IOException {
        this.seed = seed;
        this.prefix = prefix;
        this.generator = new RequestGenerator(seed, prefix);
        this.guests = List.copyOf(guests);
        this.reference = Side.open(reference, sockets, guests, tools);
        this.tested = Side.open(tested, sockets, guests, tools);
        int connections = sockets + guests.size();
        this.mayHaveEvents = new boolean[connections];
        for (int i = 0; i < connections; i++) {
            transactions.add(new ArrayList<>());
        }
    }

    /** The folder a seed's run uses. */
    static String prefixOf(long seed) {
        return "/diff" + Long.toUnsignedString(seed, 36);
    }

    /** The requests sent so far, in order, in a form {@link #replay} can send again. */
    List<Played> played() {
        return played;
    }

    /**
     * Sends recorded requests again, in order; their paths move from {@code from} (the prefix of
     * the run that recorded them) to this run's prefix, and a request in a transaction goes to
     * the transaction that its recorded TRANSACTION_START opened in this run. A transaction whose
     * start is not among {@code steps} is named by its recorded id, which may name another open
     * transaction here: the replay is then a different sequence, still one the generator could
     * have made, except for RESET_WATCHES, which goes outside (C 4.17 aborts on it inside).
     *
     * @throws Divergence at the first difference
     */
    void replay(List<Played> steps, String from) throws IOException, Divergence {
        Map<Integer, Integer> opened = new HashMap<>();
        int step = 0;
        for (Played p : steps) {
            step++;
            RequestGenerator.Request r = p.request();
            int tx = p.startedBy() >= 0 && opened.containsKey(p.startedBy()) ? opened.get(p.startedBy()) : r.txId();
            if (r.type() == MessageType.RESET_WATCHES.code() && transactions.get(p.client()).contains(tx)) {
                // With fewer requests, an id that named no transaction may name an open one, and
                // C 4.17 aborts on RESET_WATCHES there: send it outside, as the generator does.
                tx = 0;
            }
            RequestGenerator.Request moved = new RequestGenerator.Request(r.type(), tx,
                    moved(r.payload(), from.substring(1), prefix.substring(1)),
                    r.text().replace(from.substring(1), prefix.substring(1)));
            int before = played.size();
            step(step, p.client(), moved);
            Played now = played.get(before);
            if (now.startedId() >= 0) {
                opened.put(p.index(), now.startedId());
            }
        }
        compareTrees(step);
    }

    /**
     * Runs {@code steps} random requests.
     *
     * @throws Divergence at the first difference, with the steps that led to it
     */
    void run(int steps) throws IOException, Divergence {
        for (int step = 1; step <= steps; step++) {
            int c = generator.nextInt(reference.clients().size());
            step(step, c, generator.next(transactions.get(c)));
            if (step == steps) {
                commitOpenTransactions(step);
            }
            if (step % TREE_EVERY == 0 || step == steps) {
                compareTrees(step);
            }
        }
    }

    private void compareTrees(int step) throws IOException, Divergence {
        String refTree = tree(reference);
        String testTree = tree(tested);
        if (!refTree.equals(testTree)) {
            throw divergence(step, "tree below " + prefix, refTree, testTree);
        }
    }

    /** One request of client {@code c} to both daemons, then the events of every client compared. */
    private void step(int step, int c, RequestGenerator.Request r) throws IOException, Divergence {
        int index = played.size();
        int startedBy = r.txId() != 0 && transactions.get(c).contains(r.txId())
                ? startedAt.getOrDefault(transactionKey(c, r.txId()), -1) : -1;
        String refReply = exchange(reference, c, r);
        String testReply = exchange(tested, c, r);
        remember("c" + c + " " + r.text() + "  -> " + lastLine(refReply));
        int startedId = MessageType.fromCode(r.type()) == MessageType.TRANSACTION_START
                && refReply.startsWith("TRANSACTION_START") ? Integer.parseUnsignedInt(quoted(refReply)) : -1;
        played.add(new Played(index, c, r, startedBy, startedId));
        if (!refReply.equals(testReply) && !forgiven(c, r, refReply, testReply)) {
            Divergence d = divergence(step, "reply to c" + c, refReply, testReply);
            if (!insideTransaction(c, r)) {
                throw d;
            }
            doomed.putIfAbsent(transactionKey(c, r.txId()), d);
        }
        settleTransactions(c, r, refReply);
        track(c, r, refReply);
        for (int i = 0; i < mayHaveEvents.length; i++) {
            if (mayHaveEvents[i] || i == c) {
                String refEvents = sync(reference, i);
                String testEvents = sync(tested, i);
                if (!refEvents.equals(testEvents)) {
                    throw divergence(step, "events of c" + i, refEvents, testEvents);
                }
            }
        }
    }

    /**
     * Ends the run by committing every transaction still open, as a client would, so that each
     * one's differences are settled by its commit like any other.
     */
    private void commitOpenTransactions(int step) throws IOException, Divergence {
        for (int c = 0; c < transactions.size(); c++) {
            for (int tx : List.copyOf(transactions.get(c))) {
                step(step, c, new RequestGenerator.Request(MessageType.TRANSACTION_END.code(), tx,
                        Payload.strings("T"), "TRANSACTION_END tx=" + tx + " \"T\" (end of run)"));
            }
        }
    }

    /** Sends a request on client {@code c} and returns its events and reply as text. */
    private String exchange(Side side, int c, RequestGenerator.Request r) throws IOException {
        return answer(side.clients().get(c), new Message(r.type(), reqId++, r.txId(), r.payload()), true);
    }

    /** The events client {@code i} has received up to now. */
    private String sync(Side side, int i) throws IOException {
        return answer(side.clients().get(i), new Message(MessageType.GET_DOMAIN_PATH.code(), reqId++, 0, SYNC), false);
    }

    /**
     * The events that arrive before the reply to {@code request}, and that reply unless
     * {@code withReply} is false; a connection the daemon closed, or a reply that never comes,
     * is part of the answer.
     */
    private static String answer(Endpoint e, Message request, boolean withReply) throws IOException {
        List<Message> arrived = e.call(request);
        Message last = arrived.isEmpty() ? null : arrived.getLast();
        boolean replied = last != null && last.type() != MessageType.WATCH_EVENT.code();
        String events = render(replied ? arrived.subList(0, arrived.size() - 1) : arrived);
        if (!replied) {
            return events + (e.closed() ? "CONNECTION CLOSED\n" : "NO REPLY\n");
        }
        return events + (withReply ? render(last) : "");
    }

    /**
     * The differences docs/compatibility.md lists inside a transaction, where C is wrong by its
     * own rules: an internal error (EIO: C found its transaction's copy of the tree inconsistent,
     * and everything it answers in that transaction afterwards comes from that copy), and a
     * directory that lists a name twice. Commits are always compared.
     */
    private boolean forgiven(int c, RequestGenerator.Request r, String refReply, String testReply) {
        if (!insideTransaction(c, r)) {
            return false;
        }
        long key = transactionKey(c, r.txId());
        if (refReply.equals("ERROR \"EIO\"\n")) {
            corrupt.add(key);
        }
        if (corrupt.contains(key)) {
            return true;
        }
        return MessageType.fromCode(r.type()) == MessageType.DIRECTORY
                && String.join(" ", new LinkedHashSet<>(List.of(refReply.strip().split(" ")))).equals(testReply.strip());
    }

    private boolean insideTransaction(int c, RequestGenerator.Request r) {
        MessageType type = MessageType.fromCode(r.type());
        return r.txId() != 0 && transactions.get(c).contains(r.txId()) && type != MessageType.TRANSACTION_END
                && type != MessageType.WATCH && type != MessageType.UNWATCH;
    }

    private static long transactionKey(int c, int txId) {
        return ((long) c << 32) | Integer.toUnsignedLong(txId);
    }

    /**
     * The end of a transaction whose replies differed: reported if it committed (the replies to
     * the commit were equal, or we would not be here), forgiven if it did not: EAGAIN, an abort,
     * or RESET_WATCHES, which ends every transaction of the connection.
     */
    private void settleTransactions(int c, RequestGenerator.Request r, String reply) throws Divergence {
        MessageType type = MessageType.fromCode(r.type());
        if (type == MessageType.TRANSACTION_END && r.txId() != 0) {
            if (reply.startsWith("ERROR \"EINVAL\"") || reply.startsWith("ERROR \"ENOENT\"")) {
                return; // not ended
            }
            Divergence d = doomed.remove(transactionKey(c, r.txId()));
            boolean committed = reply.equals("TRANSACTION_END \"OK\"\n") && r.payload()[0] == 'T';
            if (d != null && committed) {
                throw new Divergence(d.kind(), d.getMessage() + "--- and the transaction then committed\n");
            }
        } else if (type == MessageType.RESET_WATCHES && reply.equals("RESET_WATCHES \"OK\"\n")) {
            for (int tx : transactions.get(c)) {
                doomed.remove(transactionKey(c, tx));
            }
        }
    }

    /** Keeps the generator's view of open transactions and watches in step with the daemons. */
    private void track(int c, RequestGenerator.Request r, String reply) {
        MessageType type = MessageType.fromCode(r.type());
        if (type == MessageType.TRANSACTION_END) {
            // The transaction is gone whatever the commit gave, unless the request itself was refused.
            if (!reply.startsWith("ERROR \"EINVAL\"") && !reply.startsWith("ERROR \"ENOENT\"")) {
                transactions.get(c).remove(Integer.valueOf(r.txId()));
            }
            return;
        }
        if (reply.startsWith("ERROR")) {
            return;
        }
        if (type == MessageType.TRANSACTION_START) {
            int id = Integer.parseUnsignedInt(quoted(reply));
            transactions.get(c).add(id);
            startedAt.put(transactionKey(c, id), played.size() - 1);
        } else if (type == MessageType.RESET_WATCHES) {
            transactions.get(c).clear();
        } else if (type == MessageType.WATCH) {
            mayHaveEvents[c] = true;
        }
    }

    /** Values, permissions and child lists of the run's subtree, walked breadth first. */
    private String tree(Side side) throws IOException {
        StringBuilder out = new StringBuilder();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(prefix);
        for (int domid : guests) {
            todo.add("/local/domain/" + domid);
        }
        RawConnection admin = side.admin();
        while (!todo.isEmpty()) {
            String path = todo.removeFirst();
            Message value = admin.call(MessageType.READ, reqId++, Payload.strings(path));
            if (value.type() == MessageType.ERROR.code()) {
                out.append(path).append(": ").append(render(value)).append('\n');
                continue;
            }
            Message perms = admin.call(MessageType.GET_PERMS, reqId++, Payload.strings(path));
            Message children = admin.call(MessageType.DIRECTORY, reqId++, Payload.strings(path));
            out.append(path).append(" = ").append(render(value)).append(render(perms)).append(render(children))
                    .append('\n');
            for (String child : Payload.split(children.payload())) {
                todo.add(path + "/" + child);
            }
        }
        return out.toString();
    }

    private static String render(List<Message> events) {
        StringBuilder sb = new StringBuilder();
        for (Message m : events) {
            sb.append("EVENT ").append(String.join(" ", Payload.split(m.payload()))).append('\n');
        }
        return sb.toString();
    }

    /**
     * A message as text: its type and its payload strings. The generation count that opens a
     * DIRECTORY_PART reply is left out: it is the daemon's own counter, which clients only compare
     * with itself.
     */
    static String render(Message m) {
        MessageType type = MessageType.fromCode(m.type());
        List<String> strings = new ArrayList<>(Payload.split(m.payload()));
        if (type == MessageType.DIRECTORY_PART && !strings.isEmpty()) {
            strings.set(0, "<generation>");
        }
        StringBuilder sb = new StringBuilder(type == null ? "TYPE_" + m.type() : type.name());
        for (String s : strings) {
            sb.append(" \"").append(s).append('"');
        }
        if (m.payload().length > 0 && m.payload()[m.payload().length - 1] != 0) {
            sb.append(" (no final NUL)");
        }
        return sb.append('\n').toString();
    }

    /** {@code payload} with every {@code from} replaced by {@code to}, byte for byte otherwise. */
    private static byte[] moved(byte[] payload, String from, String to) {
        return new String(payload, StandardCharsets.ISO_8859_1).replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The one string of a reply such as {@code TRANSACTION_START "12"}. */
    private static String quoted(String reply) {
        return reply.substring(reply.indexOf('"') + 1, reply.lastIndexOf('"'));
    }

    /** A reply as one short line, for the history of a report. */
    private static String lastLine(String answer) {
        String[] lines = answer.strip().split("\n");
        String last = lines[lines.length - 1];
        return last.length() > 60 ? last.substring(0, 60) + "..." : last;
    }

    private void remember(String line) {
        history.addLast(line);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
    }

    private Divergence divergence(int step, String what, String ref, String test) {
        String kind = what.startsWith("tree ") ? "tree" : what;
        StringBuilder sb = new StringBuilder();
        sb.append("seed ").append(seed).append(", step ").append(step).append(": ").append(what)
                .append(" differs\n--- ").append(reference.name()).append(":\n").append(ref)
                .append("--- ").append(tested.name()).append(":\n").append(test)
                .append("--- the last ").append(history.size()).append(" requests:\n");
        for (String h : history) {
            sb.append("  ").append(h).append('\n');
        }
        return new Divergence(kind, sb.toString());
    }

    @Override
    public void close() throws IOException {
        for (Side side : List.of(reference, tested)) {
            for (Endpoint c : side.clients()) {
                c.close();
            }
            side.admin().close();
        }
    }

    /** The daemons answered differently. */
    static final class Divergence extends Exception {
        private final String kind;

        Divergence(String kind, String report) {
            super(report, null, false, false);
            this.kind = kind;
        }

        /** What differed, without the step or the run's prefix: {@code reply to c3}, {@code events of c0}, {@code tree}. */
        String kind() {
            return kind;
        }
    }
}
