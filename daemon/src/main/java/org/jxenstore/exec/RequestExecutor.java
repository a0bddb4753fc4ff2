package org.jxenstore.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.access.Caller;
import org.jxenstore.access.PermissionCheck;
import org.jxenstore.access.Perm;
import org.jxenstore.access.Perms;
import org.jxenstore.quota.Quota;
import org.jxenstore.quota.QuotaCommands;
import org.jxenstore.quota.QuotaGate;
import org.jxenstore.quota.QuotaTable;
import org.jxenstore.domain.DomainFeatures;
import org.jxenstore.domain.DomainLifecycle;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Request;
import org.jxenstore.protocol.RequestDecoder;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.NodeView;
import org.jxenstore.store.Store;
import org.jxenstore.txn.Change;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.Notifier;
import org.jxenstore.watch.Watch;

/**
 * Executes decoded requests: one handler per message type, each following the paragraph of
 * C xenstored's behaviour it implements. Runs on the event-loop thread only.
 */
public final class RequestExecutor {
    private final Store store;
    private final NodeEditor editor;
    private final Notifier notifier;
    private final QuotaTable quotas;
    private final QuotaGate gate;
    private final QuotaCommands quotaCommands;
    private final Sessions sessions;
    private final DomainLifecycle domains;
    private final DomainFeatures features;
    private final ControlHandler control;
    private final PermissionCheck permissions;
    private final DaemonLog log;
    /** Made once: a method reference made per request would be an allocation per request. */
    private final Consumer<Change> fireNowSink = this::fireNow;
    private long watchSequence;

    public RequestExecutor(DaemonState state, PermissionCheck permissions, Notifier notifier, QuotaGate gate,
            QuotaCommands quotaCommands, DomainLifecycle domains, DomainFeatures features, ControlHandler control,
            DaemonLog log) {
        this.store = state.store();
        this.quotas = state.quotas();
        this.sessions = state.sessions();
        this.gate = gate;
        this.editor = new NodeEditor(store, permissions, gate);
        this.notifier = notifier;
        this.quotaCommands = quotaCommands;
        this.domains = domains;
        this.features = features;
        this.control = control;
        this.permissions = permissions;
        this.log = log;
    }

    /** Types only a privileged caller may send. */
    /** The requests that change a transaction's view: what a live update replays of it. */
    private static final Set<MessageType> CHANGES_VIEW = EnumSet.of(MessageType.WRITE, MessageType.MKDIR,
            MessageType.RM, MessageType.SET_PERMS);

    private static final Set<MessageType> PRIVILEGED_TYPES = EnumSet.of(
            MessageType.CONTROL, MessageType.INTRODUCE, MessageType.RELEASE, MessageType.RESUME,
            MessageType.IS_DOMAIN_INTRODUCED, MessageType.SET_TARGET, MessageType.SET_FEATURE,
            MessageType.GET_QUOTA, MessageType.SET_QUOTA);

    /** Types whose requests can make the store, the watches or the transactions bigger. */
    private static final Set<MessageType> GROWING_TYPES = EnumSet.of(
            MessageType.WRITE, MessageType.MKDIR, MessageType.SET_PERMS, MessageType.WATCH,
            MessageType.TRANSACTION_START, MessageType.INTRODUCE);

    /** Whether a request of this type can make the store, the watches or the transactions bigger. */
    public static boolean grows(MessageType type) {
        return GROWING_TYPES.contains(type);
    }

    /**
     * C's {@code memory} quota for an unprivileged domain: what it owns in the store plus what
     * its connection holds. Past the soft value a warning is logged (once, until it falls
     * back); at the hard value requests that would grow it are refused with ENOMEM.
     */
    private void checkMemory(Session s, MessageType type) throws XsException {
        Caller c = s.caller();
        if (c.privileged() || !grows(type)) {
            return;
        }
        long used = store.bytesOwnedBy(c.domid()) + s.memoryHeld();
        int soft = quotas.softMemory();
        if (s.crossedSoftMemory(soft > 0 && used > soft)) {
            log.warning("dom" + c.domid() + " uses " + used + " bytes, over the soft memory quota " + soft);
        }
        gate.requireBelow(c, Quota.MEMORY, used, XsError.ENOMEM);
    }

