package org.jxenstore.journal;

import java.io.IOException;
import java.util.OptionalLong;
import org.jxenstore.domain.Domain;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.exec.Session;
import org.jxenstore.migration.MigrationRecord.ConnectionData;
import org.jxenstore.migration.MigrationRecord.Ring;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.migration.SettingsImage;

/**
 * What is kept of one domain, as migration records: its own quotas and features (DOMAIN_DATA)
 * and, once it is introduced, its ring (CONNECTION_DATA) with the watches and the ids of the
 * open transactions of the session on it. A ring's connection id is its domid plus one.
 */
final class DomainImage {
    private DomainImage() {
    }

    static int connectionId(int domid) {
        return domid + 1;
    }

    /** DOMAIN_DATA, if the domain has a record or values of its own. */
    static void writeSettings(int domid, DaemonState state, MigrationWriter out) throws IOException {
        if (state.domains().find(domid) != null || !state.quotas().ownValues(domid).isEmpty()) {
            out.write(SettingsImage.domain(domid, state.quotas(), state.domains()));
        }
    }

    /** The ring, its watches and open transactions, if the domain is introduced. */
    static void writeConnection(int domid, DaemonState state, MigrationWriter out) throws IOException {
        Domain d = state.domains().find(domid);
        if (d == null || !d.introduced()) {
            return;
        }
        int conn = connectionId(domid);
        int target = d.target() < 0 ? Ring.NO_TARGET : d.target();
        out.write(new ConnectionData(conn, new Ring(domid, target, d.port()), new byte[0], 0, new byte[0],
                OptionalLong.empty()));
        Session s = state.sessions().ring(domid);
        if (s != null) {
            SessionImage.write(conn, s, false, out);
        }
    }
}
