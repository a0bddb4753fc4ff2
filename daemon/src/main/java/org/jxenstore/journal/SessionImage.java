package org.jxenstore.journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jxenstore.exec.Session;
import org.jxenstore.migration.MigrationRecord.LoggedRequest;
import org.jxenstore.migration.MigrationRecord.TransactionData;
import org.jxenstore.migration.MigrationRecord.TransactionLog;
import org.jxenstore.migration.MigrationRecord.WatchData;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.txn.Transaction;
import org.jxenstore.watch.Watch;

/**
 * A connection's watches (as the client gave their paths) and open transactions, as migration
 * records of connection {@code connId}; with {@code replay}, each transaction's log too, for a
 * live update to rebuild it (the journal keeps only the ids: after a crash they can only fail).
 */
public final class SessionImage {
    private SessionImage() {
    }

    public static void write(int connId, Session s, boolean replay, MigrationWriter out) throws IOException {
        for (Watch w : s.watches()) {
            int depth = w.depth() == Watch.UNLIMITED ? WatchData.UNLIMITED : w.depth();
            out.write(new WatchData(connId, w.eventPath(w.path()), w.token(), depth));
        }
        for (Transaction t : s.transactions().values()) {
            out.write(new TransactionData(connId, t.id()));
            if (replay) {
                boolean replayable = t.replayable();
                List<LoggedRequest> requests = new ArrayList<>();
                if (replayable) {
                    for (Transaction.Step step : t.steps()) {
                        requests.add(new LoggedRequest(step.type(), step.payload()));
                    }
                }
                out.write(new TransactionLog(connId, t.id(), replayable, replayable ? t.touched() : List.of(),
                        requests));
            }
        }
    }
}
