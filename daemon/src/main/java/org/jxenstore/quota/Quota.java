package org.jxenstore.quota;

/**
 * The per-domain quotas of C xenstored, with its names and defaults. A value of 0 disables a
 * check. Quotas only ever bind unprivileged domains.
 */
public enum Quota {
    NODES("nodes", 1000, "Nodes per domain"),
    WATCHES("watches", 128, "Watches per domain"),
    TRANSACTIONS("transactions", 10, "Transactions per domain"),
    OUTSTANDING("outstanding", 20, "Outstanding requests per domain"),
    TRANSACTION_NODES("transaction-nodes", 1024, "Max. number of accessed nodes per transaction"),
    MEMORY("memory", 2 * 1024 * 1024 + 512 * 1024, "Total Xenstore memory per domain (error level)"),
    NODE_SIZE("node-size", 2048, "Max. size of a node"),
    PATH_MAX("path-max", 2048, "Max. length of a node path"),
    NODE_PERMISSIONS("node-permissions", 5, "Max. number of permissions per node");

    /** Default of the only soft quota, {@code memory}: a warning, not a refusal. */
    public static final int SOFT_MEMORY_DEFAULT = 2 * 1024 * 1024;
    /** The soft memory quota's name for GET/SET_QUOTA. */
    public static final String SOFT_MEMORY = "soft-memory";

    private final String wireName;
    private final int defaultValue;
    private final String description;

    Quota(String wireName, int defaultValue, String description) {
        this.wireName = wireName;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The name used by GET/SET_QUOTA, CONTROL {@code quota} and {@code -Q}. */
    public String wireName() {
        return wireName;
    }

    public int defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /**
     * The quota with the given name; {@code permissions} is accepted as an alias of
     * {@code node-permissions} (docs/misc/xenstore.txt and C 4.17 use that name).
     *
     * @return the quota, or {@code null} if the name is unknown
     */
    public static Quota byName(String name) {
        if ("permissions".equals(name)) {
            return NODE_PERMISSIONS;
        }
        for (Quota q : values()) {
            if (q.wireName.equals(name)) {
                return q;
            }
        }
        return null;
    }
}