    /**
     * Runs one request for a session.
     *
     * <p>The checks come in C's order: a type nobody may send (ENOSYS), a privileged type from
     * an unprivileged caller (EACCES), a transaction id that is not open (ENOENT), and only then
     * the payload (EINVAL).
     *
     * @param type    the request's type, {@code null} if its code names none
     * @param txId    the header's transaction id (0 for none)
     * @param payload the request's payload, as received
     * @throws XsException the error to send instead of a reply
     */
    public Reply execute(Session s, MessageType type, int txId, byte[] payload) throws XsException {
        if (type == null || type == MessageType.WATCH_EVENT || type == MessageType.ERROR
                || type == MessageType.RESTRICT) {
            throw new XsException(XsError.ENOSYS);
        }
        if (PRIVILEGED_TYPES.contains(type)) {
            requirePrivileged(s.caller());
        }
        Transaction tx = null;
        // XSA-115: WATCH and UNWATCH ignore the transaction id.
        if (txId != 0 && type != MessageType.WATCH && type != MessageType.UNWATCH) {
            tx = s.transactions().get(txId);
            if (tx == null) {
                throw new XsException(XsError.ENOENT);
            }
        }
        Request request = RequestDecoder.decode(type, payload);
        checkMemory(s, type);
        if (tx != null && CHANGES_VIEW.contains(type)) {
            tx.logStep(type.code(), payload);
        }
        Caller c = s.caller();
        NodeView view = tx == null ? store : tx;
        Consumer<Change> changes = tx == null ? fireNowSink : tx::record;
        store.beginChange();
        try {
            Reply reply = switch (request) {
                case Request.Read r -> Reply.of(editor.require(view, c, path(c, r.path()), Access.READ).value());
                case Request.Write w -> {
                    editor.write(view, c, path(c, w.path()), w.value(), changes);
                    yield Reply.OK;
                }
                case Request.Mkdir m -> {
                    editor.mkdir(view, c, path(c, m.path()), changes);
                    yield Reply.OK;
                }
                case Request.Rm r -> {
                    editor.rm(view, c, path(c, r.path()), changes);
                    yield Reply.OK;
                }
                case Request.Directory d -> directory(view, c, d);
                case Request.DirectoryPart d -> directoryPart(view, c, d);
                case Request.GetPerms g -> Reply.of(Payload.strings(
                        editor.require(view, c, path(c, g.path()), Access.READ).perms().strings()));
                case Request.SetPerms sp -> setPerms(view, c, sp, changes);
                case Request.Watch w -> watch(s, w);
                case Request.Unwatch u -> unwatch(s, u);
                case Request.TransactionStart ts -> transactionStart(s, tx);
                case Request.TransactionEnd te -> transactionEnd(s, tx, te.commit());
                case Request.ResetWatches rw -> {
                    sessions.reset(s);
                    yield Reply.OK;
                }
                case Request.GetDomainPath g -> Reply.strings(NodePath.home(g.domid()));
                case Request.Control ctl -> control.run(s, ctl.args());
                case Request.Introduce i -> {
                    // The ring is reached through grant reference 1; the frame number the
                    // toolstack sends is not needed (C does the same).
                    domains.introduce(i.domid(), i.port());
                    yield Reply.OK;
                }
                case Request.Release r -> {
                    domains.release(r.domid());
                    yield Reply.OK;
                }
                case Request.Resume r -> {
                    domains.resume(r.domid());
                    yield Reply.OK;
                }
                case Request.IsDomainIntroduced i -> Reply.strings(
                        i.domid() == Wire.DOMID_SELF || domains.isIntroduced(i.domid()) ? "T" : "F");
                case Request.SetTarget t -> {
                    domains.setTarget(t.domid(), t.target());
                    yield Reply.OK;
                }
                case Request.GetFeature g -> Reply.strings(Integer.toUnsignedString(features.get(c, g.args())));
                case Request.SetFeature sf -> {
                    features.set(sf.args());
                    yield Reply.OK;
                }
                case Request.GetQuota g -> Reply.strings(quotaCommands.get(g.args()));
                case Request.SetQuota sq -> {
                    quotaCommands.set(sq.args());
                    yield Reply.OK;
                }
            };
            store.endChange();
            return reply;
        } catch (Transaction.TooManyNodesException e) {
            // transaction-nodes reached: the request is refused, and the transaction, which
            // could not do all it meant to, may not commit (XSA-415/421).
            store.abortChange();
            tx.fail();
            throw gate.refuse(s.caller(), Quota.TRANSACTION_NODES, XsError.ENOSPC);
        } catch (XsException e) {
            // A refusal can come after part of the work (a quota checked late): take it all back.
            store.abortChange();
            // XSA-415/421: a transaction in which a change was refused for lack of room may not
            // commit the rest of its changes.
            if (tx != null && (e.error() == XsError.ENOSPC || e.error() == XsError.ENOMEM)) {
                tx.fail();
            }
            throw e;
        } catch (RuntimeException | Error e) {
            // An internal failure leaves nothing half-applied: the store's change is taken back,
            // and a transaction it happened in can no longer commit (XSA-415).
            store.abortChange();
            if (tx != null) {
                tx.fail();
            }
            throw e;
        }
    }

