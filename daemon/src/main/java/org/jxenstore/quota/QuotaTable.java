package org.jxenstore.quota;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jxenstore.access.Caller;

/**
 * Quota values: the hard global defaults (set by {@code -Q} and friends, GET/SET_QUOTA without a
 * domid, CONTROL {@code quota set}), per-domain overrides (GET/SET_QUOTA with a domid), and the
 * soft memory quota ({@code -q}, CONTROL {@code quota-soft}, GET/SET_QUOTA {@code soft-memory}).
 */
public final class QuotaTable {
    private final EnumMap<Quota, Integer> global = new EnumMap<>(Quota.class);
    private final Map<Integer, EnumMap<Quota, Integer>> perDomain = new HashMap<>();
    private int softMemory;
    private Listener listener = Listener.NONE;

    /** Told of every change to the values, for the journal. */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void globalsChanged() {
            }

            @Override
            public void domainChanged(int domid) {
            }
        };

        /** A global default or the soft memory quota changed. */
        void globalsChanged();

        /** The values of {@code domid} alone changed. */
        void domainChanged(int domid);
    }

    public void listen(Listener l) {
        listener = l;
    }

    public QuotaTable(Map<Quota, Integer> defaults, int softMemory) {
        global.putAll(defaults);
        this.softMemory = softMemory;
    }

    public int global(Quota q) {
        return global.get(q);
    }

    public void setGlobal(Quota q, int value) {
        global.put(q, value);
        listener.globalsChanged();
    }

    public int softMemory() {
        return softMemory;
    }

    public void setSoftMemory(int value) {
        softMemory = value;
        listener.globalsChanged();
    }

    /** The value that binds {@code domid}: its own if one was set, else the global default. */
    public int limit(Quota q, int domid) {
        // Asked several times a request. Few hosts give a domain values of its own, and the
        // lookup boxes every domid above 127: a young-generation object each time.
        EnumMap<Quota, Integer> own = perDomain.isEmpty() ? null : perDomain.get(domid);
        Integer v = own == null ? null : own.get(q);
        return v == null ? global.get(q) : v;
    }

    public void setForDomain(int domid, Quota q, int value) {
        perDomain.computeIfAbsent(domid, d -> new EnumMap<>(Quota.class)).put(q, value);
        listener.domainChanged(domid);
    }

    /** The values set for {@code domid} alone, by quota. */
    public Map<Quota, Integer> ownValues(int domid) {
        EnumMap<Quota, Integer> own = perDomain.get(domid);
        return own == null ? Map.of() : Map.copyOf(own);
    }

    /** The domains that have values of their own. */
    public Set<Integer> domainsWithOwnValues() {
        return Set.copyOf(perDomain.keySet());
    }

    /** Forgets a domain's own values when it goes away. */
    public void forgetDomain(int domid) {
        if (perDomain.remove(domid) != null) {
            listener.domainChanged(domid);
        }
    }

    /**
     * Whether {@code count} is over the quota {@code q} for {@code caller}. "Reaching" counts as
     * exceeding where C does so; callers pass the count after the change. Privileged callers and a
     * value of 0 are never limited.
     */
    public boolean exceeded(Caller caller, Quota q, long count) {
        if (caller.privileged()) {
            return false;
        }
        int max = limit(q, caller.domid());
        return max > 0 && count > max;
    }
}
