package org.jxenstore.quota;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.jxenstore.access.Caller;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * Where a request meets a quota: it passes, or it is refused with the protocol's error, and the
 * refusal goes to the daemon log with the domain, the quota and its limit, so that an operator
 * sees which domain hits which quota. A domain hammering a limit is logged at most once a minute
 * per quota, so that it cannot flood the log.
 */
public final class QuotaGate {
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;
    /** Past this many remembered refusals, those older than the interval are forgotten. */
    private static final int PRUNE_AT = 4096;

    private final QuotaTable quotas;
    private final DaemonLog log;
    private final LongSupplier clock;
    /** (domid, quota) → when its refusal was last logged. */
    private final Map<Long, Long> lastLogged = new HashMap<>();
    private BiConsumer<Integer, Quota> onRefusal = (domid, q) -> { };

    public QuotaGate(QuotaTable quotas, DaemonLog log) {
        this(quotas, log, System::nanoTime);
    }

    QuotaGate(QuotaTable quotas, DaemonLog log, LongSupplier clock) {
        this.quotas = quotas;
        this.log = log;
        this.clock = clock;
    }

    /** From now on, every refusal is also reported to {@code l} (the metrics), unthrottled. */
    public void listen(BiConsumer<Integer, Quota> l) {
        onRefusal = l;
    }

    /**
     * Refuses with {@code error} when {@code count}, the value after the change, is over the
     * quota {@code q} for {@code caller} ({@link QuotaTable#exceeded}).
     */
    public void require(Caller caller, Quota q, long count, XsError error) throws XsException {
        if (quotas.exceeded(caller, q, count)) {
            throw refuse(caller, q, error);
        }
    }

    /**
     * Refuses with {@code error} unless {@code value} stays strictly below {@code q}: C's rule
     * for {@code node-size} and {@code memory}.
     */
    public void requireBelow(Caller caller, Quota q, long value, XsError error) throws XsException {
        require(caller, q, value + 1, error);
    }

    /** A refusal found where the count is kept (a transaction's nodes): logged like the others. */
    public XsException refuse(Caller caller, Quota q, XsError error) {
        int domid = caller.domid();
        onRefusal.accept(domid, q);
        long key = ((long) domid << 8) | q.ordinal();
        long now = clock.getAsLong();
        Long last = lastLogged.get(key);
        if (last == null || now - last >= LOG_INTERVAL_NANOS) {
            if (lastLogged.size() >= PRUNE_AT) {
                lastLogged.values().removeIf(t -> now - t >= LOG_INTERVAL_NANOS);
            }
            lastLogged.put(key, now);
            log.warning("dom" + domid + " reached its " + q.wireName() + " quota (" + quotas.limit(q, domid)
                    + "): " + error.name());
        }
        return new XsException(error);
    }
}