    private void fireNow(Change change) {
        notifier.fire(change, store.generation());
        domains.forgetUnusedRecords(change);
    }

    /**
     * A CONTROL reply cut to fit one message: a long problem list from {@code check} is better
     * seen in part than lost to E2BIG.
     */
    private static void requirePrivileged(Caller c) throws XsException {
        if (!c.privileged()) {
            throw new XsException(XsError.EACCES);
        }
    }

    /** Canonicalises a node path (special names are not nodes) and applies C's validity rules. */
    private String path(Caller c, String raw) throws XsException {
        String p = NodePath.canonicalize(raw, c.domid());
        if (!NodePath.isValid(p, quotas.limit(Quota.PATH_MAX, c.domid()))) {
            throw new XsException(XsError.EINVAL);
        }
        return p;
    }

    private Reply directory(NodeView v, Caller c, Request.Directory d) throws XsException {
        Node n = editor.require(v, c, path(c, d.path()), Access.READ);
        byte[] list = childList(n);
        if (list.length > Wire.PAYLOAD_MAX) {
            throw new XsException(XsError.E2BIG);
        }
        return Reply.of(list);
    }

    private static byte[] childList(Node n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : n.children().names()) {
            out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        return out.toByteArray();
    }

    /**
     * DIRECTORY_PART, as C computes it: the node's generation, then the NUL-separated child list
     * from a byte offset (read with {@code atoi} and taken unsigned, so "-1" is past the end),
     * whole names as far as they fit, and an empty string once the list is complete. An offset
     * past the end gives just that empty string; one inside a name starts with the rest of it.
     */
    private Reply directoryPart(NodeView v, Caller c, Request.DirectoryPart d) throws XsException {
        Node n = editor.require(v, c, path(c, d.path()), Access.READ);
        byte[] list = childList(n);
        byte[] gen = Payload.strings(Long.toString(n.generation()));
        long off = Integer.toUnsignedLong((int) d.offset());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(gen);
        if (off >= list.length) {
            out.write(0);
            return Reply.of(out.toByteArray());
        }
        int start = (int) off;
        int room = Wire.PAYLOAD_MAX - gen.length - 1;
        int len = 0;
        while (true) {
            int name = nameLength(list, start + len);
            if (len + name >= room) {
                break;
            }
            len += name + 1;
            if (start + len == list.length) {
                break;
            }
        }
        out.write(list, start, len);
        if (start + len == list.length) {
            out.write(0);
        }
        return Reply.of(out.toByteArray());
    }

