package org.jxenstore.metrics;

import org.jxenstore.exec.DaemonState;
import org.jxenstore.exec.Session;

/**
 * What the daemon holds, counted on the event loop's thread (which owns the state) for a scrape.
 *
 * @param ringConnections   guests' rings (the store domain's own included)
 * @param socketConnections Unix socket clients
 * @param domains           introduced domains
 */
public record StateCounts(long nodes, long watches, long transactions, long ringConnections,
        long socketConnections, long domains) {

    /** Counts {@code state}: call on the event loop's thread. */
    public static StateCounts of(DaemonState state) {
        long nodes = 0;
        for (int n : state.store().ownedCounts().values()) {
            nodes += n;
        }
        long transactions = 0;
        long rings = 0;
        long sockets = 0;
        for (Session s : state.sessions().all()) {
            transactions += s.transactions().size();
            if (s.ringDomid() == Session.NOT_A_RING) {
                sockets++;
            } else {
                rings++;
            }
        }
        return new StateCounts(nodes, state.watches().size(), transactions, rings, sockets,
                state.domains().introduced().size());
    }
}
