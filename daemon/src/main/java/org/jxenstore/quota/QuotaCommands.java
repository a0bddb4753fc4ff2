package org.jxenstore.quota;

import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import org.jxenstore.protocol.Decimal;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * Every way a client reads or sets a quota: GET_QUOTA and SET_QUOTA (Xen 4.22's wire
 * requests), and {@code xenstore-control quota} and {@code quota-soft}. The soft memory quota
 * is {@code soft-memory} on the wire and {@code memory} under {@code quota-soft}, as in C.
 */
public final class QuotaCommands {
    /** The wire name of the soft memory quota in GET/SET_QUOTA. */

    private final QuotaTable quotas;
    private final IntPredicate knownDomain;
    private final IntUnaryOperator nodesOwned;
    private final IntUnaryOperator watchesOwned;

    /**
     * @param knownDomain  whether xenstored has a record of a domain (per-domain values need one)
     * @param nodesOwned   how many nodes a domain owns, for CONTROL {@code quota <domid>}
     * @param watchesOwned how many watches a domain's connections hold, likewise
     */
    public QuotaCommands(QuotaTable quotas, IntPredicate knownDomain, IntUnaryOperator nodesOwned,
            IntUnaryOperator watchesOwned) {
        this.quotas = quotas;
        this.knownDomain = knownDomain;
        this.nodesOwned = nodesOwned;
        this.watchesOwned = watchesOwned;
    }

    /** GET_QUOTA: with no argument the names, with a name its global value, with a domid and a name the domain's. */
    public String get(List<String> args) throws XsException {
        return switch (args.size()) {
            case 0 -> {
                StringBuilder sb = new StringBuilder();
                for (Quota q : Quota.values()) {
                    sb.append(q.wireName()).append(' ');
                }
                yield sb.append(Quota.SOFT_MEMORY).toString();
            }
            case 1 -> args.getFirst().equals(Quota.SOFT_MEMORY)
                    ? Integer.toString(quotas.softMemory())
                    : Integer.toString(quotas.global(quota(args.getFirst())));
            case 2 -> {
                int domid = knownDomid(args.get(0));
                yield Integer.toString(quotas.limit(quota(args.get(1)), domid));
            }
            default -> throw new XsException(XsError.EINVAL);
        };
    }

    /** SET_QUOTA: {@code name value} sets a global default, {@code domid name value} one domain's. */
    public void set(List<String> args) throws XsException {
        switch (args.size()) {
            case 2 -> {
                int value = value(args.get(1));
                if (args.get(0).equals(Quota.SOFT_MEMORY)) {
                    quotas.setSoftMemory(value);
                } else {
                    quotas.setGlobal(quota(args.get(0)), value);
                }
            }
            case 3 -> {
                int domid = knownDomid(args.get(0));
                quotas.setForDomain(domid, quota(args.get(1)), value(args.get(2)));
            }
            default -> throw new XsException(XsError.EINVAL);
        }
    }

    /**
     * CONTROL {@code quota}: no argument lists the global values, {@code set <name> <value>} sets
     * one, {@code <domid>} shows what a domain uses of its node and watch quotas.
     */
    public String control(List<String> args) throws XsException {
        if (args.isEmpty()) {
            StringBuilder sb = new StringBuilder("Quota settings:\n");
            for (Quota q : Quota.values()) {
                sb.append(String.format("%-17s: %8d %s%n", q.wireName(), quotas.global(q), q.description()));
            }
            return sb.toString();
        }
        if (args.getFirst().equals("set")) {
            if (args.size() != 3) {
                throw new XsException(XsError.EINVAL);
            }
            quotas.setGlobal(quota(args.get(1)), value(args.get(2)));
            return "OK";
        }
        if (args.size() != 1) {
            throw new XsException(XsError.EINVAL);
        }
        int domid = (int) Decimal.parse(args.getFirst(), Integer.MAX_VALUE);
        if (!knownDomain.test(domid)) {
            throw new XsException(XsError.ENOENT);
        }
        return String.format("Domain %d:%n%-16s: %8d (max %d)%n%-16s: %8d (max %d)%n", domid,
                "nodes", nodesOwned.applyAsInt(domid), quotas.limit(Quota.NODES, domid),
                "watches", watchesOwned.applyAsInt(domid), quotas.limit(Quota.WATCHES, domid));
    }

    /** CONTROL {@code quota-soft}: shows the soft memory quota, or {@code set memory <value>}. */
    public String controlSoft(List<String> args) throws XsException {
        if (args.isEmpty()) {
            return String.format("Quota settings:%n%-17s: %8d %s%n", Quota.MEMORY.wireName(), quotas.softMemory(),
                    "Total Xenstore memory per domain (warning level)");
        }
        if (args.size() != 3 || !args.get(0).equals("set") || !args.get(1).equals(Quota.MEMORY.wireName())) {
            throw new XsException(XsError.EINVAL);
        }
        quotas.setSoftMemory(value(args.get(2)));
        return "OK";
    }

    private int knownDomid(String text) throws XsException {
        int domid = (int) Decimal.parse(text, 0xFFFF);
        if (!knownDomain.test(domid)) {
            throw new XsException(XsError.ENOENT);
        }
        return domid;
    }

    private static Quota quota(String name) throws XsException {
        Quota q = Quota.byName(name);
        if (q == null) {
            throw new XsException(XsError.EINVAL);
        }
        return q;
    }

    private static int value(String s) throws XsException {
        return (int) Decimal.parse(s, Integer.MAX_VALUE);
    }
}