    /** Bytes from {@code from} to the next NUL. */
    private static int nameLength(byte[] list, int from) {
        int end = from;
        while (list[end] != 0) {
            end++;
        }
        return end - from;
    }

    private Reply setPerms(NodeView v, Caller c, Request.SetPerms sp, Consumer<Change> changes) throws XsException {
        // C counts the entries before it parses them.
        gate.require(c, Quota.NODE_PERMISSIONS, sp.perms().size(), XsError.ENOSPC);
        boolean anyAllowed = (features.of(c) & Wire.FEATURE_DOMID_ANY) != 0;
        List<Perm> entries = new ArrayList<>();
        for (String s : sp.perms()) {
            Perm p = Perm.parse(s);
            if (p == null) {
                throw new XsException(XsError.EINVAL);
            }
            // An entry for a domain that does not exist is kept and listed, but never honoured
            // (C 4.17); DOMID_ANY means "every domain" only for a writer with that feature.
            boolean honoured = p.domid() == Wire.DOMID_ANY ? anyAllowed : domains.exists(p.domid());
            entries.add(honoured ? p : p.ignored());
        }
        if (entries.getFirst().stale()) {
            // A node's owner must exist.
            throw new XsException(XsError.ENOENT);
        }
        Perms perms = new Perms(entries);
        if (v instanceof Transaction t && !sp.path().startsWith("@")) {
            setPerms(v, c, sp.path(), perms, changes);
            t.rememberPerms(perms);
            return Reply.OK;
        }
        // XSA-417: every domain an entry names gets a record now, stamped before this write;
        // if the request is refused, records made only for it go again.
        domains.recordAll(perms);
        try {
            setPerms(v, c, sp.path(), perms, changes);
        } catch (XsException e) {
            domains.forgetUnused(perms);
            throw e;
        }
        return Reply.OK;
    }

    private void setPerms(NodeView v, Caller c, String rawPath, Perms perms, Consumer<Change> changes)
            throws XsException {
        if (rawPath.startsWith("@")) {
            if (!store.isSpecialNode(rawPath)) {
                throw new XsException(XsError.ENOENT);
            }
            if (!permissions.owns(c, store.specialPerms(rawPath))) {
                throw new XsException(XsError.EACCES);
            }
            store.setSpecialPerms(rawPath, perms);
            return;
        }
        editor.setPerms(v, c, path(c, rawPath), perms, changes);
    }

    private Reply watch(Session s, Request.Watch w) throws XsException {
        Caller c = s.caller();
        String p = watchPath(c, w.path());
        if (w.depth() >= 0 && (features.of(c) & Wire.FEATURE_WATCHDEPTH) == 0) {
            throw new XsException(XsError.EINVAL);
        }
        for (Watch existing : s.watches()) {
            if (existing.path().equals(p) && existing.token().equals(w.token())) {
                throw new XsException(XsError.EEXIST);
            }
        }
        // C compares the count before adding with "greater than": quota + 1 watches fit.
        gate.require(c, Quota.WATCHES, s.watches().size(), XsError.E2BIG);
        Watch watch = new Watch(s.sink(), p, w.token(), NodePath.isRelative(w.path()), w.depth(), watchSequence++);
        sessions.addWatch(s, watch);
        return new Reply(Payload.OK, watch);
    }

    /**
     * A watch the daemon's previous process had, as the client gave it ({@code path} relative or
     * absolute). After a crash it fires once now ({@code fire}), as a new watch does: the client
     * may have missed events while no daemon ran; after a live update nothing was missed.
     */
    public void adoptWatch(Session s, String path, String token, int depth, boolean fire) {
        Caller c = s.caller();
        String p = path.startsWith("@") ? path : NodePath.canonicalize(path, c.domid());
        Watch watch = new Watch(s.sink(), p, token, NodePath.isRelative(path), depth, watchSequence++);
        sessions.addWatch(s, watch);
        if (fire) {
            s.sink().deliver(watch.eventPath(p), token);
        }
    }

