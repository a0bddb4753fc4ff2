package org.jxenstore.control;

import java.util.List;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.exec.Session;
import org.jxenstore.exec.Sessions;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.Store;
import org.jxenstore.watch.WatchIndex;

/** CONTROL {@code memreport}: what the store holds and what the JVM uses. */
final class MemoryReport {
    private final Store store;
    private final WatchIndex watches;
    private final DomainRegistry domains;
    private final Sessions sessions;

    MemoryReport(Store store, WatchIndex watches, DomainRegistry domains, Sessions sessions) {
        this.store = store;
        this.watches = watches;
        this.domains = domains;
        this.sessions = sessions;
    }

    String render() {
        long[] nodesAndBytes = new long[2];
        Store.walk(NodePath.ROOT, store.root(), (path, n) -> {
            nodesAndBytes[0]++;
            nodesAndBytes[1] += n.chargedSize();
        });
        int transactions = 0;
        List<Session> open = sessions.all();
        for (Session s : open) {
            transactions += s.transactions().size();
        }
        Runtime rt = Runtime.getRuntime();
        return String.format("""
                nodes            : %d
                node bytes       : %d
                connections      : %d
                watches          : %d
                transactions     : %d
                domains          : %d
                queued output    : %d
                heap used        : %d
                heap committed   : %d
                heap max         : %d
                """, nodesAndBytes[0], nodesAndBytes[1], open.size(), watches.size(), transactions, domains.size(), sessions.queuedOutputBytes(),
                rt.totalMemory() - rt.freeMemory(), rt.totalMemory(), rt.maxMemory());
    }
}