    /**
     * A transaction that was open when the daemon's previous process ended, and what it had read
     * is lost: it goes on as a transaction whose commit fails with EAGAIN, and the client's retry
     * loop starts it again.
     */
    public void adoptTransaction(Session s, int id) {
        Transaction tx = new Transaction(id, store, transactionNodeLimit(s.caller()));
        tx.interrupt();
        s.skipTransactionIdsTo(id);
        sessions.beginTransaction(s, tx);
    }

    /**
     * A transaction a live update carried over: it touches the nodes it had touched, in the same
     * order (none of them had changed, or it would not have been carried), then runs again the
     * requests that changed its view. It is then as it was, and commits as it would have.
     */
    public void replayTransaction(Session s, int id, List<String> touched, List<Transaction.Step> steps) {
        Transaction tx = new Transaction(id, store, transactionNodeLimit(s.caller()));
        s.skipTransactionIdsTo(id);
        sessions.beginTransaction(s, tx);
        for (String p : touched) {
            tx.get(p);
        }
        for (Transaction.Step step : steps) {
            try {
                execute(s, MessageType.fromCode(step.type()), id, step.payload());
            } catch (XsException e) {
                // It failed the same way the first time; what it did to the transaction is redone.
            }
        }
    }

    private int transactionNodeLimit(Caller c) {
        return c.privileged() ? 0 : quotas.limit(Quota.TRANSACTION_NODES, c.domid());
    }

    /** Special names ({@code @...}) are taken as they are; node paths are canonicalised and checked. */
    private String watchPath(Caller c, String raw) throws XsException {
        if (raw.startsWith("@")) {
            if (raw.length() > Wire.REL_PATH_MAX) {
                throw new XsException(XsError.EINVAL);
            }
            return raw;
        }
        return path(c, raw);
    }

    /**
     * UNWATCH: the path is made absolute and compared as it is, without C's validity checks, so a
     * path no watch can have is ENOENT, as in C.
     */
    private Reply unwatch(Session s, Request.Unwatch u) throws XsException {
        String p = NodePath.canonicalize(u.path(), s.caller().domid());
        for (Watch w : s.watches()) {
            if (w.path().equals(p) && w.token().equals(u.token())) {
                sessions.removeWatch(s, w);
                return Reply.OK;
            }
        }
        throw new XsException(XsError.ENOENT);
    }

    private Reply transactionStart(Session s, Transaction current) throws XsException {
        if (current != null) {
            throw new XsException(XsError.EBUSY);
        }
        // As for watches, C lets quota + 1 transactions be open.
        gate.require(s.caller(), Quota.TRANSACTIONS, s.transactions().size(), XsError.ENOSPC);
        int id = s.allocateTransactionId();
        sessions.beginTransaction(s, new Transaction(id, store, transactionNodeLimit(s.caller())));
        return Reply.strings(Integer.toUnsignedString(id));
    }

    private Reply transactionEnd(Session s, Transaction tx, boolean commit) throws XsException {
        if (tx == null) {
            throw new XsException(XsError.ENOENT);
        }
        sessions.endTransaction(s, tx);
        if (!commit) {
            return Reply.OK;
        }
        if (tx.failed()) {
            throw new XsException(XsError.EIO);
        }
        if (!tx.validate()) {
            throw new XsException(XsError.EAGAIN);
        }
        Caller c = s.caller();
        if (!c.privileged()) {
            gate.require(c, Quota.NODES, (long) store.nodesOwnedBy(c.domid()) + tx.netNodesOwnedBy(c.domid()),
                    XsError.ENOSPC);
        }
        for (Perms p : tx.permsSet()) {
            domains.recordAll(p);
        }
        tx.apply();
        CommitFiring.fire(tx, notifier, store);
        for (Change ch : tx.changes()) {
            domains.forgetUnusedRecords(ch);
        }
        return Reply.OK;
    }
}
